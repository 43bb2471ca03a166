// tasks.createMany over JSON-RPC (dist/backend.js): many tasks in one transaction, each with its event; a bad one
// names its index and nothing of the batch is written.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../../src/backend/protocol';
import { cleanupTempDirs, requireBuilt, startBackend, tempDir, type Backend } from '../helpers';

describe('backend JSON-RPC: tasks.createMany', () => {
  let b: Backend;
  let projectId: string;
  before(requireBuilt);
  beforeEach(async () => {
    b = startBackend(path.join(tempDir(), 'store'));
    projectId = (await call<{ id: string }>('projects.create', { name: 'Batch' })).id;
  });
  afterEach(async () => {
    await b.stop();
    cleanupTempDirs();
  });

  const call = <R = unknown>(method: string, params: unknown) => b.rpc.sendRequest<R>(method, params);
  const count = async () => (await call<unknown[]>('tasks.list', { projectId })).length;

  it('creates every task of the batch, in order, each with its task.created event', async () => {
    const tasks = Array.from({ length: 250 }, (_, i) => ({ projectId, title: `Task ${i}`, priority: i % 2 ? 'high' : 'low', tags: ['batch'] }));
    const created = await call<{ id: string; title: string; priority: string }[]>('tasks.createMany', { tasks, actor: 'importer' });
    assert.deepEqual(created.map((t) => t.title), tasks.map((t) => t.title));
    assert.equal(created[1]!.priority, 'high');
    assert.equal(await count(), 250);
    const events = await call<{ type: string; actor: string }[]>('events.list', { aggregateType: 'task', limit: 1000 });
    assert.equal(events.filter((e) => e.type === 'task.created' && e.actor === 'importer').length, 250);
  });

  it('all or none: a task that cannot be made names its index, and none of the batch is written', async () => {
    const tasks = [{ projectId, title: 'Fine' }, { projectId: 'no-such-project', title: 'Orphan' }, { projectId, title: 'Also fine' }];
    await assert.rejects(call('tasks.createMany', { tasks }), (e: ResponseError<unknown>) => /^tasks\[1\] \(Orphan\): .*no-such-project/.test(e.message));
    await assert.rejects(call('tasks.createMany', { tasks: [{ projectId, title: '' }] }), (e: ResponseError<unknown>) => e.code === ErrorCodes.InvalidParams && /tasks\.0\.title: title must not be empty/.test(e.message));
    await assert.rejects(call('tasks.createMany', { tasks: [] }), (e: ResponseError<unknown>) => /tasks must not be empty/.test(e.message));
    await assert.rejects(call('tasks.createMany', { tasks: Array.from({ length: 1001 }, () => ({ projectId, title: 'x' })) }), (e: ResponseError<unknown>) => /at most 1000 tasks per call/.test(e.message));
    assert.equal(await count(), 0);
  });
});
