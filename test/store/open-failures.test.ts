// Store.open (and the CLI) on stores that cannot be used: each case must give a message a person can act on, and
// must leave every file exactly as it was (compared by sha256 of every file in the folder, before and after).
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as sqlite3 from '@vscode/sqlite3';
import { StoreError, type StoreErrorKind } from '../../src/store/errors';
import { createProject, listProjects } from '../../src/store/projects';
import { Store } from '../../src/store/store';
import { CLI, cleanupTempDirs, cli, cliAsync, human, requireBuilt, ROOT, tempDir, withSmallDisk } from '../helpers';
import { undoMigrationsAfter } from '../migrationUndo';

const SHIPPED_SCHEMA = (JSON.parse(fs.readFileSync(path.join(ROOT, 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

// ---- a raw SQLite connection (not through Cairn), to build broken stores and to hold locks ----

interface Raw {
  exec(sql: string): Promise<void>;
  get<T = Record<string, unknown>>(sql: string): Promise<T>;
  all<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

function raw(file: string, mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (err) => {
      if (err) return reject(err);
      resolve({
        exec: (sql) => new Promise((res, rej) => db.exec(sql, (e) => (e ? rej(e) : res()))),
        get: (sql) => new Promise((res, rej) => db.get(sql, (e, row) => (e ? rej(e) : res(row as never)))),
        all: (sql) => new Promise((res, rej) => db.all(sql, (e, rows) => (e ? rej(e) : res(rows as never)))),
        close: () => new Promise((res, rej) => db.close((e) => (e ? rej(e) : res()))),
      });
    });
  });
}

async function rawQuery<T>(file: string, sql: string): Promise<T[]> {
  const db = await raw(file, sqlite3.OPEN_READONLY);
  try {
    return await db.all<T>(sql);
  } finally {
    await db.close();
  }
}

// ---- evidence that nothing was touched ----

/** sha256 of every file under `root` (a folder or a single file), by relative path. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    else out[path.relative(root, p) || '.'] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  };
  walk(root);
  return out;
}

async function expectStoreError(p: Promise<unknown>, kind: StoreErrorKind, message: RegExp): Promise<StoreError> {
  let store: unknown;
  try {
    store = await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /\n/, 'the message is one line');
    return err;
  }
  if (store instanceof Store) await store.close();
  assert.fail(`expected a StoreError of kind ${kind}, but it succeeded`);
}

// ---- the broken stores ----

function storeDir(): string {
  return path.join(tempDir(), 'store');
}

/** A store folder whose cairn.db is plain text. */
function notADatabase(): string {
  const dir = storeDir();
  fs.mkdirSync(dir);
  const text = Array.from({ length: 64 }, () => crypto.randomBytes(24).toString('base64')).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'cairn.db'), `These are my notes, not a database.\n${text}`);
  return dir;
}

/** A store folder whose cairn.db is another application's SQLite database (rollback journal, as most apps use). */
async function foreignDatabase(userVersion = 0): Promise<string> {
  const dir = storeDir();
  fs.mkdirSync(dir);
  const db = await raw(path.join(dir, 'cairn.db'));
  await db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    INSERT INTO notes (body) VALUES ('buy milk'), ('call mum');
    PRAGMA user_version = ${userVersion};`);
  await db.close();
  return dir;
}

/** A real Cairn store holding one project, then stamped with a schema version newer than this build ships. */
async function newerStore(): Promise<string> {
  const dir = storeDir();
  const s = await Store.open(dir);
  await s.write((orm) => createProject(orm, human, { name: 'From the future' }));
  await s.close();
  const db = await raw(path.join(dir, 'cairn.db'));
  await db.exec(`PRAGMA user_version = ${SHIPPED_SCHEMA + 1}`);
  await db.close();
  return dir;
}

async function cairnStore(): Promise<string> {
  const dir = storeDir();
  await (await Store.open(dir)).close();
  return dir;
}

/**
 * Finds a store folder that truly cannot be written here. We run as root, so chmod does not stop us. Probed
 * candidates: /sys is sysfs, where even root cannot create entries (mkdir gives EPERM). /proc is NOT used: on it,
 * fs.mkdirSync(..., { recursive: true }) (what Store.open calls) loops forever at 100% CPU instead of failing,
 * because mkdir reports ENOENT for a parent that exists (a Node bug, seen with Node 20 here). When not root, a
 * chmod 0555 folder works too. Probing uses a non-recursive mkdir, which fails at once.
 */
function unwritableFolder(): { missing: string; existing: string } | undefined {
  // /sys refuses a mkdir even to root on Linux, as macOS's read-only system volume does; a 0555 folder refuses others.
  const candidates: { missing: string; existing: string }[] = ['/sys', '/System'].map((d) => ({ missing: `${d}/cairn-test-${process.pid}`, existing: d }));
  if (process.getuid?.() !== 0) {
    const ro = tempDir();
    fs.chmodSync(ro, 0o555);
    candidates.push({ missing: path.join(ro, 'store'), existing: ro });
  }
  for (const c of candidates) {
    try {
      fs.mkdirSync(c.missing);
      fs.rmdirSync(c.missing); // it was writable after all: not a candidate
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'EACCES' || code === 'EROFS') return c;
    }
  }
  return undefined;
}


describe('Store.open on stores it cannot use', function () {
  this.timeout(60_000);
  afterEach(cleanupTempDirs);

  it('cairn.db is not a SQLite file: store_unavailable "not a SQLite database", file untouched', async () => {
    const dir = notADatabase();
    const before = snapshot(dir);
    for (const create of [true, false]) {
      const err = await expectStoreError(Store.open(dir, { create }), 'store_unavailable', /is not a SQLite database/);
      assert.ok(err.message.includes(path.join(dir, 'cairn.db')), 'the message names the file');
      assert.deepEqual(snapshot(dir), before, 'nothing was written, renamed or deleted');
    }
  });

  it("another app's SQLite database (tables, user_version 0): refused as not a Cairn store, file untouched", async () => {
    const dir = await foreignDatabase(0);
    const before = snapshot(dir);
    await expectStoreError(Store.open(dir), 'store_unavailable', /is a SQLite database but not a Cairn store/);
    assert.deepEqual(snapshot(dir), before);
    // Not even switched to WAL: its journal mode is still the app's own.
    assert.deepEqual(await rawQuery(path.join(dir, 'cairn.db'), 'PRAGMA journal_mode'), [{ journal_mode: 'delete' }]);
  });

  // Many apps use PRAGMA user_version for their own schema, so a foreign database may well be at version 1 or 2.
  // Today checkCompatible only looks for foreign tables at version 0: at version 1 Cairn switches the file to WAL,
  // writes a backup and then fails with a raw "no such table: main.events"; at version 2 it opens it as a store.
  for (const userVersion of [1, 2]) {
    it(`another app's SQLite database that uses user_version ${userVersion}: refused, file untouched`, async () => {
      const dir = await foreignDatabase(userVersion);
      const before = snapshot(dir);
      await expectStoreError(Store.open(dir), 'store_unavailable', /not a Cairn store/);
      assert.deepEqual(snapshot(dir), before);
    });
  }

  it('a store with a newer schema than this build: schema_too_new, "update Cairn", file untouched', async () => {
    const dir = await newerStore();
    const before = snapshot(dir);
    const err = await expectStoreError(Store.open(dir), 'schema_too_new', /written by a newer Cairn.*Update Cairn to open it; nothing was changed/);
    assert.deepEqual(err.data, { storeVersion: SHIPPED_SCHEMA + 1, supportedVersion: SHIPPED_SCHEMA });
    assert.deepEqual(snapshot(dir), before);
    const file = path.join(dir, 'cairn.db');
    assert.deepEqual(await rawQuery(file, 'PRAGMA user_version'), [{ user_version: SHIPPED_SCHEMA + 1 }], 'never downgraded');
    assert.deepEqual(await rawQuery(file, 'select name from projects'), [{ name: 'From the future' }]);
  });

  it('the store path is a file: store_unavailable "is a file, not a folder", file untouched', async () => {
    const parent = tempDir();
    const file = path.join(parent, 'store');
    fs.writeFileSync(file, 'my shopping list\n');
    const before = snapshot(parent);
    for (const create of [true, false]) {
      await expectStoreError(Store.open(file, { create }), 'store_unavailable', /The store path .*store is a file, not a folder/);
      assert.deepEqual(snapshot(parent), before);
    }
  });

  it('the store path is under a file (ENOTDIR): store_unavailable naming ENOTDIR, file untouched', async () => {
    const parent = tempDir();
    fs.writeFileSync(path.join(parent, 'plain.txt'), 'not a folder\n');
    const before = snapshot(parent);
    const dir = path.join(parent, 'plain.txt', 'store');
    await expectStoreError(Store.open(dir), 'store_unavailable', /Cannot use .*plain\.txt.store as the store folder \(ENOTDIR: .*\)\. Choose a writable folder/);
    assert.deepEqual(snapshot(parent), before);
  });

  it('a store folder that cannot be written (even by root): store_unavailable, nothing created', async () => {
    const target = unwritableFolder();
    assert.ok(target, 'no folder refused a mkdir (neither /sys nor a 0555 temp folder)');
    const err = await expectStoreError(Store.open(target.missing), 'store_unavailable', /Cannot use .* as the store folder \((EPERM|EACCES|EROFS): /);
    assert.ok(err.message.includes(target.missing));
    assert.equal(fs.existsSync(target.missing), false);
    // The folder exists but no file can be created in it: SQLite's open fails, with the same kind and advice.
    const before = fs.readdirSync(target.existing);
    await expectStoreError(Store.open(target.existing), 'store_unavailable', /Cannot (open|use) .*(permissions|writable folder)/);
    assert.deepEqual(fs.readdirSync(target.existing), before);
  });

  describe('a store locked by another process', () => {
    it('a write meets busy (kind busy, "locked by another process"), changes nothing, and succeeds once the lock is gone', async () => {
      const dir = await cairnStore();
      const holder = await raw(path.join(dir, 'cairn.db'));
      await holder.exec('BEGIN IMMEDIATE'); // holds the write lock, as another Cairn process mid-write would
      const store = await Store.open(dir, { busyTimeoutMs: 300 }); // opening only reads: not blocked
      try {
        const err = await expectStoreError(
          store.write((orm) => createProject(orm, human, { name: 'Blocked' })),
          'busy',
          /is locked by another process and stayed locked past the busy timeout\. Nothing was changed/,
        );
        assert.ok(err.message.includes(path.join(dir, 'cairn.db')));
        assert.deepEqual(await store.read((orm) => listProjects(orm)), []);
        assert.equal(await store.lastEventSeq(), 0);

        await holder.exec('COMMIT');
        const p = await store.write((orm) => createProject(orm, human, { name: 'After the lock' }));
        assert.deepEqual((await store.read((orm) => listProjects(orm))).map((x) => x.id), [p.id]);
      } finally {
        await store.close();
        await holder.close();
      }
    });

    it('the lock held by a second Store: the same busy error, then success', async () => {
      const dir = await cairnStore();
      const other = await Store.open(dir);
      const store = await Store.open(dir, { busyTimeoutMs: 300 });
      let release: () => void = () => undefined;
      const released = new Promise<void>((r) => (release = r));
      let entered: () => void = () => undefined;
      const inside = new Promise<void>((r) => (entered = r));
      const holding = other.write(async (orm) => {
        await createProject(orm, human, { name: 'Holder' });
        entered();
        await released;
      });
      try {
        await inside;
        await expectStoreError(store.write((orm) => createProject(orm, human, { name: 'Blocked' })), 'busy', /locked by another process/);
        release();
        await holding;
        await store.write((orm) => createProject(orm, human, { name: 'Second' }));
        assert.deepEqual((await store.read((orm) => listProjects(orm))).map((p) => p.name), ['Holder', 'Second']);
      } finally {
        release();
        await holding.catch(() => undefined);
        await store.close();
        await other.close();
      }
    });

    // Connection.transaction promises to retry a transaction that meets SQLITE_BUSY a few times (with a short
    // backoff) before the error reaches the user. With a 300 ms busy timeout and the lock released 450 ms in, the
    // first attempt times out and the first retry (which starts within ~400 ms and waits up to 300 ms) gets
    // through. At commit 119a6f2 this failed: locked() turned the SQLite error into a StoreError (no `code`)
    // before transaction() looked at the code, so no retry ever happened.
    it('a write whose first attempt times out is retried, and succeeds once the lock is released', async () => {
      const dir = await cairnStore();
      const holder = await raw(path.join(dir, 'cairn.db'));
      await holder.exec('BEGIN IMMEDIATE');
      const store = await Store.open(dir, { busyTimeoutMs: 300 });
      const releasing = new Promise<void>((resolve, reject) => setTimeout(() => holder.exec('COMMIT').then(resolve, reject), 450));
      try {
        const p = await store.write((orm) => createProject(orm, human, { name: 'Patient' }));
        assert.equal(p.name, 'Patient');
      } finally {
        await releasing;
        await store.close();
        await holder.close();
      }
    });
  });

  it('migrating from an older schema copies the store to backups/ first, then upgrades it', async () => {
    const dir = storeDir();
    const file = path.join(dir, 'cairn.db');
    const s1 = await Store.open(dir);
    await s1.write((orm) => createProject(orm, human, { name: 'Before upgrade' }));
    await s1.close();
    // Make it a version-1 store: undo what the later migrations created (the 2nd one is the events_no_update
    // trigger) and set the version stamp back.
    const db = await raw(file);
    await db.exec(`${undoMigrationsAfter(1)} PRAGMA user_version = 1;`);
    await db.close();
    const trigger = `select name from sqlite_master where type = 'trigger' and name = 'events_no_update'`;
    assert.deepEqual(await rawQuery(file, trigger), []);
    assert.equal(fs.existsSync(path.join(dir, 'backups')), false);

    const s2 = await Store.open(dir);
    try {
      assert.equal(s2.migration.from, 1);
      assert.equal(s2.migration.to, SHIPPED_SCHEMA);
      assert.ok(s2.migration.backupFile, 'a backup was made');
      assert.deepEqual(await s2.conn.all('PRAGMA user_version'), [{ user_version: SHIPPED_SCHEMA }]);
      assert.deepEqual(await s2.conn.all(trigger), [{ name: 'events_no_update' }]);
      await assert.rejects(s2.conn.run(`update events set actor = 'someone else'`), /events are append-only/);
      assert.deepEqual((await s2.read((orm) => listProjects(orm))).map((p) => p.name), ['Before upgrade']);
    } finally {
      await s2.close();
    }

    const backups = fs.readdirSync(path.join(dir, 'backups'));
    assert.equal(backups.length, 1);
    const backup = path.join(dir, 'backups', backups[0]!);
    assert.equal(backup, s2.migration.backupFile);
    assert.match(backups[0]!, /^cairn-v1-before-migration-.*\.db$/);
    // A valid SQLite database holding the store as it was before the upgrade.
    assert.equal(fs.readFileSync(backup).subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    assert.deepEqual(await rawQuery(backup, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(await rawQuery(backup, 'PRAGMA user_version'), [{ user_version: 1 }]);
    assert.deepEqual(await rawQuery(backup, trigger), []);
    assert.deepEqual(await rawQuery(backup, 'select name from projects'), [{ name: 'Before upgrade' }]);

    // Opening the upgraded store again migrates nothing and copies nothing.
    const s3 = await Store.open(dir);
    await s3.close();
    assert.deepEqual(s3.migration, { from: SHIPPED_SCHEMA, to: SHIPPED_SCHEMA });
    assert.deepEqual(fs.readdirSync(path.join(dir, 'backups')), backups);
  });
});

describe('the CLI on stores it cannot use (dist/cli.js)', function () {
  this.timeout(60_000);
  before(requireBuilt);
  afterEach(cleanupTempDirs);

  const env = { CAIRN_STORE: undefined, CAIRN_DEBUG: undefined, CAIRN_BUSY_TIMEOUT_MS: undefined };

  /** Exit 1, exactly one "cairn: " line on stderr, nothing on stdout, no stack trace; returns the line. */
  function failsWithOneLine(r: { status?: number | null; code?: number | null; stdout: string; stderr: string }, what: string): string {
    assert.equal(r.status ?? r.code, 1, `${what}: exit code; stderr:\n${r.stderr}`);
    assert.equal(r.stdout, '', `${what}: stdout`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: stack trace on stderr`);
    const lines = r.stderr.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0]!, /^cairn: \S/);
    return lines[0]!;
  }

  for (const args of [['init'], ['project', 'list'], ['task', 'add', '--project', 'X', 'a task'], ['doctor']]) {
    it(`cairn ${args.join(' ')}: not a SQLite file / another app's database / newer schema → exit 1, one line, untouched`, async () => {
      const cases: [string, string, RegExp][] = [
        ['not a database', notADatabase(), /is not a SQLite database, so it cannot be a Cairn store/],
        ["another app's database", await foreignDatabase(0), /is a SQLite database but not a Cairn store/],
        ['newer schema', await newerStore(), /was written by a newer Cairn .*Update Cairn to open it/],
      ];
      for (const [what, dir, message] of cases) {
        const before = snapshot(dir);
        const line = failsWithOneLine(cli(['--store', dir, ...args], env), what);
        assert.match(line, message, what);
        assert.deepEqual(snapshot(dir), before, `${what}: nothing was changed`);
      }
    });
  }

  it('a store on a full disk (its -shm cannot be made) → exit 1, one line saying the disk is full', () => {
    const out = tempDir('cairn-full-disk-');
    // Room for a new store and its WAL while it is made (~0.5 MB each), then filled up below.
    const r = withSmallDisk(tempDir('cairn-tmpfs-'), 2048, `
      "$NODE" "$CLI" --store "$MNT/store" init > /dev/null
      "$NODE" "$CLI" --store "$MNT/store" project add Kept > /dev/null
      rm -f "$MNT/store/cairn.db-shm" "$MNT/store/cairn.db-wal"
      cat /dev/zero > "$MNT/ballast" 2> /dev/null || true
      for args in "project list" "project add More"; do
        "$NODE" "$CLI" --store "$MNT/store" $args > "$OUT/$args.out" 2> "$OUT/$args.err" && echo 0 > "$OUT/$args.code" || echo $? > "$OUT/$args.code"
      done
      rm "$MNT/ballast"
      "$NODE" "$CLI" --store "$MNT/store" --json project list > "$OUT/after.json"
    `, { OUT: out });
    assert.equal(r.status, 0, r.stderr);
    const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
    for (const args of ['project list', 'project add More']) {
      const line = failsWithOneLine({ status: Number(read(`${args}.code`)), stdout: read(`${args}.out`), stderr: read(`${args}.err`) }, args);
      assert.match(line, /^cairn: The disk holding .*cairn\.db is full\. Nothing was changed; free some space and try again\.$/, args);
    }
    assert.deepEqual((JSON.parse(read('after.json')) as { name: string }[]).map((p) => p.name), ['Kept']);
  });

  it('store path that is a file, or under a file → exit 1, one line, untouched', () => {
    const parent = tempDir();
    fs.writeFileSync(path.join(parent, 'plain.txt'), 'not a folder\n');
    const before = snapshot(parent);
    assert.match(failsWithOneLine(cli(['--store', path.join(parent, 'plain.txt'), 'init'], env), 'file'), /is a file, not a folder/);
    assert.match(failsWithOneLine(cli(['--store', path.join(parent, 'plain.txt', 'store'), 'init'], env), 'under a file'), /ENOTDIR/);
    assert.deepEqual(snapshot(parent), before);
  });

  it('a store folder the OS refuses (on Linux under /proc, where a recursive mkdir can spin forever) → exit 1 at once, one line', () => {
    const store = process.platform === 'linux' ? '/proc/cairn-test-store' : unwritableFolder()?.missing;
    assert.ok(store, 'no folder refused a mkdir');
    const r = spawnSync(process.execPath, [CLI, '--store', store, 'init'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.error, undefined, 'the CLI returned instead of hanging');
    assert.match(failsWithOneLine(r, 'refused folder'), new RegExp(`Cannot use ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as the store folder`));
  });

  it('a locked store (CAIRN_BUSY_TIMEOUT_MS=300) → exit 1, one line saying it is locked; works once released', async () => {
    const dir = await cairnStore();
    const holder = await raw(path.join(dir, 'cairn.db'));
    await holder.exec('BEGIN IMMEDIATE');
    try {
      const r = await cliAsync(['--store', dir, 'project', 'add', 'Blocked'], { ...env, CAIRN_BUSY_TIMEOUT_MS: '300' });
      assert.match(failsWithOneLine(r, 'locked'), /^cairn: The store .*cairn\.db is locked by another process/);
    } finally {
      await holder.exec('COMMIT');
      await holder.close();
    }
    const ok = await cliAsync(['--store', dir, '--json', 'project', 'add', 'After'], { ...env, CAIRN_BUSY_TIMEOUT_MS: '300' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).name, 'After');
    assert.deepEqual(await rawQuery(path.join(dir, 'cairn.db'), 'select name from projects'), [{ name: 'After' }]);
  });
});
