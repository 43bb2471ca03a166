// Backup and restore when things go wrong: the process killed (SIGKILL) at named points and after random
// delays, a deleted or damaged backup repository, a backup edited by hand, a full disk. Each time the store
// opens, passes integrity_check and holds the old or the new state (never a mix), and the next backup succeeds.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../src/store/errors';
import { Store } from '../../src/store/store';
import { getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { computeManifest, formatManifest, readManifest } from '../../src/sync/manifest';
import { runRestore } from '../../src/sync/restore';
import { CLI, cleanupTempDirs, human, requireBuilt, startBackend, tempDir, withSmallDisk } from '../helpers';
import { canonicalDump, contentOf, envOf, populate, readTree, writeVault, type Dump } from './fixtures';

const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

interface Template {
  root: string;
  /** The backup commit of state A. */
  commitA: string;
  dumpA: Dump;
  dumpB: Dump;
  vaultA: Record<string, string>;
  vaultB: Record<string, string>;
}

/** A store at state B whose backup repository holds state A (commit A) and then B: copied for each scenario. */
async function makeTemplate(): Promise<Template> {
  const root = tempDir('cairn-kill-template-');
  const dir = path.join(root, 'store');
  const vault = path.join(dir, 'vault');
  const store = await Store.open(dir);
  try {
    const ids = await populate(store, 2000);
    writeVault(vault, 150);
    const a = await runBackup(envOf(store, vault), {});
    const dumpA = (await canonicalDump(store)).tables;
    const vaultA = readTree(vault);
    await store.write(async (orm) => {
      for (const id of ids.filter((_, i) => i % 3 === 0)) {
        const t = await getTask(orm, id);
        await updateTask(orm, human, id, t.version, { title: `${t.title} (B)`, status: 'in_progress' });
      }
    });
    for (let i = 0; i < 150; i += 2) fs.appendFileSync(path.join(vault, `f${i % 7}`, `note ${i}.md`), '\nchanged in B\n');
    fs.rmSync(path.join(vault, 'f1', 'note 1.md'));
    fs.writeFileSync(path.join(vault, 'only-in-b.md'), '# B\n');
    return { root, commitA: a.commit!, dumpA, dumpB: (await canonicalDump(store)).tables, vaultA, vaultB: readTree(vault) };
  } finally {
    await store.close();
  }
}

function copyOf(t: Template): { dir: string; vault: string } {
  const root = tempDir('cairn-kill-');
  fs.cpSync(t.root, root, { recursive: true });
  return { dir: path.join(root, 'store'), vault: path.join(root, 'store', 'vault') };
}

/** Runs the CLI, killing it at a crash point (env) or after a delay; resolves with how it ended. */
function runKilled(args: string[], how: { at?: string; afterMs?: number }): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...(how.at ? { CAIRN_TEST_CRASH_AT: how.at } : {}) } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = how.afterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), how.afterMs) : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function checkStore(dir: string): Promise<Dump> {
  const store = await Store.open(dir);
  try {
    const integrity = await store.conn.all<{ integrity_check: string }>('PRAGMA integrity_check');
    assert.deepEqual(integrity.map((r) => r.integrity_check), ['ok']);
    return (await canonicalDump(store)).tables;
  } finally {
    await store.close();
  }
}

function cli(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--store', dir, '--agents', path.join(dir, 'no-agents'), ...args], { encoding: 'utf8' });
}

describe('backup failures: SIGKILL during backup and restore', function () {
  this.timeout(900_000);
  let template: Template;
  before(async () => {
    requireBuilt();
    template = await makeTemplate();
  });
  after(() => cleanupTempDirs());

  const backupKills: { at?: string; afterMs?: number }[] = [
    ...['backup:exported', 'backup:files', 'backup:staged', 'backup:committed'].map((at) => ({ at })),
    ...[150, 400, 700, 1000, 1500].map((afterMs) => ({ afterMs })),
  ];
  for (const how of backupKills) {
    it(`backup killed ${how.at ? `at ${how.at}` : `after ${how.afterMs} ms`}: the store is intact, the next backup succeeds and is complete`, async () => {
      const { dir } = copyOf(template);
      const r = await runKilled(['--store', dir, '--agents', path.join(dir, 'no-agents'), 'backup'], how);
      if (how.at) assert.equal(r.signal, 'SIGKILL', `expected a kill at ${how.at}; stderr: ${r.stderr}`);
      assert.deepEqual(await checkStore(dir), template.dumpB, 'a backup never changes the store');
      const next = cli(dir, '--json', 'backup');
      assert.equal(next.status, 0, next.stderr);
      const full = cli(dir, '--json', 'backup', '--full');
      assert.equal(JSON.parse(full.stdout).status, 'unchanged', 'the backup after the kill holds everything');
      assert.equal(git(path.join(dir, 'backup'), 'status', '--porcelain'), '');
      git(path.join(dir, 'backup'), 'fsck', '--no-progress');
    });
  }

  const restoreKills: { at?: string; afterMs?: number }[] = [
    ...['restore:safety', 'restore:swapped', 'restore:half-files', 'restore:files'].map((at) => ({ at })),
    ...[300, 800, 1300, 1800, 2500, 3500].map((afterMs) => ({ afterMs })),
  ];
  for (const how of restoreKills) {
    it(`restore killed ${how.at ? `at ${how.at}` : `after ${how.afterMs} ms`}: old state or new, never a mix; the next backup finishes the job`, async () => {
      const { dir, vault } = copyOf(template);
      const r = await runKilled(['--store', dir, '--agents', path.join(dir, 'no-agents'), 'restore', template.commitA, '--yes'], how);
      if (how.at) assert.equal(r.signal, 'SIGKILL', `expected a kill at ${how.at}; stderr: ${r.stderr}`);
      // Restored: A's rows (their versions moved on) with B's log, which a restore only adds to.
      const restored = JSON.stringify({ ...contentOf(template.dumpA), events: contentOf(template.dumpB).events });
      const isRestored = async () => JSON.stringify(contentOf(await checkStore(dir))) === restored;
      const isA = await isRestored();
      const isB = JSON.stringify(await checkStore(dir)) === JSON.stringify(template.dumpB);
      assert.ok(isA || isB, 'the store holds the old or the restored state');
      const next = cli(dir, '--json', 'backup');
      assert.equal(next.status, 0, next.stderr);
      // An interrupted restore that swapped is finished by the next backup: files match the database.
      assert.deepEqual(readTree(vault), isA ? template.vaultA : template.vaultB);
      assert.ok(isA ? await isRestored() : JSON.stringify(await checkStore(dir)) === JSON.stringify(template.dumpB), 'the same state after the next backup');
      assert.equal(JSON.parse(cli(dir, '--json', 'backup', '--full').stdout).status, 'unchanged');
      assert.equal(git(path.join(dir, 'backup'), 'status', '--porcelain'), '', 'what was committed is what the working tree holds');
      const verify = cli(dir, '--json', 'restore', 'HEAD', '--dry-run');
      assert.equal(verify.status, 0, `the last commit passes a restore's checks: ${verify.stderr}`);
    });
  }
});

describe('backup failures: damaged repositories, hand edits, a full disk', function () {
  this.timeout(300_000);
  afterEach(() => cleanupTempDirs());

  async function fresh(tasks = 300) {
    const dir = path.join(tempDir(), 'store');
    const store = await Store.open(dir);
    await populate(store, tasks);
    writeVault(path.join(dir, 'vault'), 10);
    return { dir, store, env: envOf(store, path.join(dir, 'vault')) };
  }

  it("a git repository holding db/, files/ or manifest.json but no backup is someone else's: refused, nothing touched", async () => {
    const { dir, store, env } = await fresh(20);
    try {
      const repo = path.join(dir, 'their-repo');
      execFileSync('git', ['init', '--quiet', repo]);
      fs.mkdirSync(path.join(repo, 'manifest.json'));
      fs.writeFileSync(path.join(repo, 'manifest.json', 'theirs.txt'), 'keep me\n');
      fs.mkdirSync(path.join(repo, 'files'));
      fs.writeFileSync(path.join(repo, 'files', 'notes.txt'), 'keep me too\n');
      const before = readTree(repo);
      await assert.rejects(runBackup(env, { repo }), (e: unknown) => e instanceof StoreError && /holds files, manifest\.json but no Cairn backup: Cairn will not write over them/.test(e.message));
      const after = readTree(repo);
      for (const [rel, text] of Object.entries(before)) if (!rel.startsWith('.git/')) assert.equal(after[rel], text, rel);
    } finally {
      await store.close();
    }
  });

  it('a deleted backup repository: the next backup starts a new one', async () => {
    const { dir, store, env } = await fresh();
    try {
      await runBackup(env, {});
      fs.rmSync(path.join(dir, 'backup'), { recursive: true, force: true });
      const r = await runBackup(env, {});
      assert.match(r.summary, /^First backup: 300 tasks/);
      assert.equal((await runBackup(env, {}, { full: true })).status, 'unchanged');
    } finally {
      await store.close();
    }
  });

  it('a damaged repository: a clear error, the store untouched', async () => {
    const { dir, store, env } = await fresh();
    try {
      await runBackup(env, {});
      const before = (await canonicalDump(store)).tables;
      const objects = path.join(dir, 'backup', '.git', 'objects');
      for (const sub of fs.readdirSync(objects).filter((d) => /^[0-9a-f]{2}$/.test(d))) {
        for (const f of fs.readdirSync(path.join(objects, sub))) fs.writeFileSync(path.join(objects, sub, f), 'garbage');
      }
      await assert.rejects(runBackup(env, {}), (e: StoreError) => e.kind === 'corrupt' && /backup repository .* is damaged .*Your store was not changed/.test(e.message));
      await assert.rejects(runRestore(env, {}, 'HEAD'), (e: StoreError) => e instanceof StoreError && /damaged|no backup/i.test(e.message));
      assert.deepEqual((await canonicalDump(store)).tables, before);
    } finally {
      await store.close();
    }
  });

  it('a note copy edited by hand: the restore refuses although that note needs no writing back', async () => {
    const { dir, store, env } = await fresh();
    try {
      await runBackup(env, {});
      const repo = path.join(dir, 'backup');
      const note = git(repo, 'ls-files', 'files/vault').split('\n').filter((p) => p.endsWith('.md')).sort()[0]!;
      fs.appendFileSync(path.join(repo, note), '\nedited in the backup by hand\n');
      git(repo, 'commit', '-qam', 'hand edit');
      const before = (await canonicalDump(store)).tables;
      const vaultBefore = readTree(env.vaultDir);
      // The live note is the manifest's: only the full check of every file finds the damaged copy.
      await assert.rejects(runRestore(env, {}, 'HEAD'), (e: StoreError) => e.kind === 'corrupt' && e.message.includes(`${note}: checksum mismatch`) && /Nothing was changed/.test(e.message));
      assert.deepEqual((await canonicalDump(store)).tables, before, 'rows untouched');
      assert.deepEqual(readTree(env.vaultDir), vaultBefore, 'vault untouched');
    } finally {
      await store.close();
    }
  });

  it('a JSONL line edited into garbage: the checksum catches it; with a recomputed manifest, the line is named', async () => {
    const { dir, store, env } = await fresh();
    try {
      const b = await runBackup(env, {});
      const repo = path.join(dir, 'backup');
      const shard = fs.readdirSync(path.join(repo, 'db', 'tasks')).sort()[0]!;
      const file = path.join(repo, 'db', 'tasks', shard);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines[1] = '{"id": "01J garbage, not json';
      fs.writeFileSync(file, lines.join('\n'));
      git(repo, 'commit', '-qam', 'hand edit');
      const before = (await canonicalDump(store)).tables;
      await assert.rejects(runRestore(env, {}, 'HEAD'), (e: StoreError) => e.kind === 'corrupt' && e.message.includes(`db/tasks/${shard}: checksum mismatch`) && /Nothing was changed/.test(e.message));

      // The safety backup of that restore wrote the shard again (its size was not the listed one): edit it again.
      assert.notEqual(fs.readFileSync(file, 'utf8'), lines.join('\n'));
      fs.writeFileSync(file, lines.join('\n'));
      const m = readManifest(repo)!;
      fs.writeFileSync(path.join(repo, 'manifest.json'), formatManifest(computeManifest(repo, m)));
      git(repo, 'commit', '-qam', 'manifest recomputed');
      await assert.rejects(runRestore(env, {}, 'HEAD'), (e: StoreError) => e.kind === 'corrupt' && e.message.startsWith(`db/tasks/${shard} line 2 is not a valid tasks row`));
      assert.deepEqual((await canonicalDump(store)).tables, before, 'local data untouched');
      // The good backup still restores.
      await runRestore(env, {}, b.commit!);
      assert.deepEqual((await canonicalDump(store)).tables, before);
    } finally {
      await store.close();
    }
  });

  it('a JSONL line edited by hand to the same size and committed: `backup --full` finds it by content and writes it back', async () => {
    const { dir, store, env } = await fresh();
    try {
      await runBackup(env, {});
      const repo = path.join(dir, 'backup');
      const rel = path.join('db', 'tasks', fs.readdirSync(path.join(repo, 'db', 'tasks')).sort()[0]!);
      const good = fs.readFileSync(path.join(repo, rel), 'utf8');
      const edited = good.replace(/"title":"(.)/, (_, c: string) => `"title":"${c === 'X' ? 'Y' : 'X'}`);
      assert.notEqual(edited, good);
      assert.equal(Buffer.byteLength(edited), Buffer.byteLength(good));
      fs.writeFileSync(path.join(repo, rel), edited);
      git(repo, 'commit', '-qam', 'hand edit, manifest untouched');
      // An ordinary backup after a commit it did not make compares every table by checksum and size: same size, kept.
      await runBackup(env, {});
      const full = await runBackup(env, {}, { full: true });
      assert.equal(full.status, 'committed');
      assert.equal(fs.readFileSync(path.join(repo, rel), 'utf8'), good, 'the shard holds the rows again');
      assert.equal(git(repo, 'show', `HEAD:${rel.split(path.sep).join('/')}`), good);
    } finally {
      await store.close();
    }
  });

  it('a full disk: a clear error, the store untouched, the next backup succeeds once there is room', async () => {
    const { dir, store } = await fresh(500);
    await store.close();
    const out = tempDir('cairn-full-disk-');
    // The backup repository on an 8 MiB disk that ballast fills; the store and its vault stay on the ordinary one.
    const r = withSmallDisk(tempDir('cairn-tmpfs-'), 8 * 1024, `
      cairn() { "$NODE" "$CLI" --store "$STORE" --agents "$STORE/no-agents" "$@"; }
      cairn --json task list > "$OUT/before.json"
      head -c $((7 * 1024 * 1024 + 512 * 1024)) /dev/zero > "$MNT/ballast"
      if cairn backup --repo "$MNT/backup" 2> "$OUT/refused.txt"; then exit 3; fi
      cairn --json task list > "$OUT/after.json"
      rm "$MNT/ballast"
      cairn backup --repo "$MNT/backup" > "$OUT/committed.txt"
      cairn backup --full --repo "$MNT/backup" > "$OUT/full.txt"
    `, { STORE: dir, OUT: out });
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}\n${fs.existsSync(path.join(out, 'refused.txt')) ? fs.readFileSync(path.join(out, 'refused.txt'), 'utf8') : ''}`);
    const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
    assert.match(read('refused.txt'), /^cairn: .*is full.*store was not changed; free some space.*\n$/);
    assert.deepEqual(JSON.parse(read('after.json')), JSON.parse(read('before.json')));
    assert.match(read('committed.txt'), /^Backed up: .*500 tasks/);
    assert.match(read('full.txt'), /[Nn]othing changed/);
  });
});

describe('backup over JSON-RPC', function () {
  this.timeout(120_000);
  before(() => requireBuilt());
  afterEach(() => cleanupTempDirs());

  it('backup.run with progress, backup.history, backup.restore dry run, backup.remote.get/set, and clear errors', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await Store.open(dir);
    await populate(store, 20);
    await store.close();
    const backend = startBackend(dir, ['--agents', path.join(dir, 'no-agents')]);
    const progress: { operation: string; phase: string }[] = [];
    backend.rpc.onNotification('backup.progress', (p) => progress.push(p));
    try {
      const r = await backend.rpc.sendRequest<{ status: string; commit: string; summary: string }>('backup.run', {});
      assert.equal(r.status, 'committed');
      assert.ok(['export', 'stage', 'commit'].every((phase) => progress.some((p) => p.operation === 'backup' && p.phase === phase)), JSON.stringify(progress));
      const h = await backend.rpc.sendRequest<{ entries: { commit: string; kind: string }[] }>('backup.history', { limit: 5 });
      assert.deepEqual(h.entries.map((e) => [e.commit, e.kind]), [[r.commit, 'backup']]);
      const dry = await backend.rpc.sendRequest<{ dryRun: boolean; tables: { table: string; added: number }[] }>('backup.restore', { ref: r.commit, dryRun: true });
      assert.ok(dry.dryRun && dry.tables.every((t) => t.added === 0));
      assert.deepEqual(await backend.rpc.sendRequest('backup.remote.get', {}), { repo: path.join(dir, 'backup'), url: null });
      await assert.rejects(backend.rpc.sendRequest('backup.remote.set', { url: 'ftp://example.invalid/x' }), (e: { code: number; message: string }) => e.code === -32006 && /transport Cairn does not accept/.test(e.message));
      await assert.rejects(backend.rpc.sendRequest('backup.restore', {}), (e: { code: number; message: string }) => e.code === -32602 && /ref/.test(e.message));
      await assert.rejects(backend.rpc.sendRequest('backup.restore', { ref: 'nope' }), (e: { code: number; message: string }) => e.code === -32001 && /cairn history/.test(e.message));
    } finally {
      await backend.stop();
    }
  });
});
