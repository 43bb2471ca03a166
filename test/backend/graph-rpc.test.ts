// The graph methods as a JSON-RPC client in another language would use them: MCP-memory-style writes, reads,
// and the graph queries over notes and entities together, with errors for what does not exist.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { cleanupTempDirs, requireBuilt, startBackend, tempDir, type Backend } from '../helpers';
import { waitFor } from '../waitFor';

describe('backend JSON-RPC: graph.*', () => {
  let b: Backend;
  let vault: string;
  before(requireBuilt);
  beforeEach(async () => {
    vault = path.join(tempDir(), 'vault');
    fs.mkdirSync(vault, { recursive: true });
    fs.writeFileSync(path.join(vault, 'Launch.md'), '# Launch\nNeeds [[Rocket]].\n');
    fs.writeFileSync(path.join(vault, 'Rocket.md'), '# Rocket\nBuilt by the team.\n');
    b = startBackend(path.join(tempDir(), 'store'), ['--vault', vault, '--no-watch-vault', '--actor', 'graph-rpc']);
    await b.rpc.sendRequest('knowledge.index', {});
  });
  afterEach(async () => {
    await b.stop();
    cleanupTempDirs();
  });

  it('creates entities, relations and observations, and answers neighbours, path and most-connected', async () => {
    const created = await b.rpc.sendRequest<{ name: string }[]>('graph.createEntities', {
      entities: [
        { name: 'Ada', entityType: 'person', observations: ['flies the rocket'] },
        { name: 'Apollo team', entityType: 'team' },
      ],
    });
    assert.deepEqual(created.map((e) => e.name), ['Ada', 'Apollo team']);
    const again = await b.rpc.sendRequest<unknown[]>('graph.createEntities', { entities: [{ name: 'Ada', entityType: 'person' }] });
    assert.deepEqual(again, [], 'an existing name is skipped');
    await b.rpc.sendRequest('graph.createRelations', {
      relations: [
        { from: 'Ada', to: 'Apollo team', relationType: 'member_of' },
        { from: 'Apollo team', to: 'Rocket.md', relationType: 'builds' },
        { from: 'Ada', to: 'Rocket.md', relationType: 'flies' },
      ],
    });
    const added = await b.rpc.sendRequest<{ entityName: string; addedObservations: string[] }[]>('graph.addObservations', {
      observations: [{ entityName: 'Ada', contents: ['flies the rocket', 'trained in 1969'] }],
    });
    assert.deepEqual(added, [{ entityName: 'Ada', addedObservations: ['trained in 1969'] }]);

    const around = await b.rpc.sendRequest<{ nodes: { name: string; distance: number }[] }>('graph.neighbours', { node: 'Launch', depth: 2 });
    const byName = Object.fromEntries(around.nodes.map((n) => [n.name, n.distance]));
    assert.deepEqual([byName['Launch.md'], byName['Rocket.md'], byName['Apollo team'], byName['Ada']], [0, 1, 2, 2], 'note links and entity relations are one graph');
    const route = await b.rpc.sendRequest<{ length: number; nodes: { name: string }[] } | null>('graph.path', { from: 'Apollo team', to: 'Launch.md' });
    assert.deepEqual(route?.nodes.map((n) => n.name), ['Apollo team', 'Rocket.md', 'Launch.md']);
    assert.equal(await b.rpc.sendRequest('graph.path', { from: 'Launch.md', to: 'Launch.md', maxDepth: 1 }).then((r) => (r as { length: number } | null)?.length ?? null), 0);
    const top = await b.rpc.sendRequest<{ name: string; degree: number }[]>('graph.mostConnected', { limit: 1 });
    assert.equal(top[0]!.name, 'Rocket.md');
    const found = await b.rpc.sendRequest<{ entities: { name: string }[] }>('graph.search', { query: '1969' });
    assert.deepEqual(found.entities.map((e) => e.name), ['Ada']);
    await waitFor('store.changed for graph writes', () => b.changes.some((c) => c.aggregates?.some((a) => a.type === 'graph')));
  });

  it('answers unknown nodes and bad params with JSON-RPC errors, changing nothing', async () => {
    await assert.rejects(b.rpc.sendRequest('graph.addObservations', { observations: [{ entityName: 'Nobody', contents: ['x'] }] }), (e: unknown) => e instanceof ResponseError && e.code === -32001);
    await assert.rejects(b.rpc.sendRequest('graph.neighbours', { node: 'Nowhere' }), (e: unknown) => e instanceof ResponseError && e.code === -32001);
    await assert.rejects(b.rpc.sendRequest('graph.neighbours', { node: 'Rocket', depth: 99 }), (e: unknown) => e instanceof ResponseError && e.code === -32602 && /depth/.test(e.message));
    await assert.rejects(b.rpc.sendRequest('graph.createEntities', { entities: [] }), (e: unknown) => e instanceof ResponseError && e.code === -32602 && /entities must not be empty/.test(e.message));
    const page = await b.rpc.sendRequest<{ entities: unknown[]; relations: unknown[] }>('graph.read', {});
    assert.deepEqual(page.relations.filter((r) => (r as { relationType: string }).relationType !== 'links_to'), []);
  });
});
