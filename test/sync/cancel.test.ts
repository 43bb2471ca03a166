// Cancelling a backup or a sync at each safe point, on real stores, real git repositories and a real bare remote:
// the cancel is raised from the progress report of a phase, so the run stops at the next safe point. Afterwards
// the store is as it was, the backup repository's working tree and index equal its last commit, nothing was pushed,
// and the next backup or sync succeeds with nothing lost. Past the safe points (the commit; a sync's apply) a
// cancel changes nothing. Over JSON-RPC, $/cancelRequest reaches the backup as the same error.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '../../src/backend/protocol';
import { StoreError } from '../../src/store/errors';
import { Store } from '../../src/store/store';
import { getTask, updateTask } from '../../src/store/tasks';
import { runBackup, type BackupEnv, type Progress } from '../../src/sync/backup';
import { runRestore } from '../../src/sync/restore';
import { runSync, type SyncProgress } from '../../src/sync/sync';
import { cleanupTempDirs, cliAsync, human, requireBuilt, startBackend, tempDir, type Backend } from '../helpers';
import { canonicalDump, closeClones, envOf, git, populate, readTree, syncedPair, writeVault } from './fixtures';

const inProgress = (repo: string) => fs.existsSync(path.join(repo, '.git', 'cairn', 'backup-in-progress'));

/** An env whose run is cancelled when `phase` is reported (so it stops at the next safe point). */
function cancelledAt(env: BackupEnv, phase: string): BackupEnv & { onSyncProgress: (p: SyncProgress) => void; seen: string[]; sync: SyncProgress[] } {
  const abort = new AbortController();
  const seen: string[] = [];
  const sync: SyncProgress[] = [];
  const hit = (p: string) => {
    seen.push(p);
    if (p === phase || p.startsWith(`${phase} `)) abort.abort();
  };
  return { ...env, signal: abort.signal, seen, sync, onProgress: (p: Progress) => hit(p.phase), onSyncProgress: (p) => (sync.push(p), hit(p.phase)) };
}

async function rejectsCancelled(run: Promise<unknown>): Promise<StoreError> {
  const err = await run.then(
    () => assert.fail('the run was not cancelled'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError && err.kind === 'cancelled', `cancelled, not ${(err as Error).message}`);
  return err;
}

const rename = (store: Store, id: string, title: string) => store.write(async (orm) => updateTask(orm, human, id, (await getTask(orm, id)).version, { title }));

describe('cancel: a backup stops at each safe point before its commit', function () {
  this.timeout(300_000);
  afterEach(() => cleanupTempDirs());

  for (const phase of ['prepare', 'export', 'files', 'stage', 'scan']) {
    it(`cancelled at "${phase}": store and repository untouched; the next backup commits every change`, async () => {
      const dir = tempDir();
      const vault = path.join(dir, 'vault');
      writeVault(vault, 5);
      const store = await Store.open(dir);
      try {
        const ids = await populate(store, 20);
        const env = envOf(store, vault);
        const repo = (await runBackup(env, {})).repo;
        const head = git(repo, 'rev-parse', 'HEAD');
        await rename(store, ids[3]!, 'renamed after the backup');
        fs.appendFileSync(path.join(vault, 'f1', 'note 1.md'), 'a line written after the backup\n');
        fs.writeFileSync(path.join(vault, 'new note.md'), '# New\n');
        const before = await canonicalDump(store);

        const run = cancelledAt(env, phase);
        const err = await rejectsCancelled(runBackup(run, {}));
        assert.match(err.message, /nothing was committed and the store was not changed/);
        assert.ok(run.seen.some((p) => p === phase || p.startsWith(`${phase} `)), `the backup reached ${phase} (${run.seen.join(', ')})`);
        assert.equal(git(repo, 'rev-parse', 'HEAD'), head, 'no commit');
        assert.equal(git(repo, 'status', '--porcelain'), '', 'working tree and index are the last commit');
        assert.ok(!inProgress(repo), 'no unfinished backup is left marked');
        assert.deepEqual(await canonicalDump(store), before, 'the store is unchanged');

        const next = await runBackup(env, {});
        assert.equal(next.status, 'committed');
        assert.equal(git(repo, 'show', 'HEAD:files/vault/f1/note 1.md'), fs.readFileSync(path.join(vault, 'f1', 'note 1.md'), 'utf8').trimEnd());
        assert.equal(git(repo, 'show', 'HEAD:files/vault/new note.md'), '# New');
        const plan = await runRestore(env, {}, 'HEAD', { dryRun: true });
        assert.deepEqual(plan.tables.filter((t) => t.added || t.changed || t.removed).map((t) => t.table), [], 'HEAD holds every row as the store has it');
        assert.equal(plan.files.added + plan.files.changed + plan.files.removed, 0, 'HEAD holds every file');
      } finally {
        await store.close();
      }
    });
  }

  it('cancelled during the very first backup: no commit, and the next one makes the first commit', async () => {
    const dir = tempDir();
    const vault = path.join(dir, 'vault');
    writeVault(vault, 3);
    const store = await Store.open(dir);
    try {
      await populate(store, 5);
      const env = envOf(store, vault);
      await rejectsCancelled(runBackup(cancelledAt(env, 'files'), {}));
      const repo = path.join(dir, 'backup');
      assert.equal(git(repo, 'rev-list', '--all'), '', 'no commit');
      assert.deepEqual(Object.keys(readTree(repo)).filter((p) => !p.startsWith('.git/')).sort(), ['.gitattributes', 'README.md']);
      const first = await runBackup(env, {});
      assert.equal(first.status, 'committed');
      assert.equal(git(repo, 'status', '--porcelain'), '');
    } finally {
      await store.close();
    }
  });

  it('a cancel that comes at the commit is too late: the backup completes', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    try {
      await populate(store, 3);
      const r = await runBackup(cancelledAt(envOf(store, path.join(dir, 'vault')), 'commit'), {});
      assert.equal(r.status, 'committed');
    } finally {
      await store.close();
    }
  });
});

describe('cancel: a sync stops before the merge is applied', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  async function twoClones() {
    const { bare, a, b, ids } = await syncedPair(10, 3);
    // Both sides change something: B's next sync has to merge.
    await rename(a.store, ids[0]!, 'from A');
    fs.appendFileSync(path.join(a.vault, 'f0', 'note 0.md'), 'from A\n');
    await runSync(a.env, {});
    await rename(b.store, ids[1]!, 'from B');
    fs.writeFileSync(path.join(b.vault, 'B note.md'), 'from B\n');
    return { bare, a, b, ids };
  }

  for (const phase of ['backup', 'fetch', 'merge'] as const) {
    it(`cancelled at "${phase}": B's store is unchanged, nothing is pushed; the next sync merges and keeps every edit`, async () => {
      const { bare, a, b, ids } = await twoClones();
      const remoteBefore = git(bare, 'rev-parse', 'main');
      const storeBefore = await canonicalDump(b.store);
      const vaultBefore = readTree(b.vault);

      const run = cancelledAt(b.env, phase);
      const err = await rejectsCancelled(runSync(run, {}));
      assert.match(err.message, /sync was cancelled before (the store was changed|anything was committed)/);
      assert.ok(run.sync.every((p) => p.cancellable), 'every phase reached was still cancellable');
      assert.deepEqual(await canonicalDump(b.store), storeBefore, "B's store is unchanged");
      assert.deepEqual(readTree(b.vault), vaultBefore, "B's vault is unchanged");
      assert.equal(git(bare, 'rev-parse', 'main'), remoteBefore, 'nothing was pushed');
      assert.equal(git(b.repo, 'status', '--porcelain'), '', "B's working tree and index are its last commit");
      assert.ok(!inProgress(b.repo) && !fs.existsSync(path.join(b.repo, '.git', 'cairn', 'sync-pending.json')), 'no unfinished work is left marked');

      const next = await runSync(b.env, {});
      assert.equal(next.status, 'merged');
      assert.ok(next.pushed);
      await runSync(a.env, {});
      for (const c of [a, b]) {
        assert.equal((await c.store.read((orm) => getTask(orm, ids[0]!))).title, 'from A');
        assert.equal((await c.store.read((orm) => getTask(orm, ids[1]!))).title, 'from B');
        assert.equal(fs.readFileSync(path.join(c.vault, 'B note.md'), 'utf8'), 'from B\n');
        assert.match(fs.readFileSync(path.join(c.vault, 'f0', 'note 0.md'), 'utf8'), /from A/);
      }
      assert.deepEqual((await canonicalDump(a.store)).tables, (await canonicalDump(b.store)).tables);
    });
  }

  it('a cancel once the merge is being applied is too late: the sync runs to the end and says so in its progress', async () => {
    const { bare, b, ids } = await twoClones();
    const run = cancelledAt(b.env, 'apply');
    const r = await runSync(run, {});
    assert.equal(r.status, 'merged');
    assert.ok(r.pushed);
    assert.equal(git(bare, 'rev-parse', 'main'), r.head);
    assert.equal((await b.store.read((orm) => getTask(orm, ids[0]!))).title, 'from A');
    assert.deepEqual(
      run.sync.map((p) => [p.phase, p.cancellable]),
      [['backup', true], ['fetch', true], ['merge', true], ['apply', false], ['push', false]],
    );
  });
});

/** The answer to request `id`, read off the backend's stdout frames. */
function answerTo(b: Backend, id: string): Promise<{ error?: { code: number; message: string }; result?: unknown }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const m = /Content-Length: (\d+)\r\n\r\n/.exec(buf.toString('latin1'));
        if (!m) return;
        const start = m.index + m[0].length;
        const len = Number(m[1]);
        if (buf.length < start + len) return;
        const msg = JSON.parse(buf.subarray(start, start + len).toString('utf8')) as { id?: string; error?: { code: number; message: string } };
        buf = buf.subarray(start + len);
        if (msg.id === id) {
          b.child.stdout.off('data', onData);
          return resolve(msg);
        }
      }
    };
    b.child.stdout.on('data', onData);
  });
}

const frame = (message: object) => {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

describe('cancel over JSON-RPC and from the CLI', function () {
  this.timeout(60_000);
  before(() => requireBuilt());
  afterEach(() => cleanupTempDirs());

  it('backup.run cancelled with $/cancelRequest answers the Cancelled error code and leaves no commit', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await populate(store, 3);
    await store.close();
    const b = startBackend(dir);
    try {
      // The request and its cancel in one write: the backend reads both before the backup starts, so the backup
      // starts cancelled and stops at its first safe point.
      const answer = answerTo(b, 'cancel-me');
      b.child.stdin.write(frame({ id: 'cancel-me', method: 'backup.run', params: {} }) + frame({ method: '$/cancelRequest', params: { id: 'cancel-me' } }));
      const { error } = await answer;
      assert.equal(error?.code, ErrorCodes.Cancelled, JSON.stringify(error));
      assert.match(error!.message, /backup was cancelled before its commit/);
      assert.ok(!fs.existsSync(path.join(dir, 'backup', '.git')) || git(path.join(dir, 'backup'), 'rev-list', '--all') === '', 'no commit');
      const done = await b.rpc.sendRequest<{ status: string }>('backup.run', {});
      assert.equal(done.status, 'committed');
      assert.equal(git(path.join(dir, 'backup'), 'rev-list', '--count', 'HEAD'), '1');
    } finally {
      await b.stop();
    }
  });

  it('Ctrl+C during `cairn backup` stops it at the next safe point: exit 130, no commit; a second backup commits it all', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await populate(store, 30);
    await store.close();
    const args = ['--store', dir, '--agents', path.join(dir, 'no-agents'), 'backup'];
    const interrupted = await cliAsync(args, { CAIRN_TEST_INTERRUPT_AT: 'backup:exported' });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /stopping at the next safe point/);
    assert.match(interrupted.stderr, /backup was cancelled before its commit: nothing was committed/);
    const repo = path.join(dir, 'backup');
    assert.equal(git(repo, 'rev-list', '--all'), '', 'no commit');
    const done = await cliAsync([...args.slice(0, -1), '--json', 'backup']);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(JSON.parse(done.stdout).status, 'committed');
    assert.equal(git(repo, 'status', '--porcelain'), '');
  });
});
