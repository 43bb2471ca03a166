// What the fuzzers (test/fuzz/) share: their budget and seed, the count of inputs they tried, hostile values, the
// checks every response or message must pass, and a sandbox whose every byte outside the allowed folders is compared
// before and after. CI mode (the default): a fixed seed and a fixed number of runs, so every CI run tries the same
// inputs. Long mode (`npm run fuzz`, or CAIRN_FUZZ_SECONDS set): a random seed (or CAIRN_FUZZ_SEED), printed so a
// failure can be replayed, and each property runs for CAIRN_FUZZ_SECONDS (default 120: 10 minutes in all) or
// CAIRN_FUZZ_RUNS runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from '../helpers';

/** npm names the script it runs in npm_lifecycle_event: `npm run fuzz` needs no platform-specific env syntax. */
const LONG = process.env.npm_lifecycle_event === 'fuzz' || Boolean(process.env.CAIRN_FUZZ_SECONDS);
const givenSeed = process.env.CAIRN_FUZZ_SEED ? Number(process.env.CAIRN_FUZZ_SEED) : undefined;
const longSeed = givenSeed ?? Math.floor(Math.random() * 0x7fffffff);
const longSeconds = Number(process.env.CAIRN_FUZZ_SECONDS) || 120;
const givenRuns = process.env.CAIRN_FUZZ_RUNS ? Number(process.env.CAIRN_FUZZ_RUNS) : undefined;
const REPORT = LONG || Boolean(process.env.CAIRN_FUZZ_REPORT);
if (LONG) console.log(`fuzz: long run, seed ${longSeed}, ${longSeconds} s per property (replay: CAIRN_FUZZ_SEED=${longSeed} npm run fuzz)`);

interface Budget {
  /** For fc.assert: seed, runs, no shrinking (a run costs real processes; the counterexample is printed as found). */
  params: fc.Parameters<unknown>;
  /** For mocha's this.timeout(): bounds a hang, it is not a speed assertion. */
  timeoutMs: number;
  /** For the test's title: "40 runs", or the long run's time. */
  label: string;
}

/** The budget of one property: `ciRuns` runs with `ciSeed` in CI, the long run's time and seed otherwise. */
export function budget(ciRuns: number, ciSeed: number, ciTimeoutMs: number): Budget {
  if (!LONG) {
    const numRuns = givenRuns ?? ciRuns;
    return { params: { seed: givenSeed ?? ciSeed, numRuns, endOnFailure: true }, timeoutMs: ciTimeoutMs * Math.max(1, numRuns / ciRuns), label: `${numRuns} runs` };
  }
  return {
    params: { seed: longSeed, numRuns: givenRuns ?? 1_000_000, endOnFailure: true, plugins: [fc.interruptAfterTimeLimit(longSeconds * 1000)] },
    timeoutMs: longSeconds * 1000 + ciTimeoutMs,
    label: givenRuns ? `${givenRuns} runs, at most ${longSeconds} s` : `${longSeconds} s`,
  };
}

/** Counts what a fuzzer tried ("frames", "requests", …); printed after the property in long mode or with CAIRN_FUZZ_REPORT=1. */
export class Tally {
  private readonly counts = new Map<string, number>();
  constructor(private readonly name: string) {}
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }
  report(b: Budget): void {
    if (!REPORT) return;
    const parts = [...this.counts].map(([k, n]) => `${n} ${k}`).join(', ');
    console.log(`      fuzz ${this.name} (seed ${b.params.seed}): ${parts}`);
  }
}

/** Runs fc.assert on an async property and prints the tally whatever the outcome. */
export async function fuzz<T>(tally: Tally, b: Budget, property: fc.IAsyncProperty<T>): Promise<void> {
  try {
    await fc.assert(property, b.params as fc.Parameters<T>);
  } finally {
    tally.report(b);
  }
}

/** Strings a careless parser trips on: empty, blank, dashes, dots, separators, control characters, unicode, long, numeric edge cases. No NUL (argv cannot hold one). */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\t',
  '-',
  '--',
  '-x',
  '--json',
  '.',
  '..',
  '../..',
  'a/../../b',
  '/',
  '\\',
  'C:\\x',
  'é',
  'Café ☕',
  '😀',
  'a\u0301',
  '\u202eevil',
  '\u0007bell',
  'line\nbreak',
  'cr\rx',
  '\u001b[31mred',
  '\uFEFFbom',
  'x'.repeat(5000),
  '%s%n%x',
  '${HOME}',
  '$(id)',
  "'; drop table tasks; --",
  'NaN',
  '-1',
  '0',
  '1.5',
  '1e309',
  '9007199254740993',
  'null',
  '{}',
  '[]',
  '[[x]]',
  '#tag',
  '*',
  '"',
];

/**
 * The hostile strings that may safely name a place to write or a remote to reach: no absolute path (it would be
 * outside the sandbox), no "..", nothing git reads as a URL or host (nothing may leave the machine).
 */
export const PLACE_SAFE_STRINGS = HOSTILE_STRINGS.filter((v) => !/^[/\\.]|\.\.|:|@/.test(v));

/** Paths the file system refuses: a name over 255 bytes (in ASCII, in UTF-8), one deeper in, a whole path over 4096 bytes. */
export const TOO_LONG_PATHS = ['n'.repeat(256), `f/${'n'.repeat(300)}`, 'é'.repeat(100) + 'x'.repeat(56), Array.from({ length: 20 }, () => '漢'.repeat(80)).join('/')];

/** A string built from the hostile ones, unicode, and plain text: what a fuzzer puts where a value goes. */
export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((s) => s.replace(/\0/g, '')) },
);

/** A V8 stack frame ("    at fn (file:1:2)", "    at file:1:2"); help text that wraps onto "    at most …" is none. */
const STACK_FRAME = /^\s+at (?:.+ \(.+:\d+:\d+\)|\S+:\d+:\d+)$/m;
export const stackFrameIn = (text: string) => STACK_FRAME.exec(text)?.[0].trim();

/**
 * What a response or a message must never carry: a stack trace, SQL text or an internal path. A pattern the input
 * itself held (echoed back in "unknown field …") does not count.
 */
export function leaks(text: string, input: string, internal: RegExp[] = []): string[] {
  const found: string[] = [];
  const frame = stackFrameIn(text);
  if (frame) found.push(`a stack trace (${frame})`);
  const lower = text.toLowerCase();
  const inputLower = input.toLowerCase();
  for (const p of ['sqlite_', 'select ', 'insert into', 'delete from']) {
    if (lower.includes(p) && !inputLower.includes(p)) found.push(JSON.stringify(p.trim()));
  }
  for (const r of internal) {
    const m = r.exec(text);
    if (m && !input.includes(m[0])) found.push(`the internal path ${m[0]}`);
  }
  return found;
}

/**
 * A path inside `dir` other than the entries a person deals with (`named`, each named whole): a message naming one
 * leaks how the server works inside (a raw file-system error, a temp file).
 */
export function pathsInside(dir: string, named: string[] = []): RegExp {
  const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const allowed = named.length ? `(?!(?:${named.map((n) => n.replace(/\./g, '\\.')).join('|')})(?![\\w/-]|\\.\\w))` : '';
  // A sentence's full stop is not the path's, nor the backslash of a quote escaped in JSON text.
  return new RegExp(`${escaped}/${allowed}(?:[^\\s'"\\\\]*[^\\s'"\\\\.,:;)])?`);
}

/**
 * A temp folder for one fuzzer: the folders it may write (store, vault, agents, out, cwd) and the rest (sentinel,
 * outside) that nothing may touch. `outside/canary.md` holds CANARY_WORD: no index may ever find it.
 */
export interface Sandbox {
  root: string;
  store: string;
  vault: string;
  agents: string;
  out: string;
  cwd: string;
  sentinel: string;
  outside: string;
}

export const CANARY_WORD = 'zyxcanaryoutside';
const ALLOWED = ['store', 'vault', 'agents', 'out', 'cwd'];

export function makeSandbox(vaultFiles: Record<string, string>): Sandbox {
  const root = tempDir('cairn-fuzz-');
  const at = (name: string) => path.join(root, name);
  const s: Sandbox = { root, store: at('store'), vault: at('vault'), agents: at('agents'), out: at('out'), cwd: at('cwd'), sentinel: at('sentinel'), outside: at('outside') };
  for (const dir of [s.vault, s.agents, s.out, s.cwd, path.join(s.sentinel, 'dir'), s.outside]) fs.mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(vaultFiles)) {
    fs.mkdirSync(path.dirname(path.join(s.vault, rel)), { recursive: true });
    fs.writeFileSync(path.join(s.vault, rel), text);
  }
  fs.writeFileSync(path.join(s.sentinel, 'keep.md'), '# Sentinel\n');
  fs.writeFileSync(path.join(s.sentinel, 'dir', 'keep.txt'), 'sentinel\n');
  fs.writeFileSync(path.join(s.outside, 'canary.md'), `# Canary\n\n${CANARY_WORD} lives outside the vault.\n`);
  return s;
}

/** Every entry of the sandbox outside the allowed folders (path → kind and content), for before/after comparison. */
export function outsideSnapshot(s: Sandbox): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(s.root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && ALLOWED.includes(e.name)) continue;
      const abs = path.join(s.root, child);
      if (e.isSymbolicLink()) out[child] = `link → ${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) {
        out[child] = 'folder';
        walk(child);
      } else out[child] = e.isFile() ? fs.readFileSync(abs, 'utf8') : 'special';
    }
  };
  walk('');
  return out;
}

/** The entries added, removed or changed between two snapshots. */
export function snapshotChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => (k in before ? (k in after ? `changed ${k}` : `removed ${k}`) : `added ${k}`));
}
