// The dashboard's metric queries at 100,000 tasks and 1,000,000 events, each against a plain `count(*)` over the
// table it reads (events for the figures made from the log, agent_runs for the agents, tasks for the lists) in
// the same run, interleaved (measurePair).
//
// Data: 20 projects, 100 sprints, 100,000 tasks created over a year, each with 9 events (creation, start, blocks,
// moves between sprints, estimates, completions, cancellations, reopenings, edits), 50,000 agent runs with their
// events and 50,000 other events (1,000,000 events), 10,000 notes with 100,000 links. Written by plain SQL inserts
// (INSERT … SELECT over a recursive CTE) into a store made by the real migrations, so the metrics triggers keep
// their tables as they would for writes that came one by one; the time that takes is reported.
//
// Each query runs through invoke() (params validated, one read transaction), as the backend answers it, minus the
// transport. Run with `npm run bench -- metrics`; alone: `node --import tsx bench/metrics.bench.ts`.
// Env: BENCH_ROUNDS (default 15), BENCH_TASKS (default 100000; events are 10 per task), BENCH_KEEP (keep the store and
// say where), CAIRN_BENCH_OUT.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { invoke, type Context } from '../src/backend/methods';
import { Store } from '../src/store/store';
import { runBench, writeResult } from './output';
import { measurePair, round, stats } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const RUNS = TASKS / 2;
const OTHER = TASKS / 2;
const NOTES = TASKS / 10;
const LINKS = TASKS;
const BASE = '2025-01-01T00:00:00.000Z';
const YEAR_MS = 365 * 86_400_000;

/** Task i's k-th event (1..9): what it changes, in the shapes src/store/tasks.ts writes. */
const TASK_EVENT = `
  CASE k
    WHEN 1 THEN json_object('id', t.id, 'projectId', t.project_id, 'sprintId', t.first_sprint, 'title', 'Task ' || t.i, 'description', 'Something to do, described in a sentence or two.',
      'status', 'pending', 'priority', 'medium', 'assignee', NULL, 'tags', json('[]'), 'estimatedMinutes', 30 + (t.i % 8) * 15, 'notes', json('[]'), 'dependsOn', json('[]'), 'criteria', json('[]'))
    WHEN 3 THEN json_object('from', json_object('status', 'pending'), 'to', json_object('status', 'in_progress'))
    WHEN 4 THEN json_object('from', json_object('assignee', NULL), 'to', json_object('assignee', 'agent-' || (t.i % 10)))
    WHEN 5 THEN CASE WHEN t.i % 7 = 0 THEN json_object('from', json_object('status', 'in_progress'), 'to', json_object('status', 'blocked')) END
    WHEN 6 THEN CASE WHEN t.i % 7 = 0 THEN json_object('from', json_object('status', 'blocked'), 'to', json_object('status', 'in_progress'))
                     ELSE json_object('from', json_object('estimatedMinutes', 30 + (t.i % 8) * 15), 'to', json_object('estimatedMinutes', 60 + (t.i % 8) * 15)) END
    WHEN 7 THEN CASE WHEN (t.i / 20) % 10 = 1 THEN json_object('from', json_object('sprintId', t.first_sprint), 'to', json_object('sprintId', NULL)) END
    WHEN 8 THEN CASE WHEN t.i % 5 < 3 THEN json_object('from', json_object('status', 'in_progress'), 'to', json_object('status', 'done'))
                     WHEN t.i % 5 = 3 THEN json_object('from', json_object('status', 'in_progress'), 'to', json_object('status', 'cancelled'))
                     WHEN t.i % 11 = 0 THEN json_object('from', json_object('status', 'in_progress'), 'to', json_object('status', 'blocked')) END
    WHEN 9 THEN CASE WHEN t.i % 15 = 0 THEN json_object('from', json_object('status', 'done'), 'to', json_object('status', 'in_progress')) END
  END`;

async function generate(store: Store): Promise<void> {
  const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', '${BASE}', '+' || ((${ms}) / 1000.0) || ' seconds')`;
  await store.conn.exec(`
    BEGIN IMMEDIATE;
    INSERT INTO projects (id, name, created_at, updated_at)
      WITH RECURSIVE n(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM n WHERE p < 19) SELECT printf('P%02d', p), 'Project ' || p, '${BASE}', '${BASE}' FROM n;
    -- Five sprints per project, each 73 days of the year.
    INSERT INTO sprints (id, project_id, name, status, starts_on, ends_on, created_at, updated_at)
      WITH RECURSIVE n(s) AS (SELECT 0 UNION ALL SELECT s + 1 FROM n WHERE s < 99)
      SELECT printf('S%03d', s), printf('P%02d', s % 20), 'Sprint ' || (s / 20), 'active', date('${BASE}', '+' || ((s / 20) * 73) || ' days'), date('${BASE}', '+' || ((s / 20) * 73 + 72) || ' days'), '${BASE}', '${BASE}' FROM n;
    CREATE TEMP TABLE gen_tasks AS
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${TASKS - 1})
      SELECT i, printf('T%07d', i) AS id, printf('P%02d', i % 20) AS project_id, i * ${YEAR_MS / TASKS} AS born,
        CASE WHEN (i / 20) % 10 < 3 THEN printf('S%03d', i % 20 + 20 * min(4, (i * 5) / ${TASKS})) END AS first_sprint,
        CASE WHEN i % 15 = 0 THEN 'in_progress' WHEN i % 5 < 3 THEN 'done' WHEN i % 5 = 3 THEN 'cancelled' WHEN i % 11 = 0 THEN 'blocked' ELSE 'in_progress' END AS status
      FROM n;
    INSERT INTO tasks (id, project_id, sprint_id, title, description, status, assignee, estimated_minutes, created_at, updated_at, version)
      SELECT id, project_id, CASE WHEN (i / 20) % 10 = 1 THEN NULL ELSE first_sprint END, 'Task ' || i, 'Something to do, described in a sentence or two.', status, 'agent-' || (i % 10),
        CASE WHEN i % 7 = 0 THEN 30 + (i % 8) * 15 ELSE 60 + (i % 8) * 15 END, ${iso('born')}, ${iso(`born + 8 * 43200000 + (i * 7919) % 3600000`)}, 9
      FROM gen_tasks;
    -- 9 events per task, 12 hours apart (plus a little): the ones that change nothing the metrics read are edits.
    INSERT INTO events (id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at)
      SELECT printf('E%07d%d', i, k), 'task', id, k,
        CASE WHEN k = 1 THEN 'task.created' WHEN k = 4 THEN 'task.assigned' WHEN d IS NULL THEN 'task.updated' WHEN json_type(d, '$.to.status') IS NOT NULL THEN 'task.status_changed' ELSE 'task.updated' END,
        coalesce(d, json_object('from', json_object('title', 'Task ' || i), 'to', json_object('title', 'Task ' || i || ' (' || k || ')'))),
        CASE WHEN k IN (3, 8) THEN 'agent-' || (i % 10) ELSE 'ana' END, CASE WHEN k IN (3, 8) THEN 'agent' ELSE 'cli' END,
        ${iso(`born + (k - 1) * 43200000 + CASE WHEN k > 1 THEN (i * 7919) % 3600000 ELSE 0 END`)}
      FROM (SELECT t.i, t.id, t.born, k, ${TASK_EVENT} AS d
            FROM gen_tasks t, (WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 9) SELECT k FROM n));
    INSERT INTO agent_runs (id, agent_name, task_id, started_at, duration_ms, tokens_in, tokens_out, quality_score, errors, outcome, notes, created_at)
      WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ${RUNS - 1})
      SELECT printf('R%07d', j), 'agent-' || (j % 10), printf('T%07d', (j * 2) % ${TASKS}), ${iso(`j * ${YEAR_MS / RUNS}`)},
        1000 + (j * 37) % 600000, 500 + (j * 13) % 20000, 100 + (j * 7) % 5000, CASE WHEN j % 3 = 0 THEN NULL ELSE ((j * 17) % 101) / 100.0 END,
        CASE WHEN j % 13 = 0 THEN 1 ELSE 0 END, CASE WHEN j % 4 = 0 THEN 'failure' ELSE 'success' END, '', ${iso(`j * ${YEAR_MS / RUNS} + 600000`)}
      FROM n;
    INSERT INTO events (id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at)
      SELECT 'E' || id, 'agents', id, 1, 'agent_run.recorded', json_object('agentName', agent_name, 'taskId', task_id), agent_name, 'agent', created_at FROM agent_runs;
    INSERT INTO events (id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at)
      WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ${OTHER - 1})
      SELECT printf('V%07d', j), 'vault', 'vault', j + 1, 'vault.indexed', json_object('notes', j % 50), 'ana', 'extension', ${iso(`j * ${YEAR_MS / OTHER}`)} FROM n;
    INSERT INTO notes (path, name_key, title, size, updated_at)
      WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ${NOTES - 1}) SELECT 'n' || j || '.md', 'n' || j, 'Note ' || j, 1000, '${BASE}' FROM n;
    INSERT INTO note_links (note_id, kind, target, line, context, target_path)
      WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ${LINKS - 1})
      SELECT 1 + j % ${NOTES}, 'wikilink', 'n' || ((j * j) % ${NOTES}), 1, 'a line with a link', 'n' || ((j * j) % ${NOTES}) || '.md' FROM n;
    DROP TABLE gen_tasks;
    COMMIT;`);
}

interface Case {
  name: string;
  method: string;
  params: Record<string, unknown>;
  /** The table whose count(*) it is measured against. */
  table: 'events' | 'tasks' | 'agent_runs';
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-metrics-'));
  const store = await Store.open(path.join(dir, 'store'), { loadVec: false });
  try {
    const started = performance.now();
    await generate(store);
    const generateMs = performance.now() - started;
    const count = async (table: string) => (await store.conn.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
    const counts = { events: await count('events'), tasks: await count('tasks'), agentRuns: await count('agent_runs'), noteLinks: await count('note_links'), timeline: await count('metrics_task_timeline'), rollupRows: await count('metrics_rollup') };
    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const bytes = fs.statSync(store.file).size;

    const ctx: Context = { store, who: { actor: 'bench', source: 'cli' }, vaultDir: dir, agentDirs: [] };
    const year = { from: '2025-01-01', to: '2025-12-31' };
    const quarter = { from: '2025-10-01', to: '2025-12-31' };
    const cases: Case[] = [
      { name: 'burndown: a sprint of ~300 tasks, 73 days', method: 'metrics.burndown', params: { sprintId: 'S050' }, table: 'events' },
      { name: 'throughput: whole store, 365 days', method: 'metrics.throughput', params: year, table: 'events' },
      { name: 'throughput: a project, 53 weeks, America/New_York', method: 'metrics.throughput', params: { ...year, projectId: 'P07', bucket: 'week', timeZone: 'America/New_York' }, table: 'events' },
      { name: 'cumulativeFlow: whole store, 365 days, America/New_York', method: 'metrics.cumulativeFlow', params: { ...year, timeZone: 'America/New_York' }, table: 'events' },
      { name: 'cumulativeFlow: a project, 92 days, Asia/Kolkata', method: 'metrics.cumulativeFlow', params: { ...quarter, projectId: 'P07', timeZone: 'Asia/Kolkata' }, table: 'events' },
      { name: 'cycleTime: whole store, 365 days (~60,000 done)', method: 'metrics.cycleTime', params: year, table: 'events' },
      { name: 'cycleTime: a project, 92 days', method: 'metrics.cycleTime', params: { ...quarter, projectId: 'P07' }, table: 'events' },
      { name: 'agents: 10 agents, 365 days', method: 'metrics.agents', params: year, table: 'agent_runs' },
      { name: 'agents: a project, 53 weeks', method: 'metrics.agents', params: { ...year, projectId: 'P07', bucket: 'week' }, table: 'agent_runs' },
      { name: 'activity: 365 days, Asia/Kathmandu', method: 'metrics.activity', params: { ...year, timeZone: 'Asia/Kathmandu' }, table: 'events' },
      { name: 'lists: blocked, stale, most-linked notes', method: 'metrics.lists', params: {}, table: 'tasks' },
    ];
    const results = [];
    for (const c of cases) {
      const sql = `SELECT count(*) AS n FROM ${c.table}`;
      const pair = await measurePair(
        ROUNDS,
        () => invoke(ctx, c.method, c.params),
        () => store.read(() => store.conn.get(sql)),
      );
      const metric = stats(pair.a);
      const baseline = stats(pair.b);
      results.push({ ...c, ms: metric, countMs: baseline, ratioP50: round(metric.p50 / baseline.p50, 1), responseBytes: JSON.stringify(await invoke(ctx, c.method, c.params)).length });
    }
    writeResult({
      name: 'metrics',
      description: `Dashboard metric queries (metrics.*, through invoke) at ${TASKS} tasks and ${counts.events} events vs a plain count(*) over the table each reads, same run, interleaved; ms.`,
      params: { rounds: ROUNDS, tasks: TASKS, percentile: 'nearest-rank' },
      data: { ...counts, databaseMB: round(bytes / 2 ** 20, 1), generateSeconds: round(generateMs / 1000, 1) },
      cases: results,
      summary: results.map((r) => ({ metric: `${r.name} p50`, value: r.ms.p50, baseline: r.countMs.p50, ratio: r.ratioP50, unit: 'ms' })),
    });
  } finally {
    await store.close();
    if (process.env.BENCH_KEEP) process.stderr.write(`kept the store in ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('metrics', main);
