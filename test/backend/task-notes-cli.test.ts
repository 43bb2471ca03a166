// Tasks ↔ notes as a user runs them: cairn task add --note, task show (related notes), task link / unlink,
// note tasks; with --json, and the errors for unknown notes and links a note makes itself.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, storeAndVault } from '../helpers';

describe('cairn task link / unlink / show, cairn note tasks (CLI)', () => {
  let store: string;
  let vault: string;
  let projectId: string;
  before(requireBuilt);
  beforeEach(() => {
    ({ store, vault } = storeAndVault({ 'design/Storage.md': '# Storage design\n\nWAL and one writer.\n' }));
    assert.equal(run('init').status, 0);
    projectId = JSON.parse(run('--json', 'project', 'add', 'Cairn').stdout).id;
  });
  afterEach(cleanupTempDirs);

  const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
  const json = (...args: string[]) => {
    const r = run('--json', ...args);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  it('links a task to a note, shows it both ways, and unlinks it', () => {
    const task = json('task', 'add', '--project', projectId, 'Pick a journal mode');
    fs.writeFileSync(path.join(vault, 'Journal.md'), `# Journal\n\nDecided ${task.id} today.\n`);
    run('index');

    const linked = run('task', 'link', task.id, 'Storage design');
    assert.equal(linked.status, 0, linked.stderr);
    assert.match(linked.stdout, new RegExp(`^Linked ${task.id} {2}pending {2}Pick a journal mode to design/Storage\\.md\\n$`));
    assert.match(run('task', 'link', task.id, 'design/Storage.md').stdout, /already lists design\/Storage\.md/);

    const shown = run('task', 'show', task.id).stdout;
    assert.match(shown, /^notes {13}design\/Storage\.md$/m);
    assert.match(shown, /^related notes \(2\):\n {2}design\/Storage\.md {2}Storage design {2}\(the task's notes\)\n {2}Journal\.md:3 {2}Journal {2}\(mention\)$/m);
    assert.deepEqual(json('task', 'show', task.id).relatedNotes.map((l: { path: string; via: string }) => [l.path, l.via]), [['design/Storage.md', 'task'], ['Journal.md', 'mention']]);

    assert.match(run('note', 'tasks', 'Storage').stdout, new RegExp(`^Storage design \\(design/Storage\\.md\\)\\ntasks \\(1\\):\\n {2}${task.id} {2}pending {2}Pick a journal mode {2}\\(the task's notes\\)\\n$`));
    assert.deepEqual(json('note', 'tasks', 'Journal').tasks.map((t: { id: string; via: string; line: number }) => [t.id, t.via, t.line]), [[task.id, 'mention', 3]]);

    const unlinked = run('task', 'unlink', task.id, 'storage');
    assert.equal(unlinked.status, 0, unlinked.stderr);
    assert.match(unlinked.stdout, /^Unlinked .* from design\/Storage\.md\n$/);
    assert.deepEqual(json('task', 'show', task.id).notes, []);
    const events = json('log', '--type', 'task', '--id', task.id);
    assert.deepEqual(events.map((e: { type: string }) => e.type), ['task.updated', 'task.updated', 'task.created']);
  });

  it('task add --note names notes at creation, indexed or not yet', () => {
    const task = json('task', 'add', '--project', projectId, '--note', 'Storage design', '--note', 'Later', 'Write it down');
    assert.deepEqual(task.notes, ['Storage design', 'Later']);
    run('index');
    assert.match(run('task', 'show', task.id).stdout, /design\/Storage\.md {2}Storage design {2}\(the task's notes\)\n {2}\(not in the index: Later\) {2}\(the task's notes\)/);
    assert.match(run('task', 'unlink', task.id, 'Later').stdout, /^Unlinked .* from Later\n$/);
  });

  it('errors: an unknown note, a link the note makes itself, an unknown task', () => {
    const task = json('task', 'add', '--project', projectId, 'T');
    fs.writeFileSync(path.join(vault, 'Journal.md'), `---\ntasks: [${task.id}]\n---\n# Journal\n`);
    run('index');
    const unknown = run('task', 'link', task.id, 'Atlantis');
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, 'cairn: No note has the path, file name or title "Atlantis". Index the vault (cairn index) if the note is new, then link again.\n');
    const own = run('task', 'unlink', task.id, 'Journal');
    assert.equal(own.status, 1);
    assert.equal(own.stderr, `cairn: Journal.md names task ${task.id} itself (front matter, line 2); edit the note to unlink them.\n`);
    const notListed = run('task', 'unlink', task.id, 'design/Storage.md');
    assert.equal(notListed.status, 1);
    assert.match(notListed.stderr, /^cairn: Task \w+ does not list the note "design\/Storage\.md" \(its notes: none\)\.\n$/);
    const noTask = run('task', 'link', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'Journal');
    assert.equal(noTask.status, 1);
    assert.match(noTask.stderr, /^cairn: No task with id 01ARZ3NDEKTSV4RRFFQ69G5FAV\.\n$/);
    assert.equal(run('note', 'tasks').status, 2, 'a missing argument is a usage error');
  });
});
