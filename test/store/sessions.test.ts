// Agent sessions and their messages on real stores on disk, through the same `invoke` the RPC server, the CLI and MCP
// use: start / append / end / list / get with their events, a summary kept as a memory in the same transaction, sizes
// refused with nothing written, retention (prune) explained to the backup's mass-delete guard, secret content
// (messages and memories) sealed at rest and left out of search, and erase.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ErrorCodes } from '../../src/backend/protocol';
import { LOCKED_TEXT } from '../../src/store/crypto/fields';
import { eraseProject } from '../../src/store/erase';
import { listEvents, type StoreEvent } from '../../src/store/events';
import type { Store } from '../../src/store/store';
import { explainedRemovals } from '../../src/sync/massDelete';
import { cleanupTempDirs, human, tempDir } from '../helpers';
import { opened, openCaller, PASS, rejects, type Call } from './crypto/calls';

interface Session {
  id: string;
  agent: string;
  projectId: string | null;
  taskId: string | null;
  endedAt: string | null;
  summary: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  messageCount: number;
  version: number;
}
interface Message {
  id: string;
  seq: number;
  role: string;
  content: string;
  toolCalls: unknown;
  tokens: number | null;
  secretFields?: string[];
  lockedFields?: string[];
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describe('sessions and messages', () => {
  let call: Call;
  let store: Store;
  let projectId: string;
  let dir: string;
  const events = (aggregateId?: string): Promise<StoreEvent[]> => listEvents(store.orm, { aggregateType: 'session', aggregateId, order: 'asc', limit: 1000 });
  /** Search-index rows (what knowledge.search reads) whose text matches `words`, by kind. */
  const indexed = (words: string) =>
    store.conn.all<{ kind: string; itemId: string }>(`select s.kind, s.item_id as itemId from search_items_fts f join search_items s on s.id = f.rowid where search_items_fts match ? order by s.kind, s.item_id`, [words]);

  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    call = await openCaller(dir);
    store = opened.at(-1)!;
    projectId = (await call('projects.create', { name: 'Moonshot' })).id;
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('start, append in batches, end; list by agent, project, task and open; get in pages; one event per change', async () => {
    const task = await call('tasks.create', { projectId, title: 'Land the module' });
    const s: Session = await call('sessions.start', { agent: 'claude', taskId: task.id });
    assert.deepEqual([s.agent, s.projectId, s.taskId, s.messageCount, s.endedAt], ['claude', projectId, task.id, 0, null], "a task's session belongs to its project");
    const other: Session = await call('sessions.start', {});
    assert.equal(other.agent, 'tester', 'agent defaults to the actor');

    const first = await call('sessions.append', {
      sessionId: s.id,
      messages: [
        { role: 'system', content: 'You are a careful engineer.' },
        { role: 'user', content: 'Where should the lunar module land?', tokens: 12 },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'search', arguments: { query: 'landing sites' } }], tokens: 30 },
      ],
    });
    assert.deepEqual(first.appended.map((a: { seq: number }) => a.seq), [1, 2, 3]);
    const second = await call('sessions.append', { sessionId: s.id, messages: [{ role: 'tool', content: 'Sea of Tranquility: flat, well lit', tokens: 8 }, { role: 'assistant', content: 'Land in the Sea of Tranquility.', tokens: 20 }] });
    assert.deepEqual(second.appended.map((a: { seq: number }) => a.seq), [4, 5], 'seq continues from the last batch');
    assert.deepEqual([second.session.messageCount, second.session.tokensIn, second.session.tokensOut, second.session.version], [5, 20, 50, 3], 'tokens add up: assistant as output, the rest as input');

    const page1 = await call('sessions.get', { id: s.id, limit: 2 });
    const page2 = await call('sessions.get', { id: s.id, limit: 2, offset: 2 });
    assert.equal(page1.total, 5);
    assert.deepEqual([...page1.messages, ...page2.messages].map((m: Message) => `${m.seq}:${m.role}`), ['1:system', '2:user', '3:assistant', '4:tool']);
    assert.deepEqual(page2.messages[0].toolCalls, [{ id: 'c1', name: 'search', arguments: { query: 'landing sites' } }]);
    assert.equal(page1.messages[0].sealedFields, undefined, 'the mark is not shown: secretFields says it');

    const ended = await call('sessions.end', { id: s.id, summary: 'Chose the Sea of Tranquility for its flat ground.', tokensOut: 60 });
    assert.equal(ended.memory, null);
    assert.deepEqual([ended.session.summary, ended.session.tokensIn, ended.session.tokensOut, Boolean(ended.session.endedAt)], ['Chose the Sea of Tranquility for its flat ground.', 20, 60, true], 'given tokens replace the counted ones');
    await rejects(call('sessions.append', { sessionId: s.id, messages: [{ role: 'user', content: 'one more thing' }] }), ErrorCodes.Conflict, /ended at .*start a new one/);
    await rejects(call('sessions.end', { id: s.id }), ErrorCodes.Conflict, /ended at/);
    await rejects(call('sessions.get', { id: 'NOPE' }), ErrorCodes.NotFound, /No session with id NOPE/);
    const elsewhere = (await call('projects.create', { name: 'Elsewhere' })).id;
    await rejects(call('sessions.start', { taskId: task.id, projectId: elsewhere }), ErrorCodes.InvalidOperation, /belongs to project/);

    const ids = (rows: Session[]) => rows.map((r) => r.id);
    assert.deepEqual(ids(await call('sessions.list', {})), [other.id, s.id], 'newest first');
    assert.deepEqual(ids(await call('sessions.list', { agent: 'claude' })), [s.id]);
    assert.deepEqual(ids(await call('sessions.list', { projectId })), [s.id]);
    assert.deepEqual(ids(await call('sessions.list', { taskId: task.id })), [s.id]);
    assert.deepEqual(ids(await call('sessions.list', { open: true })), [other.id]);
    assert.deepEqual(ids(await call('sessions.list', { limit: 1, offset: 1 })), [s.id]);

    const log = await events(s.id);
    assert.deepEqual(log.map((e) => [e.type, e.version]), [['session.started', 1], ['session.messagesAppended', 2], ['session.messagesAppended', 3], ['session.ended', 4]]);
    const appended = log[1]!.data as { count: number; ids: string[]; firstSeq: number; lastSeq: number };
    assert.deepEqual([appended.count, appended.firstSeq, appended.lastSeq, appended.ids], [3, 1, 3, first.appended.map((a: { id: string }) => a.id)]);
    assert.doesNotMatch(JSON.stringify(log[1]!.data), /lunar module/, 'the batch event names the messages, it does not copy them');
    assert.deepEqual(await indexed('tranquility'), [{ kind: 'message', itemId: page2.messages[1].id }, { kind: 'message', itemId: (await call('sessions.get', { id: s.id, offset: 4 })).messages[0].id }, { kind: 'session', itemId: s.id }], 'messages and the summary are searchable');
    assert.deepEqual(await indexed('title : (claude land)'), [{ kind: 'session', itemId: s.id }], "a session's title: its agent and its task");
  });

  it("end with remember keeps the summary as a memory of the session's project in the same transaction; without a summary nothing is written", async () => {
    const s: Session = await call('sessions.start', { agent: 'claude', projectId });
    const before = await store.lastEventSeq();
    await rejects(call('sessions.end', { id: s.id, remember: { type: 'decision' } }), ErrorCodes.InvalidOperation, /remember needs a summary/);
    assert.equal(await store.lastEventSeq(), before, 'nothing written');
    const r = await call('sessions.end', { id: s.id, summary: 'We use spaces for indentation in TypeScript.', remember: { type: 'decision', importance: 0.9 } });
    assert.deepEqual([r.memory.type, r.memory.content, r.memory.importance, r.memory.projectId, r.memory.existing], ['decision', 'We use spaces for indentation in TypeScript.', 0.9, projectId, false]);
    assert.deepEqual((await call('memory.list', { projectId })).map((m: { id: string }) => m.id), [r.memory.id]);
    const log = await listEvents(store.orm, { afterSeq: before, order: 'asc', limit: 10 });
    assert.deepEqual(log.map((e) => e.type), ['memory.created', 'session.ended']);
    assert.equal((log[1]!.data as { memoryId: string }).memoryId, r.memory.id);
  });

  it('refuses content over 1 MB, batches over 1,000 messages or 8 MB, bad tool calls and future times, writing nothing', async () => {
    const s: Session = await call('sessions.start', { agent: 'claude' });
    const before = await store.lastEventSeq();
    const one = (m: object) => call('sessions.append', { sessionId: s.id, messages: [{ role: 'user', content: 'x', ...m }] });
    await rejects(one({ content: 'x'.repeat(1_000_001) }), ErrorCodes.InvalidParams, /content must be at most 1,000,000 characters/);
    await rejects(call('sessions.append', { sessionId: s.id, messages: Array.from({ length: 1001 }, () => ({ role: 'user', content: 'x' })) }), ErrorCodes.InvalidParams, /at most 1000 messages/);
    await rejects(call('sessions.append', { sessionId: s.id, messages: Array.from({ length: 9 }, () => ({ role: 'tool', content: 'y'.repeat(999_999) })) }), ErrorCodes.InvalidOperation, /at most 8,000,000 can be appended at once/);
    await rejects(call('sessions.append', { sessionId: s.id, messages: [] }), ErrorCodes.InvalidParams, /at least one message/);
    await rejects(one({ role: 'robot' }), ErrorCodes.InvalidParams, /role must be one of user, assistant, system, tool/);
    await rejects(one({ toolCalls: [{ arguments: {} }] }), ErrorCodes.InvalidParams, /tool call needs a name/);
    await rejects(one({ toolCalls: { name: 'x' } }), ErrorCodes.InvalidParams, /toolCalls must be a list/);
    await rejects(one({ tokens: -1 }), ErrorCodes.InvalidParams, /tokens must not be negative/);
    await rejects(one({ createdAt: new Date(Date.now() + 86_400_000).toISOString() }), ErrorCodes.InvalidOperation, /is in the future/);
    await rejects(call('sessions.end', { id: s.id, summary: 'z'.repeat(10_001) }), ErrorCodes.InvalidParams, /summary must be at most 10,000 characters/);
    await rejects(call('sessions.prune', { olderThanDays: 0 }), ErrorCodes.InvalidParams, /olderThanDays must be more than 0/);
    assert.equal(await store.lastEventSeq(), before, 'nothing written');
    assert.equal((await call('sessions.get', { id: s.id })).total, 0);
    const big = await one({ content: 'x'.repeat(1_000_000) });
    assert.equal(big.appended.length, 1, 'exactly 1,000,000 characters is kept');
  });

  it('prune removes old messages (the sessions stay), one event per session that the mass-delete guard counts', async () => {
    const a: Session = await call('sessions.start', { agent: 'claude' });
    const b: Session = await call('sessions.start', { agent: 'copilot' });
    await call('sessions.append', { sessionId: a.id, messages: Array.from({ length: 60 }, (_, i) => ({ role: 'user', content: `old ${i}`, createdAt: daysAgo(40) })) });
    await call('sessions.append', { sessionId: a.id, messages: [{ role: 'user', content: 'recent' }] });
    await call('sessions.append', { sessionId: b.id, messages: [{ role: 'assistant', content: 'older still', createdAt: daysAgo(100) }, { role: 'assistant', content: 'a week ago', createdAt: daysAgo(7) }] });
    const seq = await store.lastEventSeq();

    const r = await call('sessions.prune', { olderThanDays: 30 });
    assert.deepEqual([r.removed, r.sessions], [61, 2]);
    const left = await call('sessions.get', { id: a.id });
    assert.deepEqual([left.total, left.session.messageCount, left.messages.map((m: Message) => `${m.seq}:${m.content}`)], [1, 61, ['61:recent']], 'seq and the count of messages ever appended stay');
    assert.deepEqual((await call('sessions.get', { id: b.id })).messages.map((m: Message) => m.content), ['a week ago']);
    assert.deepEqual(await indexed('older'), [], 'pruned messages leave the search index');

    const pruned = await listEvents(store.orm, { afterSeq: seq, order: 'asc', limit: 10 });
    assert.deepEqual(pruned.map((e) => [e.type, e.aggregateId, (e.data as { messages: number }).messages]).sort(), [['session.pruned', a.id, 60], ['session.pruned', b.id, 1]].sort());
    assert.equal(explainedRemovals(pruned.map((e) => ({ type: e.type, data: JSON.stringify(e.data) }))).get('session_messages'), 61, 'the backup guard counts each removal as explained');
    assert.equal(explainedRemovals([{ type: 'memory.expired', data: '{}' }, { type: 'memory.forgotten', data: '{}' }]).get('memories'), 2, 'and memory.prune / forget (retention prunes expired memories too)');
    assert.deepEqual((await call('sessions.prune', { olderThanDays: 30 })).removed, 0, 'nothing more to prune');
  });

  it('secret message and memory content: ciphertext at rest, revealed with the key, locked without it, never in the search index', async () => {
    await rejects(call('sessions.append', { sessionId: (await call('sessions.start', {})).id, secret: true, messages: [{ role: 'user', content: 'x' }] }), ErrorCodes.InvalidOperation, /not set up.*cairn key init/);
    await call('crypto.init', { passphrase: PASS });
    const s: Session = await call('sessions.start', { agent: 'claude', projectId });
    const r = await call('sessions.append', {
      sessionId: s.id,
      messages: [
        { role: 'user', content: 'the staging password is hunter2swordfish', secret: true },
        { role: 'assistant', content: 'noted the staging password' },
      ],
    });
    const raw = await store.conn.all<{ id: string; content: string; sealed_fields: string }>('select id, content, sealed_fields from session_messages order by seq');
    assert.match(raw[0]!.content, /^enc:v1:/);
    assert.equal(raw[0]!.sealed_fields, '["content"]');
    assert.deepEqual([raw[1]!.content, raw[1]!.sealed_fields], ['noted the staging password', '[]']);
    const got = await call('sessions.get', { id: s.id });
    assert.deepEqual([got.messages[0].content, got.messages[0].secretFields], ['the staging password is hunter2swordfish', ['content']]);
    assert.deepEqual(await indexed('hunter2swordfish'), [], 'not searchable');
    assert.deepEqual((await indexed('staging')).map((h) => h.itemId), [r.appended[1].id], 'only the plain message is found');
    const appended = (await events(s.id)).find((e) => e.type === 'session.messagesAppended')!;
    assert.doesNotMatch(JSON.stringify(appended.data), /hunter2/);

    const m = await call('memory.remember', { type: 'fact', content: 'The vault key is in the red binder', secret: true, projectId });
    assert.deepEqual([m.content, m.secretFields], ['The vault key is in the red binder', ['content']]);
    const [rawMemory] = await store.conn.all<{ content: string }>('select content from memories where id = ?', [m.id]);
    assert.match(rawMemory!.content, /^enc:v1:/);
    assert.deepEqual(await indexed('binder'), []);
    const again = await call('memory.remember', { type: 'fact', content: '  the vault key is in the RED binder ', secret: true, projectId });
    assert.deepEqual([again.id, again.existing], [m.id, true], 'a secret memory is compared with the secret ones after decrypting them');
    const plain = await call('memory.remember', { type: 'fact', content: 'The vault key is in the red binder', projectId });
    assert.notEqual(plain.id, m.id, 'a plain memory never matches a secret one (that would change whether it is encrypted)');
    assert.equal(plain.secretFields, undefined);

    await call('crypto.lock');
    const locked = await call('sessions.get', { id: s.id });
    assert.deepEqual([locked.messages[0].content, locked.messages[0].lockedFields, locked.messages[1].content], [LOCKED_TEXT, ['content'], 'noted the staging password']);
    const listed = await call('memory.list', { projectId });
    assert.equal(listed.find((x: { id: string }) => x.id === m.id).content, LOCKED_TEXT);
    await rejects(call('sessions.append', { sessionId: s.id, secret: true, messages: [{ role: 'user', content: 'x' }] }), ErrorCodes.Locked, /store is locked/);
    await rejects(call('memory.remember', { type: 'fact', content: 'another secret', secret: true }), ErrorCodes.Locked, /store is locked/);
    await call('crypto.unlock', { passphrase: PASS });
    assert.equal((await call('sessions.get', { id: s.id })).messages[0].content, 'the staging password is hunter2swordfish');
  });

  it("erasing a project removes its sessions, their messages and every event about them; another project's stay", async () => {
    const s: Session = await call('sessions.start', { agent: 'claude', projectId });
    await call('sessions.append', { sessionId: s.id, messages: [{ role: 'user', content: 'Codename Bluebird' }, { role: 'assistant', content: 'Understood' }] });
    await call('sessions.end', { id: s.id, summary: 'Bluebird briefing', remember: {} });
    const kept: Session = await call('sessions.start', { agent: 'claude' });
    await call('sessions.append', { sessionId: kept.id, messages: [{ role: 'user', content: 'Office closes at six' }] });

    const report = await eraseProject(store, human, projectId);
    assert.deepEqual([report.removed.sessions, report.removed.sessionMessages, report.removed.memories], [1, 2, 1]);
    assert.deepEqual((await call('sessions.list', {})).map((r: Session) => r.id), [kept.id]);
    assert.deepEqual((await events()).map((e) => e.aggregateId), [kept.id, kept.id], 'nothing of the erased session is left in the log');
    assert.deepEqual(await store.conn.all('select id from session_messages where session_id = ?', [s.id]), []);
    assert.deepEqual(await indexed('bluebird'), [], 'nor in the search index');
    const explained = explainedRemovals([{ type: 'project.erased', data: JSON.stringify(report.removed) }]);
    assert.deepEqual([explained.get('agent_sessions'), explained.get('session_messages'), explained.get('memories')], [1, 2, 1], 'the backup guard counts what the erase removed');
  });
});
