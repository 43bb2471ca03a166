// Secret scanning speed on ~20 MB of notes, against ripgrep over the same files in the same run.
//
// A synthetic vault is generated in a temp folder (deterministic, seeded PRNG): BENCH_NOTES notes (default 10,000)
// of ~2 KB: front matter with ULID-like ids and sha256 checksums, headings, prose, code blocks with config lines,
// links, and every 100th note a ~8 KB base64 image; BENCH_PLANTED (20) notes carry a planted secret (AWS key id,
// GitHub token, Slack token, KEY=value). Then, page cache hot:
//   1. scanForSecrets cold (first call in the process: loads secretlint) and warm (BENCH_TRIALS, 3), each including
//      reading every file (the scanner takes texts; the backup pipeline has them in hand);
//   2. baseline: `rg -n` with the core patterns of those rules (AWS key id, GitHub token, Slack token, PEM private
//      key header, secret-named assignment) over the folder, spawn included. Not the same work: rg runs 5 regexes,
//      the scanner ~30 rules with validation, allow-lists, fingerprints and masking;
//   3. baseline: reading every file alone.
// Run with `npm run bench -- secrets`; alone: `node --import tsx bench/secrets.bench.ts`.
// Env: BENCH_NOTES (10000), BENCH_PLANTED (20), BENCH_TRIALS (3), BENCH_SEED (7), CAIRN_BENCH_OUT.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanForSecrets } from '../src/sync/secrets';
import { median, prng, round } from './stats';
import { runBench, writeResult } from './output';

const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const PLANTED = Number(process.env.BENCH_PLANTED ?? 20);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const SEED = Number(process.env.BENCH_SEED ?? 7);

const progress = (msg: string) => process.stderr.write(`secrets: ${msg}\n`);


function makeVault(dir: string) {
  const rand = prng(SEED);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const chars = (n: number, alphabet: string) => Array.from({ length: n }, () => pick([...alphabet])).join('');
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const words = 'the store task sprint backup agent note link vault index search query commit remote merge conflict token key value deploy config review design plan metric quality release'.split(' ');
  const sentence = () => Array.from({ length: 8 + Math.floor(rand() * 12) }, () => pick(words)).join(' ') + '.';
  const secrets = [
    () => `The CI user is AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}.`,
    () => `push with ghp_${chars(36, ALNUM)}`,
    () => `bot xoxb-${chars(11, '0123456789')}-${chars(13, '0123456789')}-${chars(24, ALNUM)}`,
    () => `DATABASE_PASSWORD=${chars(20, ALNUM)}`,
  ];
  const plantedAt = new Map(Array.from({ length: PLANTED }, (_, k) => [Math.floor((k * NOTES) / PLANTED) + 3, k]));
  let bytes = 0;
  const files: string[] = [];
  for (let i = 0; i < NOTES; i++) {
    const parts = [
      '---',
      `id: 01J${chars(23, '0123456789ABCDEFGHJKMNPQRSTVWXYZ')}`,
      `checksum: ${chars(64, '0123456789abcdef')}`,
      `tags: [${pick(words)}, ${pick(words)}]`,
      '---',
      `# ${pick(words)} ${pick(words)} ${i}`,
      ...Array.from({ length: 10 }, () => Array.from({ length: 2 }, sentence).join(' ')),
      '```yaml',
      `timeout: ${Math.floor(rand() * 100)}`,
      `commit: ${chars(40, '0123456789abcdef')}`,
      '```',
      `See [[note-${Math.floor(rand() * NOTES)}]] and https://example.org/${pick(words)}/${i}.`,
    ];
    if (i % 100 === 0) parts.push(`![chart](data:image/png;base64,${chars(8000, ALNUM + '+/')}=)`);
    if (plantedAt.has(i)) parts.splice(8, 0, secrets[plantedAt.get(i)! % secrets.length]!());
    const text = parts.join('\n') + '\n';
    const folder = path.join(dir, `area-${i % 20}`);
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `note-${i}.md`);
    fs.writeFileSync(file, text);
    files.push(file);
    bytes += Buffer.byteLength(text);
  }
  return { files, bytes, planted: plantedAt.size };
}

function readAll(dir: string, files: string[]) {
  return files.map((f) => ({ path: path.relative(dir, f), text: fs.readFileSync(f, 'utf8') }));
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-secrets-'));
  try {
    progress(`writing ${NOTES} notes`);
    const vault = makeVault(dir);
    readAll(dir, vault.files); // warm the page cache for every measurement below

    const scan = async () => {
      const t0 = performance.now();
      const findings = await scanForSecrets(readAll(dir, vault.files));
      return { ms: performance.now() - t0, findings };
    };
    progress('scan (cold: loads secretlint)');
    const cold = await scan();
    const warm: number[] = [];
    for (let t = 0; t < TRIALS; t++) warm.push((await scan()).ms);

    const readMs: number[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const t0 = performance.now();
      readAll(dir, vault.files);
      readMs.push(performance.now() - t0);
    }

    const rgPatterns = [
      '\\b(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\\b',
      '\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b',
      '\\b(xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-(\\d-)?([a-zA-Z0-9]{1,40}-)+[a-zA-Z0-9]{1,40}\\b',
      '-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY',
      '(?i)^\\s*(export\\s+)?[A-Za-z_][A-Za-z0-9_.-]*(secret|token|passw(or)?d|api_?key)[A-Za-z0-9_.-]*\\s*[=:]\\s*\\S{8,}',
    ];
    const rg = spawnSync('rg', ['--version'], { encoding: 'utf8' });
    const rgMs: number[] = [];
    let rgHits: number | null = null;
    if (rg.status === 0) {
      for (let t = 0; t < TRIALS; t++) {
        const t0 = performance.now();
        const r = spawnSync('rg', ['-n', '--no-heading', ...rgPatterns.flatMap((p) => ['-e', p]), dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
        rgMs.push(performance.now() - t0);
        rgHits = r.stdout.split('\n').filter(Boolean).length;
      }
    }
    const rgMedian = rgMs.length ? round(median(rgMs)) : null;
    const mb = vault.bytes / 1e6;
    const result = {
      name: 'secrets',
      description: 'scanForSecrets (secretlint recommend preset + Cairn rules, file reads included) on a synthetic vault vs ripgrep with 5 core patterns and vs reading the files.',
      params: { notes: NOTES, planted: vault.planted, trials: TRIALS, seed: SEED },
      vault: { megabytes: round(mb), files: vault.files.length },
      scan: {
        coldMs: round(cold.ms),
        warmMs: warm.map((x) => round(x)),
        warmMBps: round(mb / (median(warm) / 1000)),
        findings: cold.findings.length,
        findingsByRule: cold.findings.reduce<Record<string, number>>((acc, f) => ({ ...acc, [f.rule]: (acc[f.rule] ?? 0) + 1 }), {}),
      },
      baselines: { readAllMs: readMs.map((x) => round(x)), rgMs: rgMs.map((x) => round(x)), rgHits, rgVersion: rg.status === 0 ? rg.stdout.split('\n')[0] : null, rgMissingReason: rg.status === 0 ? null : 'rg not on PATH' },
      summary: [
        { metric: `scan ${round(mb, 1)} MB warm vs rg`, value: round(median(warm)), baseline: rgMedian, ratio: rgMedian ? round(median(warm) / rgMedian) : null, unit: 'ms' },
        { metric: `scan ${round(mb, 1)} MB cold (loads secretlint) vs rg`, value: round(cold.ms), baseline: rgMedian, ratio: rgMedian ? round(cold.ms / rgMedian) : null, unit: 'ms' },
        { metric: `scan ${round(mb, 1)} MB warm vs reading the files`, value: round(median(warm)), baseline: round(median(readMs)), ratio: round(median(warm) / median(readMs)), unit: 'ms' },
      ],
    };
    writeResult(result);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('secrets', main);
