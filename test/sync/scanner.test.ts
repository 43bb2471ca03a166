// The secret scan of a first backup runs in a worker thread (scanner.ts): the bundled worker answers a scan job,
// and a scan large enough to go to the worker finds what the same scan finds on this thread.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { WrittenShard } from '../../src/sync/exporter';
import { encodeRow } from '../../src/sync/layout';
import { locateFindings, runScanJob, scanJob } from '../../src/sync/scan';
import { Scanner, type ScanReply, type ScanRequest } from '../../src/sync/scanner';
import { cleanupTempDirs, requireBuilt, ROOT, tempDir } from '../helpers';

const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

/** A working tree with a note of `lines` lines of prose holding a GitHub token on line `at`. */
function treeWithSecret(lines: number, at: number): { repo: string; rel: string } {
  const repo = tempDir('cairn-scan-');
  const rel = 'files/vault/big note.md';
  const text = Array.from({ length: lines }, (_, i) => (i + 1 === at ? `token = ${TOKEN}` : `Line ${i}: some words about the project and its tasks, nothing secret.`)).join('\n');
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
  return { repo, rel };
}

describe('backup secret scan of written shards', function () {
  after(() => cleanupTempDirs());

  it('scans only new lines, multi-line fields decoded, and names the row and field of each finding', async () => {
    const repo = tempDir('cairn-scan-');
    const spec = { name: 'tasks', key: ['id'], columns: ['id', 'description'], omit: [], immutable: false };
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const lines = [
      encodeRow(spec.columns, { id: 'T1', description: `deploy with\n${key}` }),
      encodeRow(spec.columns, { id: 'T2', description: `token ${TOKEN}` }),
      encodeRow(spec.columns, { id: 'T3', description: 'plain words' }),
    ];
    const rel = 'db/tasks/ab.jsonl';
    fs.mkdirSync(path.join(repo, 'db', 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), lines.join('\n') + '\n');
    const where = async (freshLines: number[]) => {
      const shard: WrittenShard = { path: rel, table: 'tasks', spec, lines, freshLines };
      return locateFindings(await runScanJob(repo, scanJob([shard], []), []), [shard]).map((f) => `${f.rule}: ${f.where}`);
    };
    const newOnly = await where([0, 2]);
    assert.ok(newOnly.some((w) => /^private-?key.*: task T1 field description \(line 2 of the field\)$/.test(w)), newOnly.join('; '));
    assert.ok(!newOnly.some((w) => w.includes('T2')), 'a line not new is not scanned');
    const all = await where([0, 1, 2]);
    assert.ok(all.includes('github: task T2 field description'), all.join('; '));
  });
});

describe('backup secret scan in a worker', function () {
  this.timeout(120_000);
  after(() => cleanupTempDirs());

  it('the bundled worker (dist/scanWorker.js) answers a scan job with the findings of a scan on this thread', async () => {
    requireBuilt();
    const { repo, rel } = treeWithSecret(2000, 1500);
    const job = scanJob([], [rel]);
    const here = await runScanJob(repo, job, []);
    assert.equal(here.length, 1, 'the planted token is found');
    const worker = new Worker(path.join(ROOT, 'dist', 'scanWorker.js'));
    try {
      const reply = await new Promise<ScanReply>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ id: 7, repo, job, allow: [] } satisfies ScanRequest);
      });
      assert.deepEqual(reply, { id: 7, findings: here });
    } finally {
      await worker.terminate();
    }
  });

  it('a scan large enough for the worker finds a secret deep inside it, and an allowed one is not reported', async () => {
    const { repo, rel } = treeWithSecret(150_000, 123_457); // about 10 MB
    const bytes = fs.statSync(path.join(repo, rel)).size;
    const large = new Scanner(repo, []);
    large.files([rel], () => bytes);
    const found = await large.findings();
    assert.deepEqual(
      found.map((f) => [f.path, f.line, f.rule]),
      [[rel, 123_457, 'github']],
    );
    const allowed = new Scanner(repo, [found[0]!.fingerprint]);
    allowed.files([rel], () => bytes);
    assert.deepEqual(await allowed.findings(), []);
  });
});
