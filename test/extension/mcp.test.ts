// Cairn's MCP server as VS Code sees it: registered through the MCP API (VS Code 1.101+) for the open store, and the
// server that definition starts, driven by a real MCP client from inside the extension host: its writes reach the
// store the extension shows, recorded as the client, as an agent.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { StoreEvent } from '../../src/store/events';
import type { KnowledgeGraph } from '../../src/store/graph/graph';

describe('MCP server in VS Code', function () {
  let api: CairnApi;
  before(async () => {
    api = await vscode.extensions.getExtension<CairnApi>('cairn.cairn')!.activate();
    await api.whenReady();
  });

  it('registers the server for the open store, and the server it defines serves that store', async () => {
    assert.equal(api.mcpRegistered, true, 'this VS Code has the MCP API: the server is registered');
    const launch = api.mcpLaunch();
    assert.equal(launch.label, 'Cairn');
    assert.deepEqual(launch.args.slice(1, 5), ['--store', api.storeDir, '--vault', api.vaultDir]);
    assert.equal(launch.args.at(-1), 'mcp');
    assert.equal(launch.env.MALLOC_ARENA_MAX, '2', 'started with the memory settings the backend has (src/backend/processMemory.ts)');

    const transport = new StdioClientTransport({ command: launch.command, args: launch.args, env: { ...process.env, ...launch.env } as Record<string, string>, stderr: 'pipe' });
    const client = new Client({ name: 'copilot-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'search_nodes'));
      const r = await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'VS Code MCP', entityType: 'test', observations: ['made by an agent in VS Code'] }] } });
      assert.notEqual(r.isError, true, JSON.stringify(r));
    } finally {
      await client.close();
    }
    const graph = await api.request<'graph.search', KnowledgeGraph>('graph.search', { query: 'VS Code MCP' });
    assert.deepEqual(graph.entities.map((e) => e.name), ['VS Code MCP']);
    const [event] = await api.request<'events.list', StoreEvent[]>('events.list', { aggregateType: 'graph', limit: 1 });
    assert.deepEqual([event!.actor, event!.source], ['copilot-test', 'agent']);
    await api.request('graph.deleteEntities', { entityNames: ['VS Code MCP'] });
  });
});
