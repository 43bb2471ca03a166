// The `cairn` command as a user runs it: the built dist/cli.js in its own process, against a real store folder.
// Exit codes: 0 ok, 1 failure (unknown id, conflict, store problem), 2 usage error. Errors are one line on stderr
// that begins "cairn: ", and never a stack trace.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SpawnSyncReturns } from 'node:child_process';
import { cleanupTempDirs, cli, requireBuilt, ROOT, tempDir } from '../helpers';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const SHIPPED_SCHEMA = (JSON.parse(fs.readFileSync(path.join(ROOT, 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;
const PKG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The variables that change where and as whom the CLI writes are cleared, so the caller's shell cannot leak in
 *  (undefined removes a variable from the child's environment). */
const CLEAN_ENV = { CAIRN_STORE: undefined, CAIRN_ACTOR: undefined, CAIRN_DEBUG: undefined, CAIRN_BUSY_TIMEOUT_MS: undefined };

type Result = SpawnSyncReturns<string>;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Result {
  const r = cli(args, { ...CLEAN_ENV, ...env });
  assert.equal(r.error, undefined, `could not run the CLI: ${r.error}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr for cairn ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

/** Runs a command that must succeed and returns its stdout. */
function ok(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = run(args, env);
  assert.equal(r.status, 0, `cairn ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  assert.equal(r.stderr, '', `cairn ${args.join(' ')} wrote to stderr`);
  return r.stdout;
}

/** Runs a command with --json that must succeed, and parses its output. */
function okJson<T = any>(args: string[], env: NodeJS.ProcessEnv = {}): T {
  const out = ok(['--json', ...args], env);
  try {
    return JSON.parse(out) as T;
  } catch {
    assert.fail(`cairn --json ${args.join(' ')} did not print JSON:\n${out}`);
  }
}

/** Runs a command that must fail with `code` and exactly one "cairn: " line on stderr; returns that line. */
function fails(code: 1 | 2, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = run(args, env);
  assert.equal(r.status, code, `cairn ${args.join(' ')} exited ${r.status} (expected ${code}); stderr:\n${r.stderr}`);
  assert.equal(r.stdout, '', `cairn ${args.join(' ')} printed to stdout on failure`);
  const lines = r.stderr.split('\n');
  assert.equal(lines.pop(), '', 'stderr ends with a newline');
  assert.equal(lines.length, 1, `expected exactly one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^cairn: \S/);
  return lines[0]!;
}

interface Fixture {
  dir: string;
  s: string[]; // ['--store', dir]
  projectId: string;
}

function newStore(): Fixture {
  const dir = path.join(tempDir(), 'store');
  ok(['--store', dir, 'init']);
  const p = okJson<{ id: string }>(['--store', dir, 'project', 'add', 'Main']);
  return { dir, s: ['--store', dir], projectId: p.id };
}

const eventCount = (f: Fixture) => okJson<unknown[]>([...f.s, 'log', '--limit', '1000']).length;

describe('cairn CLI (dist/cli.js)', function () {
  this.timeout(60_000);

  before(requireBuilt);
  afterEach(cleanupTempDirs);

  describe('commands', () => {
    it('init creates the store folder and database, reports it, and is safe to run again', () => {
      const dir = path.join(tempDir(), 'nested', 'store');
      const text = ok(['--store', dir, 'init']);
      assert.match(text, new RegExp(`Cairn store ready at ${dir.replace(/[/\\.]/g, '\\$&')} \\(schema ${SHIPPED_SCHEMA}\\)`));
      assert.ok(fs.statSync(path.join(dir, 'cairn.db')).size > 0, 'cairn.db written');

      const info = okJson(['--store', dir, '--actor', 'ada', 'init']);
      assert.equal(info.storeDir, dir);
      assert.equal(info.databaseFile, path.join(dir, 'cairn.db'));
      assert.equal(info.schemaVersion, SHIPPED_SCHEMA);
      assert.equal(info.cairnVersion, PKG_VERSION);
      assert.equal(info.lastSeq, 0);
      assert.equal(info.actor, 'ada');
      assert.equal(info.source, 'cli');
      assert.equal(info.taskCounts.total, 0);

      // A second init keeps what the store holds.
      okJson(['--store', dir, 'project', 'add', 'Keep me']);
      ok(['--store', dir, 'init']);
      assert.deepEqual(okJson<{ name: string }[]>(['--store', dir, 'project', 'list']).map((p) => p.name), ['Keep me']);
    });

    it('project add joins a multi-word name; project list shows it with task counts', () => {
      const dir = path.join(tempDir(), 'store');
      ok(['--store', dir, 'init']);
      assert.equal(ok(['--store', dir, 'project', 'list']).trim(), '(no projects)');

      const text = ok(['--store', dir, 'project', 'add', 'Launch', 'the', 'rocket']);
      const [, id] = /^Created project (\S+)  Launch the rocket\n$/.exec(text) ?? assert.fail(`unexpected output: ${text}`);
      assert.match(id!, ULID);
      const p = okJson(['--store', dir, 'project', 'add', 'Second one', '--description', 'about it']);
      assert.match(p.id, ULID);
      assert.equal(p.name, 'Second one');
      assert.equal(p.description, 'about it');
      assert.equal(p.version, 1);

      okJson(['--store', dir, 'task', 'add', '--project', id!, 'one']);
      const listed = okJson<{ id: string; name: string; taskCounts: Record<string, number> }[]>(['--store', dir, 'project', 'list']);
      assert.deepEqual(
        listed.map((x) => [x.id, x.name, x.taskCounts]),
        [
          [id, 'Launch the rocket', { pending: 1 }],
          [p.id, 'Second one', {}],
        ],
      );
      const table = ok(['--store', dir, 'project', 'list']);
      assert.match(table, /^ID\s+NAME\s+OPEN\s+TOTAL$/m);
      assert.match(table, new RegExp(`^${id}\\s+Launch the rocket\\s+1\\s+1$`, 'm'));
    });

    it('sprint add creates a sprint in the project; task add --sprint puts a task in it', () => {
      const f = newStore();
      const sprint = okJson([...f.s, 'sprint', 'add', '--project', f.projectId, '--goal', 'ship', 'Sprint', 'One']);
      assert.match(sprint.id, ULID);
      assert.equal(sprint.projectId, f.projectId);
      assert.equal(sprint.name, 'Sprint One');
      assert.equal(sprint.goal, 'ship');
      assert.equal(sprint.status, 'planned');
      assert.match(ok([...f.s, 'sprint', 'add', '--project', f.projectId, 'Two']), /^Created sprint [0-9A-Z]{26}  Two\n$/);

      const inSprint = okJson([...f.s, 'task', 'add', '--project', f.projectId, '--sprint', sprint.id, '--priority', 'high', '--tag', 'a', '--tag', 'b', '--estimate', '30', 'Write', 'the', 'spec']);
      const loose = okJson([...f.s, 'task', 'add', '--project', f.projectId, 'Loose end']);
      assert.equal(inSprint.title, 'Write the spec');
      assert.equal(inSprint.sprintId, sprint.id);
      assert.equal(inSprint.projectId, f.projectId);
      assert.equal(inSprint.priority, 'high');
      assert.deepEqual(inSprint.tags, ['a', 'b']);
      assert.equal(inSprint.estimatedMinutes, 30);
      assert.equal(inSprint.status, 'pending');
      assert.equal(loose.sprintId, null);
      assert.equal(loose.priority, 'medium');

      const inList = okJson<{ id: string }[]>([...f.s, 'task', 'list', '--sprint', sprint.id]);
      assert.deepEqual(inList.map((t) => t.id), [inSprint.id]);
      assert.match(ok([...f.s, 'task', 'add', '--project', f.projectId, 'Plain', 'text']), /^Created task [0-9A-Z]{26}  pending  Plain text\n$/);
    });

    it('task list filters by one status and by a comma-separated list', () => {
      const f = newStore();
      const add = (title: string) => okJson<{ id: string }>([...f.s, 'task', 'add', '--project', f.projectId, title]).id;
      const a = add('alpha');
      const b = add('beta');
      const c = add('gamma');
      const d = add('delta');
      ok([...f.s, 'task', 'move', b, 'done']);
      ok([...f.s, 'task', 'move', c, 'blocked']);
      ok([...f.s, 'task', 'move', d, 'in_progress']);

      const ids = (args: string[]) => okJson<{ id: string; status: string }[]>([...f.s, 'task', 'list', ...args]).map((t) => t.id).sort();
      assert.deepEqual(ids([]), [a, b, c, d].sort());
      assert.deepEqual(ids(['--status', 'done']), [b]);
      assert.deepEqual(ids(['--status', 'pending,blocked']), [a, c].sort());
      assert.deepEqual(ids(['--status', 'pending, in_progress,done']), [a, b, d].sort());
      assert.deepEqual(ids(['--status', 'cancelled']), []);
      assert.deepEqual(ids(['--project', f.projectId, '--status', 'blocked']), [c]);
      assert.equal(ok([...f.s, 'task', 'list', '--status', 'cancelled']).trim(), '(no tasks)');

      const table = ok([...f.s, 'task', 'list', '--status', 'done']);
      assert.match(table, /^ID\s+STATUS\s+PRIORITY\s+ASSIGNEE\s+TITLE$/m);
      assert.match(table, new RegExp(`^${b}\\s+done\\s+medium\\s+beta$`, 'm'));
      assert.doesNotMatch(table, /alpha|gamma|delta/);
    });

    it('task move sets the status and its timestamps, and bumps the version', () => {
      const f = newStore();
      const t = okJson([...f.s, 'task', 'add', '--project', f.projectId, 'Move me']);
      assert.equal(t.startedAt, null);

      const started = okJson([...f.s, 'task', 'move', t.id, 'in_progress']);
      assert.equal(started.id, t.id);
      assert.equal(started.status, 'in_progress');
      assert.equal(started.version, 2);
      assert.ok(started.startedAt, 'startedAt set');
      assert.equal(started.completedAt, null);

      const text = ok([...f.s, 'task', 'move', t.id, 'done']);
      assert.equal(text, `Moved ${t.id}  done  Move me\n`);
      const shown = okJson([...f.s, 'task', 'show', t.id]);
      assert.equal(shown.status, 'done');
      assert.equal(shown.version, 3);
      assert.equal(shown.startedAt, started.startedAt);
      assert.ok(shown.completedAt, 'completedAt set');
    });

    it('task assign sets the assignee, and "none" clears it', () => {
      const f = newStore();
      const t = okJson([...f.s, 'task', 'add', '--project', f.projectId, 'Assign me']);
      const assigned = okJson([...f.s, 'task', 'assign', t.id, 'agent-7']);
      assert.equal(assigned.assignee, 'agent-7');
      assert.equal(assigned.version, 2);
      assert.deepEqual(okJson<{ id: string }[]>([...f.s, 'task', 'list', '--assignee', 'agent-7']).map((x) => x.id), [t.id]);
      assert.equal(ok([...f.s, 'task', 'assign', t.id, 'bob']), `Assigned ${t.id}  pending  Assign me  @bob\n`);

      const cleared = okJson([...f.s, 'task', 'assign', t.id, 'none']);
      assert.equal(cleared.assignee, null);
      assert.equal(cleared.version, 4);
      assert.deepEqual(okJson([...f.s, 'task', 'list', '--assignee', 'bob']), []);
    });

    it('log lists the events newest first, with what changed and who changed it', () => {
      const f = newStore();
      const t = okJson([...f.s, 'task', 'add', '--project', f.projectId, 'Logged']);
      ok([...f.s, 'task', 'move', t.id, 'in_progress']);
      ok([...f.s, 'task', 'assign', t.id, 'agent-1']);

      const events = okJson<any[]>([...f.s, 'log']);
      assert.deepEqual(
        events.map((e) => [e.type, e.aggregateType, e.version]),
        [
          ['task.assigned', 'task', 3],
          ['task.status_changed', 'task', 2],
          ['task.created', 'task', 1],
          ['project.created', 'project', 1],
        ],
      );
      assert.deepEqual(events.map((e) => e.seq), [4, 3, 2, 1]);
      assert.equal(events[0].aggregateId, t.id);
      assert.deepEqual(events[0].data, { from: { assignee: null }, to: { assignee: 'agent-1' } });
      assert.equal(events[1].data.to.status, 'in_progress');
      assert.equal(events[3].aggregateId, f.projectId);
      for (const e of events) {
        assert.match(e.id, ULID);
        assert.equal(e.source, 'cli');
        assert.ok(e.actor, 'actor recorded');
      }

      assert.deepEqual(okJson<any[]>([...f.s, 'log', '--type', 'project']).map((e) => e.type), ['project.created']);
      assert.deepEqual(okJson<any[]>([...f.s, 'log', '--limit', '2']).map((e) => e.seq), [4, 3]);
      assert.deepEqual(okJson<any[]>([...f.s, 'log', '--before', '3']).map((e) => e.seq), [2, 1]);
      assert.deepEqual(okJson<any[]>([...f.s, 'log', '--id', t.id]).map((e) => e.seq), [4, 3, 2]);
      const table = ok([...f.s, 'log']);
      assert.match(table, /^SEQ\s+TIME\s+EVENT\s+ID\s+ACTOR\s+SOURCE$/m);
      assert.match(table, new RegExp(`^4\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+task\\.assigned\\s+${t.id}\\s+\\S+\\s+cli$`, 'm'));
    });

    it('doctor reports integrity, schema, journal mode and row counts', () => {
      const f = newStore();
      const t = okJson([...f.s, 'task', 'add', '--project', f.projectId, 'one']);
      okJson([...f.s, 'task', 'add', '--project', f.projectId, 'two']);
      ok([...f.s, 'task', 'move', t.id, 'done']);

      const h = okJson([...f.s, 'doctor']);
      assert.equal(h.ok, true);
      assert.deepEqual(h.integrity, ['ok']);
      assert.equal(h.schemaVersion, SHIPPED_SCHEMA);
      assert.equal(h.supportedSchemaVersion, SHIPPED_SCHEMA);
      assert.equal(h.journalMode, 'wal');
      assert.deepEqual(h.counts, { projects: 1, sprints: 0, tasks: 2, events: 4, notes: 0, agents: 0, agent_runs: 0 });
      assert.ok(h.sizes.databaseBytes > 0 && h.sizes.pageSize > 0 && h.sizes.pageCount > 0);
      assert.match(h.sqliteVersion, /^3\.\d+\.\d+$/);

      const text = ok([...f.s, 'doctor']);
      assert.match(text, /^integrity\s+ok$/m);
      assert.match(text, new RegExp(`^schema\\s+${SHIPPED_SCHEMA} \\(this Cairn supports ${SHIPPED_SCHEMA}\\)$`, 'm'));
      assert.match(text, /^rows\s+projects 1, sprints 0, tasks 2, events 4, notes 0, agents 0, agent_runs 0$/m);
    });

    it('CAIRN_STORE is the default store; --store wins over it', () => {
      const envDir = path.join(tempDir(), 'from-env');
      const flagDir = path.join(tempDir(), 'from-flag');
      const env = { CAIRN_STORE: envDir };
      assert.equal(okJson(['init'], env).storeDir, envDir);
      okJson(['project', 'add', 'Env', 'project'], env);
      assert.deepEqual(okJson<{ name: string }[]>(['project', 'list'], env).map((p) => p.name), ['Env project']);

      ok(['--store', flagDir, 'init'], env);
      okJson(['--store', flagDir, 'project', 'add', 'Flag project'], env);
      assert.deepEqual(okJson<{ name: string }[]>(['--store', flagDir, 'project', 'list'], env).map((p) => p.name), ['Flag project']);
      assert.deepEqual(okJson<{ name: string }[]>(['project', 'list'], env).map((p) => p.name), ['Env project']);
    });

    it('--actor is recorded on events; without it CAIRN_ACTOR is', () => {
      const f = newStore();
      const env = { CAIRN_ACTOR: 'env-actor' };
      const t = okJson([...f.s, '--actor', 'Ada Lovelace', 'task', 'add', '--project', f.projectId, 'By Ada'], env);
      ok([...f.s, 'task', 'move', t.id, 'done', '--actor', 'grace'], env); // the global option also works after the command
      ok([...f.s, 'task', 'assign', t.id, 'someone'], env);
      ok([...f.s, '--actor', 'bot', '--source', 'agent', 'task', 'assign', t.id, 'none'], env);

      const events = okJson<any[]>([...f.s, 'log', '--id', t.id]);
      assert.deepEqual(
        events.map((e) => [e.type, e.actor, e.source]),
        [
          ['task.assigned', 'bot', 'agent'],
          ['task.assigned', 'env-actor', 'cli'],
          ['task.status_changed', 'grace', 'cli'],
          ['task.created', 'Ada Lovelace', 'cli'],
        ],
      );
    });
  });

  describe('help', () => {
    it('--help on the program exits 0 and lists the commands and global options', () => {
      const r = run(['--help']);
      assert.equal(r.status, 0);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^Usage: cairn \[options\] \[command\]/);
      for (const word of ['init', 'project', 'sprint', 'task', 'log', 'doctor', '--store <dir>', '--json', '--actor <name>']) {
        assert.ok(r.stdout.includes(word), `help mentions ${word}`);
      }
    });

    for (const [args, usage, mentions] of [
      [['project', '--help'], 'Usage: cairn project [options] [command]', ['add [options] <name...>', 'list']],
      [['task', '--help'], 'Usage: cairn task [options] [command]', ['add [options] <title...>', 'move <id> <status>', 'assign <id> <agent>']],
      [['task', 'add', '--help'], 'Usage: cairn task add [options] <title...>', ['--project <id>', '--sprint <id>', '--priority <priority>']],
      [['task', 'list', '--help'], 'Usage: cairn task list [options]', ['--status <status>', 'comma-separated']],
      [['sprint', 'add', '--help'], 'Usage: cairn sprint add [options] <name...>', ['--project <id>']],
      [['log', '--help'], 'Usage: cairn log [options]', ['--limit <n>']],
      [['help', 'task'], 'Usage: cairn task [options] [command]', ['move <id> <status>']],
    ] as const) {
      it(`cairn ${args.join(' ')} exits 0 and prints its usage`, () => {
        const r = run([...args]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, '');
        assert.ok(r.stdout.startsWith(usage), `stdout starts with "${usage}":\n${r.stdout}`);
        for (const m of mentions) assert.ok(r.stdout.includes(m), `usage mentions ${m}`);
      });
    }

    it('--version prints the package version', () => {
      assert.equal(ok(['--version']), `${PKG_VERSION}\n`);
    });
  });

  describe('usage errors: exit 2, one line, nothing written', () => {
    let f: Fixture;
    let taskId: string;
    let before: number;
    beforeEach(() => {
      f = newStore();
      taskId = okJson([...f.s, 'task', 'add', '--project', f.projectId, 'existing']).id;
      before = eventCount(f);
    });
    afterEach(() => {
      assert.equal(eventCount(f), before, 'a usage error must not change the store');
      assert.equal(okJson([...f.s, 'task', 'show', taskId]).status, 'pending');
    });

    it('unknown command', () => {
      assert.match(fails(2, [...f.s, 'frobnicate']), /^cairn: unknown command 'frobnicate'/);
      assert.match(fails(2, [...f.s, 'task', 'frobnicate']), /^cairn: unknown command 'frobnicate'/);
    });

    it('unknown flag, before or after the command', () => {
      assert.match(fails(2, [...f.s, '--bogus', 'project', 'list']), /^cairn: unknown option '--bogus'/);
      assert.match(fails(2, [...f.s, 'task', 'list', '--bogus']), /^cairn: unknown option '--bogus'/);
      assert.match(fails(2, [...f.s, 'task', 'add', '--project', f.projectId, '--bogus', 'x', 'title']), /^cairn: unknown option '--bogus'/);
    });

    it('missing argument or required option', () => {
      assert.match(fails(2, [...f.s, 'task', 'move', taskId]), /^cairn: missing required argument 'status'/);
      assert.match(fails(2, [...f.s, 'task', 'move']), /^cairn: missing required argument 'id'/);
      assert.match(fails(2, [...f.s, 'project', 'add']), /^cairn: missing required argument 'name'/);
      assert.match(fails(2, [...f.s, 'task', 'add', '--project', f.projectId]), /^cairn: missing required argument 'title'/);
      assert.match(fails(2, [...f.s, 'task', 'add', 'No project']), /^cairn: required option '--project <id>' not specified/);
      assert.match(fails(2, [...f.s, 'task', 'add', '--project']), /^cairn: option '--project <id>' argument missing/);
    });

    it('invalid status, in task move and in task list --status (also inside a comma list)', () => {
      assert.match(fails(2, [...f.s, 'task', 'move', taskId, 'finished']), /^cairn: "finished" is not one of pending, in_progress, blocked, done, cancelled/);
      assert.match(fails(2, [...f.s, 'task', 'list', '--status', 'bogus']), /"bogus" is not one of/);
      assert.match(fails(2, [...f.s, 'task', 'list', '--status', 'done,bogus']), /"bogus" is not one of/);
    });

    it('invalid priority, and other invalid values', () => {
      assert.match(fails(2, [...f.s, 'task', 'add', '--project', f.projectId, '--priority', 'huge', 'title']), /^cairn: option '--priority <priority>' argument 'huge' is invalid\. Allowed choices are low, medium, high, urgent/);
      assert.match(fails(2, [...f.s, 'task', 'add', '--project', f.projectId, '--estimate', '0', 'title']), /not a positive whole number/);
      assert.match(fails(2, [...f.s, 'log', '--limit', 'ten']), /"ten" is not a positive whole number/);
      assert.match(fails(2, [...f.s, '--source', 'robot', 'project', 'list']), /argument 'robot' is invalid/);
      // Checked by the shared protocol schema (same message as over JSON-RPC), still a usage error.
      assert.match(fails(2, [...f.s, 'project', 'add', '   ']), /^cairn: Invalid params for projects\.create: name: .*must not be empty/);
      assert.match(fails(2, [...f.s, 'task', 'add', '--project', f.projectId, 'two\nlines']), /Invalid params for tasks\.create: title: .*must not contain control characters or line breaks/);
    });
  });

  describe('failures: exit 1, one line', () => {
    it('unknown task id, for every command that takes one; nothing written', () => {
      const f = newStore();
      const before = eventCount(f);
      const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
      assert.equal(fails(1, [...f.s, 'task', 'move', missing, 'done']), `cairn: No task with id ${missing}.`);
      assert.equal(fails(1, [...f.s, 'task', 'assign', missing, 'agent']), `cairn: No task with id ${missing}.`);
      assert.equal(fails(1, [...f.s, 'task', 'assign', missing, 'none']), `cairn: No task with id ${missing}.`);
      assert.equal(fails(1, [...f.s, 'task', 'show', missing]), `cairn: No task with id ${missing}.`);
      assert.equal(fails(1, [...f.s, '--json', 'task', 'delete', missing]), `cairn: No task with id ${missing}.`);
      assert.equal(eventCount(f), before);
    });

    it('unknown project (or sprint) id on task add and sprint add; nothing written', () => {
      const f = newStore();
      const before = eventCount(f);
      assert.equal(fails(1, [...f.s, 'task', 'add', '--project', 'NOPE', 'orphan']), 'cairn: No project with id NOPE.');
      assert.equal(fails(1, [...f.s, '--json', 'task', 'add', '--project', 'NOPE', 'orphan']), 'cairn: No project with id NOPE.');
      assert.equal(fails(1, [...f.s, 'task', 'add', '--project', f.projectId, '--sprint', 'NOSPRINT', 'orphan']), 'cairn: No sprint with id NOSPRINT.');
      assert.equal(fails(1, [...f.s, 'sprint', 'add', '--project', 'NOPE', 'S1']), 'cairn: No project with id NOPE.');
      assert.equal(eventCount(f), before);
      assert.deepEqual(okJson([...f.s, 'task', 'list']), []);
    });

    it('a store folder that does not exist, for every command but init: says how to create it, creates nothing', () => {
      const parent = tempDir();
      const dir = path.join(parent, 'no-such-store');
      const s = ['--store', dir];
      for (const args of [
        ['project', 'list'],
        ['project', 'add', 'P'],
        ['sprint', 'add', '--project', 'X', 'S'],
        ['task', 'add', '--project', 'X', 'T'],
        ['task', 'list', '--status', 'done'],
        ['task', 'move', 'X', 'done'],
        ['task', 'assign', 'X', 'none'],
        ['log'],
        ['doctor'],
        ['--json', 'doctor'],
      ]) {
        const line = fails(1, [...s, ...args]);
        assert.equal(line, `cairn: There is no Cairn store at ${dir}. Create one with "cairn --store ${dir} init".`, `cairn ${args.join(' ')}`);
      }
      assert.equal(fs.existsSync(dir), false, 'the missing store was not created');
      assert.deepEqual(fs.readdirSync(parent), []);
      // The same through CAIRN_STORE.
      assert.match(fails(1, ['project', 'list'], { CAIRN_STORE: dir }), /^cairn: There is no Cairn store at /);
      assert.equal(fs.existsSync(dir), false);
    });

    it('a folder without cairn.db is not a store either (and is left empty)', () => {
      const dir = tempDir();
      assert.match(fails(1, ['--store', dir, 'task', 'list']), /^cairn: There is no Cairn store at /);
      assert.deepEqual(fs.readdirSync(dir), []);
    });
  });
});
