// The agents.* methods through invoke (what the RPC server and the CLI both call): validation and the context's folders.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invoke, MethodError, type Context } from '../../src/backend/methods';
import { ErrorCodes } from '../../src/backend/protocol';
import { StoreError } from '../../src/store/errors';
import { cleanupTempDirs, human, openTempStore, tempDir } from '../helpers';

describe('agents.* methods', () => {
  let ctx: Context;
  beforeEach(async () => {
    const dir = tempDir('cairn-agents-');
    fs.writeFileSync(path.join(dir, 'helper.md'), '---\nname: helper\ndescription: Helps.\n---\nHelp.\n');
    ctx = { store: await openTempStore(), who: human, vaultDir: path.join(tempDir(), 'vault'), agentDirs: [dir, path.join(dir, 'absent')] };
  });
  afterEach(async () => {
    await ctx.store?.close();
    cleanupTempDirs();
  });

  const rejects = (method: string, params: unknown, code: number, message: RegExp) =>
    assert.rejects(invoke(ctx, method, params), (err: unknown) => err instanceof MethodError && err.code === code && message.test(err.message));

  it('indexes the context folders, lists, lints, records and lists runs; the log filters on agents', async () => {
    const report = (await invoke(ctx, 'agents.index', {})) as { agents: number; dirs: { exists: boolean }[] };
    assert.deepEqual([report.agents, report.dirs.map((d) => d.exists)], [1, [true, false]]);
    assert.deepEqual(((await invoke(ctx, 'agents.list', {})) as { name: string }[]).map((a) => a.name), ['helper']);
    assert.deepEqual((await invoke(ctx, 'agents.lint', {})) as { counts: unknown }, { files: [{ path: path.join(ctx.agentDirs[0]!, 'helper.md'), name: 'helper', diagnostics: [] }], counts: { error: 0, warning: 0, info: 0 } });
    const run = (await invoke(ctx, 'agents.recordRun', { agent: 'helper', outcome: 'success', tokensIn: 5, actor: 'bot' })) as { id: string };
    assert.deepEqual(((await invoke(ctx, 'agents.runs', { agent: 'helper' })) as { id: string }[]).map((r) => r.id), [run.id]);
    const events = (await invoke(ctx, 'events.list', { aggregateType: 'agents' })) as { type: string; actor: string }[];
    assert.deepEqual(events.map((e) => [e.type, e.actor]), [['agent_run.recorded', 'bot'], ['agents.indexed', 'tester']]);
  });

  it('rejects bad params with one actionable line', async () => {
    await rejects('agents.recordRun', { agent: 'helper' }, ErrorCodes.InvalidParams, /outcome: outcome must be one of success, failure, partial, cancelled/);
    await rejects('agents.recordRun', { agent: 'helper', outcome: 'success', qualityScore: 1.2 }, ErrorCodes.InvalidParams, /qualityScore: qualityScore is between 0 and 1/);
    await rejects('agents.recordRun', { agent: 'helper', outcome: 'success', tokensIn: 1.5 }, ErrorCodes.InvalidParams, /tokensIn: tokensIn must be a whole number/);
    await rejects('agents.recordRun', { agent: ' ', outcome: 'success' }, ErrorCodes.InvalidParams, /agent: agent must not be empty/);
    await rejects('agents.recordRun', { agent: 'helper', outcome: 'success', taskId: 'NOPE' }, ErrorCodes.NotFound, /No task with id NOPE/);
    await rejects('agents.list', { verbose: true }, ErrorCodes.InvalidParams, /unknown field "verbose"/);
    await rejects('agents.runs', { limit: 0 }, ErrorCodes.InvalidParams, /limit/);
  });

  it('agents.mcpServers needs no store: it answers when the store could not be opened, where other methods say why', async () => {
    const ws = tempDir('cairn-agents-ws-');
    fs.writeFileSync(path.join(ws, '.mcp.json'), JSON.stringify({ mcpServers: { here: { type: 'http', url: 'https://h.example.com/mcp' } } }));
    await ctx.store?.close();
    const noStore: Context = { ...ctx, store: null, storeError: new StoreError('store_unavailable', 'There is no Cairn store here.') };
    const r = (await invoke(noStore, 'agents.mcpServers', { workspaceFolder: ws, home: tempDir('cairn-agents-home-'), registryPaths: ['registry.json'] })) as { servers: { name: string }[]; files: { path: string; state: string }[] };
    assert.deepEqual(r.servers.map((s) => s.name), ['here']);
    assert.deepEqual(r.files.at(-1), { path: path.join(ws, 'registry.json'), source: 'registry', state: 'missing', servers: 0 }, 'a relative registry path is from the workspace folder');
    await assert.rejects(invoke(noStore, 'agents.list', {}), (err: unknown) => err instanceof MethodError && /There is no Cairn store here/.test(err.message));
    ctx.store = null;
    await rejects('agents.mcpServers', { registryPaths: 'a.json' }, ErrorCodes.InvalidParams, /registryPaths: registryPaths must be a list of file paths/);
    await rejects('agents.mcpServers', { workspaceFolder: 'a\u0000b' }, ErrorCodes.InvalidParams, /workspaceFolder must not contain a NUL byte/);
    await rejects('agents.mcpServers', { secrets: true }, ErrorCodes.InvalidParams, /unknown field "secrets"/);
  });
});
