// The backend process as a client in any language sees it: dist/backend.js over stdio, JSON-RPC 2.0 with
// Content-Length framing. Both a vscode-jsonrpc client and hand-written frames (for malformed input).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { BACKEND, cleanupTempDirs, cli, requireBuilt, startBackend as start, tempDir, type Backend } from '../helpers';
import { Connection } from '../../src/store/connection';
import { waitFor } from '../waitFor';

const startBackend = (store: string) => start(store, ['--source', 'agent', '--actor', 'rpc-test']);

/** Sends raw bytes framed with Content-Length and resolves with the next message the backend writes. */
function rawExchange(b: Backend, body: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      for (;;) {
        const m = /Content-Length: (\d+)\r\n\r\n/.exec(buf);
        if (!m) return;
        const start = m.index + m[0].length;
        const len = Number(m[1]);
        const rest = Buffer.from(buf.slice(start));
        if (rest.length < len) return;
        const msg = JSON.parse(rest.subarray(0, len).toString('utf8'));
        buf = rest.subarray(len).toString('utf8');
        if (msg.method === 'log' || msg.method === 'store.changed') continue;
        b.child.stdout.off('data', onData);
        return resolve(msg);
      }
    };
    b.child.stdout.on('data', onData);
    b.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

const expectError = async (p: Promise<unknown>, code: number, pattern: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ResponseError, `expected a JSON-RPC error, got ${err}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
};


describe('backend JSON-RPC', () => {
  let store: string;
  let b: Backend;
  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir(), 'store');
    b = startBackend(store);
  });
  afterEach(async () => {
    await b.stop();
    cleanupTempDirs();
  });

  it('serves the task lifecycle with camelCase params and results', async () => {
    const info = await b.rpc.sendRequest<{ schemaVersion: number; actor: string; source: string }>('store.info', {});
    assert.deepEqual([info.actor, info.source], ['rpc-test', 'agent']);
    const project = await b.rpc.sendRequest<{ id: string; version: number }>('projects.create', { name: 'RPC' });
    const sprint = await b.rpc.sendRequest<{ id: string }>('sprints.create', { projectId: project.id, name: 'S1' });
    const task = await b.rpc.sendRequest<{ id: string; version: number; sprintId: string; priority: string }>('tasks.create', {
      projectId: project.id,
      title: 'Talk JSON-RPC',
      sprintId: sprint.id,
      assignee: 'agent-7',
      priority: 'high',
    });
    assert.deepEqual([task.sprintId, task.priority, task.version], [sprint.id, 'high', 1]);
    const moved = await b.rpc.sendRequest<{ status: string; version: number }>('tasks.update', { id: task.id, expectedVersion: 1, status: 'done', tokensIn: 1200, qualityScore: 0.9 });
    assert.deepEqual([moved.status, moved.version], ['done', 2]);
    const listed = await b.rpc.sendRequest<unknown[]>('tasks.list', { projectId: project.id, status: 'done', assignee: 'agent-7' });
    assert.equal(listed.length, 1);
    const sprints = await b.rpc.sendRequest<unknown[]>('sprints.list', { projectId: project.id });
    assert.equal(sprints.length, 1);
    const events = await b.rpc.sendRequest<{ type: string; actor: string }[]>('events.list', { aggregateType: 'task', aggregateId: task.id, order: 'asc' });
    assert.deepEqual(events.map((e) => e.type), ['task.created', 'task.updated']);
    assert.equal(events[0]!.actor, 'rpc-test');
    const renamed = await b.rpc.sendRequest<{ name: string }>('projects.update', { id: project.id, expectedVersion: 1, name: 'RPC 2', actor: 'someone' });
    assert.equal(renamed.name, 'RPC 2');
    await b.rpc.sendRequest('tasks.delete', { id: task.id });
    await b.rpc.sendRequest('projects.delete', { id: project.id });
    assert.deepEqual(await b.rpc.sendRequest('projects.list', {}), []);
    const health = await b.rpc.sendRequest<{ ok: boolean; vecVersion: string }>('store.health', {});
    assert.equal(health.ok, true);
    assert.ok(health.vecVersion);
  });

  it('pages the event log', async () => {
    const p = await b.rpc.sendRequest<{ id: string }>('projects.create', { name: 'P' });
    for (let i = 0; i < 5; i++) await b.rpc.sendRequest('tasks.create', { projectId: p.id, title: `t${i}` });
    const page1 = await b.rpc.sendRequest<{ seq: number }[]>('events.list', { limit: 2 });
    const page2 = await b.rpc.sendRequest<{ seq: number }[]>('events.list', { limit: 2, beforeSeq: page1[1]!.seq });
    assert.deepEqual(page1.map((e) => e.seq), [6, 5]);
    assert.deepEqual(page2.map((e) => e.seq), [4, 3]);
    const forward = await b.rpc.sendRequest<{ seq: number }[]>('events.list', { afterSeq: 4, order: 'asc' });
    assert.deepEqual(forward.map((e) => e.seq), [5, 6]);
  });

  it('answers bad params with -32602 and a message that names the field', async () => {
    await expectError(b.rpc.sendRequest('tasks.create', { projectId: 42, title: '' }), -32602, /projectId: projectId must be a string id; title: title must not be empty/);
    await expectError(b.rpc.sendRequest('tasks.update', { id: 'x', status: 'done' }), -32602, /expectedVersion/);
    await expectError(b.rpc.sendRequest('tasks.list', { status: 'finished' }), -32602, /status must be one of pending, in_progress/);
    await expectError(b.rpc.sendRequest('projects.create', { name: 'ok', colour: 'red' }), -32602, /unknown field "colour"/);
    await expectError(b.rpc.sendRequest('projects.create', ['positional']), -32602, /params must be a JSON object/);
    await expectError(b.rpc.sendRequest('events.list', { limit: 5000 }), -32602, /limit/);
    await expectError(b.rpc.sendRequest('sprints.create', { projectId: 'p', name: 'S', startsOn: '2026-13-45' }), -32602, /startsOn: not a real calendar date/);
    await expectError(b.rpc.sendRequest('sprints.create', { projectId: 'p', name: 'S', startsOn: '2026-05-10', endsOn: '2026-05-01' }), -32602, /endsOn: endsOn must not be before startsOn/);
    assert.deepEqual(await b.rpc.sendRequest('projects.list', {}), [], 'nothing was written');
  });

  it('answers unknown methods, unknown ids and stale versions with their own codes', async () => {
    await expectError(b.rpc.sendRequest('tasks.explode', {}), -32601, /Unknown method "tasks.explode"/);
    await expectError(b.rpc.sendRequest('tasks.get', { id: 'NOPE' }), -32001, /No task with id NOPE/);
    const p = await b.rpc.sendRequest<{ id: string }>('projects.create', { name: 'P' });
    const t = await b.rpc.sendRequest<{ id: string }>('tasks.create', { projectId: p.id, title: 't' });
    await b.rpc.sendRequest('tasks.update', { id: t.id, expectedVersion: 1, title: 'first' });
    await expectError(b.rpc.sendRequest('tasks.update', { id: t.id, expectedVersion: 1, title: 'second' }), -32002, /changed by someone else/);
  });

  it('answers malformed JSON and invalid messages with JSON-RPC errors and keeps serving', async () => {
    const parse = await rawExchange(b, '{"jsonrpc": "2.0", "id": 1, "method": ');
    assert.deepEqual([parse.id, (parse.error as { code: number }).code], [null, -32700]);
    const noVersion = await rawExchange(b, JSON.stringify({ id: 7, method: 'projects.list' }));
    assert.deepEqual([noVersion.id, (noVersion.error as { code: number }).code], [7, -32600]);
    const noMethod = await rawExchange(b, JSON.stringify({ jsonrpc: '2.0', id: 8 }));
    assert.deepEqual([noMethod.id, (noMethod.error as { code: number }).code], [8, -32600]);
    const notObject = await rawExchange(b, '[1,2,3]');
    assert.equal((notObject.error as { code: number }).code, -32600);
    // A write without an id (a notification) is refused rather than run unseen.
    const noId = await rawExchange(b, JSON.stringify({ jsonrpc: '2.0', method: 'projects.create', params: { name: 'ghost' } }));
    assert.equal((noId.error as { code: number; message: string }).code, -32600);
    assert.match((noId.error as { message: string }).message, /needs an "id"/);
    const ok = await rawExchange(b, JSON.stringify({ jsonrpc: '2.0', id: 'still-alive', method: 'projects.list', params: {} }));
    assert.deepEqual(ok, { jsonrpc: '2.0', id: 'still-alive', result: [] });
    assert.equal(b.child.exitCode, null, 'the backend is still running');
  });

  it('a query the store cannot explain is an internal error without its SQL; the details go to stderr only', async () => {
    await b.rpc.sendRequest('store.info', {});
    // Another program breaks the schema under the running backend: its next query of that table fails in SQLite.
    const other = await Connection.open(path.join(store, 'cairn.db'), { busyTimeoutMs: 5000, slowQueryMs: 10_000 });
    await other.exec('alter table sprints rename to sprints_renamed_by_hand');
    await other.close();
    let stderr = '';
    b.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await assert.rejects(b.rpc.sendRequest('sprints.list', {}), (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.code, -32603);
      assert.match(err.message, /^Internal error: the store could not run sprints\.list \(SQLITE_ERROR\)\. This is a bug in Cairn; the Cairn log has the details\.$/);
      return true;
    });
    await waitFor('the details on stderr', () => /sprints\.list: .*no such table: sprints/s.test(stderr));
    // Slow-query warnings name their SQL on purpose (for `cairn doctor`); on a loaded machine any query may be one.
    const told = b.logs.filter((l) => !l.message.startsWith('Slow query'));
    assert.ok(told.every((l) => !/select |no such table/i.test(l.message)), JSON.stringify(told));
  });

  it('sends store.changed for its own writes and for another process writing the same store', async () => {
    const p = await b.rpc.sendRequest<{ id: string }>('projects.create', { name: 'Watched' });
    await waitFor('own change', () => b.changes.some((c) => c.aggregates?.some((a) => a.id === p.id)));
    const r = cli(['--store', store, '--json', 'task', 'add', '--project', p.id, 'from the CLI']);
    assert.equal(r.status, 0, r.stderr);
    const created = JSON.parse(r.stdout) as { id: string };
    await waitFor('other process change', () => b.changes.some((c) => c.aggregates?.some((a) => a.type === 'task' && a.id === created.id)));
  });

  it('keeps running on a store it cannot open and answers every request with the reason', async () => {
    await b.stop();
    const bad = tempDir();
    require('node:fs').writeFileSync(path.join(bad, 'cairn.db'), 'not a database at all');
    b = startBackend(bad);
    await expectError(b.rpc.sendRequest('projects.list', {}), -32004, /not a SQLite database/);
    await expectError(b.rpc.sendRequest('store.info', {}), -32004, /not a SQLite database/);
    await waitFor('error log notification', () => b.logs.some((l) => l.level === 'error' && /not a SQLite database/.test(l.message)));
  });

  it('rejects bad command-line flags with exit code 2', async () => {
    const r = require('node:child_process').spawnSync(process.execPath, [BACKEND, '--store', store, '--source', 'robot'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unknown source "robot"/);
    const missing = require('node:child_process').spawnSync(process.execPath, [BACKEND], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--store DIR is required/);
  });
});
