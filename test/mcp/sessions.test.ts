// Sessions through `cairn mcp` and the MCP SDK's own client over stdio: the session tools are in the standard and all
// profiles (not core, which stays within 10 tools and 3,000 tokens of definitions), an agent logs a session and
// ends it with a memory, every write is recorded as the client, and bad input is a tool error that writes nothing.
import * as assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer';
import { cleanupTempDirs, cliWith, requireBuilt, tempDir } from '../helpers';
import { connect, type Connected } from './client';
import * as path from 'node:path';

const SESSION_TOOLS = ['session_start', 'session_append', 'session_end', 'session_list', 'session_get'];

describe('cairn mcp: sessions (MCP SDK client over stdio)', function () {
  this.timeout(120_000);
  let store: string;
  let mcp: Connected;
  let projectId: string;
  const { ok: run } = cliWith(() => ['--store', store]);

  before(requireBuilt);
  beforeEach(async () => {
    store = path.join(tempDir(), 'store');
    run('init');
    projectId = JSON.parse(run('--json', 'project', 'add', 'Moonshot')).id;
    mcp = await connect(['--store', store, 'mcp'], { name: 'claude-code' });
  });
  afterEach(async () => {
    await mcp?.close();
    cleanupTempDirs();
  });

  it('standard and all offer the session tools, core does not and stays within 10 tools and 3,000 tokens', async () => {
    const tools = async (profile: string) => {
      const c = await connect(['--store', store, 'mcp', '--profile', profile]);
      try {
        return (await c.client.listTools()).tools;
      } finally {
        await c.close();
      }
    };
    const core = await tools('core');
    const standard = (await mcp.client.listTools()).tools;
    const all = await tools('all');
    assert.ok(core.length <= 10 && countTokens(JSON.stringify(core)) <= 3000, `core: ${core.length} tools, ${countTokens(JSON.stringify(core))} tokens`);
    assert.ok(!core.some((t) => t.name.startsWith('session')));
    for (const name of SESSION_TOOLS) {
      assert.ok(standard.some((t) => t.name === name), `standard offers ${name}`);
      assert.ok(all.some((t) => t.name === name), `all offers ${name}`);
    }
    assert.ok(all.some((t) => t.name === 'sessions_prune') && !standard.some((t) => t.name === 'sessions_prune'), 'prune (retention) only in all');
    const defs = standard.filter((t) => SESSION_TOOLS.includes(t.name));
    assert.ok(countTokens(JSON.stringify(defs)) <= 1500, `the five session tools cost ${countTokens(JSON.stringify(defs))} tokens`);
    const readOnly = await (async () => {
      const c = await connect(['--store', store, 'mcp', '--read-only']);
      try {
        return (await c.client.listTools()).tools.map((t) => t.name);
      } finally {
        await c.close();
      }
    })();
    assert.deepEqual(SESSION_TOOLS.filter((t) => readOnly.includes(t)), ['session_list', 'session_get'], 'read-only: only the tools that read');
  });

  it('an agent logs a session and ends it with a memory; the agent and every event are the client', async () => {
    const s = await mcp.ok<{ id: string; agent: string; projectId: string }>('session_start', { projectId });
    assert.deepEqual([s.agent, s.projectId], ['claude-code', projectId], 'agent defaults to the client name');
    const appended = await mcp.ok<{ appended: { seq: number }[] }>('session_append', {
      sessionId: s.id,
      messages: [
        { role: 'user', content: 'Which rocket do we use?', tokens: 7 },
        { role: 'assistant', content: 'The Saturn V.', toolCalls: [{ name: 'search', arguments: { query: 'rockets' } }], tokens: 12 },
      ],
    });
    assert.deepEqual(appended.appended.map((a) => a.seq), [1, 2]);
    const ended = await mcp.ok<{ session: { endedAt: string; tokensIn: number; tokensOut: number }; memory: { id: string; type: string; projectId: string } }>('session_end', {
      id: s.id,
      summary: 'We fly the Saturn V.',
      remember: { type: 'decision' },
    });
    assert.deepEqual([Boolean(ended.session.endedAt), ended.session.tokensIn, ended.session.tokensOut, ended.memory.type, ended.memory.projectId], [true, 7, 12, 'decision', projectId]);
    const got = await mcp.ok<{ messages: { role: string; content: string; toolCalls: unknown }[]; total: number }>('session_get', { id: s.id });
    assert.deepEqual([got.total, got.messages.map((m) => m.content)], [2, ['Which rocket do we use?', 'The Saturn V.']]);
    assert.deepEqual(got.messages[1]!.toolCalls, [{ name: 'search', arguments: { query: 'rockets' } }]);
    assert.deepEqual((await mcp.ok<{ id: string }[]>('session_list', { agent: 'claude-code' })).map((x) => x.id), [s.id]);
    const late = await mcp.call('session_append', { sessionId: s.id, messages: [{ role: 'user', content: 'one more' }] });
    assert.equal(late.isError, true);
    assert.match(late.text, /ended at .*start a new one/);

    const events = JSON.parse(run('--json', 'log', '--type', 'session')) as { type: string; actor: string; source: string }[];
    assert.deepEqual(events.map((e) => `${e.type} ${e.actor}/${e.source}`), ['session.ended claude-code/agent', 'session.messagesAppended claude-code/agent', 'session.started claude-code/agent']);
    assert.match(run('memory', 'list', '--project', projectId), /decision.*We fly the Saturn V\./);
  });

  it('bad input is a tool error an agent can act on, nothing is written, and actor is not an argument', async () => {
    const s = await mcp.ok<{ id: string }>('session_start', {});
    const before = run('--json', 'log', '--limit', '1');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['session_append', { sessionId: s.id, messages: [{ role: 'robot', content: 'x' }] }, /Invalid arguments for session_append: messages\.0\.role: role must be one of user, assistant, system, tool/],
      ['session_append', { sessionId: s.id, messages: [{ role: 'user', content: 'x'.repeat(1_000_001) }] }, /content must be at most 1,000,000 characters/],
      ['session_append', { sessionId: s.id, messages: [{ role: 'user', content: 'x', toolCalls: [{ arguments: 1 }] }] }, /tool call needs a name/],
      ['session_append', { sessionId: 'NOPE', messages: [{ role: 'user', content: 'x' }] }, /No session with id NOPE/],
      ['session_end', { id: s.id, remember: { type: 'decision' } }, /remember needs a summary/],
      ['session_get', { id: s.id, limit: 5000 }, /limit must be a whole number from 1 to 1000/],
      ['session_start', { agent: 'claude', actor: 'someone-else' }, /actor is not an argument/],
    ];
    for (const [tool, args, message] of cases) {
      const r = await mcp.call(tool, args);
      assert.equal(r.isError, true, `${tool}: ${r.text.slice(0, 200)}`);
      assert.match(r.text, message);
      assert.doesNotMatch(r.text, /\n\s+at |SQLITE/);
    }
    assert.equal(run('--json', 'log', '--limit', '1'), before, 'nothing written');
    assert.equal((await mcp.ok<unknown[]>('session_list', {})).length, 1, 'still serving');
  });
});
