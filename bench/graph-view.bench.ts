// graph.view (the Knowledge Graph view's data) at 1,000 and 10,000 notes with ~19 links each (a real vault's
// density: 190,000 links at 10,000 notes), 20 folders, 3 tags per note, 1 task per 10 notes (each naming a note and
// depending on the one before) and 1 entity per 20 notes (related to the next and to a note): the whole store, a
// local graph of depth 2, and a whole store's first page of 1,000 nodes; and the graph reads agents make on the same
// store (search_nodes, open_nodes, neighbours at depth 2, a shortest path); each against a plain `count(*)` over
// note_links in the same run, interleaved (measurePair). Rows written by plain SQL inserts into a store made by the
// real migrations (the indexer is measured by the knowledge bench).
//
// Through invoke() (params validated, one read transaction), as the backend answers it, minus the transport.
// `npm run bench -- graph-view`; alone: `node --import tsx bench/graph-view.bench.ts`. Env: BENCH_ROUNDS (default 7),
// CAIRN_BENCH_OUT.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { invoke, type Context } from '../src/backend/methods';
import { Store } from '../src/store/store';
import { runBench, writeResult } from './output';
import { measurePair, round, stats } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const LINKS_PER_NOTE = 19;
const BASE = '2025-01-01T00:00:00.000Z';

/** A generated vault's index: notes n<j>.md in 20 folders, their links, tags, tasks and entities. */
export async function generateGraph(store: Store, notes: number): Promise<void> {
  const links = notes * LINKS_PER_NOTE;
  const tasks = Math.max(1, Math.floor(notes / 10));
  const entities = Math.max(2, Math.floor(notes / 20));
  const seq = (n: number) => `WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ${n - 1})`;
  await store.conn.exec(`
    BEGIN;
    INSERT INTO notes (path, name_key, title, size, updated_at)
      ${seq(notes)} SELECT 'f' || (j % 20) || '/n' || j || '.md', 'n' || j, 'Note ' || j, 1000, '${BASE}' FROM n;
    INSERT INTO note_links (note_id, kind, target, line, context, target_path)
      ${seq(links)} SELECT 1 + j % ${notes}, CASE WHEN j % 50 = 0 THEN 'embed' ELSE 'wikilink' END, 'n' || t, 1, 'a line with a link', 'f' || (t % 20) || '/n' || t || '.md'
      FROM (SELECT j, (j * 7919 + (j / ${notes}) * 104729) % ${notes} AS t FROM n);
    INSERT INTO note_tags (note_id, tag, tag_key) ${seq(notes * 3)} SELECT 1 + j % ${notes}, 'topic' || (j % 37), 'topic' || (j % 37) FROM n;
    INSERT INTO projects (id, name, created_at, updated_at, version) VALUES ('P1', 'P', '${BASE}', '${BASE}', 1);
    INSERT INTO tasks (id, project_id, title, notes, depends_on, assignee, created_at, updated_at, version)
      ${seq(tasks)} SELECT printf('T%06d', j), 'P1', 'Task ' || j, json_array('n' || (j * 10)), CASE WHEN j > 0 THEN json_array(printf('T%06d', j - 1)) ELSE '[]' END, NULL, '${BASE}', '${BASE}', 1 FROM n;
    INSERT INTO graph_entities (name, entity_type, created_at, updated_at) ${seq(entities)} SELECT 'E' || j, 'concept', '${BASE}', '${BASE}' FROM n;
    INSERT INTO graph_relations (from_name, to_name, relation_type, created_at)
      ${seq(entities - 1)} SELECT 'E' || j, 'E' || (j + 1), 'relates_to', '${BASE}' FROM n;
    COMMIT;`);
}

async function measure(notes: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-graph-view-'));
  const store = await Store.open(path.join(dir, 'store'), { loadVec: false });
  try {
    const started = performance.now();
    await generateGraph(store, notes);
    const generateMs = performance.now() - started;
    const ctx: Context = { store, who: { actor: 'bench', source: 'cli' }, vaultDir: dir, agentDirs: [] };
    const [{ n: noteLinks }] = (await store.conn.all<{ n: number }>('select count(*) as n from note_links')) as [{ n: number }];
    const cases: { name: string; method?: string; params: Record<string, unknown> }[] = [
      { name: 'whole store', params: { mode: 'whole', limit: 50_000 } },
      { name: 'whole store, first page of 1,000 nodes', params: { mode: 'whole', limit: 1000 } },
      { name: 'local graph, depth 2', params: { mode: 'local', center: 'f0/n0.md', depth: 2 } },
      // The memory server's reads and the walks, on a store whose vault has every link above (edges by index).
      { name: 'search_nodes "E12" (graph.search)', method: 'graph.search', params: { query: 'E12' } },
      { name: 'open_nodes of an entity and a note (graph.open)', method: 'graph.open', params: { names: ['E5', 'f3/n3.md'] } },
      { name: 'neighbours of a note, depth 2 (graph.neighbours)', method: 'graph.neighbours', params: { node: 'f3/n3.md', depth: 2 } },
      { name: 'shortest path between two notes (graph.path)', method: 'graph.path', params: { from: 'f3/n3.md', to: 'f7/n407.md' } },
    ];
    const results = [];
    for (const c of cases) {
      const method = c.method ?? 'graph.view';
      const pair = await measurePair(
        ROUNDS,
        () => invoke(ctx, method, c.params),
        () => store.conn.all('select count(*) from note_links'),
      );
      const answer = (await invoke(ctx, method, c.params)) as { totalNodes?: number; totalEdges?: number; nodes?: unknown[]; edges?: unknown[]; entities?: unknown[]; relations?: unknown[] };
      const ms = stats(pair.a);
      const baseline = stats(pair.b);
      const counts =
        method === 'graph.view'
          ? { nodes: answer.totalNodes, edges: answer.totalEdges, pageNodes: answer.nodes!.length, pageEdges: answer.edges!.length }
          : { nodes: (answer.entities ?? answer.nodes)?.length, edges: (answer.relations ?? answer.edges)?.length };
      results.push({ ...c, method, ...counts, responseBytes: JSON.stringify(answer).length, ms, countMs: baseline, ratioP50: round(ms.p50 / baseline.p50, 1) });
    }
    return { notes, noteLinks, generateMs: round(generateMs), results };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runBench('graph-view', async () => {
  const runs = [];
  for (const notes of [1000, 10_000]) runs.push(await measure(notes));
  writeResult({
    bench: 'graph-view',
    description: `graph.view, graph.search, graph.open, graph.neighbours and graph.path (through invoke) at 1,000 and 10,000 generated notes with ${LINKS_PER_NOTE} links each, plus tasks and entities, vs a plain count(*) over note_links, same run, interleaved; ms.`,
    rounds: ROUNDS,
    runs,
  });
});
