// Field-level encryption on real stores on disk, through the same `invoke` the RPC server and the CLI use: secret task
// fields and agent-run notes are ciphertext in their rows, their events and the database file; a wrong passphrase,
// a tampered value and a value moved to another row are each refused with a clear error; a locked store still lists.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '../../../src/backend/protocol';
import { DAMAGED_TEXT, LOCKED_TEXT } from '../../../src/store/crypto/fields';
import type { KeyStatus } from '../../../src/store/crypto/keys';
import type { StoreEvent } from '../../../src/store/events';
import type { AgentRunRow, TaskRow } from '../../../src/store/schema';
import { cleanupTempDirs, tempDir } from '../../helpers';
import { opened, openCaller, PASS, rejects, type Revealed } from './calls';

const SECRET = 'db password is Tr0ub4dor&3 — ünïcödé ✓';

let dir: string;
const open = () => openCaller(dir);

/** The database file and its WAL as bytes (what a copy of the store, or a disk, would hold). */
function storeBytes(): Buffer {
  return Buffer.concat(['cairn.db', 'cairn.db-wal'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe('store: field-level encryption', () => {
  let call: Awaited<ReturnType<typeof open>>;
  let projectId: string;

  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    call = await open();
    projectId = (await call('projects.create', { name: 'Ops' })).id;
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('refuses a secret field before encryption is set up, and says how to set it up', async () => {
    await rejects(call('tasks.create', { projectId, title: 'x', description: SECRET, secretFields: ['description'] }), ErrorCodes.InvalidOperation, /not set up.*cairn key init/);
    assert.equal((await call('crypto.status')).initialised, false);
  });

  it('round trip: the value reads back as plaintext and is ciphertext in the row, the event and the file', async () => {
    const status: KeyStatus = await call('crypto.init', { passphrase: PASS });
    assert.deepEqual({ ...status, keyId: undefined }, { initialised: true, unlocked: true, keyId: undefined, passphrase: true, keychains: 0 });
    const created: Revealed<TaskRow> = await call('tasks.create', { projectId, title: 'Rotate credentials', description: SECRET, secretFields: ['description'] });
    assert.equal(created.description, SECRET);
    assert.deepEqual(created.secretFields, ['description']);
    assert.equal((await call('tasks.get', { id: created.id })).description, SECRET);

    const store = opened[0]!;
    const raw = await store.conn.get<{ description: string }>('select description from tasks where id = ?', [created.id]);
    assert.match(raw!.description, /^enc:v1:[A-Za-z0-9_-]+$/);
    const events: StoreEvent[] = await call('events.list', { aggregateId: created.id });
    assert.equal(events.length, 1);
    assert.equal((events[0]!.data as { description: string }).description, raw!.description, 'the event holds the same ciphertext');

    // A change of the secret field and a plain change: neither event carries the plaintext.
    const v2: TaskRow = await call('tasks.update', { id: created.id, expectedVersion: 1, description: SECRET + ' (rotated)' });
    await call('tasks.update', { id: created.id, expectedVersion: v2.version, status: 'done' });
    const same: TaskRow = await call('tasks.update', { id: created.id, expectedVersion: v2.version + 1, description: SECRET + ' (rotated)' });
    assert.equal(same.version, v2.version + 1, 'setting a secret field to its current value is no change');
    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const bytes = storeBytes();
    assert.equal(bytes.indexOf(Buffer.from('Tr0ub4dor')), -1, 'the plaintext is nowhere in the database file or its WAL');
    assert.equal(bytes.indexOf(Buffer.from('Rotate credentials')) >= 0, true, 'the plain title is (a control for the grep)');
  });

  it('a wrong passphrase is refused with a clear error and unlocks nothing', async () => {
    await call('crypto.init', { passphrase: PASS });
    const { id } = await call('tasks.create', { projectId, title: 't', description: SECRET, secretFields: ['description'] });
    const other = await open();
    await rejects(other('crypto.unlock', { passphrase: 'not the passphrase' }), ErrorCodes.InvalidOperation, /Wrong passphrase/);
    const task: Revealed<TaskRow> = await other('tasks.get', { id });
    assert.equal(task.description, LOCKED_TEXT);
    assert.deepEqual(task.lockedFields, ['description']);
    await other('crypto.unlock', { passphrase: PASS });
    assert.equal((await other('tasks.get', { id })).description, SECRET);
  });

  it('a tampered value (one byte flipped in the database) is an error naming the field, never garbage', async () => {
    await call('crypto.init', { passphrase: PASS });
    const { id } = await call('tasks.create', { projectId, title: 't', description: SECRET, secretFields: ['description'] });
    const store = opened[0]!;
    const { description } = (await store.conn.get<{ description: string }>('select description from tasks where id = ?', [id]))!;
    const at = description.length - 30;
    const flipped = description.slice(0, at) + (description[at] === 'A' ? 'B' : 'A') + description.slice(at + 1);
    await store.conn.run('update tasks set description = ? where id = ?', [flipped, id]);

    const err = await rejects(call('tasks.get', { id }), ErrorCodes.Corrupt, new RegExp(`encrypted description of task ${id} failed its integrity check`));
    assert.deepEqual(err.data, { kind: 'corrupt', table: 'tasks', id, field: 'description' });
    const [listed]: Revealed<TaskRow>[] = await call('tasks.list', { projectId });
    assert.equal(listed!.description, DAMAGED_TEXT, 'a list still answers, marking the field');
    assert.deepEqual(listed!.damagedFields, ['description']);
  });

  it('a value copied onto another row (or field) does not decrypt there', async () => {
    await call('crypto.init', { passphrase: PASS });
    const a = await call('tasks.create', { projectId, title: 'A', description: 'secret of A', secretFields: ['description', 'title'] });
    const b = await call('tasks.create', { projectId, title: 'B', description: 'secret of B', secretFields: ['description'] });
    const store = opened[0]!;
    await store.conn.run('update tasks set description = (select description from tasks where id = ?) where id = ?', [a.id, b.id]);
    await rejects(call('tasks.get', { id: b.id }), ErrorCodes.Corrupt, /description of task .* failed its integrity check.*moved from another row/);
    await store.conn.run('update tasks set title = description where id = ?', [a.id]);
    await rejects(call('tasks.get', { id: a.id }), ErrorCodes.Corrupt, /encrypted title of task/);
  });

  it('a locked store lists (fields marked locked), refuses to write secret fields, and still takes plain changes', async () => {
    await call('crypto.init', { passphrase: PASS });
    const t = await call('tasks.create', { projectId, title: 'Secret title', description: SECRET, secretFields: ['title', 'description'] });
    const locked = await open();
    const [row]: Revealed<TaskRow>[] = await locked('tasks.list', {});
    assert.equal(row!.title, LOCKED_TEXT);
    assert.deepEqual(row!.lockedFields, ['title', 'description']);
    await rejects(locked('tasks.update', { id: t.id, expectedVersion: 1, description: 'new' }), ErrorCodes.Locked, /store is locked.*CAIRN_PASSPHRASE/);
    await rejects(locked('tasks.create', { projectId, title: 'y', description: 'z', secretFields: ['description'] }), ErrorCodes.Locked, /locked/);
    await rejects(locked('tasks.update', { id: t.id, expectedVersion: 1, description: LOCKED_TEXT }), ErrorCodes.InvalidOperation, /placeholder/);
    const moved: Revealed<TaskRow> = await locked('tasks.update', { id: t.id, expectedVersion: 1, status: 'in_progress' });
    assert.equal(moved.status, 'in_progress');
    assert.equal(moved.title, LOCKED_TEXT);
    await locked('crypto.unlock', { passphrase: PASS });
    assert.equal((await locked('tasks.get', { id: t.id })).title, 'Secret title', 'the plain change left the secret fields intact');
    await locked('crypto.lock');
    assert.equal((await locked('tasks.get', { id: t.id })).title, LOCKED_TEXT);
  });

  it('a field leaves and rejoins the secret fields with secretFields on update', async () => {
    await call('crypto.init', { passphrase: PASS });
    const t = await call('tasks.create', { projectId, title: 't', description: SECRET, secretFields: ['description'] });
    const plain: Revealed<TaskRow> = await call('tasks.update', { id: t.id, expectedVersion: 1, secretFields: [] });
    assert.equal(plain.description, SECRET);
    assert.equal(plain.secretFields, undefined);
    const store = opened[0]!;
    assert.equal((await store.conn.get<{ description: string }>('select description from tasks where id = ?', [t.id]))!.description, SECRET);
    await call('tasks.update', { id: t.id, expectedVersion: 2, secretFields: ['description'] });
    assert.match((await store.conn.get<{ description: string }>('select description from tasks where id = ?', [t.id]))!.description, /^enc:v1:/);
  });

  it('changing the passphrase keeps every value readable with the new one only', async () => {
    await call('crypto.init', { passphrase: PASS });
    const t = await call('tasks.create', { projectId, title: 't', description: SECRET, secretFields: ['description'] });
    await rejects(call('crypto.changePassphrase', { oldPassphrase: 'wrong passphrase', newPassphrase: 'another one here' }), ErrorCodes.InvalidOperation, /Wrong passphrase/);
    await rejects(call('crypto.changePassphrase', { oldPassphrase: PASS, newPassphrase: 'short' }), ErrorCodes.InvalidOperation, /at least 8/);
    await call('crypto.changePassphrase', { oldPassphrase: PASS, newPassphrase: 'another one here' });
    const other = await open();
    await rejects(other('crypto.unlock', { passphrase: PASS }), ErrorCodes.InvalidOperation, /Wrong passphrase/);
    await other('crypto.unlock', { passphrase: 'another one here' });
    assert.equal((await other('tasks.get', { id: t.id })).description, SECRET);
  });

  it('a VS Code keychain key unlocks once enrolled with the passphrase (as after a restore on a new machine)', async () => {
    const machineA = randomBytes(32).toString('base64');
    const machineB = randomBytes(32).toString('base64');
    await call('crypto.init', { passphrase: PASS, keychainKey: machineA });
    const t = await call('tasks.create', { projectId, title: 't', description: SECRET, secretFields: ['description'] });
    const a = await open();
    assert.equal((await a('crypto.unlock', { keychainKey: machineA })).unlocked, true);
    assert.equal((await a('tasks.get', { id: t.id })).description, SECRET);

    const b = await open();
    await rejects(b('crypto.unlock', { keychainKey: machineB }), ErrorCodes.Locked, /keychain cannot unlock this store yet.*passphrase/);
    const enrolled: KeyStatus = await b('crypto.unlock', { passphrase: PASS, keychainKey: machineB });
    assert.equal(enrolled.keychains, 2);
    const b2 = await open();
    await b2('crypto.unlock', { keychainKey: machineB });
    assert.equal((await b2('tasks.get', { id: t.id })).description, SECRET);
    await rejects(b2('crypto.unlock', { keychainKey: 'not base64 key' }), ErrorCodes.InvalidParams, /keychainKey must be 32 random bytes/);
    const types = (await call('events.list', { aggregateType: 'crypto', order: 'asc' })).map((e: StoreEvent) => e.type);
    assert.deepEqual(types, ['crypto.initialised', 'crypto.keychain_added']);
  });

  it('agent runs recorded as secret keep their notes encrypted', async () => {
    await call('crypto.init', { passphrase: PASS });
    const run: Revealed<AgentRunRow> = await call('agents.recordRun', { agent: 'deployer', outcome: 'success', notes: `used token ${SECRET}`, secret: true });
    assert.equal(run.notes, `used token ${SECRET}`);
    const plainRun = await call('agents.recordRun', { agent: 'deployer', outcome: 'failure', notes: 'nothing secret' });
    const locked = await open();
    const runs: Revealed<AgentRunRow>[] = await locked('agents.runs', {});
    assert.deepEqual(
      runs.map((r) => [r.id, r.notes]),
      [
        [plainRun.id, 'nothing secret'],
        [run.id, LOCKED_TEXT],
      ],
    );
    const [event]: StoreEvent[] = await call('events.list', { aggregateId: run.id });
    assert.match((event!.data as { notes: string }).notes, /^enc:v1:/);
  });
});

describe('store: encryption after a restore brings another key set', function () {
  this.timeout(120_000);
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('a still-unlocked store reads as locked (not damaged) and asks for the restored key set\'s passphrase', async () => {
    const root = tempDir();
    // Store A: its own key (passphrase OTHER), a secret task, backed up.
    dir = path.join(root, 'a');
    const a = await open();
    const OTHER = 'another passphrase, longer';
    await a('crypto.init', { passphrase: OTHER });
    const aProject = (await a('projects.create', { name: 'From A' })).id;
    const secret = await a('tasks.create', { projectId: aProject, title: 'A secret title', secretFields: ['title'] });
    const repoA = (await a('backup.run', {})).repo as string;
    // Store B: a different key, unlocked in this process, then restored from a copy of A's backup.
    dir = path.join(root, 'b');
    const b = await open();
    await b('crypto.init', { passphrase: PASS });
    const repoB = path.join(root, 'b-backup');
    fs.cpSync(repoA, repoB, { recursive: true });
    await b('backup.restore', { ref: 'HEAD', repo: repoB });

    const status: KeyStatus = await b('crypto.status');
    assert.deepEqual([status.initialised, status.unlocked], [true, false]);
    const [row]: Revealed<TaskRow>[] = await b('tasks.list', {});
    assert.equal(row!.title, LOCKED_TEXT, 'locked, not damaged');
    assert.deepEqual([row!.lockedFields, row!.damagedFields], [['title'], undefined]);
    assert.equal((await b('tasks.get', { id: secret.id })).title, LOCKED_TEXT);
    await rejects(b('tasks.create', { projectId: aProject, title: 'x', secretFields: ['title'] }), ErrorCodes.Locked, /store is locked.*Unlock it/);
    await rejects(b('crypto.unlock', { passphrase: PASS }), ErrorCodes.InvalidOperation, /Wrong passphrase/);
    await b('crypto.unlock', { passphrase: OTHER });
    assert.equal((await b('tasks.get', { id: secret.id })).title, 'A secret title');
  });
});
