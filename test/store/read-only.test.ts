// A store this process cannot write (its folder 0555, its database 0444) can still be read — list, show, search,
// export, log, doctor — and every write is refused with a message that says the store is read-only here. The
// situation is real whoever runs the test: as a normal user the modes stop the CLI; as root (whom modes do not
// stop) the CLI runs as the unprivileged user nobody. WAL mode needs the -shm file, which a read-only folder cannot
// get: with no other process on the store, it is read without it (immutable); with one (holding the -shm), through it.
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initKeys, type KeyStatus } from '../../src/store/crypto/keys';
import { indexVault } from '../../src/store/knowledge/indexer';
import { createProject } from '../../src/store/projects';
import { Store } from '../../src/store/store';
import { createTask } from '../../src/store/tasks';
import { cleanupTempDirs, cli, human, requireBuilt, startBackend, tempDir, writeTree } from '../helpers';

/** Root runs the CLI as nobody (modes do not stop root); anyone else runs it as themselves. */
const asReader = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

function sha256s(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => [f, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));
}

describe('a store this process cannot write', function () {
  this.timeout(120_000);
  before(requireBuilt);
  let dir = '';
  let vault = '';
  let taskId = '';
  let projectId = '';

  beforeEach(async () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755); // the reader (nobody, when we are root) must reach the store
    dir = path.join(root, 'store');
    vault = writeTree({ 'ideas.md': '# Ideas\n\nA lighthouse keeper writes letters.\n' }, path.join(root, 'vault'));
    const store = await Store.open(dir);
    ({ projectId, taskId } = await store.write(async (orm) => {
      const p = await createProject(orm, human, { name: 'Readable' });
      return { projectId: p.id, taskId: (await createTask(orm, human, { projectId: p.id, title: 'Read me' })).id };
    }));
    await indexVault(store, vault, human);
    await store.close();
    fs.chmodSync(path.join(dir, 'cairn.db'), 0o444);
    fs.chmodSync(dir, 0o555);
  });

  afterEach(() => {
    fs.chmodSync(dir, 0o755);
    cleanupTempDirs();
  });

  const run = (...args: string[]) => cli(['--store', dir, '--vault', vault, ...args], { CAIRN_STORE: undefined, HOME: path.dirname(dir) }, asReader);

  it('reads work: task list, task show, project list, search, log, export, doctor; nothing is written, not even a -shm', () => {
    const before = sha256s(dir);
    const reads: [string[], RegExp][] = [
      [['task', 'list'], /Read me/],
      [['task', 'show', taskId], /Read me/],
      [['project', 'list'], /Readable/],
      [['search', '--text', 'lighthouse'], /ideas\.md/],
      [['log'], /task\.created/],
      [['export'], /"Read me"/],
      [['doctor'], /^integrity\s+ok$/m],
    ];
    for (const [args, expected] of reads) {
      const r = run(...args);
      assert.equal(r.status, 0, `cairn ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, expected, `cairn ${args.join(' ')}`);
    }
    assert.deepEqual(sha256s(dir), before, 'no file written or created in the store folder');
  });

  it('writes are refused with one line saying the store is read-only here; nothing changes', () => {
    const before = sha256s(dir);
    for (const args of [['task', 'add', '--project', projectId, 'New'], ['project', 'add', 'Other'], ['task', 'move', taskId, 'done']]) {
      const r = run(...args);
      assert.equal(r.status, 1, `cairn ${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /^cairn: The store .*cairn\.db is read-only here \(this user cannot write its folder or database\): it can be read \(list, search, show, export, doctor\) but not changed\. Nothing was changed; [^\n]*\n$/, `cairn ${args.join(' ')}`);
    }
    assert.deepEqual(sha256s(dir), before);
  });

  /**
   * Sets up encryption with a task whose description is sealed, lets `change` alter the store as an older version
   * left it, then makes the store read-only again; returns the task's id.
   */
  async function sealedTask(change: (store: Store) => Promise<unknown> = async () => undefined): Promise<string> {
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'cairn.db'), 0o644);
    const store = await Store.open(dir);
    const secret = await store.write(async (orm) => {
      await initKeys(orm, human, 'a long passphrase');
      return (await createTask(orm, human, { projectId, title: 'Sealed', description: 'the secret plan', secretFields: ['description'] })).id;
    });
    await change(store);
    await store.close();
    fs.chmodSync(path.join(dir, 'cairn.db'), 0o444);
    fs.chmodSync(dir, 0o555);
    return secret;
  }

  it('an encrypted store whose key entry predates the passphrase check is unlocked and read (the check is added by a writer later)', async () => {
    const secret = await sealedTask((store) => store.conn.run("update crypto_keys set kdf = json_remove(kdf, '$.check') where id = 'passphrase'"));
    const before = sha256s(dir);
    const r = cli(['--store', dir, '--vault', vault, 'task', 'show', secret], { CAIRN_STORE: undefined, HOME: path.dirname(dir), CAIRN_PASSPHRASE: 'a long passphrase' }, asReader);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the secret plan/);
    assert.deepEqual(sha256s(dir), before);
  });

  it("VS Code's unlock (passphrase and a keychain key not enrolled yet) unlocks and reads, enrolling nothing", async () => {
    const secret = await sealedTask();
    const before = sha256s(dir);
    const b = startBackend(dir, ['--vault', vault, '--no-watch-vault'], asReader);
    try {
      const status = await b.rpc.sendRequest<KeyStatus>('crypto.unlock', { passphrase: 'a long passphrase', keychainKey: crypto.randomBytes(32).toString('base64') });
      assert.deepEqual({ unlocked: status.unlocked, keychains: status.keychains }, { unlocked: true, keychains: 0 });
      const task = await b.rpc.sendRequest<{ description: string }>('tasks.get', { id: secret });
      assert.equal(task.description, 'the secret plan');
    } finally {
      await b.stop();
    }
    assert.deepEqual(sha256s(dir), before);
  });

  it('while a process that may write holds the store open (its -shm exists), a reader sees its latest commit through the WAL', async () => {
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'cairn.db'), 0o644);
    const writer = await Store.open(dir);
    try {
      await writer.write((orm) => createTask(orm, human, { projectId, title: 'Only in the WAL' }));
      fs.chmodSync(dir, 0o555);
      if (!asReader) fs.chmodSync(path.join(dir, 'cairn.db'), 0o444);
      const r = run('task', 'list');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Only in the WAL/);
      assert.match(run('project', 'add', 'Nope').stderr, /is read-only here/);
    } finally {
      fs.chmodSync(dir, 0o755);
      await writer.close();
    }
  });
});
