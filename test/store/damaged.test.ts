// A damaged cairn.db (random bytes over one of its pages, as a disk fault leaves it) is noticed before the damage
// spreads: opening a small store checks it (PRAGMA quick_check), a query that meets damage says "damaged: restore"
// (never SQL text), a backup or sync checks first and never commits or pushes a damaged store, doctor still reports
// it, and `cairn restore` (and the backend's backup.restore) brings the store back, keeping the damaged file aside.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../src/store/errors';
import { Store } from '../../src/store/store';
import { createProject } from '../../src/store/projects';
import { invoke, MethodError } from '../../src/backend/methods';
import { runBackup } from '../../src/sync/backup';
import { runSync } from '../../src/sync/sync';
import { cleanupTempDirs, cli, damageTasks, human, requireBuilt, startBackend, tempDir } from '../helpers';
import { closeClones, envOf, git, populate, syncedPair } from '../sync/fixtures';

const env = { CAIRN_STORE: undefined, CAIRN_DEBUG: undefined };

/** A store of 300 tasks, backed up, then damaged; returns its folder and vault. */
async function damagedStore(): Promise<{ dir: string; vault: string; head: string }> {
  const dir = path.join(tempDir(), 'store');
  const vault = path.join(dir, 'vault');
  fs.mkdirSync(vault, { recursive: true });
  const store = await Store.open(dir);
  await populate(store, 300);
  await runBackup(envOf(store, vault), {});
  await store.close();
  await damageTasks(path.join(dir, 'cairn.db'));
  return { dir, vault, head: git(path.join(dir, 'backup'), 'rev-parse', 'HEAD') };
}

const damagedLine =
  /^cairn: The store .*cairn\.db is damaged \(.+\)\. Nothing was changed, backed up or synced\. Restore it from its last good backup: cairn --store .* restore HEAD --yes \(in VS Code: Cairn: Restore…; cairn history lists the backups; a restore keeps the damaged file in \/.*\/backups\); cairn doctor shows the damage\.\n$/;

describe('a damaged store', function () {
  this.timeout(120_000);
  afterEach(closeClones);
  afterEach(cleanupTempDirs);

  it('CLI: task list, task add, backup and sync are refused with "damaged: restore" (no SQL); doctor reports it; restore brings it back', async function () {
    requireBuilt();
    const { dir, vault, head } = await damagedStore();
    const file = path.join(dir, 'cairn.db');
    const before = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    // A dry run of the restore only looks: it says the store is damaged and leaves the file where it is.
    for (const args of [['task', 'list'], ['task', 'add', '--project', 'X', 'more'], ['backup'], ['sync'], ['project', 'list'], ['restore', 'HEAD', '--dry-run']]) {
      const r = cli(['--store', dir, '--vault', vault, ...args], env);
      assert.equal(r.status, 1, `cairn ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, damagedLine, `cairn ${args.join(' ')}`);
      assert.doesNotMatch(r.stderr, /select|Failed query|SQLITE_/i);
    }
    assert.equal(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'), before, 'the damaged file was not written');
    assert.deepEqual(fs.existsSync(path.join(dir, 'backups')) ? fs.readdirSync(path.join(dir, 'backups')).filter((d) => d.startsWith('damaged-')) : [], [], 'nothing was moved aside');
    assert.equal(git(path.join(dir, 'backup'), 'rev-parse', 'HEAD'), head, 'nothing was backed up');

    const doctor = cli(['--store', dir, 'doctor'], env);
    assert.equal(doctor.status, 1);
    assert.match(doctor.stdout, /^integrity\s+PROBLEMS: /m);

    const restored = cli(['--store', dir, '--vault', vault, 'restore', 'HEAD', '--yes'], env);
    assert.equal(restored.status, 0, restored.stderr);
    const list = cli(['--store', dir, '--json', 'task', 'list'], env);
    assert.equal(list.status, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as unknown[]).length, 300);
    const aside = fs.readdirSync(path.join(dir, 'backups')).filter((d) => d.startsWith('damaged-'));
    assert.equal(aside.length, 1, 'the damaged database is kept in backups/damaged-<time>/');
    assert.equal(crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'backups', aside[0]!, 'cairn.db'))).digest('hex'), before);
  });

  it('in-process, opened without the check (as a large store is): a query meeting the damage is a clear error; backup and sync refuse first', async () => {
    const { a } = await syncedPair(300);
    const remote = git(path.join(a.dir, 'backup'), 'rev-parse', 'HEAD');
    await a.store.close();
    await damageTasks(a.store.file);
    const store = await Store.open(a.dir, { checkAtOpen: 'never' });
    try {
      const err = await invoke({ store, who: human, vaultDir: a.vault, agentDirs: [] }, 'tasks.list', {}).then(
        () => assert.fail('tasks.list read the damaged table'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MethodError);
      assert.equal(err.code, -32008);
      assert.match(err.message, /is damaged .*restore HEAD/);
      assert.doesNotMatch(err.message, /select|Failed query/i);
      const env2 = envOf(store, a.vault);
      for (const run of [() => runBackup(env2, {}), () => runSync(env2, {})]) {
        await assert.rejects(run(), (e: unknown) => e instanceof StoreError && e.kind === 'corrupt' && /Nothing was changed, backed up or synced/.test(e.message));
      }
      assert.equal(git(path.join(a.dir, 'backup'), 'rev-parse', 'HEAD'), remote, 'nothing committed');
    } finally {
      await store.close();
    }
  });

  it('damaged while open, after a clean check: the next backup checks again and refuses', async () => {
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(vault, { recursive: true });
    const store = await Store.open(dir, { checkAtOpen: 'always' });
    try {
      await populate(store, 300);
      const env = envOf(store, vault);
      const first = await runBackup(env, {});
      assert.equal(first.status, 'committed');
      await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      await damageTasks(store.file); // a disk or another program writes into the open store's file
      // An incremental backup of a new project reads no task: only the check can see the damage.
      await store.write((orm) => createProject(orm, human, { name: 'After the damage' }));
      await assert.rejects(runBackup(env, {}), (e: unknown) => e instanceof StoreError && e.kind === 'corrupt' && /is damaged/.test(e.message));
      assert.equal(git(path.join(dir, 'backup'), 'rev-parse', 'HEAD'), first.commit, 'nothing committed');
    } finally {
      await store.close();
    }
  });

  it('the backend refuses it at start (Corrupt, -32008) and restores it through backup.restore', async function () {
    requireBuilt();
    const { dir, vault } = await damagedStore();
    const backend = startBackend(dir, ['--vault', vault]);
    try {
      const err = (await backend.rpc.sendRequest('tasks.list', {}).then(
        () => assert.fail('tasks.list answered'),
        (e: unknown) => e,
      )) as { code: number; message: string };
      assert.equal(err.code, -32008);
      assert.match(err.message, /is damaged/);
      const restored = (await backend.rpc.sendRequest('backup.restore', { ref: 'HEAD' })) as { restoreCommit?: string };
      assert.ok(restored.restoreCommit);
    } finally {
      await backend.stop();
    }
    const list = cli(['--store', dir, '--json', 'task', 'list'], env);
    assert.equal(list.status, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as unknown[]).length, 300);
  });
});
