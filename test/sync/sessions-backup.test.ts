// Sessions, messages and secret memories in backups (real stores, real git repositories): a backup → restore round
// trip brings them back as they were (secret content still ciphertext, still opening with the key); retention's
// removals are taken as meant while the same removals without their events are a mass deletion; a backup whose
// session rows no write could have made is refused by file, line and column, and nothing changes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoreError } from '../../src/store/errors';
import { runBackup } from '../../src/sync/backup';
import { DB_DIR } from '../../src/sync/layout';
import { runRestore } from '../../src/sync/restore';
import { opened, openCaller, PASS, type Call } from '../store/crypto/calls';
import { human, requireBuilt, tempDir } from '../helpers';
import { canonicalDump, closeClones, contentOf, envOf, syncedPair, tamper } from './fixtures';
import { eraseProject } from '../../src/store/erase';
import { remember } from '../../src/store/memory';
import { createProject } from '../../src/store/projects';
import { appendMessages, listSessions, startSession } from '../../src/store/sessions';
import { runSync } from '../../src/sync/sync';

type Row = Record<string, unknown>;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describe('backup and restore: sessions, messages, secret content', function () {
  this.timeout(300_000);
  let dir: string;
  let call: Call;
  before(requireBuilt);
  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    call = await openCaller(dir);
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await closeClones();
  });
  const store = () => opened.at(-1)!;
  const env = () => envOf(store(), path.join(dir, 'vault'));

  /** A project with an ended session (a secret message among them), an open one with old messages, a secret memory. */
  async function fill(oldMessages: number): Promise<{ ended: string; open: string; memory: string }> {
    await call('crypto.init', { passphrase: PASS });
    const projectId = (await call('projects.create', { name: 'Moonshot' })).id;
    const ended = (await call('sessions.start', { agent: 'claude', projectId })).id;
    await call('sessions.append', {
      sessionId: ended,
      messages: [
        { role: 'user', content: 'The hatch code is nine four two one', secret: true },
        { role: 'assistant', content: 'Noted.', toolCalls: [{ id: 'c1', name: 'remember', arguments: { type: 'fact' }, result: { ok: true } }], tokens: 9 },
      ],
    });
    await call('sessions.end', { id: ended, summary: 'Stored the hatch code.', remember: { type: 'context' } });
    const open = (await call('sessions.start', { agent: 'copilot' })).id;
    await call('sessions.append', { sessionId: open, messages: Array.from({ length: oldMessages }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `old message ${i}`, createdAt: daysAgo(90) })) });
    const memory = (await call('memory.remember', { type: 'fact', content: 'The spare key is under the mat', secret: true })).id;
    return { ended, open, memory };
  }

  it('a backup → restore round trip brings sessions, messages and secret memories back as they were', async () => {
    const { ended, open, memory } = await fill(3);
    const base = (await runBackup(env(), {})).commit!;
    const before = await canonicalDump(store());
    assert.ok(before.tables.agent_sessions!.length === 2 && before.tables.session_messages!.length === 5, 'both tables are in the backup');
    const shard = fs.readdirSync(path.join(dir, 'backup', DB_DIR, 'session_messages')).map((f) => fs.readFileSync(path.join(dir, 'backup', DB_DIR, 'session_messages', f), 'utf8')).join('');
    assert.match(shard, /"content":"enc:v1:/);
    assert.doesNotMatch(shard, /hatch code is/, 'secret content is ciphertext in the backup');

    await call('sessions.prune', { olderThanDays: 30 });
    await call('sessions.append', { sessionId: open, messages: [{ role: 'user', content: 'after the backup' }] });
    await call('memory.forget', { id: memory });
    await runRestore(env(), {}, base);

    const after = await canonicalDump(store());
    const { events: _later, ...rows } = contentOf(after.tables);
    const { events: _earlier, ...wanted } = contentOf(before.tables);
    assert.deepEqual(rows, wanted, 'every row as it was (versions move past the changes; the log keeps what happened since)');
    const got = await call('sessions.get', { id: ended });
    assert.deepEqual([got.messages[0].content, got.messages[0].secretFields, got.messages[1].toolCalls], ['The hatch code is nine four two one', ['content'], [{ id: 'c1', name: 'remember', arguments: { type: 'fact' }, result: { ok: true } }]]);
    assert.deepEqual((await call('sessions.get', { id: open })).messages.map((m: { content: string }) => m.content), ['old message 0', 'old message 1', 'old message 2']);
    assert.equal((await call('memory.list', {})).find((m: { id: string }) => m.id === memory).content, 'The spare key is under the mat');
    const hits = await store().conn.all(`select 1 from search_items_fts where search_items_fts match 'hatch'`);
    assert.equal(hits.length, 2, 'the restored rows are indexed again (the summary and its memory), the secret message is not');
  });

  it("retention's removals are backed up as meant; the same removals without their events are a mass deletion", async () => {
    const { open } = await fill(60);
    await runBackup(env(), {});
    const r = await call('sessions.prune', { olderThanDays: 30 });
    assert.equal(r.removed, 60);
    const pruned = await runBackup(env(), {});
    assert.ok(pruned.commit, 'the prune is backed up');

    await call('sessions.append', { sessionId: open, messages: Array.from({ length: 60 }, (_, i) => ({ role: 'user', content: `again ${i}` })) });
    await runBackup(env(), {});
    await store().conn.run('delete from session_messages where session_id = ?', [open]); // as a damaged or emptied table would
    await assert.rejects(runBackup(env(), {}), (e: StoreError) => {
      assert.equal(e.kind, 'mass_delete');
      assert.match(e.message, /would remove 60 of the 6\d session_messages/);
      return true;
    });
  });

  it('a backup with session rows no write could have made is refused by file, line and column; nothing changes', async () => {
    await fill(2);
    const base = (await runBackup(env(), {})).commit!;
    const before = await canonicalDump(store());
    const repo = path.join(dir, 'backup');
    const bad: [string, string, (r: Row) => Row, ((r: Row) => boolean)?][] = [
      ['session_messages', 'role', (r) => ({ ...r, role: 'robot' })],
      ['session_messages', 'content', (r) => ({ ...r, content: 'x'.repeat(1_000_001) })],
      ['session_messages', 'content', (r) => ({ ...r, content: `enc:v1:${'A'.repeat(4_100_000)}` })],
      ['session_messages', 'tool_calls', (r) => ({ ...r, tool_calls: '{"name":"not a list"}' })],
      ['session_messages', 'seq', (r) => ({ ...r, seq: 0 })],
      ['session_messages', 'sealed_fields', (r) => ({ ...r, sealed_fields: '["title"]' })],
      ['agent_sessions', 'agent', (r) => ({ ...r, agent: 'two\nlines' })],
      ['agent_sessions', 'message_count', (r) => ({ ...r, message_count: -1 })],
      ['agent_sessions', 'summary', (r) => ({ ...r, summary: 'z'.repeat(10_001) })],
      ['memories', 'sealed_fields', (r) => ({ ...r, sealed_fields: 'content' })],
      ['memories', 'content', (r) => ({ ...r, content: `enc:v1:${'A'.repeat(100_000)}` })],
    ];
    for (const [table, column, edit] of bad) {
      const t = tamper(repo, base, table, edit);
      await assert.rejects(runRestore(env(), {}, t.commit), (e: StoreError) => {
        assert.equal(e.kind, 'corrupt', e.message);
        assert.ok(e.message.startsWith(`${t.rel} line ${t.line} is not a valid ${table} row (${column}`), `${table}.${column}: ${e.message.slice(0, 300)}`);
        assert.doesNotMatch(e.message, /SQLITE|constraint|\n\s+at /);
        return true;
      });
      assert.deepEqual((await canonicalDump(store())).tables, before.tables, `nothing changed (${table}.${column})`);
    }
  });

  it("a project erased on one machine takes its sessions, messages and memories with it on the other, which had added to them meanwhile", async () => {
    const { a, b } = await syncedPair(2);
    const project = await a.store.write((orm) => createProject(orm, human, { name: 'Bluebird' }));
    const session = await a.store.write((orm) => startSession(orm, human, { agent: 'claude', projectId: project.id }));
    await a.store.write((orm) => appendMessages(orm, human, session.id, [{ role: 'user', content: 'Codename Bluebird' }]));
    await runSync(a.env, {});
    await runSync(b.env, {});
    assert.equal((await b.store.read((orm) => listSessions(orm, { projectId: project.id, limit: 10, offset: 0 }))).length, 1);

    // B, not knowing of the erase, goes on with the session and remembers something of the project.
    await b.store.write((orm) => appendMessages(orm, human, session.id, Array.from({ length: 60 }, (_, i) => ({ role: 'assistant' as const, content: `B-NOTE-${i}` }))));
    await b.store.write((orm) => remember(orm, human, { type: 'fact', content: 'B-MEMORY-quux', projectId: project.id }));
    await eraseProject(a.store, human, project.id);
    assert.equal((await runSync(a.env, {})).status, 'pushed');
    const merged = await runSync(b.env, {});
    assert.equal(merged.status, 'merged', 'not refused as a mass deletion: the erase explains it');
    assert.deepEqual(merged.erased.projects, [project.id]);
    // B's 60 messages are dropped by the merge; the one A had, A's erase removed.
    assert.ok(merged.erased.rows.session_messages === 60 && merged.erased.rows.agent_sessions === 1 && merged.erased.rows.memories === 1, JSON.stringify(merged.erased.rows));
    const bDump = await canonicalDump(b.store);
    for (const text of [session.id, 'B-NOTE-', 'B-MEMORY-quux']) assert.ok(!JSON.stringify(bDump.tables).includes(text), `B holds nothing of ${text}`);
    await runSync(a.env, {});
    assert.deepEqual((await canonicalDump(a.store)).tables, bDump.tables, 'both converge');
  });
});
