// Tasks ↔ notes and the code-lens lookup over JSON-RPC (dist/backend.js): tasks.create/update with notes,
// tasks.notes, notes.tasks, tasks.get with includeNotes, codeLens.lookup, and the errors for bad params.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../../src/backend/protocol';
import { cleanupTempDirs, requireBuilt, startBackend, tempDir, type Backend } from '../helpers';

describe('backend JSON-RPC: tasks ↔ notes and codeLens.lookup', () => {
  let b: Backend;
  let workspace: string;
  let vault: string;
  before(requireBuilt);
  beforeEach(async () => {
    workspace = tempDir('cairn-ws-');
    vault = path.join(workspace, 'notes');
    fs.mkdirSync(vault, { recursive: true });
    b = startBackend(path.join(tempDir(), 'store'), ['--vault', vault, '--no-watch-vault']);
  });
  afterEach(async () => {
    await b.stop();
    cleanupTempDirs();
  });

  const call = <R = unknown>(method: string, params: unknown) => b.rpc.sendRequest<R>(method, params);
  const fails = async (method: string, params: unknown, code: number, message: RegExp) =>
    assert.rejects(call(method, params), (e: ResponseError<unknown>) => e.code === code && message.test(e.message));

  it('links both ways and answers tasks.notes, notes.tasks, tasks.get includeNotes and codeLens.lookup', async () => {
    const project = await call<{ id: string }>('projects.create', { name: 'P' });
    const task = await call<{ id: string; notes: string[]; version: number }>('tasks.create', { projectId: project.id, title: 'Write the parser', notes: ['Parser'] });
    assert.deepEqual(task.notes, ['Parser']);
    fs.writeFileSync(path.join(vault, 'Parser.md'), `---\ntasks: [${task.id}]\n---\n# Parser\n\nSee [the code](../src/parse.ts).\n`);
    fs.writeFileSync(path.join(vault, 'Journal.md'), `# Journal\n\nWorked on ${task.id} today.\n`);
    await call('knowledge.index', {});

    const links = await call<{ path: string; via: string; line: number | null }[]>('tasks.notes', { taskId: task.id });
    assert.deepEqual(links.map((l) => [l.path, l.via, l.line]), [['Parser.md', 'task', null], ['Journal.md', 'mention', 3], ['Parser.md', 'front_matter', 2]]);
    const withNotes = await call<{ id: string; relatedNotes: unknown[] }>('tasks.get', { id: task.id, includeNotes: true });
    assert.deepEqual(withNotes.relatedNotes, links);
    assert.equal((await call<Record<string, unknown>>('tasks.get', { id: task.id })).relatedNotes, undefined);
    const byNote = await call<{ path: string; tasks: { id: string; via: string }[] }>('notes.tasks', { note: 'journal' });
    assert.deepEqual([byNote.path, byNote.tasks.map((t) => [t.id, t.via])], ['Journal.md', [[task.id, 'mention']]]);

    const updated = await call<{ notes: string[] }>('tasks.update', { id: task.id, expectedVersion: task.version, notes: [] });
    assert.deepEqual(updated.notes, []);

    const lookup = await call<{ notes: { name: string; path: string }[]; tasks: { id: string; status: string }[]; fileMentions: { path: string; line: number }[] }>('codeLens.lookup', {
      file: path.join(workspace, 'src', 'parse.ts'),
      workspaceFolder: workspace,
      notes: ['Parser', 'Nothing'],
      taskIds: [task.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    });
    assert.deepEqual(lookup.notes.map((n) => [n.name, n.path]), [['Parser', 'Parser.md']]);
    assert.deepEqual(lookup.tasks.map((t) => [t.id, t.status]), [[task.id, 'pending']]);
    assert.deepEqual(lookup.fileMentions.map((m) => [m.path, m.line]), [['Parser.md', 6]]);
  });

  it('bad params and unknown ids get actionable errors', async () => {
    await fails('tasks.notes', {}, ErrorCodes.InvalidParams, /taskId/);
    await fails('tasks.notes', { taskId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, ErrorCodes.NotFound, /No task with id 01ARZ3NDEKTSV4RRFFQ69G5FAV/);
    await fails('notes.tasks', { note: ' ' }, ErrorCodes.InvalidParams, /note must not be empty/);
    await fails('notes.tasks', { note: 'Atlantis' }, ErrorCodes.NotFound, /No note has the path, file name or title "Atlantis"/);
    await fails('codeLens.lookup', { file: 'src/a.ts' }, ErrorCodes.InvalidParams, /file must be an absolute path/);
    await fails('codeLens.lookup', { taskIds: 'x' }, ErrorCodes.InvalidParams, /taskIds must be a list of task ids/);
    await fails('tasks.get', { id: 'x', includeNotes: 'yes' }, ErrorCodes.InvalidParams, /includeNotes must be true or false/);
    const project = await call<{ id: string }>('projects.create', { name: 'P' });
    await fails('tasks.create', { projectId: project.id, title: 'T', notes: 'Parser' }, ErrorCodes.InvalidParams, /notes must be a list of note paths, file names or titles/);
    await fails('tasks.create', { projectId: project.id, title: 'T', notes: [''] }, ErrorCodes.InvalidParams, /notes\.0: each of notes must not be empty/);
  });
});

