// Fuzzing the `cairn` command line (dist/cli.js) with argument vectors built from its real vocabulary (every
// command, option and argument commander knows, read from buildProgram()) and hostile values: empty, very long,
// control characters, "-"-leading, unicode, paths with .. and through a symlink out of the vault, numbers out of
// range. Properties: the exit code is 0, 1 or 2; a failure is one line on stderr starting "cairn: ", never a stack
// trace or an internal ("unexpected") error; --json output parses; nothing outside the store, vault and output
// folders given is written; `cairn doctor` passes at the end.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import fc from 'fast-check';
import { buildProgram } from '../../src/backend/cli';
import { CLI, cleanupTempDirs, requireBuilt } from '../helpers';
import { budget, fuzz, hostileString, leaks, makeSandbox, outsideSnapshot, PLACE_SAFE_STRINGS, snapshotChanges, Tally, TOO_LONG_PATHS, type Sandbox } from './fuzz';

interface Flag {
  long: string;
  takesValue: boolean;
  choices?: readonly string[];
}
interface Arg {
  name: string;
  variadic: boolean;
  choices?: readonly string[];
}
interface CommandShape {
  path: string[];
  flags: Flag[];
  args: Arg[];
}

/** Every command commander knows, with its options and arguments: the fuzzer's vocabulary follows the CLI as it grows. */
function vocabulary(): { commands: CommandShape[]; globals: Flag[] } {
  const flagsOf = (c: Command): Flag[] => c.options.filter((o) => o.long).map((o) => ({ long: o.long!, takesValue: o.required || o.optional, choices: o.argChoices }));
  const commands: CommandShape[] = [];
  const walk = (c: Command, pre: string[]) => {
    for (const sub of c.commands) {
      const p = [...pre, sub.name()];
      commands.push({ path: p, flags: flagsOf(sub), args: sub.registeredArguments.map((a) => ({ name: a.name(), variadic: a.variadic, choices: a.argChoices })) });
      walk(sub, p);
    }
  };
  const program = buildProgram();
  walk(program, []);
  return { commands, globals: flagsOf(program).filter((f) => !['--store', '--vault', '--agents'].includes(f.long)) };
}

/** Mostly values that make sense for the name, now and then a hostile one. */
const mostly = (sensible: fc.Arbitrary<string>, hostile: fc.Arbitrary<string> = hostileString) => fc.oneof({ weight: 3, arbitrary: sensible }, { weight: 1, arbitrary: hostile });

/** Values by what an option or argument names; anything else gets plain words and hostile strings. */
function valuePools(s: Sandbox, ids: string[]): Record<string, fc.Arbitrary<string>> {
  const id = mostly(fc.constantFrom(...ids));
  const number = mostly(fc.constantFrom('1', '3', '10'), fc.constantFrom('0', '-1', '1.5', '1e309', 'NaN', 'Infinity', '0x10', '9007199254740993', '', ' 5', '5 ', '\u0663', '1e3', '-0'));
  const escapes = fc.constantFrom('../sentinel', '../sentinel/x', `../../${path.basename(s.root)}/sentinel/y`, 'escape-link', 'escape-link/new', 'a/../../sentinel', '..', '/');
  const badPath = fc.oneof(escapes, fc.constantFrom(...TOO_LONG_PATHS), hostileString);
  const vaultPath = mostly(fc.constantFrom('', 'folder', 'templates', 'new folder', 'folder/sub'), badPath);
  const note = mostly(fc.constantFrom('Alpha', 'folder/Beta', 'Beta.md', 'Missing note', 'escape-link/keep', 'Ada'), badPath);
  // Where a command may write because the user named the place: inside the sandbox's out/ and cwd/ only.
  const tooLong = TOO_LONG_PATHS.map((p) => path.join(s.out, p));
  const outPath = fc.constantFrom(path.join(s.out, 'export.json'), 'rel-export.json', path.join(s.out, 'missing', 'x.json'), s.out, path.join(s.out, 'link-out'), path.join(s.out, 'é ☕.md'), ...tooLong);
  const repo = fc.constantFrom(path.join(s.out, 'repo'), path.join(s.store, 'backup'), 'rel-repo', s.vault, path.join(s.out, 'a file'), '', ...tooLong);
  const url = mostly(fc.constantFrom(path.join(s.out, 'remote.git'), path.join(s.out, 'missing.git')), fc.constantFrom('file:///nonexistent/cairn', 'ftp://x/y', 'https://', ...PLACE_SAFE_STRINGS));
  const words = mostly(fc.constantFrom('alpha', 'beta', 'fuzz', 'Ünïcødé ✨', 'two words'));
  return {
    id,
    project: id,
    sprint: id,
    parent: id,
    task: id,
    limit: number,
    offset: number,
    before: number,
    estimate: number,
    depth: number,
    'duration-ms': number,
    'tokens-in': number,
    'tokens-out': number,
    errors: number,
    quality: mostly(fc.constantFrom('0.5', '1', '0'), fc.constantFrom('1.0001', '-0.1', 'NaN', '')),
    'max-attempts': number,
    folder: vaultPath,
    templates: vaultPath,
    template: mostly(fc.constantFrom('Daily', 'Missing'), badPath),
    note,
    'path-or-title': note,
    old: note,
    new: mostly(fc.constantFrom('Renamed', 'folder/Moved', 'Alpha'), badPath),
    node: note,
    from: note,
    to: note,
    out: outPath,
    repo,
    url,
    ref: mostly(fc.constantFrom('HEAD', 'HEAD~1', '@', 'main'), fc.oneof(fc.constantFrom('-x', '--all', 'HEAD:../x'), hostileString)),
    embedder: fc.constantFrom('glove', 'transformers:/nonexistent/model', 'openai:m@http://127.0.0.1:9/v1', 'openai:', ''),
    date: fc.constantFrom('2024-02-29', '2023-02-29', 'today', '', '2024-1-1'),
    format: fc.constantFrom('YYYY-MM-DD', 'YYYY/MM/DD', '../../[sentinel]/YYYY', '[..]/[..]/[sentinel]/x', '[', ''),
    value: fc.constantFrom('{"title":"New"}', '"text"', '{', 'null', '[]', '1'),
    exclude: mostly(fc.constantFrom('**/*.md', 'drafts/**', '!x', '[')),
    type: mostly(fc.constantFrom('person', 'concept')),
    format$export: fc.constantFrom('json', 'markdown', 'xml', ''),
    status: mostly(fc.constantFrom('pending', 'done', 'done,blocked'), fc.constantFrom('nope', '', ',', 'done,,')),
    name: words,
    title: words,
    query: words,
    text: words,
  };
}

/** One argument vector: a command (now and then an unknown word), its options and arguments in any order, now and then junk. */
function argvArb(voc: ReturnType<typeof vocabulary>, pools: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string[]> {
  const valueFor = (name: string, choices?: readonly string[]) => {
    const pool = pools[name] ?? mostly(fc.constantFrom('alpha', 'x y'));
    return choices ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...choices) }, { weight: 1, arbitrary: pool }) : pool;
  };
  const flagArb = (f: Flag, command: string): fc.Arbitrary<string[]> =>
    f.takesValue ? valueFor(f.long === '--format' && command === 'export' ? 'format$export' : f.long.slice(2), f.choices).map((v) => [f.long, v]) : fc.constant([f.long]);
  const junk = fc.constantFrom(['--nope'], ['-z'], ['--'], ['--help'], ['-h'], ['--json'], ['-'], ['--store'], ['--limit=3'], ['---x']);
  return fc.constantFrom(...voc.commands).chain((c) => {
    const flags = [...c.flags, ...voc.globals.filter((g) => g.long !== '--version')].map((f) => flagArb(f, c.path[0]!));
    const args = c.args.map((a): fc.Arbitrary<string[]> => (a.variadic ? fc.array(valueFor(a.name, a.choices), { minLength: 1, maxLength: 3 }) : valueFor(a.name, a.choices).map((v) => [v])));
    return fc
      .tuple(
        fc.subarray(flags, { maxLength: 3 }).chain((picked) => fc.tuple(...picked)),
        fc.tuple(...args.map((a) => fc.option(a, { freq: 8, nil: [] as string[] }))), // an argument left out 1 time in 8
        fc.oneof({ weight: 5, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: junk }),
        fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('unknown-command', 'tasks', 'projec') }),
        fc.boolean(),
      )
      .map(([fs_, as, j, unknown, flagsFirst]) => {
        const options = fs_.flat();
        const positional = as.flat();
        const words = unknown ? [unknown] : c.path;
        return [...words, ...(flagsFirst ? [...options, ...positional] : [...positional, ...options]), ...j];
      });
  });
}

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(s: Sandbox, argv: string[], passphrase: boolean): Outcome {
  const env = { ...process.env, CAIRN_STORE: '', CAIRN_VAULT: '', CAIRN_PASSPHRASE: passphrase ? 'fuzz pass' : '', CAIRN_NEW_PASSPHRASE: 'fuzz pass 2' };
  const r = spawnSync(process.execPath, [CLI, '--store', s.store, '--vault', s.vault, '--agents', s.agents, ...argv], { cwd: s.cwd, env, encoding: 'utf8', input: '', timeout: 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI's contract for one invocation. */
function assertContract(argv: string[], r: Outcome): void {
  const shown = `cairn ${argv.map((a) => JSON.stringify(a)).join(' ')}`;
  assert.equal(r.signal, null, `${shown} was killed by ${r.signal} (stuck for 120 s?)`);
  assert.ok([0, 1, 2].includes(r.status!), `${shown} exited with ${r.status}; stderr: ${r.stderr.slice(0, 500)}`);
  const input = argv.join(' ');
  assert.deepEqual(leaks(r.stdout + r.stderr, input), [], `${shown}: a stack trace or SQL in the output: ${r.stderr.slice(0, 800)}`);
  assert.doesNotMatch(r.stderr, /unexpected error|Internal error/, `${shown}: an internal error: ${r.stderr.slice(0, 500)}`);
  const helpOrVersion = argv.some((a) => ['--help', '-h', '--version', '-V'].includes(a));
  // A command group without its subcommand ("cairn task", "cairn task criteria") shows the group's help, by design:
  // exit 2, usage first.
  if (r.status === 2 && /^Usage: cairn (\S+ )+\[options\] \[command\]\n/.test(r.stderr)) return;
  if (r.status !== 0) {
    const lines = r.stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('cairn: warning: '));
    assert.equal(lines.length, 1, `${shown} failed (exit ${r.status}) without exactly one line on stderr: ${JSON.stringify(r.stderr.slice(0, 800))}`);
    assert.match(lines[0]!, /^cairn: \S/, `${shown}: the error line starts "cairn: "`);
  } else if (argv.includes('mcp') && !helpOrVersion) {
    // cairn mcp's stdout is the protocol (here with nothing on stdin: no message, or only JSON-RPC lines).
    for (const line of r.stdout.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), `${shown} wrote a line that is not JSON-RPC: ${JSON.stringify(line.slice(0, 300))}`);
  } else if (argv.includes('--json') && !helpOrVersion) {
    assert.doesNotThrow(() => JSON.parse(r.stdout), `${shown} --json printed something that is not JSON: ${JSON.stringify(r.stdout.slice(0, 300))}`);
  }
}

describe('fuzz: the cairn command line (argument vectors)', function () {
  before(requireBuilt);
  after(() => cleanupTempDirs());

  const b = budget(120, 7303, 240_000);
  it(`exit 0/1/2, one clear error line, JSON that parses, nothing written outside the folders given (${b.label})`, async function () {
    this.timeout(b.timeoutMs);
    const s = makeSandbox({ 'Alpha.md': '# Alpha\n\nSee [[Beta]].\n', 'folder/Beta.md': '# Beta\n', 'templates/Daily.md': '# {{date}}\n' });
    fs.symlinkSync(path.join(s.sentinel, 'dir'), path.join(s.vault, 'escape-link'));
    fs.writeFileSync(path.join(s.out, 'a file'), 'not a folder\n');
    fs.symlinkSync(path.join(s.sentinel, 'keep.md'), path.join(s.out, 'link-out'));
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(s.out, 'remote.git')]);
    const setup = (...argv: string[]) => {
      const r = run(s, ['--json', ...argv], false);
      assert.equal(r.status, 0, `setup ${argv.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as { id: string };
    };
    setup('init');
    const project = setup('project', 'add', 'Fuzz');
    const sprint = setup('sprint', 'add', '--project', project.id, 'S1');
    const task = setup('task', 'add', '--project', project.id, '--sprint', sprint.id, 'T1');
    setup('graph', 'add-entity', 'Ada', '--type', 'person');
    const voc = vocabulary();
    const argvs = argvArb(voc, valuePools(s, [project.id, sprint.id, task.id, '01NOPE']));
    const tally = new Tally('cli argv');
    const before = outsideSnapshot(s);
    await fuzz(
      tally,
      b,
      fc.asyncProperty(argvs, fc.boolean(), async (argv, passphrase) => {
        tally.add('argument vectors');
        const r = run(s, argv, passphrase);
        tally.add(`exit ${r.status}`);
        assertContract(argv, r);
        assert.deepEqual(snapshotChanges(before, outsideSnapshot(s)), [], `cairn ${argv.map((a) => JSON.stringify(a)).join(' ')} wrote outside the store, vault and output folders`);
      }),
    );
    const doctor = run(s, ['doctor'], false);
    assert.equal(doctor.status, 0, `cairn doctor after the fuzzing: ${doctor.stdout}${doctor.stderr}`);
  });
});
