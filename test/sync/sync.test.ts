// Sync between real stores through a real local bare repository (receive.denyNonFastForwards, so a force-push
// would fail loudly): two clones editing offline, conflicts and their resolution, a push rejected because a third
// clone pushed meanwhile, an unreachable remote, and SIGKILL at every step of a sync.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../src/store/errors';
import { Store } from '../../src/store/store';
import { createTask, deleteTask, getTask, listTasks, updateTask } from '../../src/store/tasks';
import { listProjects } from '../../src/store/projects';
import { runBackup } from '../../src/sync/backup';
import { conflictList, resolveConflict } from '../../src/sync/resolve';
import { runSync } from '../../src/sync/sync';
import { cli, human, tempDir } from '../helpers';
import { bareRemote, canonicalDump, clone, closeClones, envOf, git, populate, readTree, syncedPair, writeVault, type Clone } from './fixtures';

const task = (c: Clone, id: string) => c.store.read((orm) => getTask(orm, id));
const edit = (c: Clone, id: string, changes: Parameters<typeof updateTask>[4]) => c.store.write(async (orm) => updateTask(orm, human, id, (await getTask(orm, id)).version, changes));
const dumpOf = async (c: Clone) => (await canonicalDump(c.store)).tables;

/** Every commit the remote's main ever pointed at is still in its history: nothing was ever force-pushed. */
function assertOnlyFastForwards(bare: string, heads: string[]): void {
  const history = new Set(git(bare, 'rev-list', 'main').split('\n'));
  for (const h of heads) assert.ok(history.has(h), `${h} is still in the remote's history`);
}

describe('sync: two clones through a bare remote', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  async function twoClones(tasks = 12) {
    const root = tempDir();
    const bare = bareRemote(root);
    const a = await clone(root, 'a', bare);
    const b = await clone(root, 'b', bare);
    const ids = await populate(a.store, tasks);
    writeVault(a.vault, 4);
    const first = await runSync(a.env, {});
    assert.equal(first.status, 'pushed');
    const second = await runSync(b.env, {});
    assert.equal(second.status, 'merged', 'B (an empty store) merges A in');
    assert.equal(second.conflicts.length, 0);
    assert.equal((await runSync(a.env, {})).status, 'fast_forward');
    assert.deepEqual(await dumpOf(b), await dumpOf(a), 'B holds what A holds');
    assert.deepEqual(readTree(b.vault), readTree(a.vault));
    return { root, bare, a, b, ids };
  }

  it('offline edits on both sides: every edit survives or is a visible conflict; then histories and stores are identical', async () => {
    const { bare, a, b, ids } = await twoClones();
    const heads = [git(bare, 'rev-parse', 'main')];
    const [t0, t1, t2, t3, t4, t5] = ids as [string, string, string, string, string, string];
    const projectId = (await task(a, t0)).projectId;
    // A's offline edits.
    await edit(a, t0, { title: 'A renamed t0' });
    await edit(a, t2, { title: 'A title t2' });
    await edit(a, t3, { title: 'A title t3' });
    await a.store.write((orm) => deleteTask(orm, human, t4));
    await a.store.write((orm) => deleteTask(orm, human, t5));
    const newA = (await a.store.write((orm) => createTask(orm, human, { projectId, title: 'new on A' }))).id;
    fs.writeFileSync(path.join(a.vault, 'f0/note 0.md'), fs.readFileSync(path.join(a.vault, 'f0/note 0.md'), 'utf8').replace('# Note 0', '# Note 0 (A heading)'));
    fs.appendFileSync(path.join(a.vault, 'f1/note 1.md'), 'last line from A\n');
    fs.writeFileSync(path.join(a.vault, 'A only.md'), 'written on A\n');
    // B's offline edits.
    await edit(b, t1, { status: 'in_progress' });
    await edit(b, t2, { description: 'B description t2' });
    await edit(b, t3, { title: 'B title t3' });
    await edit(b, t4, { title: 'B kept t4' });
    const newB = (await b.store.write((orm) => createTask(orm, human, { projectId, title: 'new on B' }))).id;
    fs.appendFileSync(path.join(b.vault, 'f0/note 0.md'), 'a line B added at the end\n');
    fs.appendFileSync(path.join(b.vault, 'f1/note 1.md'), 'last line from B\n');

    const ra = await runSync(a.env, {});
    assert.equal(ra.status, 'pushed');
    heads.push(git(bare, 'rev-parse', 'main'));
    const rb = await runSync(b.env, {});
    assert.equal(rb.status, 'merged');
    assert.ok(rb.pushed);
    heads.push(git(bare, 'rev-parse', 'main'));
    const ra2 = await runSync(a.env, {});
    assert.equal(ra2.status, 'fast_forward');

    // Same history, same content.
    const headA = git(a.repo, 'rev-parse', 'HEAD');
    assert.equal(headA, git(b.repo, 'rev-parse', 'HEAD'));
    assert.equal(headA, git(bare, 'rev-parse', 'main'));
    assert.equal(git(bare, 'rev-list', '--parents', '-n1', 'main').split(' ').length, 3, 'the merge commit has both parents');
    assertOnlyFastForwards(bare, heads);
    assert.deepEqual(await dumpOf(a), await dumpOf(b));
    assert.deepEqual(readTree(a.vault), readTree(b.vault));
    assert.equal(git(a.repo, 'status', '--porcelain'), '', 'the backup working tree is clean');

    // Every edit is there.
    for (const c of [a, b]) {
      assert.equal((await task(c, t0)).title, 'A renamed t0');
      assert.equal((await task(c, t1)).status, 'in_progress');
      const merged = await task(c, t2);
      assert.equal(merged.title, 'A title t2', 'field-level merge: A\'s title');
      assert.equal(merged.description, 'B description t2', 'and B\'s description');
      assert.equal((await task(c, t3)).title, 'B title t3', 'the same field: the merger\'s (B\'s) value stays');
      assert.equal((await task(c, t4)).title, 'B kept t4', 'deleted on A, changed on B: the changed row stays');
      await assert.rejects(task(c, t5), /No task/, 'deleted on A, unchanged on B: deleted');
      assert.equal((await task(c, newA)).title, 'new on A');
      assert.equal((await task(c, newB)).title, 'new on B');
      const note0 = fs.readFileSync(path.join(c.vault, 'f0/note 0.md'), 'utf8');
      assert.match(note0, /A heading/);
      assert.match(note0, /B added at the end/);
      assert.match(fs.readFileSync(path.join(c.vault, 'f1/note 1.md'), 'utf8'), /from B/, 'a note git cannot merge keeps mine (B merged)');
      const copies = fs.readdirSync(path.join(c.vault, 'f1')).filter((f) => f.includes('(conflict '));
      assert.equal(copies.length, 1);
      assert.match(fs.readFileSync(path.join(c.vault, 'f1', copies[0]!), 'utf8'), /from A/, 'theirs beside it');
      assert.equal(fs.readFileSync(path.join(c.vault, 'A only.md'), 'utf8'), 'written on A\n');
      for (const [p, text] of Object.entries(readTree(c.vault))) assert.doesNotMatch(text, /^(<<<<<<<|>>>>>>>)/m, `no conflict markers in ${p}`);
    }
    assert.doesNotMatch(JSON.stringify(await dumpOf(a)), /<<<<<<<|>>>>>>>/);

    // The conflicts are visible on both machines.
    for (const c of [a, b]) {
      const { conflicts, open } = await conflictList(c.env, {}, 'open', 100);
      assert.equal(open, 3);
      const title = conflicts.find((x) => x.rowKey === t3)!;
      assert.deepEqual(title.fields, ['title']);
      assert.deepEqual(title.mine, { title: 'B title t3' });
      assert.deepEqual(title.theirs, { title: 'A title t3' });
      assert.equal(title.label, 'B title t3');
      const deleted = conflicts.find((x) => x.rowKey === t4)!;
      assert.deepEqual(deleted.fields, ['*']);
      assert.equal(deleted.theirs, null, 'A had deleted it');
      const note = conflicts.find((x) => x.kind === 'file')!;
      assert.equal(note.path, 'files/vault/f1/note 1.md');
      assert.match(note.theirs as string, /from A/);
    }
  });

  it('resolving a conflict writes the chosen value with its event, and the resolution syncs', async () => {
    const { a, b, ids } = await twoClones(4);
    const t = ids[0]!;
    await edit(a, t, { title: 'A says' });
    await edit(b, t, { title: 'B says' });
    await runSync(a.env, {});
    await runSync(b.env, {});
    await runSync(a.env, {});
    const [conflict] = (await conflictList(a.env, {}, 'open', 10)).conflicts;
    assert.ok(conflict);
    await assert.rejects(resolveConflict(a.env, {}, conflict.id, 'edit', 'not an object'), (e: unknown) => e instanceof StoreError && e.kind === 'invalid');
    await assert.rejects(resolveConflict(a.env, {}, 'NOPE', 'mine', undefined), (e: unknown) => e instanceof StoreError && e.kind === 'not_found');
    const before = (await task(a, t)).version;
    const r = await resolveConflict(a.env, {}, conflict.id, 'theirs', undefined);
    assert.equal(r.conflict.resolution, 'theirs');
    const after = await task(a, t);
    assert.equal(after.title, 'A says', 'theirs (for B, the merger) was A\'s title');
    assert.equal(after.version, before + 1);
    await assert.rejects(resolveConflict(a.env, {}, conflict.id, 'mine', undefined), /already resolved/);
    assert.equal((await runSync(a.env, {})).status, 'pushed');
    assert.equal((await runSync(b.env, {})).status, 'fast_forward');
    assert.equal((await task(b, t)).title, 'A says');
    assert.equal((await conflictList(b.env, {}, 'open', 10)).open, 0);
    assert.deepEqual(await dumpOf(a), await dumpOf(b));
  });

  it('a push rejected because a third clone pushed meanwhile: fetch, merge and push again (never forced)', async () => {
    const { root, bare, a, b, ids } = await twoClones(4);
    const c = await clone(root, 'c', bare);
    await runSync(c.env, {});
    await edit(a, ids[0]!, { title: 'from A' });
    await edit(c, ids[1]!, { title: 'from C' });
    await runBackup(c.env, {}); // committed on C, not pushed yet
    const beforeC = git(bare, 'rev-parse', 'main');
    // C pushes just after A fetched and merged, before A pushes: A's push is refused as non-fast-forward.
    let cPushed = false;
    const r = await runSync(
      {
        ...a.env,
        onSyncProgress: (p) => {
          if (p.phase === 'push' && !cPushed) {
            git(c.repo, 'push', '--quiet', 'origin', 'main');
            cPushed = true;
          }
        },
      },
      {},
    );
    assert.ok(cPushed);
    assert.equal(r.attempts, 2, 'the first push was rejected; the second round merged C and pushed');
    assert.equal(r.status, 'merged');
    assert.ok(r.pushed);
    assertOnlyFastForwards(bare, [beforeC, git(c.repo, 'rev-parse', 'HEAD')]);
    await runSync(b.env, {});
    await runSync(c.env, {});
    for (const x of [a, b, c]) {
      assert.equal((await task(x, ids[0]!)).title, 'from A');
      assert.equal((await task(x, ids[1]!)).title, 'from C');
    }
  });

  it('a fast-forward blocked by a file left in the backup by hand falls back to a reset: the remote state arrives whole', async () => {
    const { a, b, ids } = await twoClones(3);
    await edit(a, ids[0]!, { title: 'from A' });
    fs.writeFileSync(path.join(a.vault, 'new from A.md'), '# New from A\n');
    assert.equal((await runSync(a.env, {})).status, 'pushed');
    // An untracked file where A's new note goes: git's two-tree merge (read-tree -m -u) refuses to overwrite it.
    const inTheWay = path.join(b.repo, 'files', 'vault', 'new from A.md');
    fs.writeFileSync(inTheWay, 'left here by hand\n');
    const r = await runSync(b.env, {});
    assert.equal(r.status, 'fast_forward');
    assert.equal(git(b.repo, 'rev-parse', 'HEAD'), git(a.repo, 'rev-parse', 'HEAD'));
    assert.equal(fs.readFileSync(inTheWay, 'utf8'), '# New from A\n', 'the file in the way was replaced by the remote one');
    assert.equal(git(b.repo, 'status', '--porcelain'), '', 'working tree and index are the commit');
    assert.equal((await task(b, ids[0]!)).title, 'from A');
    assert.deepEqual(readTree(b.vault), readTree(a.vault));
    assert.deepEqual(await dumpOf(b), await dumpOf(a));
  });

  it('an unreachable remote is a clear error; the local backup is committed and the store untouched', async () => {
    const { root, a } = await twoClones(3);
    await edit(a, (await a.store.read((orm) => listTasks(orm, {})))[0]!.id, { title: 'offline edit' });
    const before = await dumpOf(a);
    const headBefore = git(a.repo, 'rev-parse', 'HEAD');
    fs.renameSync(path.join(root, 'remote.git'), path.join(root, 'gone.git'));
    await assert.rejects(runSync(a.env, {}), (e: unknown) => e instanceof StoreError && e.kind === 'store_unavailable' && /Cannot reach the remote/.test(e.message) && /backed up locally/.test(e.message));
    assert.deepEqual(await dumpOf(a), before);
    assert.notEqual(git(a.repo, 'rev-parse', 'HEAD'), headBefore, 'the backup was committed');
    assert.equal((await a.store.read((orm) => listProjects(orm))).length, 2);
  });
});

describe('sync failures: SIGKILL at every step', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  for (const at of ['sync:backed-up', 'sync:fetched', 'sync:merged', 'sync:committed', 'sync:applied', 'sync:files', 'sync:before-push']) {
    it(`killed at ${at}: the store opens, passes integrity_check, holds the old or the merged state; the next sync converges`, async () => {
      const { bare, a, b, ids } = await syncedPair(6, 3);
      try {
        await edit(a, ids[0]!, { title: 'A edit' });
        await edit(a, ids[2]!, { title: 'A title' });
        fs.appendFileSync(path.join(a.vault, 'f0/note 0.md'), 'from A\n');
        await runSync(a.env, {});
        await edit(b, ids[1]!, { title: 'B edit' });
        await edit(b, ids[2]!, { description: 'B description' });
        await b.store.close();

        const killed = execFileSyncStatus(['--store', b.dir, '--vault', b.vault, 'sync'], at);
        assert.equal(killed, 'SIGKILL', `the sync was killed at ${at}`);

        b.store = await Store.open(b.dir);
        b.env = envOf(b.store, b.vault);
        assert.deepEqual((await b.store.conn.all<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check), ['ok']);
        assert.equal((await task(b, ids[1]!)).title, 'B edit', 'B\'s own edit is there');
        const t0 = (await task(b, ids[0]!)).title;
        const t2 = await task(b, ids[2]!);
        const merged = t0 === 'A edit';
        assert.ok(merged ? t2.title === 'A title' && t2.description === 'B description' : t0 !== 'A edit' && t2.title !== 'A title', `old state or merged state, never a mix (t0 ${t0}, t2 ${t2.title})`);

        const next = await runSync(b.env, {});
        assert.ok(next.pushed || next.status === 'up_to_date', `the next sync finishes (${next.status})`);
        await runSync(a.env, {});
        assert.equal(git(a.repo, 'rev-parse', 'HEAD'), git(b.repo, 'rev-parse', 'HEAD'));
        assert.equal(git(bare, 'rev-parse', 'main'), git(a.repo, 'rev-parse', 'HEAD'));
        assert.deepEqual(await dumpOf(a), await dumpOf(b));
        assert.deepEqual(readTree(a.vault), readTree(b.vault));
        assert.match(fs.readFileSync(path.join(b.vault, 'f0/note 0.md'), 'utf8'), /from A/);
        assert.equal((await task(a, ids[1]!)).title, 'B edit');
        assert.equal((await task(a, ids[2]!)).description, 'B description');
      } finally {
        await a.store.close();
        await b.store.close();
      }
    });
  }
});

/** Runs the CLI with a crash point set; returns the signal that ended it. */
function execFileSyncStatus(args: string[], at: string): string | null {
  const r = cli(args, { CAIRN_TEST_CRASH_AT: at });
  return r.signal;
}
