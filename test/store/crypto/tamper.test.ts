// Tampering with encrypted data, as someone who can write the store's database or its backup would: plain text put
// where a secret field's ciphertext was (directly, or in the backup's JSONL and then restored), the list of secret
// fields cut, the wrapped key changed or broken. Each is reported as tampering, never shown as genuine, and a
// damaged stored key is told apart from a wrong passphrase. A store written before this version (no marks, no
// passphrase check) still opens and unlocks, and is brought up to date.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '../../../src/backend/protocol';
import { Connection } from '../../../src/store/connection';
import { DAMAGED_TEXT, LOCKED_TEXT } from '../../../src/store/crypto/fields';
import type { StoreEvent } from '../../../src/store/events';
import type { AgentRunRow, TaskRow } from '../../../src/store/schema';
import { computeManifest, readManifest, writeManifest } from '../../../src/sync/manifest';
import { undoMigrationsAfter } from '../../migrationUndo';
import { cleanupTempDirs, tempDir } from '../../helpers';
import { opened, openCaller, PASS, rejects, type Call, type Revealed } from './calls';

const SECRET = 'db password is Tr0ub4dor&3';
const FORGED = 'nothing to see here';

let dir: string;
const open = () => openCaller(dir);

const store = () => opened[0]!;

describe('store: tampering with encrypted data', function () {
  this.timeout(60_000);
  let call: Call;
  let projectId: string;

  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    call = await open();
    projectId = (await call('projects.create', { name: 'Ops' })).id;
    await call('crypto.init', { passphrase: PASS });
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('plain text where a secret field\'s ciphertext was is tampering, locked or not; secretFields does not shrink', async () => {
    const t: TaskRow = await call('tasks.create', { projectId, title: 'Rotate', description: SECRET, secretFields: ['description'] });
    await store().conn.run('update tasks set description = ? where id = ?', [FORGED, t.id]);

    const err = await rejects(call('tasks.get', { id: t.id }), ErrorCodes.Corrupt, new RegExp(`description of task ${t.id} .*plain text where its ciphertext belongs.*tampered`));
    assert.deepEqual(err.data, { kind: 'corrupt', table: 'tasks', id: t.id, field: 'description', reason: 'plaintext_in_secret_field' });
    for (const caller of [call, await open()]) {
      const [listed]: Revealed<TaskRow>[] = await caller('tasks.list', { projectId });
      assert.equal(listed!.description, DAMAGED_TEXT, 'never shown as genuine, unlocked or locked');
      assert.deepEqual([listed!.secretFields, listed!.damagedFields], [['description'], ['description']]);
    }
    // Giving the field a new value repairs it (sealed again); an edit that needs the forged value is refused.
    await rejects(call('tasks.update', { id: t.id, expectedVersion: 1, secretFields: [] }), ErrorCodes.Corrupt, /plain text where its ciphertext belongs/);
    const repaired: Revealed<TaskRow> = await call('tasks.update', { id: t.id, expectedVersion: 1, description: 'new secret' });
    assert.deepEqual([repaired.description, repaired.secretFields, repaired.damagedFields], ['new secret', ['description'], undefined]);
    assert.match((await store().conn.get<{ description: string }>('select description from tasks where id = ?', [t.id]))!.description, /^enc:v1:/);
  });

  it('an agent run\'s secret notes replaced by plain text are tampering', async () => {
    const run: AgentRunRow = await call('agents.recordRun', { agent: 'deployer', outcome: 'success', notes: SECRET, secret: true });
    await store().conn.run('update agent_runs set notes = ? where id = ?', [FORGED, run.id]);
    const [listed]: Revealed<AgentRunRow>[] = await call('agents.runs', {});
    assert.deepEqual([listed!.notes, listed!.secretFields, listed!.damagedFields], [DAMAGED_TEXT, ['notes'], ['notes']]);
  });

  it('a secret field whose mark was cut but whose ciphertext stayed is still secret', async () => {
    const t: TaskRow = await call('tasks.create', { projectId, title: 'Rotate', description: SECRET, secretFields: ['description'] });
    await store().conn.run("update tasks set sealed_fields = '[]' where id = ?", [t.id]);
    const got: Revealed<TaskRow> = await call('tasks.get', { id: t.id });
    assert.deepEqual([got.description, got.secretFields], [SECRET, ['description']]);
    const [locked]: Revealed<TaskRow>[] = await (await open())('tasks.list', { projectId });
    assert.deepEqual([locked!.description, locked!.lockedFields], [LOCKED_TEXT, ['description']]);
  });

  it('plain text put into the backup\'s JSONL (manifest recomputed) is tampering after a restore', async () => {
    const t: TaskRow = await call('tasks.create', { projectId, title: 'Rotate', description: SECRET, secretFields: ['description'] });
    const { repo } = await call('backup.run', {});
    // The attacker rewrites the task's line and the manifest's checksums, and commits.
    const shardDir = path.join(repo, 'db', 'tasks');
    const shard = fs.readdirSync(shardDir).map((f) => path.join(shardDir, f)).find((f) => fs.readFileSync(f, 'utf8').includes(t.id))!;
    const lines = fs.readFileSync(shard, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes(t.id));
    lines[at] = JSON.stringify({ ...JSON.parse(lines[at]!), description: FORGED });
    fs.writeFileSync(shard, lines.join('\n'));
    writeManifest(repo, computeManifest(repo, readManifest(repo)!));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=x', '-c', 'user.email=x@y', ...args], { encoding: 'utf8' }).trim();
    git('commit', '-qam', 'forged');
    const forged = git('rev-parse', 'HEAD');

    await call('tasks.update', { id: t.id, expectedVersion: 1, status: 'done' });
    await call('backup.restore', { ref: forged });
    await rejects(call('tasks.get', { id: t.id }), ErrorCodes.Corrupt, /plain text where its ciphertext belongs/);
    const [listed]: Revealed<TaskRow>[] = await call('tasks.list', { projectId });
    assert.deepEqual([listed!.description, listed!.secretFields], [DAMAGED_TEXT, ['description']]);
  });

  it('a changed wrapped key is "damaged or tampered with", told apart from a wrong passphrase', async () => {
    const t: TaskRow = await call('tasks.create', { projectId, title: 't', description: SECRET, secretFields: ['description'] });
    const { wrapped } = (await store().conn.get<{ wrapped: string }>("select wrapped from crypto_keys where id = 'passphrase'"))!;
    const at = wrapped.length - 20;
    await store().conn.run("update crypto_keys set wrapped = ? where id = 'passphrase'", [wrapped.slice(0, at) + (wrapped[at] === 'A' ? 'B' : 'A') + wrapped.slice(at + 1)]);

    const other = await open();
    const err = await rejects(other('crypto.unlock', { passphrase: PASS }), ErrorCodes.Corrupt, /stored key .*is damaged or was tampered with.*passphrase is right/);
    assert.equal((err.data as { reason: string }).reason, 'key_damaged');
    await rejects(other('crypto.unlock', { passphrase: 'not the passphrase' }), ErrorCodes.InvalidOperation, /Wrong passphrase/);
    await rejects(other('crypto.changePassphrase', { oldPassphrase: PASS, newPassphrase: 'another one here' }), ErrorCodes.Corrupt, /damaged or was tampered with/);
    assert.equal((await other('tasks.get', { id: t.id })).description, LOCKED_TEXT, 'nothing was unlocked');
  });

  it('a wrapped key or key-derivation parameters with a broken structure are "damaged", whatever the passphrase', async () => {
    const original = (await store().conn.get<{ wrapped: string; kdf: string }>("select wrapped, kdf from crypto_keys where id = 'passphrase'"))!;
    const kdf = JSON.parse(original.kdf) as Record<string, unknown>;
    const broken: [string, string][] = [
      ['enc:v1:short', original.kdf],
      ['not a wrapped key', original.kdf],
      [original.wrapped, JSON.stringify({ ...kdf, N: 3 })],
      [original.wrapped, JSON.stringify({ ...kdf, N: 2 ** 40 })],
      [original.wrapped, JSON.stringify({ ...kdf, salt: '' })],
      [original.wrapped, JSON.stringify({ ...kdf, name: 'md5' })],
    ];
    const other = await open();
    for (const [wrapped, params] of broken) {
      await store().conn.run("update crypto_keys set wrapped = ?, kdf = ? where id = 'passphrase'", [wrapped, params]);
      for (const passphrase of [PASS, 'not the passphrase']) {
        const err = await rejects(other('crypto.unlock', { passphrase }), ErrorCodes.Corrupt, /stored key .*is damaged or was tampered with/);
        assert.equal((err.data as { reason: string }).reason, 'key_damaged', `${wrapped} ${params}`);
      }
    }
  });

  it('a keychain entry whose wrapped key was changed is "damaged or tampered with", not a wrong key', async () => {
    const machine = randomBytes(32).toString('base64');
    await call('crypto.unlock', { passphrase: PASS, keychainKey: machine });
    await store().conn.run("update crypto_keys set wrapped = (select wrapped from crypto_keys where id = 'passphrase') where kind = 'keychain'");
    const err = await rejects((await open())('crypto.unlock', { keychainKey: machine }), ErrorCodes.Corrupt, /stored key .*keychain.*is damaged or was tampered with.*unlock with the passphrase/);
    assert.equal((err.data as { reason: string }).reason, 'key_damaged');
    // The way out the message names: the passphrase with this keychain key enrols it again.
    await (await open())('crypto.unlock', { passphrase: PASS, keychainKey: machine });
    assert.equal((await (await open())('crypto.unlock', { keychainKey: machine })).unlocked, true);
  });
});

describe('store: encryption data written before marks and passphrase checks', function () {
  this.timeout(60_000);
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('opens and unlocks; the upgrade marks its secret fields and the unlock adds the passphrase check', async () => {
    dir = path.join(tempDir(), 'store');
    let call = await open();
    const projectId = (await call('projects.create', { name: 'Ops' })).id;
    await call('crypto.init', { passphrase: PASS });
    const both: TaskRow = await call('tasks.create', { projectId, title: 'T', description: SECRET, secretFields: ['title', 'description'] });
    const plain: TaskRow = await call('tasks.create', { projectId, title: 'plain', description: 'plain' });
    const run: AgentRunRow = await call('agents.recordRun', { agent: 'a', outcome: 'success', notes: SECRET, secret: true });
    await opened.pop()!.close();

    // The store as the version before the marks (0013) left it: no mark columns, no check, and every migration from
    // the marks' on undone (read from the migrations themselves: test/migrationUndo.ts).
    const since = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'drizzle', 'meta', '_journal.json'), 'utf8')).entries.filter((e: { idx: number }) => e.idx >= 13).length;
    await withDatabase(dir, async (conn) => {
      const version = (await conn.get<{ user_version: number }>('PRAGMA user_version'))!.user_version;
      await conn.exec(
        `${undoMigrationsAfter(version - since)}
         DELETE FROM __drizzle_migrations WHERE id IN (SELECT id FROM __drizzle_migrations ORDER BY id DESC LIMIT ${since});
         UPDATE crypto_keys SET kdf = json_remove(kdf, '$.check'); PRAGMA user_version = ${version - since}`,
      );
    });

    call = await open();
    const marks = await store().conn.all<{ id: string; sealed_fields: string }>('select id, sealed_fields from tasks order by id');
    assert.deepEqual(
      marks.map((m) => [m.id, JSON.parse(m.sealed_fields)]),
      [
        [both.id, ['description', 'title']],
        [plain.id, []],
      ].sort(),
    );
    assert.equal((await store().conn.get<{ sealed_fields: string }>('select sealed_fields from agent_runs where id = ?', [run.id]))!.sealed_fields, '["notes"]');

    await rejects(call('crypto.unlock', { passphrase: 'not the passphrase' }), ErrorCodes.InvalidOperation, /Wrong passphrase/);
    await call('crypto.unlock', { passphrase: PASS });
    assert.equal((await call('tasks.get', { id: both.id })).description, SECRET);
    const kdf = JSON.parse((await store().conn.get<{ kdf: string }>("select kdf from crypto_keys where id = 'passphrase'"))!.kdf) as { check?: string };
    assert.match(kdf.check ?? '', /^[A-Za-z0-9_-]{43}$/, 'the unlock added the passphrase check');
    const types = (await call('events.list', { aggregateType: 'crypto', order: 'asc' })).map((e: StoreEvent) => e.type);
    assert.deepEqual(types, ['crypto.initialised', 'crypto.passphrase_check_added']);
  });
});

/** Runs `fn` on the store's database file while the store is closed (a connection of its own). */
async function withDatabase<T>(storeDir: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await Connection.open(path.join(storeDir, 'cairn.db'), { busyTimeoutMs: 1000, slowQueryMs: 60_000 });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
