// Backup and restore on real stores, real vaults and real git repositories: the round trip (a property test),
// incremental backups that rewrite only what changed, restore with its dry run and undo, the secret scan, private
// notes, and the lock.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { recordAgentRun } from '../../src/store/agents/runs';
import { StoreError } from '../../src/store/errors';
import { addObservations, createEntities, createRelations } from '../../src/store/graph/graph';
import { createProject } from '../../src/store/projects';
import { Store } from '../../src/store/store';
import { createTask, deleteTask, getTask, updateTask } from '../../src/store/tasks';
import { runBackup } from '../../src/sync/backup';
import { backupHistory } from '../../src/sync/history';
import { runRestore } from '../../src/sync/restore';
import { setRemote } from '../../src/sync/remote';
import { withBackupLock } from '../../src/sync/lock';
import { cleanupTempDirs, human, tempDir } from '../helpers';
import { canonicalDump, contentOf, envOf, populate, readTree, writeVault } from './fixtures';

/** git's output; a command that finds nothing (exit 1, as git grep does) gives ''. */
function git(repo: string, ...args: string[]): string {
  try {
    return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  } catch (err) {
    if ((err as { status?: number }).status === 1) return '';
    throw err;
  }
}

async function openStore(dir: string): Promise<Store> {
  return Store.open(dir);
}

describe('backup: text form and round trip', function () {
  this.timeout(300_000);
  afterEach(() => cleanupTempDirs());

  it('round trip: random stores → backup → wipe → restore → the same canonical dump (property)', async () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constant(''), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 20 }).map((s) => s.repeat(3000)));
    // Values a write could make (a restore checks every row by the write rules): titles up to 200 UTF-16 units, tags
    // not blank, observations up to 10,000 characters.
    const taskArb = fc.record({ title: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => s.length <= 180), description: text, tags: fc.array(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim().length > 0), { maxLength: 3 }), tokens: fc.option(fc.nat(), { nil: null }), quality: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }) });
    const storeArb = fc.record({
      tasks: fc.array(taskArb, { minLength: 1, maxLength: 40 }),
      // Many rows: each generated task is copied this many times with its index appended.
      copies: fc.integer({ min: 1, max: 80 }),
      entities: fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0 && !/[\u0000-\u001f]/.test(s)), { maxLength: 8 }),
      observation: text.filter((s) => s.length <= 10_000),
    });
    await fc.assert(
      fc.asyncProperty(storeArb, async (model) => {
        const dir = path.join(tempDir(), 'store');
        let store = await openStore(dir);
        try {
          await store.write(async (orm) => {
            const p = await createProject(orm, human, { name: 'P', description: model.observation });
            let n = 0;
            for (let c = 0; c < model.copies; c++) {
              for (const t of model.tasks) {
                const row = await createTask(orm, human, { projectId: p.id, title: `${t.title} ${n++}`, description: t.description, tags: t.tags });
                if (t.tokens !== null || t.quality !== null) await updateTask(orm, human, row.id, row.version, { tokensIn: t.tokens, qualityScore: t.quality });
                if (n % 50 === 1) await recordAgentRun(orm, human, { agent: t.title, taskId: row.id, outcome: 'success', notes: t.description, qualityScore: t.quality ?? undefined });
              }
            }
          });
          if (model.entities.length) {
            await createEntities(store, human, model.entities.map((name) => ({ name, entityType: 'thing', observations: [model.observation || 'seen'] })));
            if (model.entities.length > 1) await createRelations(store, human, [{ from: model.entities[0]!, to: model.entities[1]!, relationType: 'knows' }]);
            await addObservations(store, human, [{ entityName: model.entities[0]!, contents: ['second ✓'] }]);
          }
          const before = await canonicalDump(store);
          const env = envOf(store, path.join(dir, 'vault'));
          const backup = await runBackup(env, {});
          assert.equal(backup.status, 'committed');

          // Wipe: a brand-new database in the same folder (the backup repository stays).
          await store.close();
          for (const f of fs.readdirSync(dir)) if (f.startsWith('cairn.db')) fs.rmSync(path.join(dir, f));
          store = await Store.open(dir, { forRestore: true }); // the folder held a store: opened to restore into, as cairn restore does
          assert.equal((await canonicalDump(store)).tables.tasks!.length, 0);
          await runRestore(envOf(store, path.join(dir, 'vault')), {}, backup.commit!);
          const after = await canonicalDump(store);
          // A new store takes the backup's rows and log as they are (restore-log.test.ts: a store with a state of its own).
          assert.deepEqual(after.tables, before.tables);
          assert.equal(after.restoredRows, 0);
          assert.equal(after.restoreEvents, 1);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
  });

  it('an incremental backup rewrites only the shards and files that changed, and a second one says nothing changed', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await openStore(dir);
    try {
      const ids = await populate(store, 3000);
      writeVault(path.join(dir, 'vault'), 200);
      const env = envOf(store, path.join(dir, 'vault'));
      const first = await runBackup(env, {});
      assert.equal(first.status, 'committed');
      assert.match(first.summary, /^First backup: 3000 tasks, 2 projects, 200 notes/);

      await store.write(async (orm) => {
        for (const id of ids.slice(0, 3)) {
          const t = await getTask(orm, id);
          await updateTask(orm, human, id, t.version, { status: 'blocked' });
        }
      });
      fs.appendFileSync(path.join(dir, 'vault', 'f1', 'note 1.md'), '\nmore\n');
      fs.writeFileSync(path.join(dir, 'vault', 'new.md'), '# New\n');
      const second = await runBackup(env, {});
      assert.equal(second.summary, '3 tasks changed, 1 note changed, 1 note added');
      const changed = git(second.repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort();
      const taskShards = changed.filter((p) => p.startsWith('db/tasks/'));
      assert.ok(taskShards.length >= 1 && taskShards.length <= 3, `tasks shards rewritten: ${taskShards.join(', ')}`);
      assert.ok(changed.every((p) => /^(db\/(tasks|events)\/[0-9a-f]{2}\.jsonl|manifest\.json|files\/vault\/(f1\/note 1|new)\.md)$/.test(p)), `unexpected files in the commit: ${changed.join(', ')}`);
      assert.deepEqual(git(second.repo, 'log', '-1', '--format=%(trailers:key=Cairn-Tasks,valueonly)').trim(), '+0 ~3 -0');

      const third = await runBackup(env, {});
      assert.equal(third.status, 'unchanged');
      assert.equal(third.commit, second.commit);
      // A full comparison finds the incremental backups complete.
      assert.equal((await runBackup(env, {}, { full: true })).status, 'unchanged');

      const history = await backupHistory(second.repo, 10);
      assert.equal(history.entries.length, 2);
      assert.deepEqual(history.entries[0]!.changes.tasks, { added: 0, changed: 3, removed: 0 });
    } finally {
      await store.close();
    }
  });

  it('a note rewritten with its old size and time still reaches the backup; a copy changed in a commit by hand is put back', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await openStore(dir);
    try {
      const vault = path.join(dir, 'vault');
      writeVault(vault, 20);
      const env = envOf(store, vault);
      const first = await runBackup(env, {});
      // The sources' stamps are machine-local bookkeeping: kept in .git/cairn/, never committed.
      assert.ok(fs.existsSync(path.join(first.repo, '.git', 'cairn', 'mirror-stamps.json')));
      assert.doesNotMatch(git(first.repo, 'ls-files'), /stamps/);

      // Same size, modification time set back (to the millisecond): only the stamp's change time and sub-millisecond
      // time tell, so the copy itself is never looked at.
      const note = path.join(vault, 'f1', 'note 1.md');
      const st = fs.statSync(note);
      const edited = fs.readFileSync(note, 'utf8').replace('Some text', 'Same text');
      fs.writeFileSync(note, edited);
      fs.utimesSync(note, st.atime, st.mtime);
      assert.equal(fs.statSync(note).size, st.size);
      const second = await runBackup(env, {});
      assert.equal(second.summary, '1 note changed');
      assert.equal(git(first.repo, 'show', 'HEAD:files/vault/f1/note 1.md'), edited);

      // A commit by hand moves HEAD away from the stamps: the copies are compared again and the source wins.
      fs.writeFileSync(path.join(first.repo, 'files', 'vault', 'f2', 'note 2.md'), 'edited in the backup by hand\n');
      git(first.repo, 'commit', '-qam', 'by hand');
      const third = await runBackup(env, {});
      assert.equal(third.status, 'committed');
      assert.equal(git(first.repo, 'show', 'HEAD:files/vault/f2/note 2.md'), fs.readFileSync(path.join(vault, 'f2', 'note 2.md'), 'utf8'));
      assert.equal(git(first.repo, 'status', '--porcelain'), '');
      assert.equal((await runBackup(env, {}, { full: true })).status, 'unchanged');
    } finally {
      await store.close();
    }
  });

  it('a deletion the event log names, and one it does not (a cascade), both reach the backup', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await openStore(dir);
    try {
      const ids = await populate(store, 50);
      const env = envOf(store, path.join(dir, 'vault'));
      await store.write((orm) => recordAgentRun(orm, human, { agent: 'a', taskId: ids[1], outcome: 'success' }));
      await runBackup(env, {});
      await store.write(async (orm) => deleteTask(orm, human, ids[1]!));
      const r = await runBackup(env, {});
      assert.equal(r.changes.tasks?.removed, 1);
      assert.equal(r.changes.agent_runs?.changed, 1, 'the run lost its task (set null by the foreign key)');
      assert.equal((await runBackup(env, {}, { full: true })).status, 'unchanged');
    } finally {
      await store.close();
    }
  });
});

describe('backup: restore', function () {
  this.timeout(120_000);
  afterEach(() => cleanupTempDirs());

  it('dry run reports added, removed and changed tasks and notes, and changes nothing; restore does it and can be undone', async () => {
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    const store = await openStore(dir);
    try {
      const ids = await populate(store, 100);
      writeVault(vault, 20);
      const env = envOf(store, vault);
      const base = await runBackup(env, {});
      const baseDump = await canonicalDump(store);
      const baseVault = readTree(vault);

      let added = '';
      await store.write(async (orm) => {
        await deleteTask(orm, human, ids[0]!);
        const t = await getTask(orm, ids[5]!);
        await updateTask(orm, human, t.id, t.version, { title: 'renamed' });
        added = (await createTask(orm, human, { projectId: t.projectId, title: 'brand new' })).id;
      });
      fs.rmSync(path.join(vault, 'f0', 'note 0.md'));
      fs.writeFileSync(path.join(vault, 'f1', 'note 1.md'), 'changed\n');
      fs.writeFileSync(path.join(vault, 'extra.md'), 'extra\n');
      const changedDump = await canonicalDump(store);
      const changedVault = readTree(vault);

      const dry = await runRestore(env, {}, base.commit!, { dryRun: true });
      const tasks = dry.tables.find((t) => t.table === 'tasks')!;
      assert.deepEqual([tasks.added, tasks.removed, tasks.changed], [1, 1, 1]);
      assert.deepEqual(tasks.samples.added.map((s) => s.key), [ids[0]]);
      assert.deepEqual(tasks.samples.removed.map((s) => s.key), [added]);
      assert.deepEqual(tasks.samples.changed.map((s) => s.label), ['Task 5 ünïcø']);
      assert.deepEqual(dry.files.samples, { added: ['files/vault/f0/note 0.md'], removed: ['files/vault/extra.md'], changed: ['files/vault/f1/note 1.md'] });
      assert.deepEqual((await canonicalDump(store)).tables, changedDump.tables, 'a dry run changes nothing');
      assert.deepEqual(readTree(vault), changedVault);

      const done = await runRestore(env, {}, base.commit!);
      const restored = await canonicalDump(store);
      assert.deepEqual(contentOf(restored.tables), { ...contentOf(baseDump.tables), events: contentOf(changedDump.tables).events }, 'the rows are the backup\'s; the log keeps every event');
      assert.equal(restored.restoredRows, 3);
      assert.deepEqual(readTree(vault), baseVault);
      assert.ok(done.safetyCommit && done.restoreCommit);
      const notes = await store.conn.get<{ n: number }>("select count(*) as n from notes where path = 'f0/note 0.md'");
      assert.equal(notes?.n, 1, 'the restored note is indexed again');

      assert.equal(git(done.restoreCommit ? path.join(dir, 'backup') : '', 'status', '--porcelain'), '');
      // The commit of the restored state is itself a valid backup, equal to the store.
      const again = await runRestore(env, {}, done.restoreCommit!, { dryRun: true });
      assert.ok(again.tables.every((t) => t.table === 'events' || (!t.added && !t.removed && !t.changed)), JSON.stringify(again.tables));

      // Undo: restore the safety backup taken just before.
      await runRestore(env, {}, done.safetyCommit!);
      const undone = await canonicalDump(store);
      assert.deepEqual(contentOf(undone.tables), contentOf(changedDump.tables));
      assert.equal(undone.restoreEvents, 2, 'the log keeps the first restore and adds this one');
      assert.equal(undone.restoredRows, 6);
      assert.deepEqual(readTree(vault), changedVault);
    } finally {
      await store.close();
    }
  });

  it('an unknown ref and a repository that does not exist are clear errors', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await openStore(dir);
    try {
      const env = envOf(store, path.join(dir, 'vault'));
      await assert.rejects(runRestore(env, {}, 'HEAD'), (e: StoreError) => e.kind === 'not_found' && /no backup repository .* Run "cairn backup" first/i.test(e.message));
      await populate(store, 3);
      await runBackup(env, {});
      await assert.rejects(runRestore(env, {}, 'deadbeef'), (e: StoreError) => e.kind === 'not_found' && /no backup "deadbeef".*cairn history/.test(e.message));
      await assert.rejects(runRestore(env, {}, '--help'), (e: StoreError) => e.kind === 'invalid');
    } finally {
      await store.close();
    }
  });
});

describe('backup: privacy and locking', function () {
  this.timeout(120_000);
  afterEach(() => cleanupTempDirs());

  it('a secret in a note and in a task field refuses the backup, naming both; allowing them lets it through', async () => {
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    const store = await openStore(dir);
    try {
      await populate(store, 5);
      writeVault(vault, 3);
      const env = envOf(store, vault);
      await runBackup(env, {});
      const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
      fs.writeFileSync(path.join(vault, 'leak.md'), `# Notes\n\nmy token: ${token}\n`);
      const task = await store.write(async (orm) => createTask(orm, human, { projectId: (await createProject(orm, human, { name: 'S' })).id, title: 'deploy', description: `use ${token}` }));
      let refused: StoreError | undefined;
      await runBackup(env, {}).catch((e: StoreError) => (refused = e));
      assert.ok(refused, 'the backup must be refused');
      assert.equal(refused.kind, 'invalid');
      const findings = (refused.data as { findings: { path: string; line: number; where: string; fingerprint: string }[] }).findings;
      assert.ok(findings.some((f) => f.path === 'files/vault/leak.md' && f.line === 3 && f.where === 'note leak.md line 3'), JSON.stringify(findings));
      assert.ok(findings.some((f) => f.where === `task ${task.id} field description`), JSON.stringify(findings));
      assert.match(refused.message, /files\/vault\/leak\.md:3:/);
      const repo = path.join(dir, 'backup');
      assert.doesNotMatch(git(repo, 'log', '--format=%s'), /leak|deploy/);
      assert.ok(!git(repo, 'grep', '-c', '-e', 'ghp_', 'HEAD', '--', '.').includes('ghp_') , 'nothing with the secret was committed');

      const allowed = await runBackup(env, { allow: findings.map((f) => f.fingerprint) });
      assert.equal(allowed.status, 'committed');
    } finally {
      await store.close();
    }
  });

  it('notes marked private are left out once a remote is set, and a set remote is checked', async () => {
    const dir = path.join(tempDir(), 'store');
    const vault = path.join(dir, 'vault');
    const store = await openStore(dir);
    try {
      fs.mkdirSync(vault, { recursive: true });
      fs.writeFileSync(path.join(vault, 'diary.md'), '---\nprivate: true\n---\nsecret life\n');
      fs.writeFileSync(path.join(vault, 'public.md'), '# Public\n');
      const env = envOf(store, vault);
      const first = await runBackup(env, {});
      assert.ok(fs.existsSync(path.join(first.repo, 'files/vault/diary.md')), 'no remote: private notes stay in the local backup');

      await assert.rejects(setRemote(first.repo, path.join(dir, 'nowhere'), true), (e: StoreError) => e.kind === 'invalid' && /neither a git URL nor an existing folder/.test(e.message));
      const emptyDir = tempDir();
      await assert.rejects(setRemote(first.repo, emptyDir, true), (e: StoreError) => e.kind === 'store_unavailable' && /Cannot reach the remote/.test(e.message));
      const bare = path.join(tempDir(), 'remote.git');
      execFileSync('git', ['init', '--bare', '-q', bare]);
      assert.equal((await setRemote(first.repo, bare, true)).url, bare);

      const second = await runBackup(env, {});
      assert.equal(second.privateNotesLeftOut, 1);
      assert.ok(!fs.existsSync(path.join(first.repo, 'files/vault/diary.md')));
      assert.doesNotMatch(git(first.repo, 'ls-files'), /diary/);
      assert.ok(fs.existsSync(path.join(vault, 'diary.md')), 'the note itself is untouched');
      const included = await runBackup(env, { privateNotes: 'include' });
      assert.equal(included.privateNotesLeftOut, 0);
      assert.match(git(first.repo, 'ls-files'), /diary/);
    } finally {
      await store.close();
    }
  });

  it('a second backup while one runs is refused with a clear message; a dead holder is taken over', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await openStore(dir);
    try {
      const env = envOf(store, path.join(dir, 'vault'));
      await withBackupLock(dir, 'backup', async () => {
        await assert.rejects(runBackup(env, {}), (e: StoreError) => e.kind === 'busy' && /already running for this store \(pid \d+/.test(e.message));
      });
      fs.writeFileSync(path.join(dir, 'backup.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: require('node:os').hostname(), since: 'then', what: 'backup' }));
      assert.equal((await runBackup(env, {})).status, 'committed');
      assert.ok(!fs.existsSync(path.join(dir, 'backup.lock')));
    } finally {
      await store.close();
    }
  });
});
