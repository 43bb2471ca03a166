// Syncs racing through one bare remote: a push refused because another machine pushed first (non-fast-forward) or
// was updating the branch at that instant (the remote's ref lock) is fetched, merged and pushed again with a jittered
// backoff, a bounded number of times, before the sync reports anything. Real stores in separate folders, real
// `cairn` processes (dist/cli.js) and a real backend (dist/backend.js) syncing on a schedule, one local bare remote.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../src/store/errors';
import { getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { runSync, type SyncProgress, type SyncResult } from '../../src/sync/sync';
import { cli, cliAsync, human, requireBuilt, startBackend, tempDir, type Backend } from '../helpers';
import { bareRemote, clone, closeClones, git, syncedPair, type Clone } from './fixtures';

const runSyncWith = (c: Clone, onSyncProgress: (p: SyncProgress) => void, maxAttempts?: number) => runSync({ ...c.env, onSyncProgress }, { maxAttempts });

describe('sync: a push that lost a race with another machine', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  it('refused because another push held the remote branch (failed to update ref): fetched, merged and pushed again', async () => {
    const { bare, a, ids } = await syncedPair(3);
    await a.store.write(async (orm) => updateTask(orm, human, ids[0]!, (await getTask(orm, ids[0]!)).version, { title: 'from A' }));
    // Another push holds the remote's ref lock just as A pushes; it is gone by A's next round.
    const lock = path.join(bare, 'refs', 'heads', 'main.lock');
    const phases: string[] = [];
    const r = await runSyncWith(a, (p) => {
      phases.push(`${p.phase}@${p.attempt}`);
      if (p.phase === 'push' && p.attempt === 1) fs.writeFileSync(lock, '');
      if (p.phase === 'backup' && p.attempt === 2) fs.rmSync(lock);
    });
    assert.equal(r.attempts, 2, `the first push was refused, the second went through (${phases.join(' ')})`);
    assert.ok(r.pushed);
    assert.equal(git(bare, 'rev-parse', 'main'), git(a.repo, 'rev-parse', 'HEAD'));
  });

  it('a merge whose push lost the race still counts: the result adds up every round (changes taken, conflicts found)', async () => {
    const { root, bare, a, b, ids } = await syncedPair(4);
    const edit = (m: Clone, id: string, title: string) => m.store.write(async (orm) => updateTask(orm, human, id, (await getTask(orm, id)).version, { title }));
    await edit(a, ids[0]!, 'A says');
    await edit(b, ids[0]!, 'B says'); // the same field on both sides: a conflict in A's first round
    await edit(b, ids[1]!, 'from B');
    await runSync(b.env, {});
    const c = await clone(root, 'c', bare);
    await runSync(c.env, {});
    await edit(c, ids[2]!, 'from C');
    await runBackup(c.env, {});
    // C pushes just as A pushes its first merge: A's second round merges C's change.
    const r = await runSyncWith(a, (p) => {
      if (p.phase === 'push' && p.attempt === 1) git(c.repo, 'push', '--quiet', 'origin', 'main');
    });
    assert.equal(r.attempts, 2);
    assert.equal(r.status, 'merged');
    assert.deepEqual(r.conflicts.map((x) => x.rowKey), [ids[0]], 'the conflict found in the first round');
    assert.equal(r.changes.fromTheirs.tasks, 2, "B's task (first round) and C's (second round)");
    assert.equal(r.openConflicts, 1);
  });

  it('a branch that stays locked (a git that died on the remote): after the bounded retries, a Busy error naming the lock', async () => {
    const { bare, a, ids } = await syncedPair(3);
    await a.store.write(async (orm) => updateTask(orm, human, ids[0]!, (await getTask(orm, ids[0]!)).version, { title: 'from A' }));
    fs.writeFileSync(path.join(bare, 'refs', 'heads', 'main.lock'), '');
    await assert.rejects(
      runSyncWith(a, () => undefined, 3),
      (e: unknown) => e instanceof StoreError && e.kind === 'busy' && /did not go through in 3 attempts/.test(e.message) && /main\.lock': File exists.*remove it/.test(e.message) && /nothing was force-pushed/.test(e.message),
    );
    fs.rmSync(path.join(bare, 'refs', 'heads', 'main.lock'));
    assert.ok((await runSyncWith(a, () => undefined)).pushed, 'the next sync pushes the merge kept locally');
  });
});

describe('sync at team size: machines syncing at once through one bare remote', function () {
  this.timeout(900_000);
  const MACHINES = 6;
  const ROUNDS = 3;
  let scheduled: Backend | undefined;
  before(requireBuilt);
  afterEach(async () => {
    await scheduled?.stop();
    scheduled = undefined;
    await closeClones();
  });

  it(`${MACHINES} cairn processes and a scheduled sync, ${ROUNDS} rounds at once: every sync succeeds; afterwards every task is on every machine`, async () => {
    const root = tempDir();
    const bare = bareRemote(root);
    const machine = (i: number) => {
      const dir = path.join(root, `m${i}`);
      return { dir, args: ['--store', dir, '--vault', path.join(root, `m${i}-vault`), '--agents', path.join(root, `m${i}-agents`)] };
    };
    const machines = Array.from({ length: MACHINES }, (_, i) => machine(i));
    const ok = (m: { args: string[] }, ...args: string[]) => {
      const r = cli([...m.args, '--json', ...args]);
      assert.equal(r.status, 0, `cairn ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    for (const m of machines) {
      ok(m, 'init');
      ok(m, 'remote', 'set', bare);
    }
    const project = ok(machines[0]!, 'project', 'add', 'Team').id as string;
    for (const m of machines) ok(m, 'sync'); // each one now holds the project

    // The scheduled machine: a backend (as VS Code runs it) whose timer fires as the others sync: a task, then sync.run.
    const scheduledDir = path.join(root, 'scheduled');
    scheduled = startBackend(scheduledDir, ['--vault', path.join(root, 'scheduled-vault'), '--agents', path.join(root, 'scheduled-agents'), '--no-watch-vault']);
    const rpc = scheduled.rpc;
    await rpc.sendRequest('backup.remote.set', { url: bare });
    await rpc.sendRequest('sync.run', {});
    const created = new Map<string, string>(); // task id → where it was created
    const results: { who: string; attempts: number }[] = [];
    const failures: string[] = [];
    const scheduledSync = async (round: number) => {
      const t = (await rpc.sendRequest('tasks.create', { projectId: project, title: `scheduled round ${round}` })) as { id: string };
      created.set(t.id, 'scheduled');
      try {
        results.push({ who: 'scheduled', attempts: ((await rpc.sendRequest('sync.run', {})) as SyncResult).attempts });
      } catch (err) {
        failures.push(`scheduled round ${round}: ${(err as Error).message}`);
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all([
        scheduledSync(round),
        ...machines.map(async (m, i) => {
          const added = await cliAsync([...m.args, '--json', 'task', 'add', '--project', project, `m${i} round ${round}`]);
          assert.equal(added.code, 0, added.stderr);
          created.set((JSON.parse(added.stdout) as { id: string }).id, `m${i}`);
          const synced = await cliAsync([...m.args, '--json', 'sync']);
          if (synced.code !== 0) failures.push(`m${i} round ${round}: ${synced.stderr.trim()}`);
          else results.push({ who: `m${i}`, attempts: (JSON.parse(synced.stdout) as SyncResult).attempts });
        }),
      ]);
    }
    assert.deepEqual(failures, [], 'every sync succeeded');
    assert.ok(
      results.some((r) => r.attempts > 1),
      `the syncs did race (some push was refused and retried): attempts ${JSON.stringify(results.map((r) => r.attempts))}`,
    );

    // A final round, one machine after the other: every machine takes what the remote has (everything was pushed).
    for (const m of machines) ok(m, 'sync');
    await rpc.sendRequest('sync.run', {});
    const everywhere = [...created.keys()].sort();
    for (const m of machines) {
      const ids = (ok(m, 'task', 'list') as unknown as { id: string }[]).map((t) => t.id).sort();
      assert.deepEqual(ids, everywhere, `${m.dir} holds every task created on every machine, once`);
      assert.equal(git(path.join(m.dir, 'backup'), 'rev-parse', 'HEAD'), git(bare, 'rev-parse', 'main'));
    }
    const scheduledIds = ((await rpc.sendRequest('tasks.list', {})) as { id: string }[]).map((t) => t.id).sort();
    assert.deepEqual(scheduledIds, everywhere, 'the scheduled machine holds every task too');
  });
});
