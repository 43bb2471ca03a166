// cairn mcp side by side with @modelcontextprotocol/server-memory (the MCP memory server), both driven by the MCP
// SDK's Client over stdio in the same run:
//   - 10,000 entities with 3 observations each, created in batches of 100 (entities/s);
//   - search_nodes p50/p95 at 10,000 entities (the same queries; the hit counts are compared);
//   - read_graph: answer size (characters and real tokens) and time (the memory server answers the whole graph,
//     Cairn a page within its token budget);
//   - 2 and 4 processes creating entities at once, one call each: how many of the writes each server acknowledged
//     are still there afterwards;
//   - tools/call round trips on Cairn (task_create, task_list, task_next, task_claim, search on the Foam vault)
//     against a request that does no work (tools/list) on the same connection;
//   - build_context's answer at depths 1–3 against its token budget (real tokens);
//   - the token size of each profile's tool definitions (gpt-tokenizer, o200k) against the memory server's nine.
// Run with `npm run bench -- mcp`. Env: BENCH_ENTITIES (10000), BENCH_QUERIES (200), CAIRN_BENCH_OUT; BENCH_MCP_GRAPH_ONLY=1
// measures only the graph part (creates, search_nodes, read_graph); BENCH_MCP_MAX_TOKENS (1,000,000) is the budget of
// the Cairn server that is compared with the memory server; BENCH_MCP_CPU_PROF=<dir> profiles the Cairn servers.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { estimateTokens } from '../src/backend/mcp/budget';
import { prng, round, stats } from './stats';
import { ROOT, runBench, writeResult } from './output';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const MEMORY_SERVER = path.join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
const FOAM_VAULT = path.join(ROOT, 'test', 'fixtures', 'foam-docs-vault');
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 10_000);
const BATCH = 100;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const RACE_WRITES = 50;
const GRAPH_ONLY = process.env.BENCH_MCP_GRAPH_ONLY === '1';

interface Server {
  client: Client;
  call: (name: string, args: Record<string, unknown>) => Promise<{ text: string; ms: number }>;
  close: () => Promise<void>;
}

async function start(script: string, args: string[], env: Record<string, string> = {}, name = 'bench'): Promise<Server> {
  // BENCH_MCP_CPU_PROF=<dir>: each Cairn server writes a CPU profile there (--cpu-prof is refused in NODE_OPTIONS).
  const profile = script === CLI && process.env.BENCH_MCP_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_MCP_CPU_PROF] : [];
  const transport = new StdioClientTransport({ command: process.execPath, args: [...profile, script, ...args], env: { ...process.env, ...env } as Record<string, string>, stderr: 'ignore' });
  const client = new Client({ name, version: '1' });
  await client.connect(transport);
  return {
    client,
    call: async (tool, a) => {
      const t0 = performance.now();
      const r = (await client.callTool({ name: tool, arguments: a })) as CallToolResult;
      const ms = performance.now() - t0;
      const text = r.content[0]?.type === 'text' ? r.content[0].text : '';
      if (r.isError) throw new Error(`${tool}: ${text}`);
      return { text, ms };
    },
    close: () => client.close(),
  };
}

const cairnStore = (dir: string) => {
  const store = path.join(dir, 'store');
  const r = spawnSync(process.execPath, [CLI, '--store', store, 'init'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return store;
};

const KINDS = ['person', 'project', 'library', 'decision', 'service', 'bug'];
const WORDS = 'prefers uses owns blocks reviews deploys maintains documents depends tests migrates configures the a new old slow fast release api schema cache queue worker login billing search index token session'.split(' ');

function entitiesFor(seed: number, count: number, prefix = 'e') {
  const rand = prng(seed);
  const word = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  const sentence = () => Array.from({ length: 8 + Math.floor(rand() * 10) }, word).join(' ');
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, entityType: KINDS[i % KINDS.length]!, observations: [sentence(), sentence(), `id ${prefix}-${i} noted on day ${i % 365}`] }));
}

async function createAll(server: Server, entities: ReturnType<typeof entitiesFor>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < entities.length; i += BATCH) await server.call('create_entities', { entities: entities.slice(i, i + BATCH) });
  return performance.now() - t0;
}

async function race(startOne: (n: number) => Promise<Server>, processes: number, count: () => Promise<number>): Promise<{ acknowledged: number; kept: number }> {
  const servers = await Promise.all(Array.from({ length: processes }, (_, n) => startOne(n)));
  let acknowledged = 0;
  await Promise.all(
    servers.map(async (s, n) => {
      for (let i = 0; i < RACE_WRITES; i++) {
        await s.call('create_entities', { entities: [{ name: `race-${processes}-${n}-${i}`, entityType: 'race', observations: [`write ${i} of process ${n}`] }] });
        acknowledged++;
      }
    }),
  );
  await Promise.all(servers.map((s) => s.close()));
  return { acknowledged, kept: await count() };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-mcp-'));
  try {
    const entities = entitiesFor(42, ENTITIES);
    const memoryFile = path.join(dir, 'memory.jsonl');
    const store = cairnStore(dir);
    const memory = await start(MEMORY_SERVER, [], { MEMORY_FILE_PATH: memoryFile });
    // The memory server answers every hit; Cairn's token budget (20,000 by default) would cut the broad queries'
    // answers (up to ~500 entities here), so this server gets one that holds them: both answer the same hits.
    const cairn = await start(CLI, ['--store', store, '--vault', FOAM_VAULT, 'mcp', '--max-tokens', String(process.env.BENCH_MCP_MAX_TOKENS ?? 1_000_000)]);

    // Creates: the memory server first, then Cairn (each alone on the machine).
    const memoryCreateMs = await createAll(memory, entities);
    const cairnCreateMs = await createAll(cairn, entities);

    // search_nodes: the same queries, alternating servers.
    const rand = prng(7);
    const queries = Array.from({ length: QUERIES }, (_, i) => (i % 2 ? `e-${Math.floor(rand() * ENTITIES)}` : `${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]}`));
    const samples = { memory: [] as number[], cairn: [] as number[] };
    let sameHits = 0;
    const hitCounts: { query: string; memory: number; cairn: number }[] = [];
    for (const q of queries) {
      const m = await memory.call('search_nodes', { query: q });
      const c = await cairn.call('search_nodes', { query: q, limit: 10_000 });
      samples.memory.push(m.ms);
      samples.cairn.push(c.ms);
      const names = (t: string) => (JSON.parse(t) as { entities: { name: string }[] }).entities.map((e) => e.name).sort();
      const [mNames, cNames] = [names(m.text), names(c.text)];
      if (mNames.join('\n') === cNames.join('\n')) sameHits++;
      hitCounts.push({ query: q, memory: mNames.length, cairn: cNames.length });
    }
    const hits = { sameHits: `${sameHits}/${QUERIES}`, hitsMedian: stats(hitCounts.map((h) => h.memory)).p50, hitsMax: Math.max(...hitCounts.map((h) => h.memory)), differing: hitCounts.filter((h) => h.memory !== h.cairn).slice(0, 5) };

    // search_nodes right after a write (an agent adds, then looks up): each server must see the new entity.
    const afterWrite = { memory: [] as number[], cairn: [] as number[] };
    for (let i = 0; i < 20; i++) {
      const q = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`;
      for (const [key, server] of [['memory', memory], ['cairn', cairn]] as const) {
        await server.call('create_entities', { entities: [{ name: `late-${i}`, entityType: 'late', observations: [`added late ${i}`] }] });
        const r = await server.call('search_nodes', { query: q, limit: 10_000 });
        afterWrite[key].push(r.ms);
      }
    }

    // read_graph.
    const memoryGraph = await memory.call('read_graph', {});
    const cairnGraph = await cairn.call('read_graph', {});
    const graphSize = (t: string) => ({ characters: t.length, tokens: countTokens(t), estimatedTokens: estimateTokens(t) });
    const rate = (ms: number) => Math.round(ENTITIES / (ms / 1000));
    const search50 = { cairn: stats(samples.cairn), memory: stats(samples.memory) };
    if (GRAPH_ONLY) {
      // The floor of a round trip on each connection: a request that does no work (ping), alternating.
      const floor = { memory: [] as number[], cairn: [] as number[] };
      for (let i = 0; i < 50; i++) {
        for (const [key, server] of [['memory', memory], ['cairn', cairn]] as const) {
          const t0 = performance.now();
          await server.client.ping();
          floor[key].push(performance.now() - t0);
        }
      }
      await memory.close();
      await cairn.close();
      writeResult({
        name: 'mcp',
        description: 'cairn mcp vs @modelcontextprotocol/server-memory over stdio, graph part only: creates, search_nodes, read_graph.',
        params: { entities: ENTITIES, observationsEach: 3, batch: BATCH, queries: QUERIES, graphOnly: true },
        creates: { cairnMs: Math.round(cairnCreateMs), memoryMs: Math.round(memoryCreateMs), cairnPerSec: rate(cairnCreateMs), memoryPerSec: rate(memoryCreateMs) },
        searchNodes: { ...search50, ...hits },
        searchAfterWrite: { cairn: stats(afterWrite.cairn), memory: stats(afterWrite.memory) },
        pingRoundTrip: { cairn: stats(floor.cairn), memory: stats(floor.memory) },
        readGraph: { cairn: { ms: round(cairnGraph.ms) }, memory: { ms: round(memoryGraph.ms) } },
        summary: [
          { metric: `create_entities ${ENTITIES}×3 obs, batches of ${BATCH} (entities/s)`, value: rate(cairnCreateMs), baseline: rate(memoryCreateMs), ratio: round(rate(cairnCreateMs) / rate(memoryCreateMs)), unit: '/s' },
          { metric: `search_nodes p50 at ${ENTITIES}`, value: search50.cairn.p50, baseline: search50.memory.p50, ratio: round(search50.cairn.p50 / search50.memory.p50), unit: 'ms' },
          { metric: `search_nodes p95 at ${ENTITIES}`, value: search50.cairn.p95, baseline: search50.memory.p95, ratio: round(search50.cairn.p95 / search50.memory.p95), unit: 'ms' },
        ],
      });
      return;
    }

    // Round trips on Cairn.
    const project = JSON.parse(spawnSync(process.execPath, [CLI, '--store', store, '--json', 'project', 'add', 'Bench'], { encoding: 'utf8' }).stdout) as { id: string };
    spawnSync(process.execPath, [CLI, '--store', store, '--vault', FOAM_VAULT, 'index'], { encoding: 'utf8' });
    const roundTrip = async (fn: () => Promise<unknown>, n = 100) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await fn();
        out.push(performance.now() - t0);
      }
      return stats(out);
    };
    const listTools = await roundTrip(() => cairn.client.listTools());
    const taskCreate = await roundTrip(() => cairn.call('task_create', { projectId: project.id, title: `task ${Math.random()}` }));
    const taskList = await roundTrip(() => cairn.call('task_list', { projectId: project.id, limit: 20 }));
    const search = await roundTrip(() => cairn.call('search', { query: 'how do I link notes', limit: 10 }));
    // The agent loop: next, then claim (each claim takes one of the tasks made above).
    const taskNext = await roundTrip(() => cairn.call('task_next', { projectId: project.id }));
    const taskClaim = await roundTrip(() => cairn.call('task_claim', { projectId: project.id }), 50);
    // build_context on a Foam note of common size (4.8 KB, well linked), at each depth: the answer against its budget.
    const buildContext: Record<string, { ms: number; maxTokens: number; estimatedTokens: number; tokens: number; items: number; omitted: number }> = {};
    for (const depth of [1, 2, 3]) {
      const r = await cairn.call('build_context', { ref: 'user/features/wikilinks.md', depth, maxTokens: 4000 });
      const body = JSON.parse(r.text) as { tokens: number; items: { text: string }[]; omitted: number };
      buildContext[`depth${depth}`] = { ms: round(r.ms), maxTokens: 4000, estimatedTokens: body.tokens, tokens: countTokens(body.items.map((i) => i.text).join('\n')), items: body.items.length, omitted: body.omitted };
    }

    // Tool definitions by profile.
    const definitionTokens = async (tools: Tool[]) => ({ tools: tools.length, tokens: countTokens(JSON.stringify(tools)), estimatedTokens: estimateTokens(JSON.stringify(tools)) });
    const profiles: Record<string, Awaited<ReturnType<typeof definitionTokens>>> = {};
    for (const profile of ['core', 'standard', 'all']) {
      const s = await start(CLI, ['--store', store, 'mcp', '--profile', profile]);
      profiles[profile] = await definitionTokens((await s.client.listTools()).tools);
      await s.close();
    }
    const memoryDefinitions = await definitionTokens((await memory.client.listTools()).tools);
    await memory.close();
    await cairn.close();

    // Several processes at once, each on its own connection (as several agents run).
    const raceResults: Record<string, { memory: { acknowledged: number; kept: number }; cairn: { acknowledged: number; kept: number } }> = {};
    for (const processes of [2, 4]) {
      const raceFile = path.join(dir, `race-${processes}.jsonl`);
      const memoryRace = await race(
        () => start(MEMORY_SERVER, [], { MEMORY_FILE_PATH: raceFile }),
        processes,
        async () => (fs.existsSync(raceFile) ? fs.readFileSync(raceFile, 'utf8').split('\n').filter((l) => l.includes('"type":"entity"')).length : 0),
      );
      const raceStore = cairnStore(fs.mkdtempSync(path.join(dir, 'race-')));
      const cairnRace = await race(
        (n) => start(CLI, ['--store', raceStore, 'mcp'], {}, `agent-${n}`),
        processes,
        async () => {
          const s = await start(CLI, ['--store', raceStore, 'mcp']);
          const page = JSON.parse((await s.call('read_graph', { limit: 1 })).text) as { total: number };
          await s.close();
          return page.total;
        },
      );
      raceResults[processes] = { memory: memoryRace, cairn: cairnRace };
    }

    writeResult({
      name: 'mcp',
      description: 'cairn mcp vs @modelcontextprotocol/server-memory over stdio with the MCP SDK client: creates, search_nodes, read_graph, concurrent writers; Cairn tools/call round trips; tool definition sizes.',
      params: { entities: ENTITIES, observationsEach: 3, batch: BATCH, queries: QUERIES, raceWritesPerProcess: RACE_WRITES, tokenizer: 'gpt-tokenizer o200k_base' },
      creates: { cairnMs: Math.round(cairnCreateMs), memoryMs: Math.round(memoryCreateMs), cairnPerSec: rate(cairnCreateMs), memoryPerSec: rate(memoryCreateMs) },
      searchNodes: { ...search50, ...hits },
      searchAfterWrite: { cairn: stats(afterWrite.cairn), memory: stats(afterWrite.memory) },
      readGraph: { cairn: { ms: round(cairnGraph.ms), ...graphSize(cairnGraph.text) }, memory: { ms: round(memoryGraph.ms), ...graphSize(memoryGraph.text) } },
      concurrentWriters: raceResults,
      roundTrips: { listTools, taskCreate, taskList, taskNext, taskClaim, searchFoam: search },
      buildContext,
      toolDefinitions: { ...profiles, memoryServer: memoryDefinitions },
      summary: [
        { metric: `create_entities ${ENTITIES}×3 obs, batches of ${BATCH} (entities/s)`, value: rate(cairnCreateMs), baseline: rate(memoryCreateMs), ratio: round(rate(cairnCreateMs) / rate(memoryCreateMs)), unit: '/s' },
        { metric: `search_nodes p50 at ${ENTITIES}`, value: search50.cairn.p50, baseline: search50.memory.p50, ratio: round(search50.cairn.p50 / search50.memory.p50), unit: 'ms' },
        { metric: `search_nodes p95 at ${ENTITIES}`, value: search50.cairn.p95, baseline: search50.memory.p95, ratio: round(search50.cairn.p95 / search50.memory.p95), unit: 'ms' },
        { metric: 'read_graph answer (tokens)', value: countTokens(cairnGraph.text), baseline: countTokens(memoryGraph.text), ratio: round(countTokens(cairnGraph.text) / countTokens(memoryGraph.text), 4), unit: 'tokens' },
        ...[2, 4].flatMap((p) => [
          { metric: `${p} processes × ${RACE_WRITES} creates: kept of acknowledged`, value: raceResults[p]!.cairn.kept, baseline: raceResults[p]!.memory.kept, ratio: round(raceResults[p]!.cairn.kept / Math.max(1, raceResults[p]!.memory.kept)), unit: `of ${p * RACE_WRITES}` },
        ]),
        { metric: 'task_create round trip p50', value: taskCreate.p50, baseline: listTools.p50, ratio: round(taskCreate.p50 / listTools.p50), unit: 'ms' },
        { metric: 'search (Foam vault) round trip p50', value: search.p50, baseline: listTools.p50, ratio: round(search.p50 / listTools.p50), unit: 'ms' },
        { metric: 'task_next round trip p50', value: taskNext.p50, baseline: listTools.p50, ratio: round(taskNext.p50 / listTools.p50), unit: 'ms' },
        { metric: 'task_claim (next + claim) round trip p50', value: taskClaim.p50, baseline: listTools.p50, ratio: round(taskClaim.p50 / listTools.p50), unit: 'ms' },
        ...Object.entries(buildContext).map(([d, b]) => ({ metric: `build_context ${d} (Foam wikilinks.md): real tokens vs its budget`, value: b.tokens, baseline: b.maxTokens, ratio: round(b.tokens / b.maxTokens), unit: 'tokens' })),
        ...Object.entries(profiles).map(([p, d]) => ({ metric: `tool definitions, profile ${p} (${d.tools} tools)`, value: d.tokens, baseline: memoryDefinitions.tokens, ratio: round(d.tokens / memoryDefinitions.tokens), unit: 'tokens' })),
      ],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('mcp', main);
