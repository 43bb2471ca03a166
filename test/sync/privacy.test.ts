// The two privacy boundaries of backup and sync, on real stores, real git repositories and a real bare remote:
// an erased project stays erased (sync drops what another machine still had; a restore of an older backup erases
// it again unless asked), and private notes committed before a remote was set never leave the machine silently.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eraseProject } from '../../src/store/erase';
import { StoreError } from '../../src/store/errors';
import { createTask, getTask, listTasks, updateTask } from '../../src/store/tasks';
import { listProjects } from '../../src/store/projects';
import { runBackup } from '../../src/sync/backup';
import { setRemote } from '../../src/sync/remote';
import { runRestore } from '../../src/sync/restore';
import { runSync } from '../../src/sync/sync';
import { CLI, human, requireBuilt, tempDir } from '../helpers';
import { bareRemote, canonicalDump, clone, closeClones, git, populate, type Clone } from './fixtures';

const machine = (root: string, name: string) => clone(root, name, null);

/** Every line of every source table and event that names one of these ids (the tombstone excepted). */
async function traces(m: Clone, ids: string[]): Promise<string[]> {
  const { tables } = await canonicalDump(m.store);
  return Object.entries(tables).flatMap(([table, lines]) => lines.filter((l) => ids.some((id) => l.includes(id)) && !l.includes('"project.erased"')).map((l) => `${table}: ${l.slice(0, 120)}`));
}

/** Lines of the commit's db/ files that name one of the ids (the tombstone excepted). */
function tracesInCommit(repo: string, rev: string, ids: string[]): string[] {
  const files = git(repo, 'ls-tree', '-r', '--name-only', rev, '--', 'db').split('\n').filter(Boolean);
  return files.flatMap((f) => git(repo, 'show', `${rev}:${f}`).split('\n').filter((l) => ids.some((id) => l.includes(id)) && !l.includes('"project.erased"')));
}

describe('privacy: an erased project stays erased', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  it('erase on A, edits to that project on B meanwhile: after syncing it is gone on both, and never comes back', async () => {
    const root = tempDir();
    const bare = bareRemote(root);
    const [a, b] = [await machine(root, 'a'), await machine(root, 'b')];
    for (const m of [a, b]) await setRemote(m.repo, bare, true);
    await populate(a.store, 12);
    assert.equal((await runSync(a.env, {})).status, 'pushed');
    assert.equal((await runSync(b.env, {})).status, 'merged');
    assert.equal((await runSync(a.env, {})).status, 'fast_forward');
    const bBeforeErase = git(b.repo, 'rev-parse', 'HEAD');
    const alpha = (await a.store.read((orm) => listProjects(orm))).find((p) => p.name === 'Alpha');
    const alphaTasks = (await a.store.read((orm) => listTasks(orm, { projectId: alpha!.id }))).map((t) => t.id);
    assert.ok(alphaTasks.length >= 6);

    // B, not knowing of the erase: edits a task of Alpha and adds one.
    await b.store.write(async (orm) => updateTask(orm, human, alphaTasks[0]!, (await getTask(orm, alphaTasks[0]!)).version, { title: 'B-EDIT-plugh' }));
    const added = await b.store.write((orm) => createTask(orm, human, { projectId: alpha!.id, title: 'B-NEW-xyzzy' }));
    // A erases Alpha and syncs first.
    const report = await eraseProject(a.store, human, alpha!.id);
    assert.equal(report.removed.tasks, alphaTasks.length);
    assert.equal((await runSync(a.env, {})).status, 'pushed');

    const merged = await runSync(b.env, {});
    assert.equal(merged.status, 'merged');
    assert.deepEqual(merged.erased.projects, [alpha!.id]);
    assert.ok((merged.erased.rows.tasks ?? 0) >= 2, `B's edited and new tasks were dropped (${JSON.stringify(merged.erased.rows)})`);
    assert.equal(merged.conflicts.length, 0, 'no conflict keeps a copy of the erased rows');
    const ids = [alpha!.id, ...alphaTasks, added.id];
    assert.deepEqual(await traces(b, ids), [], 'B holds nothing of Alpha');
    assert.deepEqual(tracesInCommit(bare, 'main', ids), [], "the remote's head holds nothing of Alpha");
    // B removed its rows with secure_delete: the edited title is not in its database file.
    const bytes = Buffer.concat(['cairn.db', 'cairn.db-wal'].map((f) => path.join(b.dir, f)).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    for (const text of ['B-EDIT-plugh', 'B-NEW-xyzzy']) assert.equal(bytes.indexOf(Buffer.from(text)), -1, `"${text}" is not in B's database file`);

    assert.equal((await runSync(a.env, {})).status, 'fast_forward');
    assert.deepEqual(await traces(a, ids), [], 'A holds nothing of Alpha');
    assert.deepEqual((await canonicalDump(a.store)).tables, (await canonicalDump(b.store)).tables, 'both converge');
    const tombstones = (await canonicalDump(b.store)).tables.events!.filter((l) => l.includes('"project.erased"'));
    assert.equal(tombstones.length, 1, 'the tombstone itself syncs');

    // Further syncs, and B restoring a backup from before the erase: Alpha stays gone everywhere.
    const restored = await runRestore(b.env, {}, bBeforeErase);
    assert.deepEqual(restored.erased.map((e) => [e.projectId, e.erasedAgain]), [[alpha!.id, true]]);
    for (const m of [b, a, b, a]) await runSync(m.env, {});
    for (const m of [a, b]) {
      assert.equal((await m.store.read((orm) => listProjects(orm))).some((p) => p.id === alpha!.id), false);
      assert.deepEqual(await traces(m, ids), []);
    }
    assert.deepEqual(tracesInCommit(bare, 'main', ids), []);
  });

  it('restoring a backup made before an erase erases it again (the dry run says so); --include-erased brings it back', async () => {
    const root = tempDir();
    const m = await machine(root, 'solo');
    await populate(m.store, 10);
    const alpha = (await m.store.read((orm) => listProjects(orm))).find((p) => p.name === 'Alpha');
    const alphaTasks = (await m.store.read((orm) => listTasks(orm, { projectId: alpha!.id }))).map((t) => t.id);
    const before = await runBackup(m.env, {});
    await eraseProject(m.store, human, alpha!.id);
    await runBackup(m.env, {});
    const ids = [alpha!.id, ...alphaTasks];

    const dry = await runRestore(m.env, {}, before.commit!, { dryRun: true });
    assert.deepEqual(dry.erased, [{ projectId: alpha!.id, name: 'Alpha', erasedAgain: true }]);
    assert.ok(dry.warnings.some((w) => /"Alpha".*erased after this backup.*erased again.*--include-erased/.test(w)), dry.warnings.join('\n'));
    assert.equal(dry.tables.find((t) => t.table === 'projects')!.added, 0, 'the dry run shows no project coming back');
    assert.equal(dry.tables.find((t) => t.table === 'tasks')!.added, 0);

    const done = await runRestore(m.env, {}, before.commit!);
    assert.deepEqual(await traces(m, ids), [], 'the store holds nothing of Alpha after the restore');
    assert.equal((await canonicalDump(m.store)).tables.events!.filter((l) => l.includes('"project.erased"')).length, 1, 'the tombstone stays');
    assert.ok(done.restoreCommit);
    assert.deepEqual(tracesInCommit(m.repo, done.restoreCommit!, ids), [], 'the restore commit holds nothing of Alpha');
    assert.equal((await runBackup(m.env, {}, { full: true })).status, 'unchanged', 'the restore commit matches the store exactly');

    const back = await runRestore(m.env, {}, before.commit!, { includeErased: true });
    assert.deepEqual(back.erased, [{ projectId: alpha!.id, name: 'Alpha', erasedAgain: false }]);
    assert.equal((await m.store.read((orm) => listProjects(orm))).some((p) => p.id === alpha!.id), true, 'asked for: Alpha is back');
    assert.equal((await m.store.read((orm) => listTasks(orm, { projectId: alpha!.id }))).length, alphaTasks.length);
    assert.equal((await canonicalDump(m.store)).tables.events!.filter((l) => l.includes('"project.erased"')).length, 0, 'and its tombstone is gone');
  });
});

const PRIVATE_TEXT = 'PRIVATE-DIARY-frobozz';
const ONCE_PRIVATE_TEXT = 'ONCE-PRIVATE-grue';

/** Every blob the bare repository holds, as text. */
function allBlobs(bare: string): string {
  const objects = git(bare, 'rev-list', '--objects', '--all').split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
  return objects.map((sha) => (git(bare, 'cat-file', '-t', sha) === 'blob' ? git(bare, 'cat-file', 'blob', sha) : '')).join('\n');
}

describe('privacy: private notes committed before a remote was set', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  /** A store whose local history holds a private note, and a note that was private in an earlier commit only. */
  async function localHistory() {
    const root = tempDir();
    const bare = bareRemote(root);
    const m = await machine(root, 'laptop');
    await populate(m.store, 3);
    fs.writeFileSync(path.join(m.vault, 'diary.md'), `---\nprivate: true\n---\n# Diary\n${PRIVATE_TEXT}\n`);
    fs.writeFileSync(path.join(m.vault, 'journal.md'), `---\ntags: [x]\nprivate: true\n---\n${ONCE_PRIVATE_TEXT}\n`);
    fs.writeFileSync(path.join(m.vault, 'public.md'), '# Public\nanyone may read this\n');
    assert.equal((await runBackup(m.env, {})).privateNotesLeftOut, 0, 'no remote yet: private notes are backed up locally');
    fs.writeFileSync(path.join(m.vault, 'journal.md'), '# Journal\nnow public\n');
    fs.utimesSync(path.join(m.vault, 'journal.md'), new Date(), new Date(Date.now() + 5000));
    await runBackup(m.env, {});
    return { root, bare, m };
  }

  it('remote set warns and sync refuses, naming the notes (also one private only in an earlier commit); nothing reaches the remote', async () => {
    const { bare, m } = await localHistory();
    const info = await setRemote(m.repo, bare, true);
    assert.deepEqual(info.privateHistory?.map((n) => n.path), ['files/vault/diary.md', 'files/vault/journal.md']);
    assert.match(info.warning!, /--allow-private-history.*--fresh-history/);

    await assert.rejects(runSync(m.env, {}), (e: StoreError) => {
      assert.equal(e.kind, 'invalid');
      assert.match(e.message, /^Nothing was pushed\..*2 private notes.*files\/vault\/diary\.md, files\/vault\/journal\.md.*cairn sync --allow-private-history.*cairn sync --fresh-history/s);
      assert.deepEqual((e.data!.privateNotes as { path: string }[]).map((n) => n.path), ['files/vault/diary.md', 'files/vault/journal.md']);
      return true;
    });
    assert.equal(spawnSync('git', ['-C', bare, 'rev-parse', '--verify', '--quiet', 'main']).status, 1, 'the remote has no branch');
    assert.equal(git(bare, 'count-objects', '-v').match(/^count: (\d+)/m)![1], '0', 'and no objects');
    assert.ok(fs.existsSync(path.join(m.vault, 'diary.md')), 'the note itself is untouched');
  });

  it('with --allow-private-history the history is pushed as it is', async () => {
    const { bare, m } = await localHistory();
    await setRemote(m.repo, bare, true);
    const r = await runSync(m.env, { allowPrivateHistory: true });
    assert.equal(r.pushed, true);
    assert.equal(git(bare, 'rev-parse', 'main'), git(m.repo, 'rev-parse', 'HEAD'));
    const blobs = allBlobs(bare);
    assert.ok(blobs.includes(PRIVATE_TEXT) && blobs.includes(ONCE_PRIVATE_TEXT), 'the allowed private notes are on the remote');
    // Later syncs push only new commits, which leave private notes out: no further refusal.
    await m.store.write(async (orm) => createTask(orm, human, { projectId: (await listProjects(orm))[0]!.id, title: 'later' }));
    assert.equal((await runSync(m.env, {})).pushed, true);
  });

  it('with --fresh-history the remote gets a new root commit of the current state and nothing private; the local history stays on a branch', async () => {
    const { bare, m } = await localHistory();
    await setRemote(m.repo, bare, true);
    const oldHead = git(m.repo, 'rev-parse', 'HEAD');
    const r = await runSync(m.env, { freshHistory: true });
    assert.equal(r.pushed, true);
    assert.ok(r.freshHistory);
    assert.equal(git(bare, 'rev-list', '--count', 'main'), '1', 'the remote holds one root commit');
    assert.equal(git(bare, 'rev-parse', 'main'), r.freshHistory!.commit);
    const blobs = allBlobs(bare);
    for (const text of [PRIVATE_TEXT, ONCE_PRIVATE_TEXT]) assert.ok(!blobs.includes(text), `"${text}" is in no object of the remote`);
    assert.ok(blobs.includes('now public') && blobs.includes('anyone may read this'), 'the current public notes are there');
    assert.ok(git(bare, 'ls-tree', '-r', '--name-only', 'main').includes('db/tasks/'), 'and the rows');
    assert.equal(git(m.repo, 'merge-base', oldHead, r.freshHistory!.branch), oldHead, 'the old history is kept locally (the branch holds it)');
    assert.ok(git(m.repo, 'show', `${r.freshHistory!.branch}~1:files/vault/diary.md`).includes(PRIVATE_TEXT));
    assert.ok(git(m.repo, 'rev-list', 'HEAD').split('\n').every((c) => c !== oldHead), 'main continues from the fresh root');

    // A second machine clones through sync; both go on syncing without any refusal.
    const b = await machine(path.dirname(m.dir), 'desktop');
    await setRemote(b.repo, bare, true);
    assert.equal((await runSync(b.env, {})).status, 'merged');
    await m.store.write(async (orm) => createTask(orm, human, { projectId: (await listProjects(orm))[0]!.id, title: 'after fresh' }));
    assert.equal((await runSync(m.env, {})).pushed, true);
    assert.equal((await runSync(b.env, {})).status, 'fast_forward');
    assert.ok(!allBlobs(bare).includes(PRIVATE_TEXT));
  });

  it('the CLI: remote set prints the warning, sync exits 1 naming the note, sync --fresh-history pushes', async () => {
    requireBuilt();
    const { bare, m } = await localHistory();
    await m.store.close();
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--store', m.dir, '--vault', m.vault, '--agents', path.join(m.dir, 'no-agents'), ...args], { encoding: 'utf8' });
    const set = run('remote', 'set', bare);
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stderr, /warning: .*files\/vault\/diary\.md.*Until then "cairn sync" refuses to push/);
    const refused = run('sync');
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /Nothing was pushed.*files\/vault\/diary\.md.*--allow-private-history.*--fresh-history/);
    const fresh = run('sync', '--fresh-history');
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.match(fresh.stdout, /Started a fresh history for the remote at \w+; the previous history .* stays on the local branch private-history-/);
    assert.ok(!allBlobs(bare).includes(PRIVATE_TEXT));
  });
});
