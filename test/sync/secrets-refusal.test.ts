// A backup refused by the secret scan leaves no secret behind in the backup repository: not in its working tree,
// its index or any file under .git, and not in any git object, loose or packed (the first backup stages while it
// writes, with git add's bulk check-in into packs). Objects the refused backup did not write stay, such as a stash,
// a dangling blob the user keeps, or an older commit's blob the refused tree shares.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../src/store/errors';
import { createProject } from '../../src/store/projects';
import { Store } from '../../src/store/store';
import { createTask } from '../../src/store/tasks';
import { runBackup, type BackupEnv, type BackupSettings, type Progress } from '../../src/sync/backup';
import { readBlobs } from '../../src/sync/blobs';
import { cleanupTempDirs, human, tempDir } from '../helpers';
import { envOf, git, populate, writeVault } from './fixtures';

const TOKEN = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';

/** Every file under dir whose bytes hold `needle` (dir-relative paths); .git/objects is read through git instead. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (child === '.git/objects') continue;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && fs.readFileSync(path.join(dir, child)).includes(needle)) found.push(child);
    }
  };
  walk('');
  return found;
}

/** The ids of every object in the repository (loose or packed, reachable or not) whose content holds `needle`. */
async function objectsHolding(repo: string, needle: string): Promise<string[]> {
  const ids = git(repo, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)').split('\n').filter(Boolean);
  const contents = await readBlobs(repo, ids);
  return ids.filter((_, i) => contents[i]!.includes(needle));
}

async function refused(run: Promise<unknown>): Promise<StoreError> {
  const err = await run.then(
    () => assert.fail('the backup must be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError && err.kind === 'invalid' && /The backup was refused/.test(err.message), String(err));
  return err;
}

/** The repository after a refusal: HEAD's working tree and index, and the secret nowhere. */
async function assertNothingLeft(repo: string, head: string | null): Promise<void> {
  assert.deepEqual(filesHolding(repo, TOKEN), [], 'no file in the working tree or under .git holds the secret');
  assert.deepEqual(await objectsHolding(repo, TOKEN), [], 'no git object holds the secret');
  if (head) {
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head, 'nothing was committed');
    assert.equal(git(repo, 'status', '--porcelain', '--untracked-files=all'), '', 'working tree and index are HEAD');
    git(repo, 'fsck', '--no-progress', '--no-dangling');
  } else {
    assert.equal(git(repo, 'ls-files'), '', 'nothing is staged');
  }
}

describe('backup refused by the secret scan', function () {
  this.timeout(120_000);
  let store: Store;
  let dir: string;
  let vault: string;
  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    vault = path.join(dir, 'vault');
    store = await Store.open(dir);
    await populate(store, 30);
    writeVault(vault, 20);
  });
  afterEach(async () => {
    await store.close();
    cleanupTempDirs();
  });

  const leak = async () => {
    fs.writeFileSync(path.join(vault, 'leak.md'), `# Deploy\n\ntoken: ${TOKEN}\n`);
    await store.write(async (orm) => createTask(orm, human, { projectId: (await createProject(orm, human, { name: 'Ops' })).id, title: 'deploy', description: `use ${TOKEN}` }));
  };

  for (const [name, settings, opts] of [
    ['an incremental backup (blobs written as it goes)', {}, {}],
    ['a full comparison (git add of everything)', {}, { full: true }],
  ] as [string, BackupSettings, { full?: boolean }][]) {
    it(`${name}: nothing with the secret stays; a stash, a dangling blob and an older commit's blob do`, async () => {
      const env = envOf(store, vault);
      // A note edited twice, backed up each time: the refused backup brings back its middle version, a blob an
      // older commit holds (loose, written by an incremental backup), which must stay.
      const note = path.join(vault, 'f0', 'note 0.md');
      const original = fs.readFileSync(note, 'utf8');
      await runBackup(env, {});
      fs.writeFileSync(note, `${original}\nsecond version\n`);
      await runBackup(env, {});
      fs.writeFileSync(note, `${original}\nthird version\n`);
      const first = await runBackup(env, {});
      const repo = first.repo;
      fs.writeFileSync(note, `${original}\nsecond version\n`);
      // The user's own objects no backup wrote: a stash, and a blob no ref names.
      fs.appendFileSync(path.join(repo, 'README.md'), '\nmy local remark\n');
      git(repo, '-c', 'user.name=u', '-c', 'user.email=u@x', 'stash');
      const dangling = execFileSync('git', ['-C', repo, 'hash-object', '-w', '--stdin'], { input: 'kept by the user\n', encoding: 'utf8' }).trim();

      await leak();
      await refused(runBackup(env, settings, opts));
      await assertNothingLeft(repo, first.commit);
      assert.match(git(repo, 'stash', 'list'), /stash@\{0\}/, 'the stash is still there');
      assert.equal(git(repo, 'cat-file', '-p', dangling), 'kept by the user');

      const findings = (((await refused(runBackup(env, settings, opts))).data ?? {}) as { findings: { fingerprint: string }[] }).findings;
      const allowed = await runBackup(env, { ...settings, allow: findings.map((f) => f.fingerprint) });
      assert.equal(allowed.status, 'committed', 'allowed, the same backup goes through');
    });
  }

  /**
   * The env of a backup stopped between writing its objects and the end of its secret scan: cancelled (the cancel
   * asked for at "stage" takes effect at the next safe point, "scan"), or failed (its progress report throws at "scan").
   */
  const stoppedBeforeScan = (env: BackupEnv, how: 'cancelled' | 'failed'): BackupEnv => {
    const abort = new AbortController();
    const onProgress = (p: Progress) => {
      if (how === 'cancelled' && p.phase === 'stage') abort.abort();
      if (how === 'failed' && p.phase === 'scan') throw new Error('the progress report failed');
    };
    return { ...env, signal: abort.signal, onProgress };
  };
  const stopped = async (run: Promise<unknown>, how: 'cancelled' | 'failed') =>
    assert.rejects(run, (e: Error) => (how === 'cancelled' ? e instanceof StoreError && e.kind === 'cancelled' : e.message === 'the progress report failed'));

  for (const how of ['cancelled', 'failed'] as const) {
    it(`an incremental backup ${how} before its scan ended: nothing it wrote stays, so the refusal after it leaves nothing either`, async () => {
      const env = envOf(store, vault);
      const first = await runBackup(env, {});
      await leak();
      await stopped(runBackup(stoppedBeforeScan(env, how), {}), how);
      await assertNothingLeft(first.repo, first.commit!);
      await refused(runBackup(env, {}));
      await assertNothingLeft(first.repo, first.commit!);
    });

    it(`the first backup ${how} before its scan ended: nothing it staged stays`, async () => {
      await leak();
      const env = envOf(store, vault);
      await stopped(runBackup(stoppedBeforeScan(env, how), {}), how);
      const repo = path.join(dir, 'backup');
      await assertNothingLeft(repo, null);
      await refused(runBackup(env, {}));
      await assertNothingLeft(repo, null);
    });
  }

  it('the first backup (staging while it writes, into packs): nothing with the secret stays', async () => {
    await leak();
    const env = envOf(store, vault);
    await refused(runBackup(env, {}));
    const repo = path.join(dir, 'backup');
    await assertNothingLeft(repo, null);
    const again = await refused(runBackup(env, {}));
    await assertNothingLeft(repo, null);
    const allowed = await runBackup(env, { allow: (again.data as { findings: { fingerprint: string }[] }).findings.map((f) => f.fingerprint) });
    assert.equal(allowed.status, 'committed');
    git(repo, 'fsck', '--no-progress');
  });
});
