// A store folder whose database is gone — missing, emptied to 0 bytes (a crash, a disk problem, a bad copy), or a
// new empty store in its place — while its backup (or database copies in backups/) still holds the store. Opening
// it must be refused with the way to restore it, never answered with a new empty store whose next sync pushes
// "everything removed" to every other machine; `cairn restore` (the CLI and the backend's backup.restore) brings
// the data back. Real stores, a real bare remote, the built CLI and backend.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../src/store/errors';
import { Store } from '../../src/store/store';
import { cleanupTempDirs, cli, requireBuilt, startBackend, tempDir } from '../helpers';
import { bareRemote, git } from '../sync/fixtures';

const env = { CAIRN_STORE: undefined, CAIRN_DEBUG: undefined };

/** Runs the CLI and expects exit 0; returns stdout. */
function ok(args: string[]): string {
  const r = cli(args, env);
  assert.equal(r.status, 0, `cairn ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Exit 1, nothing on stdout, one "cairn: " line on stderr (no stack trace); returns that line. */
function refused(args: string[]): string {
  const r = cli(args, env);
  assert.equal(r.status, 1, `cairn ${args.join(' ')}: exit code; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^cairn: [^\n]+\n$/, `one line on stderr, got:\n${r.stderr}`);
  return r.stderr.trim();
}

const taskTitles = (store: string) => (JSON.parse(ok(['--store', store, '--json', 'task', 'list'])) as { title: string }[]).map((t) => t.title).sort();

/** Two stores, A (a project with 3 tasks) and B, synced through a bare remote until both hold the same. */
function syncedStores(): { root: string; a: string; b: string; bare: string } {
  const root = tempDir();
  const bare = bareRemote(root);
  const [a, b] = [path.join(root, 'A'), path.join(root, 'B')];
  for (const s of [a, b]) ok(['--store', s, 'init']);
  const project = (JSON.parse(ok(['--store', a, '--json', 'project', 'add', 'P'])) as { id: string }).id;
  for (const t of ['t1', 't2', 't3']) ok(['--store', a, 'task', 'add', '--project', project, t]);
  for (const s of [a, b]) ok(['--store', s, 'remote', 'set', bare]);
  for (const s of [a, b, a]) ok(['--store', s, 'sync']);
  assert.deepEqual(taskTitles(b), ['t1', 't2', 't3']);
  return { root, a, b, bare };
}

/** How many tasks each commit the remote's main gained since `since` holds (its manifest's count). */
function remoteTaskCounts(bare: string, since: string): number[] {
  const commits = git(bare, 'rev-list', `${since}..main`).split('\n').filter(Boolean);
  return commits.map((c) => (JSON.parse(git(bare, 'show', `${c}:manifest.json`)) as { tables: Record<string, { rows: number }> }).tables.tasks?.rows ?? 0);
}

async function expectLost(p: Promise<Store>, state: RegExp): Promise<StoreError> {
  const err = await p.then(
    async (s) => {
      await s.close();
      assert.fail('expected the store to be refused, but it opened');
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError, String(err));
  assert.equal(err.kind, 'store_unavailable', err.message);
  assert.equal(err.data?.reason, 'needs_restore');
  assert.match(err.message, state);
  assert.doesNotMatch(err.message, /\n/);
  return err;
}

describe('a store folder whose database is gone', function () {
  this.timeout(120_000);
  before(requireBuilt);
  afterEach(cleanupTempDirs);

  it('cairn.db emptied to 0 bytes: sync (and every command) refused pointing to restore; B keeps its tasks; restore brings them back', () => {
    const { a, b, bare } = syncedStores();
    const before = git(bare, 'rev-parse', 'main');
    fs.writeFileSync(path.join(a, 'cairn.db'), '');
    for (const f of ['cairn.db-wal', 'cairn.db-shm']) fs.rmSync(path.join(a, f), { force: true });

    for (const args of [['sync'], ['backup'], ['task', 'list'], ['project', 'add', 'X'], ['init'], ['doctor']]) {
      const line = refused(['--store', a, ...args]);
      assert.match(line, /^cairn: The store's database .*cairn\.db is empty, but .* held a Cairn store: its backup .* holds 3 tasks, 1 project, \d+ events\. .*restore HEAD --yes/, `cairn ${args.join(' ')}`);
    }
    assert.equal(fs.statSync(path.join(a, 'cairn.db')).size, 0, 'the emptied file is left as it was');
    assert.equal(git(bare, 'rev-parse', 'main'), before, 'nothing was pushed');

    ok(['--store', b, 'sync']);
    assert.deepEqual(taskTitles(b), ['t1', 't2', 't3'], 'B keeps every task');

    assert.match(ok(['--store', a, 'history']), /First backup: 3 tasks/);
    ok(['--store', a, 'restore', 'HEAD', '--yes']);
    assert.deepEqual(taskTitles(a), ['t1', 't2', 't3']);
    ok(['--store', a, 'sync']);
    ok(['--store', b, 'sync']);
    assert.deepEqual(taskTitles(b), ['t1', 't2', 't3']);
    assert.deepEqual(taskTitles(a), ['t1', 't2', 't3']);
    assert.ok(remoteTaskCounts(bare, before).every((n) => n === 3), 'no commit the remote received holds fewer tasks');
  });

  it('cairn.db missing: Store.open refuses (even with create, as the backend opens) and creates nothing; restore brings it back', async () => {
    const { a } = syncedStores();
    for (const f of ['cairn.db', 'cairn.db-wal', 'cairn.db-shm']) fs.rmSync(path.join(a, f), { force: true });
    const err = await expectLost(Store.open(a), /cairn\.db is missing, but .* held a Cairn store/);
    assert.equal(err.data?.repo, path.join(a, 'backup'));
    assert.equal(fs.existsSync(path.join(a, 'cairn.db')), false, 'no new database was created');
    // A new store takes the backup's rows and log as they are: the summary says so, not "<kind>.restored" per row.
    const intoNew = ok(['--store', a, 'restore', 'HEAD', '--yes']);
    assert.match(intoNew, /^ {2}\(a new store: it takes the backup's rows and event log as they are; one backup\.restored event records the restore\)$/m);
    assert.doesNotMatch(intoNew, /<kind>\.restored/);
    assert.deepEqual(taskTitles(a), ['t1', 't2', 't3']);
    const restored = git(path.join(a, 'backup'), 'rev-parse', 'HEAD');
    const project = (JSON.parse(ok(['--store', a, '--json', 'project', 'list'])) as { id: string }[])[0]!.id;
    ok(['--store', a, 'task', 'add', '--project', project, 't4']);
    const dryRun = JSON.parse(ok(['--store', a, '--json', 'restore', restored, '--dry-run'])) as { newStore: boolean };
    assert.equal(dryRun.newStore, false);
    const intoLive = ok(['--store', a, 'restore', restored, '--yes']);
    assert.match(intoLive, /^ {2}\(the event log keeps every event it holds; each row put back is logged as <kind>\.restored\)$/m);
    assert.deepEqual(taskTitles(a), ['t1', 't2', 't3']);
  });

  it('a new, empty Cairn store copied over cairn.db: refused as holding no events while its backup holds some', async () => {
    const { root, a } = syncedStores();
    const fresh = path.join(root, 'fresh');
    ok(['--store', fresh, 'init']);
    for (const f of ['cairn.db-wal', 'cairn.db-shm']) fs.rmSync(path.join(a, f), { force: true });
    fs.copyFileSync(path.join(fresh, 'cairn.db'), path.join(a, 'cairn.db'));
    await expectLost(Store.open(a), /cairn\.db holds no events \(a new, empty store\), but .* held a Cairn store/);
    assert.match(refused(['--store', a, 'sync']), /holds no events/);
  });

  it('a missing database beside copies of it in backups/ (no backup repository): refused, naming the newest copy', async () => {
    const dir = path.join(tempDir(), 'store');
    ok(['--store', dir, 'init']);
    fs.mkdirSync(path.join(dir, 'backups'));
    const copy = path.join(dir, 'backups', 'cairn-v1-before-migration-2026-01-01.db');
    fs.copyFileSync(path.join(dir, 'cairn.db'), copy);
    fs.rmSync(path.join(dir, 'cairn.db'));
    const err = await expectLost(Store.open(dir), /copies of its database are in .*backups\. .*copying the newest, .*cairn-v1-before-migration-2026-01-01\.db, to .*cairn\.db/);
    assert.deepEqual(err.data?.copies, [copy]);
    // A newer copy that a restore found damaged and moved aside is not the one to copy back.
    const damaged = path.join(dir, 'backups', 'damaged-2026-02-01T00-00-00-000Z', 'cairn.db');
    fs.mkdirSync(path.dirname(damaged));
    fs.copyFileSync(copy, damaged);
    fs.utimesSync(copy, new Date('2026-01-01'), new Date('2026-01-01'));
    const again = await expectLost(Store.open(dir), /copying the newest, .*cairn-v1-before-migration-2026-01-01\.db, to/);
    assert.deepEqual(again.data?.copies, [copy, damaged]);
  });

  it('beside copies only: listing the backups or a dry run makes a database to restore into, and the folder stays refused', async () => {
    const dir = path.join(tempDir(), 'store');
    ok(['--store', dir, 'init']);
    fs.mkdirSync(path.join(dir, 'backups'));
    fs.copyFileSync(path.join(dir, 'cairn.db'), path.join(dir, 'backups', 'cairn-v1-before-migration-2026-01-01.db'));
    fs.rmSync(path.join(dir, 'cairn.db'));
    await (await Store.open(dir, { create: false, forRestore: true, checkAtOpen: 'never' })).close(); // as history opens it
    assert.ok(fs.existsSync(path.join(dir, 'cairn.db')), 'a database to restore into was made');
    await expectLost(Store.open(dir), /copies of its database are in .*backups\./);
    await (await Store.open(dir, { create: false, forRestore: true })).close(); // a dry run, a restore that failed
    await expectLost(Store.open(dir), /copies of its database are in .*backups\./);
    fs.rmSync(path.join(dir, 'cairn.db'));
    cli(['--store', dir, 'history'], env); // no backup to list: what it answers does not matter, what it leaves does
    assert.match(refused(['--store', dir, 'task', 'list']), /copies of its database are in/);
  });

  it('a folder that never held a store is created by init (not by other commands); so is one whose only backup held nothing', async () => {
    const fresh = path.join(tempDir(), 'new');
    await (await Store.open(fresh)).close();
    assert.ok(fs.existsSync(path.join(fresh, 'cairn.db')));
    const zero = path.join(tempDir(), 'zero');
    fs.mkdirSync(zero);
    fs.writeFileSync(path.join(zero, 'cairn.db'), '');
    assert.equal(refused(['--store', zero, 'task', 'list']), `cairn: There is no Cairn store at ${zero} (its cairn.db is empty). Create one with "cairn --store ${zero} init".`);
    ok(['--store', zero, 'init']);
    assert.deepEqual(taskTitles(zero), []);
    const empty = path.join(tempDir(), 'store');
    ok(['--store', empty, 'init']);
    ok(['--store', empty, 'backup']); // a backup of a store with no events
    fs.rmSync(path.join(empty, 'cairn.db'));
    ok(['--store', empty, 'init']);
    assert.deepEqual(taskTitles(empty), []);
  });

  it('the backend answers store.info with the reason, and restores through backup.history and backup.restore', async () => {
    const { a } = syncedStores();
    fs.writeFileSync(path.join(a, 'cairn.db'), '');
    for (const f of ['cairn.db-wal', 'cairn.db-shm']) fs.rmSync(path.join(a, f), { force: true });
    const backend = startBackend(a);
    try {
      const err = await backend.rpc.sendRequest('store.info', {}).then(
        () => assert.fail('store.info answered'),
        (e: { code: number; message: string; data?: { kind: string; reason?: string } }) => e,
      );
      assert.equal(err.code, -32004);
      assert.deepEqual([err.data?.kind, err.data?.reason], ['store_unavailable', 'needs_restore']);
      assert.match(err.message, /is empty, but .* held a Cairn store.*restore/);
      const history = (await backend.rpc.sendRequest('backup.history', {})) as { entries: { commit: string }[] };
      assert.ok(history.entries.length > 0);
      const restored = (await backend.rpc.sendRequest('backup.restore', { ref: history.entries[0]!.commit })) as { restoreCommit?: string };
      assert.ok(restored.restoreCommit);
    } finally {
      await backend.stop();
    }
    assert.deepEqual(taskTitles(a), ['t1', 't2', 't3']);
  });
});
