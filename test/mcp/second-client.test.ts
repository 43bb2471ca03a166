// `cairn mcp` through a second, independent MCP client: the MCP Inspector's CLI (@modelcontextprotocol/inspector-cli),
// which spawns the server itself, once per call, and prints the raw result as JSON.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CLI, cleanupTempDirs, cli, requireBuilt, tempDir } from '../helpers';

const INSPECTOR = require.resolve('@modelcontextprotocol/inspector-cli/build/index.js');

describe('cairn mcp through the MCP Inspector CLI', function () {
  let store: string;
  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir('cairn-inspector-'), 'store');
    assert.equal(cli(['--store', store, 'init']).status, 0);
  });
  afterEach(cleanupTempDirs);

  const inspect = (...args: string[]) => {
    // It finds its own package.json relative to the working folder: run it from its build folder.
    const r = spawnSync(process.execPath, [INSPECTOR, process.execPath, CLI, 'mcp', ...args], { cwd: path.dirname(INSPECTOR), env: { ...process.env, CAIRN_STORE: store }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  it('lists the tools, calls them (a write recorded as the inspector, as an agent), lists resource templates; bad arguments are a tool error', () => {
    const { tools } = inspect('--method', 'tools/list') as { tools: { name: string; inputSchema: { type: string } }[] };
    assert.ok(tools.some((t) => t.name === 'create_entities') && tools.every((t) => t.inputSchema.type === 'object'));
    const created = inspect('--method', 'tools/call', '--tool-name', 'create_entities', '--tool-arg', 'entities=[{"name":"Alice","entityType":"person","observations":["likes tea"]}]');
    assert.deepEqual(created.structuredContent, { entities: [{ name: 'Alice', entityType: 'person', observations: ['likes tea'] }] });
    const found = inspect('--method', 'tools/call', '--tool-name', 'search_nodes', '--tool-arg', 'query="tea"');
    assert.deepEqual(JSON.parse(found.content[0].text).entities.map((e: { name: string }) => e.name), ['Alice']);
    const bad = inspect('--method', 'tools/call', '--tool-name', 'search_nodes', '--tool-arg', 'query=5');
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /Invalid arguments for search_nodes: query: query must be a string/);
    const { resourceTemplates } = inspect('--method', 'resources/templates/list') as { resourceTemplates: { uriTemplate: string }[] };
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['cairn://note/{path}', 'cairn://task/{id}']);
    const [event] = JSON.parse(cli(['--store', store, '--json', 'log', '--limit', '1']).stdout) as { actor: string; source: string }[];
    assert.deepEqual([event!.actor, event!.source], ['inspector-cli', 'agent']);
  });
});
