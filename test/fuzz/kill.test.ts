// Fuzzing crashes: real `cairn backup`, `cairn restore` and `cairn sync` processes on real stores syncing through a
// local bare remote, killed with SIGKILL after a random delay (the process alone, or its whole process group as a
// machine crash would: git children too). test/sync/backup-failures.test.ts kills at the named crash points
// (src/sync/crashPoints.ts); this kills anywhere. Properties: the next command succeeds; `cairn doctor` is ok; every
// task acknowledged before the kill is there (after a restore that took effect, its safety backup brings them
// back); a restore leaves the old state or the restored one, never a mix; after a final sync on each machine, both
// hold the same rows and the same vault.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Store } from '../../src/store/store';
import { listProjects } from '../../src/store/projects';
import { createTask, listTasks } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { CLI, cleanupTempDirs, human, readTree, requireBuilt, tempDir } from '../helpers';
import { canonicalDump, git, syncedPair } from '../sync/fixtures';
import { waitFor } from '../waitFor';
import { budget, fuzz, Tally } from './fuzz';

type Verb = 'backup' | 'restore' | 'sync';

interface Machine {
  dir: string;
  vault: string;
  agents: string;
}

interface Template {
  root: string;
  /** A's backup before its last changes: what the fuzzed restore goes back to. */
  commitA: string;
  /** Tasks A made after commitA (present in A's store and in its last backup, gone after restoring commitA). */
  newerTasks: string[];
  /** How long each command takes unkilled here: the random delays range over it. */
  durationMs: Record<Verb, number>;
}

const machinesIn = (root: string): { a: Machine; b: Machine } => {
  const m = (name: string) => ({ dir: path.join(root, name), vault: path.join(root, `${name}-vault`), agents: path.join(root, `${name}-agents`) });
  return { a: m('a'), b: m('b') };
};

function cairn(m: Machine, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--store', m.dir, '--vault', m.vault, '--agents', m.agents, ...args], { encoding: 'utf8', timeout: 300_000 });
}

function ok(m: Machine, ...args: string[]): string {
  const r = cairn(m, ...args);
  assert.equal(r.status, 0, `cairn ${args.join(' ')} (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

const args = (verb: Verb, t: Template): string[] => (verb === 'restore' ? ['restore', t.commitA, '--yes'] : [verb]);

/** Runs a command and SIGKILLs it after `delayMs` (alone or with its process group); waits until every process of the group is gone. */
async function runKilled(m: Machine, argv: string[], delayMs: number, group: boolean): Promise<{ killed: boolean }> {
  const child = spawn(process.execPath, [CLI, '--store', m.dir, '--vault', m.vault, '--agents', m.agents, ...argv], { detached: true, stdio: 'ignore' });
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', () => (exited = true));
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const killed = !exited;
  if (killed) {
    if (group) process.kill(-child.pid!, 'SIGKILL');
    else child.kill('SIGKILL');
  }
  await done;
  // git processes the CLI started may outlive it (a lone kill): let them finish, as they would on the machine.
  await waitFor(
    'the killed command’s child processes to end',
    () => {
      try {
        process.kill(-child.pid!, 0);
        return false;
      } catch {
        return true;
      }
    },
    60_000,
  );
  return { killed };
}

/** The tasks, by id → title, that `ids` names and the store holds. */
async function tasksIn(m: Machine, ids: string[]): Promise<Map<string, string>> {
  const store = await Store.open(m.dir);
  try {
    const wanted = new Set(ids);
    return new Map((await listTasks(store.orm, { limit: 100_000 })).filter((t) => wanted.has(t.id)).map((t) => [t.id, t.title]));
  } finally {
    await store.close();
  }
}

async function dumpOf(m: Machine) {
  const store = await Store.open(m.dir);
  try {
    return (await canonicalDump(store)).tables;
  } finally {
    await store.close();
  }
}

function assertDoctorOk(m: Machine): void {
  const r = cairn(m, '--json', 'doctor');
  assert.equal(r.status, 0, `cairn doctor: ${r.stdout}${r.stderr}`);
  assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
}

/** Adds `n` tasks through the CLI; returns id → title of each one acknowledged (exit 0, id printed). */
function addTasks(m: Machine, n: number, label: string): Map<string, string> {
  const project = (JSON.parse(ok(m, '--json', 'project', 'list')) as { id: string }[])[0]!.id;
  const acked = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const t = JSON.parse(ok(m, '--json', 'task', 'add', '--project', project, `${label} ${i}`)) as { id: string; title: string };
    acked.set(t.id, t.title);
  }
  return acked;
}

describe('fuzz: SIGKILL during backup, restore and sync', function () {
  let template: Template;
  before(async function () {
    this.timeout(600_000);
    requireBuilt();
    const { root, a, b } = await syncedPair(200, 30);
    const commitA = git(a.repo, 'rev-parse', 'HEAD');
    const project = (await listProjects(a.store.orm))[0]!.id;
    const newerTasks: string[] = [];
    await a.store.write(async (orm) => {
      for (let i = 0; i < 40; i++) newerTasks.push((await createTask(orm, human, { projectId: project, title: `Newer ${i}` })).id);
    });
    for (let i = 0; i < 30; i += 3) fs.appendFileSync(path.join(a.vault, `f${i % 7}`, `note ${i}.md`), '\nnewer line\n');
    await runBackup(a.env, {});
    await a.store.close();
    await b.store.close();
    // How long each command takes here, unkilled (on a copy), so the delays cover its whole run.
    const durationMs = {} as Record<Verb, number>;
    for (const verb of ['backup', 'restore', 'sync'] as const) {
      const copy = tempDir('cairn-kill-measure-');
      fs.cpSync(root, copy, { recursive: true });
      const m = machinesIn(copy);
      ok(m.a, 'remote', 'set', path.join(copy, 'remote.git'), '--no-check');
      addTasks(m.a, 1, 'measure');
      const started = Date.now();
      ok(m.a, ...args(verb, { root, commitA, newerTasks, durationMs }));
      durationMs[verb] = Date.now() - started;
    }
    template = { root, commitA, newerTasks, durationMs };
  });
  after(() => cleanupTempDirs());

  /** One kill: where in the command's usual run it lands (0: at once, 1.2: after it would have ended), what it kills, how many tasks were acknowledged before. */
  const killArb = fc.record({ at: fc.double({ min: 0, max: 1.2, noNaN: true }), group: fc.boolean(), tasksA: fc.integer({ min: 1, max: 3 }), tasksB: fc.integer({ min: 0, max: 2 }) });
  type Kill = typeof killArb extends fc.Arbitrary<infer K> ? K : never;

  async function killAndCheck(verb: Verb, { at, group, tasksA, tasksB }: Kill, tally: Tally): Promise<void> {
    const root = tempDir('cairn-kill-fuzz-');
    fs.cpSync(template.root, root, { recursive: true });
    const { a, b: other } = machinesIn(root);
    for (const m of [a, other]) ok(m, 'remote', 'set', path.join(root, 'remote.git'), '--no-check');
    const ackedA = addTasks(a, tasksA, 'acked on A');
    const ackedB = verb === 'sync' ? addTasks(other, tasksB, 'acked on B') : new Map<string, string>();

    const { killed } = await runKilled(a, args(verb, template), Math.round(at * template.durationMs[verb]), group);
    tally.add(`${verb} runs`);
    if (killed) tally.add(`${verb} killed mid-run`);

    // The next command succeeds (after a restore, a backup finishes what the restore left), and the store is whole.
    ok(a, verb === 'restore' ? 'backup' : verb);
    assertDoctorOk(a);

    const ids = [...ackedA.keys()];
    if (verb === 'restore') {
      const present = await tasksIn(a, [...ids, ...template.newerTasks]);
      const newer = template.newerTasks.filter((id) => present.has(id)).length;
      const acked = ids.filter((id) => present.has(id)).length;
      const restored = acked === 0 && newer === 0;
      assert.ok(restored || (acked === ids.length && newer === template.newerTasks.length), `old state or restored, never a mix: ${acked}/${ids.length} acknowledged and ${newer}/${template.newerTasks.length} newer tasks present`);
      if (restored) {
        // The restore took effect: its safety backup holds what was acknowledged before it.
        const history = JSON.parse(ok(a, '--json', 'history')) as { entries: { commit: string; kind: string }[] };
        const safety = history.entries.find((e) => e.kind === 'safety');
        assert.ok(safety, 'a restore that took effect left a safety backup');
        ok(a, 'restore', safety.commit, '--yes');
      }
    } else if (verb === 'sync') {
      ok(other, 'sync');
      ok(a, 'sync');
      assert.deepEqual(await dumpOf(other), await dumpOf(a), 'both machines hold the same rows');
      assert.deepEqual(readTree(other.vault), readTree(a.vault), 'both machines hold the same vault');
      assert.deepEqual(await tasksIn(other, [...ids, ...ackedB.keys()]), new Map([...ackedA, ...ackedB]), 'every acknowledged task reached the other machine');
    } else {
      const full = JSON.parse(ok(a, '--json', 'backup', '--full')) as { status: string };
      assert.equal(full.status, 'unchanged', 'the backup after the kill holds everything');
      ok(a, 'restore', 'HEAD', '--dry-run');
    }
    assert.deepEqual(await tasksIn(a, ids), ackedA, 'every task acknowledged before the kill is there');
    assertDoctorOk(a);
    fs.rmSync(root, { recursive: true, force: true });
  }

  // Each run kills one backup, one restore and one sync.
  const b = budget(3, 7305, 300_000);
  it(`after a kill at any moment the next command succeeds, nothing acknowledged is lost, machines converge (${b.label}, 3 kills each)`, async function () {
    this.timeout(b.timeoutMs);
    const tally = new Tally('kill');
    await fuzz(
      tally,
      b,
      fc.asyncProperty(fc.record({ backup: killArb, restore: killArb, sync: killArb }), async (kills) => {
        for (const verb of ['backup', 'restore', 'sync'] as const) await killAndCheck(verb, kills[verb], tally);
      }),
    );
  });
});
