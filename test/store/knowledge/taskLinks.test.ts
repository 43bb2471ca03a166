// Tasks ↔ notes on real stores and real vaults on disk: a note links to a task through its front matter or by
// naming its id; a task links to notes through its notes field; both ways are answered, kept current by the
// (incremental) indexer, and follow tasks that are deleted or come back under a mentioned id.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listEvents } from '../../../src/store/events';
import { StoreError } from '../../../src/store/errors';
import { indexPaths, indexVault } from '../../../src/store/knowledge/indexer';
import { noteTasks, taskNotes } from '../../../src/store/knowledge/taskLinks';
import { findTaskRefs } from '../../../src/store/knowledge/taskRefs';
import { createProject } from '../../../src/store/projects';
import { tasks } from '../../../src/store/schema';
import { Store } from '../../../src/store/store';
import { createTask, deleteTask, getTask, updateTask, type Task } from '../../../src/store/tasks';
import { cleanupTempDirs, human, ROOT, tempDir, useTempStore } from '../../helpers';

function write(vault: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
  fs.writeFileSync(path.join(vault, rel), content);
}

/** Well-formed ULIDs that are no task in any store these tests make. */
const STRANGER = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const LATECOMER = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

describe('knowledge: task ids in notes (findTaskRefs)', () => {
  it('reads front-matter lists (YAML list or one string) and mentions anywhere, each with its first line', () => {
    const text = `---\ntitle: Plan\ntasks: [${STRANGER}]\nsee: ${LATECOMER}\n---\n# Plan\n\nWork on ${LATECOMER} and ${STRANGER}.\nAgain ${LATECOMER}.\n`;
    assert.deepEqual(findTaskRefs(text, { title: 'Plan', tasks: [STRANGER], see: LATECOMER }), [
      { taskId: STRANGER, via: 'front_matter', line: 3 },
      { taskId: LATECOMER, via: 'mention', line: 4 },
      { taskId: STRANGER, via: 'mention', line: 8 },
    ]);
    assert.deepEqual(findTaskRefs(`---\ntask: "${STRANGER}, ${LATECOMER}"\n---\n`, { task: `${STRANGER}, ${LATECOMER}` }).map((r) => [r.taskId, r.via, r.line]), [
      [STRANGER, 'front_matter', 2],
      [LATECOMER, 'front_matter', 2],
    ]);
  });

  it('ignores words that are not ULIDs, lower case, longer runs, and ids in a front matter that did not parse', () => {
    const notIds = [
      'ABCDEFGHJKMNPQRSTVWXYZ0123', // starts above 7: not a 48-bit time
      STRANGER.toLowerCase(),
      `${STRANGER}X`,
      '01ARZ3NDEKTSV4RRFFQ69G5FA', // 25 characters
      '01ARZ3NDEKTSV4RRFFQ69G5FAU'.replace('U', 'I'), // I is not Crockford base32
    ];
    assert.deepEqual(findTaskRefs(notIds.join(' and '), null), []);
    assert.deepEqual(findTaskRefs(`---\ntasks: [${STRANGER}\n---\nbody\n`, null), [{ taskId: STRANGER, via: 'mention', line: 2 }]);
  });
});

describe('knowledge: tasks ↔ notes', () => {
  let store!: Store;
  useTempStore((s) => (store = s));
  let vault: string;
  let projectId: string;
  let launch: Task;
  let review: Task;

  const make = (title: string, notes?: string[]) => store.write((orm) => createTask(orm, human, { projectId, title, notes }));
  const linksOf = async (taskId: string) => (await store.read((orm) => taskNotes(orm, taskId))).map((l) => [l.path, l.via, l.line, ...(l.name === undefined ? [] : [l.name])]);
  const tasksOf = async (note: string) => (await store.read((orm) => noteTasks(orm, note))).tasks.map((t) => [t.id, t.via, t.line]);

  beforeEach(async () => {
    projectId = (await store.write((orm) => createProject(orm, human, { name: 'Links' }))).id;
    launch = await make('Launch');
    review = await make('Review', ['Design', 'plans/Budget.md', 'Not written yet']);
    vault = tempDir('cairn-vault-');
    write(vault, 'Design.md', `---\ntasks: [${launch.id}]\n---\n# Design\n\nThe launch (${launch.id}) needs a review.\n`);
    write(vault, 'plans/Budget.md', `# Money plan\n\nNothing about tasks, but an id-shaped word: ${STRANGER}.\n`);
    write(vault, 'Log.md', `# Log\n\n- started ${launch.id}\n- will import ${LATECOMER}\n`);
    await indexVault(store, vault, human);
  });

  it('answers both ways: front matter and mentions with lines, the task field by path, file name or title', async () => {
    assert.deepEqual(await linksOf(launch.id), [
      ['Design.md', 'front_matter', 2],
      ['Design.md', 'mention', 6],
      ['Log.md', 'mention', 3],
    ]);
    assert.deepEqual(await linksOf(review.id), [
      ['Design.md', 'task', null, 'Design'],
      ['plans/Budget.md', 'task', null, 'plans/Budget.md'],
      [null, 'task', null, 'Not written yet'],
    ]);
    assert.deepEqual(await tasksOf('Design'), [
      [review.id, 'task', null],
      [launch.id, 'front_matter', 2],
      [launch.id, 'mention', 6],
    ]);
    assert.deepEqual(await tasksOf('Money plan'), [[review.id, 'task', null]], 'found by title; the id-shaped word is no task');
    assert.deepEqual(await tasksOf('log'), [[launch.id, 'mention', 3]]);
    await assert.rejects(store.read((orm) => noteTasks(orm, 'Atlantis')), (e: StoreError) => e.kind === 'not_found' && /No note has the path, file name or title "Atlantis"/.test(e.message));
    await assert.rejects(store.read((orm) => taskNotes(orm, STRANGER)), (e: StoreError) => e.kind === 'not_found');
  });

  it('a task names a note that is indexed later: the link appears then, the task untouched', async () => {
    write(vault, 'Not written yet.md', '# Not written yet\n');
    await indexPaths(store, vault, ['Not written yet.md'], human);
    assert.deepEqual((await linksOf(review.id)).at(-1), ['Not written yet.md', 'task', null, 'Not written yet']);
    assert.equal((await store.read((orm) => getTask(orm, review.id))).version, 1);
  });

  it('the notes field is set by create and update, each name once, with the change in the event log', async () => {
    const updated = await store.write((orm) => updateTask(orm, human, review.id, 1, { notes: ['Log', 'log', 'Design'] }));
    assert.deepEqual(updated.notes, ['Log', 'Design'], 'names compare case-insensitively; the first spelling is kept');
    const [event] = await listEvents(store.orm, { aggregateType: 'task', aggregateId: review.id, limit: 1, order: 'desc' });
    assert.equal(event!.type, 'task.updated');
    assert.deepEqual(event!.data, { from: { notes: ['Design', 'plans/Budget.md', 'Not written yet'] }, to: { notes: ['Log', 'Design'] } });
    assert.deepEqual(await tasksOf('Log'), [
      [review.id, 'task', null],
      [launch.id, 'mention', 3],
    ]);
    assert.deepEqual(await tasksOf('plans/Budget'), [], 'no longer listed');
  });

  it('re-indexing an edited note replaces its links (incrementally); a deleted note takes its links along', async () => {
    write(vault, 'Log.md', `# Log\n\n- nothing to see\n`);
    write(vault, 'plans/Budget.md', `# Money plan\n\nNow about ${launch.id}.\n`);
    const r = await indexPaths(store, vault, ['Log.md', 'plans/Budget.md'], human);
    assert.deepEqual([r.updated, r.unchanged], [2, 0]);
    assert.deepEqual(await linksOf(launch.id), [
      ['Design.md', 'front_matter', 2],
      ['Design.md', 'mention', 6],
      ['plans/Budget.md', 'mention', 3],
    ]);
    fs.rmSync(path.join(vault, 'Design.md'));
    await indexVault(store, vault, human);
    assert.deepEqual(await linksOf(launch.id), [['plans/Budget.md', 'mention', 3]]);
    assert.deepEqual((await linksOf(review.id))[0], [null, 'task', null, 'Design'], 'the task still names it, now missing');
  });

  it('a deleted task is linked no more; a task that comes back under a mentioned id (an import) is linked at once', async () => {
    await store.write((orm) => deleteTask(orm, human, launch.id));
    assert.deepEqual(await tasksOf('Design'), [[review.id, 'task', null]]);
    assert.deepEqual(await tasksOf('Log'), []);
    // An import or a restore writes a task whose id notes already mention; no re-index is needed.
    await store.write(async (orm) => {
      await orm.insert(tasks).values({ ...launch, id: LATECOMER, title: 'Imported' });
    });
    assert.deepEqual(await tasksOf('Log'), [[LATECOMER, 'mention', 4]]);
    assert.deepEqual(await linksOf(LATECOMER), [['Log.md', 'mention', 4]]);
  });
});

describe('knowledge: tasks ↔ notes in a store indexed before the links existed', () => {
  afterEach(cleanupTempDirs);

  it('the upgrade makes the next index read every note once, so old notes get their task links', async () => {
    // A copy of the migrations as they were before task links (0000-0006), to create an old store.
    const shipped = path.join(ROOT, 'drizzle');
    const old = tempDir('cairn-migrations-');
    const journal = JSON.parse(fs.readFileSync(path.join(shipped, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
    const before = journal.entries.findIndex((e) => e.tag.endsWith('_task_note_links'));
    assert.ok(before > 0, 'the task links migration is shipped');
    journal.entries = journal.entries.slice(0, before);
    fs.mkdirSync(path.join(old, 'meta'));
    fs.writeFileSync(path.join(old, 'meta', '_journal.json'), JSON.stringify(journal));
    for (const e of journal.entries) fs.copyFileSync(path.join(shipped, `${e.tag}.sql`), path.join(old, `${e.tag}.sql`));

    const vault = tempDir('cairn-vault-');
    write(vault, 'Old.md', `# Old\n\nMentions ${STRANGER}.\n`);
    const dir = path.join(tempDir(), 'store');
    const oldStore = await Store.open(dir, { migrationsDir: old });
    // What the old indexer left: the note and its catalog row (size, mtime and hash of the file as it is).
    const stat = fs.statSync(path.join(vault, 'Old.md'));
    const hash = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(path.join(vault, 'Old.md'))).digest('hex');
    await oldStore.write(async () => {
      await oldStore.conn.run(`INSERT INTO notes (path, name_key, title, size, updated_at) VALUES ('Old.md', 'old', 'Old', ?, 'then')`, [stat.size]);
      await oldStore.conn.run(`INSERT INTO vault_files (path, size, mtime_ms, hash, indexed_at) VALUES ('Old.md', ?, ?, ?, 'then')`, [stat.size, stat.mtimeMs, hash]);
    });
    await oldStore.close();

    const store = await Store.open(dir);
    try {
      assert.equal(store.migration.from, before);
      const project = await store.write((orm) => createProject(orm, human, { name: 'P' }));
      await store.write((orm) => orm.insert(tasks).values({ id: STRANGER, projectId: project.id, title: 'Old task', createdAt: 'x', updatedAt: 'x' }));
      const r = await indexVault(store, vault, human);
      assert.deepEqual([r.updated, r.unchanged], [1, 0], 'the old note was read again');
      assert.deepEqual((await store.read((orm) => noteTasks(orm, 'Old'))).tasks.map((t) => [t.id, t.via, t.line]), [[STRANGER, 'mention', 3]]);
      const again = await indexVault(store, vault, human);
      assert.deepEqual([again.updated, again.unchanged], [0, 1], 'once only');
    } finally {
      await store.close();
    }
  });
});
