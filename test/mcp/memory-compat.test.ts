// A script written for the MCP memory server (@modelcontextprotocol/server-memory: the same calls, the same
// expected answers) passes against that server and against `cairn mcp`, in one test: a prompt or an agent written
// for it works unchanged on Cairn. Lists are compared without their order (the memory server keeps insertion order,
// Cairn sorts by name) and read_graph by its entities and relations (Cairn's pages add offset, total, nextOffset).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, tempDir } from '../helpers';
import { connect, connectTo, type Connected } from './client';

const MEMORY_SERVER = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');

interface Step {
  tool: string;
  args: Record<string, unknown>;
  /** The answer's text parsed as JSON (or the text itself), and whether it is an error (a pattern for error text). */
  expect: unknown;
  isError?: RegExp;
}

const alice = { name: 'Alice', entityType: 'person', observations: ['likes tea'] };
const bob = { name: 'Bob', entityType: 'person', observations: [] };
const knows = { from: 'Alice', to: 'Bob', relationType: 'knows' };
const worksWith = { from: 'Bob', to: 'Carol', relationType: 'works_with' };
const carol = { name: 'Carol', entityType: 'person', observations: ['writes Rust'] };

const SCRIPT: Step[] = [
  { tool: 'read_graph', args: {}, expect: { entities: [], relations: [] } },
  { tool: 'create_entities', args: { entities: [alice, bob] }, expect: [alice, bob] },
  { tool: 'create_entities', args: { entities: [{ name: 'Alice', entityType: 'robot', observations: [] }, carol] }, expect: [carol] },
  { tool: 'create_relations', args: { relations: [knows, worksWith] }, expect: [knows, worksWith] },
  { tool: 'create_relations', args: { relations: [knows] }, expect: [] },
  { tool: 'add_observations', args: { observations: [{ entityName: 'Alice', contents: ['works at Acme', 'likes tea'] }] }, expect: [{ entityName: 'Alice', addedObservations: ['works at Acme'] }] },
  { tool: 'add_observations', args: { observations: [{ entityName: 'Nobody', contents: ['x'] }] }, expect: null, isError: /Entity with name Nobody not found/ },
  { tool: 'search_nodes', args: { query: 'TEA' }, expect: { entities: [{ ...alice, observations: ['likes tea', 'works at Acme'] }], relations: [knows] } },
  { tool: 'search_nodes', args: { query: 'rust' }, expect: { entities: [carol], relations: [worksWith] } },
  { tool: 'open_nodes', args: { names: ['Bob', 'Nobody'] }, expect: { entities: [bob], relations: [knows, worksWith] } },
  { tool: 'delete_observations', args: { deletions: [{ entityName: 'Alice', observations: ['likes tea', 'never said'] }] }, expect: 'Observations deleted successfully' },
  { tool: 'delete_relations', args: { relations: [worksWith, { from: 'X', to: 'Y', relationType: 'z' }] }, expect: 'Relations deleted successfully' },
  { tool: 'delete_entities', args: { entityNames: ['Bob', 'Nobody'] }, expect: 'Entities deleted successfully' },
  { tool: 'read_graph', args: {}, expect: { entities: [{ ...alice, observations: ['works at Acme'] }, carol], relations: [] } },
];

const sorted = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sorted).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('entities' in o && 'relations' in o) return { entities: sorted(o.entities), relations: sorted(o.relations) };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, k === 'observations' ? x : sorted(x)]));
  }
  return v;
};

async function runScript(server: Connected): Promise<void> {
  for (const [i, step] of SCRIPT.entries()) {
    const r = await server.call(step.tool, step.args);
    const where = `step ${i + 1} (${step.tool})`;
    if (step.isError) {
      assert.equal(r.isError, true, `${where}: an error`);
      assert.match(r.text, step.isError, where);
      continue;
    }
    assert.equal(r.isError, false, `${where}: ${r.text}`);
    const value = typeof step.expect === 'string' ? r.text : JSON.parse(r.text);
    assert.deepEqual(sorted(value), sorted(step.expect), where);
  }
}

describe('a script written for the MCP memory server', function () {
  before(requireBuilt);
  afterEach(cleanupTempDirs);

  it('passes against @modelcontextprotocol/server-memory and against cairn mcp', async () => {
    const memory = await connectTo(MEMORY_SERVER, [], { env: { MEMORY_FILE_PATH: path.join(tempDir('cairn-memory-'), 'memory.jsonl') } });
    try {
      await runScript(memory);
    } finally {
      await memory.close();
    }
    const store = path.join(tempDir('cairn-mcp-'), 'store');
    assert.equal(cli(['--store', store, 'init']).status, 0);
    const cairn = await connect(['--store', store, 'mcp']);
    try {
      await runScript(cairn);
    } finally {
      await cairn.close();
    }
  });
});
