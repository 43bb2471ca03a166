// A store written by several machines gives the same figures on each. Random histories (seeded: a failure names
// its seed) of 150 tasks over six weeks — status changes, sprint moves, estimates, deletions and restores, two
// machines writing one task's same version, a clock behind — reach one store in one order and a second store in
// another (as syncs interleave them), and a third store through the migration that builds the metrics from a log
// already there. Every metric, in several time zones, by day and by week, per project and for the whole store,
// equals the plain computation from the events (history.ts) on each.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prng } from '../../../bench/stats';
import { recordAgentRun } from '../../../src/store/agents/runs';
import { activity } from '../../../src/store/metrics/activity';
import { agentMetrics, type AgentFigures } from '../../../src/store/metrics/agents';
import { burndown } from '../../../src/store/metrics/burndown';
import { cycleTime } from '../../../src/store/metrics/cycleTime';
import { cumulativeFlow, throughput } from '../../../src/store/metrics/flow';
import { findMigrationsDir } from '../../../src/store/migrate';
import { createProject } from '../../../src/store/projects';
import { insertRows } from '../../../src/store/snapshot/load';
import { createSprint } from '../../../src/store/sprints';
import { Store } from '../../../src/store/store';
import { createTask, deleteTask } from '../../../src/store/tasks';
import { cleanupTempDirs, human, tempDir } from '../../helpers';
import { appendToLog, History, refActivity, refBurndown, refCycle, refDate, refDays, refFlow, refPercentile, refStarts, refThroughput, type LoggedEvent } from './history';

const NOW = Date.parse('2026-04-20T12:00:00Z');
const WINDOW_START = Date.parse('2026-03-01T00:00:00Z');
const WINDOW_MS = 38 * 86_400_000;
const ZONES = ['UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
const FROM = '2026-02-27';
const TO = '2026-04-12';

const WHO = [
  { actor: 'ana', source: 'cli' as const },
  { actor: 'ana', source: 'extension' as const },
  { actor: 'claude', source: 'agent' as const },
  { actor: 'codex', source: 'agent' as const },
];

function shuffled<T>(list: readonly T[], rnd: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Tasks of two projects moving through their sprints, as several people and agents on several machines write them. */
function randomHistory(seed: number, projects: { id: string; sprints: string[] }[], tasks = 150): History {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const iso = (t: number) => new Date(Math.round(t)).toISOString();
  const h = new History();
  for (let i = 0; i < tasks; i++) {
    const task = `T${seed}-${i}`;
    const project = pick(projects);
    const sprintOf = () => (rnd() < 0.75 ? pick(project.sprints) : null);
    let t = WINDOW_START + rnd() * WINDOW_MS * 0.8;
    h.create(iso(t), task, { projectId: project.id, sprintId: sprintOf(), status: rnd() < 0.1 ? 'done' : 'pending', estimatedMinutes: rnd() < 0.7 ? Math.round(rnd() * 480) : null }, pick(WHO));
    let deleted = false;
    for (let n = Math.floor(rnd() * 8); n > 0; n--) {
      // Mostly later; now and then a machine whose clock is behind writes the next version earlier.
      t += rnd() < 0.06 ? -rnd() * 3 * 3_600_000 : rnd() * 4 * 86_400_000;
      const who = pick(WHO);
      const r = rnd();
      if (deleted) {
        if (r < 0.5) break;
        h.restore(iso(t), task, who);
        deleted = false;
      } else if (r < 0.45) h.status(iso(t), task, pick(['pending', 'in_progress', 'in_progress', 'blocked', 'done', 'done', 'cancelled']), who);
      else if (r < 0.55) h.status(iso(t), task, pick(['in_progress', 'done']), who, undefined).status(iso(t + rnd() * 60_000), task, pick(['blocked', 'done']), pick(WHO), undefined);
      else if (r < 0.65) h.move(iso(t), task, sprintOf(), who);
      else if (r < 0.75) h.estimate(iso(t), task, rnd() < 0.2 ? null : Math.round(rnd() * 600), who);
      else if (r < 0.85) h.rename(iso(t), task, `renamed ${n}`, who);
      else if (r < 0.93) {
        h.remove(iso(t), task, who);
        deleted = true;
      } else {
        // Two machines changed the task offline: both wrote the same next version.
        const v = h.events.filter((e) => e.aggregate_id === task).length + 1;
        h.status(iso(t), task, 'in_progress', who, v).status(iso(t + rnd() * 3_600_000), task, pick(['done', 'blocked']), pick(WHO), v);
      }
    }
    if (rnd() < 0.2) h.other(iso(WINDOW_START + rnd() * WINDOW_MS), pick(['vault', 'memory', 'graph']), 'something.happened', pick(WHO));
  }
  return h;
}

/** A's source-of-truth rows and log, copied into another store the way a restore or sync would, in another order. */
async function copyInto(from: Store, to: Store, rnd: () => number): Promise<void> {
  for (const table of ['projects', 'sprints', 'tasks', 'agent_runs']) {
    const have = new Set((await to.conn.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])).map((c) => c.name));
    const cols = (await from.conn.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])).map((c) => c.name).filter((c) => have.has(c));
    const rows = await from.conn.all<Record<string, unknown>>(`SELECT ${cols.join(', ')} FROM ${table}`);
    await to.conn.transaction(() => insertRows(to.conn, table, cols, shuffled(rows, rnd).map((r) => cols.map((c) => r[c]) as never)));
  }
  const events = await readLog(from);
  await appendToLog(to, shuffled(events, rnd), 1 + Math.floor(rnd() * 300));
}

async function readLog(store: Store): Promise<LoggedEvent[]> {
  return (await store.conn.all<LoggedEvent & { data: string }>('SELECT id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at FROM events')).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
}

/** The migrations folder as it was before the metrics: a store made with it has a log and no metrics yet. */
function migrationsBeforeMetrics(): string {
  const dir = path.join(tempDir(), 'drizzle');
  fs.cpSync(findMigrationsDir(), dir, { recursive: true });
  const journal = path.join(dir, 'meta', '_journal.json');
  const j = JSON.parse(fs.readFileSync(journal, 'utf8')) as { entries: { tag: string }[] };
  const at = j.entries.findIndex((e) => e.tag.endsWith('_metrics_indexes'));
  assert.ok(at > 0, 'the metrics migration is in the journal');
  j.entries = j.entries.slice(0, at);
  fs.writeFileSync(journal, JSON.stringify(j));
  return dir;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

interface RunRow {
  agent_name: string;
  task_id: string | null;
  started_at: string;
  duration_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  quality_score: number | null;
  errors: number;
  outcome: string;
}

/** Per agent over from..to, by the runs' rows (a run is its task's project's, none without a task). */
async function refAgents(store: Store, o: { projectId?: string; timeZone: string }) {
  const runs = await store.conn.all<RunRow & { project_id: string | null }>('SELECT r.*, t.project_id FROM agent_runs r LEFT JOIN tasks t ON t.id = r.task_id');
  const by = new Map<string, RunRow[]>();
  for (const r of runs) {
    const day = refDate(r.started_at, o.timeZone);
    if (day < FROM || day > TO || (o.projectId !== undefined && r.project_id !== o.projectId)) continue;
    by.set(r.agent_name, [...(by.get(r.agent_name) ?? []), r]);
  }
  const figures = (rs: RunRow[]): AgentFigures => {
    const q = rs.filter((r) => r.quality_score !== null);
    const d = rs.filter((r) => r.duration_ms !== null);
    return {
      runs: rs.length,
      successRate: round4(rs.filter((r) => r.outcome === 'success').length / rs.length),
      tokensIn: rs.reduce((a, r) => a + (r.tokens_in ?? 0), 0),
      tokensOut: rs.reduce((a, r) => a + (r.tokens_out ?? 0), 0),
      meanQuality: q.length ? round4(q.reduce((a, r) => a + r.quality_score!, 0) / q.length) : null,
      meanDurationMs: d.length ? Math.round(d.reduce((a, r) => a + r.duration_ms!, 0) / d.length) : null,
      errors: rs.reduce((a, r) => a + r.errors, 0),
    };
  };
  return [...by].map(([agent, rs]) => ({ agent, ...figures(rs) })).sort((x, y) => y.runs - x.runs || (x.agent < y.agent ? -1 : 1));
}

describe('metrics of a store written by several machines', () => {
  afterEach(cleanupTempDirs);

  for (const seed of [7, 2026, 31337]) {
    it(`seed ${seed}: the same figures on each machine, whatever order the events came in, equal to the plain computation`, async () => {
      const a = await Store.open(path.join(tempDir(), 'a'));
      const b = await Store.open(path.join(tempDir(), 'b'));
      const oldDir = migrationsBeforeMetrics();
      let c = await Store.open(path.join(tempDir(), 'c'), { migrationsDir: oldDir });
      try {
        // Machine A: projects, sprints and agent runs through the store's API, then the task events as they sync in.
        const p1 = (await a.write((o) => createProject(o, human, { name: 'One' }))).id;
        const p2 = (await a.write((o) => createProject(o, human, { name: 'Two' }))).id;
        const sprint = (projectId: string, name: string, startsOn: string, endsOn: string | null) => a.write((o) => createSprint(o, human, { projectId, name, startsOn, endsOn })).then((s) => s.id);
        const sprints = { [p1]: [await sprint(p1, 'S1', '2026-03-02', '2026-03-15'), await sprint(p1, 'S2', '2026-03-09', '2026-03-22')], [p2]: [await sprint(p2, 'S3', '2026-03-01', null)] };
        const empty = await sprint(p2, 'Empty', '2026-03-05', '2026-03-08');
        const rnd = prng(seed * 31);
        const work = [await a.write((o) => createTask(o, human, { projectId: p1, title: 'R1' })), await a.write((o) => createTask(o, human, { projectId: p2, title: 'R2' }))];
        for (let i = 0; i < 40; i++) {
          await a.write((o) =>
            recordAgentRun(o, WHO[2]!, {
              agent: rnd() < 0.6 ? 'coder' : 'reviewer',
              taskId: rnd() < 0.8 ? work[Math.floor(rnd() * 2)]!.id : null,
              startedAt: new Date(WINDOW_START + rnd() * WINDOW_MS).toISOString(),
              outcome: rnd() < 0.7 ? 'success' : rnd() < 0.5 ? 'failure' : 'partial',
              durationMs: rnd() < 0.8 ? Math.round(rnd() * 600_000) : undefined,
              tokensIn: Math.round(rnd() * 5000),
              tokensOut: rnd() < 0.9 ? Math.round(rnd() * 2000) : undefined,
              qualityScore: rnd() < 0.6 ? Math.round(rnd() * 100) / 100 : undefined,
              errors: rnd() < 0.2 ? 1 + Math.floor(rnd() * 3) : 0,
            }),
          );
        }
        await a.write((o) => deleteTask(o, human, work[1]!.id)); // its runs belong to no project from now on
        const history = randomHistory(seed, [
          { id: p1, sprints: sprints[p1]! },
          { id: p2, sprints: sprints[p2]! },
        ]);
        await appendToLog(a, shuffled(history.events, prng(seed)), 97);

        // Machines B and C get everything A holds, in other orders; C builds its metrics when it upgrades.
        await copyInto(a, b, prng(seed + 1));
        await copyInto(a, c, prng(seed + 2));
        await c.close();
        c = await Store.open(path.join(c.dir), {});
        assert.ok(c.migration.to > c.migration.from, 'C was upgraded by the metrics migration');

        const events = await readLog(a);
        assert.equal(events.length, (await readLog(b)).length);
        const same = async <T>(what: string, f: (s: Store) => Promise<T>, expected?: (r: T) => void) => {
          const [ra, rb, rc] = [await f(a), await f(b), await f(c)];
          assert.deepEqual(rb, ra, `${what}: B = A`);
          assert.deepEqual(rc, ra, `${what}: C (built by the migration) = A`);
          expected?.(ra);
        };

        for (const timeZone of ZONES) {
          for (const bucket of ['day', 'week'] as const) {
            const starts = refStarts(FROM, TO, bucket);
            for (const projectId of [undefined, p1, p2]) {
              const p = { projectId, from: FROM, to: TO, bucket, timeZone };
              const what = `${timeZone} by ${bucket}, project ${projectId ?? 'all'}`;
              await same(`throughput ${what}`, (s) => throughput(s, p, NOW), (r) => assert.deepEqual(r.buckets.map((x) => x.done), refThroughput(events, { projectId, starts, bucket, timeZone }), `throughput ${what}`));
              await same(`flow ${what}`, (s) => cumulativeFlow(s, p, NOW), (r) => assert.deepEqual(r.buckets.map((x) => x.byStatus), refFlow(events, { projectId, starts, bucket, timeZone }), `flow ${what}`));
              await same(`agents ${what}`, (s) => agentMetrics(s, p, NOW), async (r) => assert.deepEqual(r.agents, await refAgents(a, { projectId, timeZone }), `agents ${what}`));
            }
            await same(`activity ${timeZone} by ${bucket}`, (s) => activity(s, { from: FROM, to: TO, bucket, timeZone }, NOW), (r) => assert.deepEqual(r.buckets, refActivity(events, { starts, bucket, timeZone }), `activity ${timeZone} by ${bucket}`));
          }
          for (const projectId of [undefined, p1, p2]) {
            await same(`cycle time ${timeZone} ${projectId ?? 'all'}`, (s) => cycleTime(s, { projectId, from: FROM, to: TO, timeZone, limit: 10_000 }, NOW), (r) => {
              const ref = refCycle(events, { projectId, from: FROM, to: TO, timeZone });
              assert.equal(r.count, ref.count);
              assert.ok(r.count > 0, 'done tasks to measure');
              for (const [dist, list] of [[r.cycle, ref.cycles], [r.lead, ref.leads]] as const) {
                assert.deepEqual([dist.count, dist.p50Ms, dist.p85Ms, dist.p95Ms], [list.length, refPercentile(list, 50), refPercentile(list, 85), refPercentile(list, 95)]);
              }
              assert.deepEqual(r.tasks.map((t) => t.cycleMs).filter((x) => x !== null).sort((x, y) => x! - y!), ref.cycles);
            });
          }
          for (const sprintId of [...sprints[p1]!, ...sprints[p2]!, empty]) {
            await same(`burndown ${sprintId} ${timeZone}`, (s) => burndown(s, { sprintId, timeZone }, NOW), (r) => {
              const days = refDays(r.sprint.startsOn, r.sprint.endsOn);
              assert.deepEqual(r.days.map((d) => ({ remaining: d.remainingTasks, minutes: d.remainingMinutes, scope: d.scopeTasks })), refBurndown(events, { sprintId, days, timeZone }).map((x) => ({ ...x, minutes: Math.round(x.minutes * 100) / 100 })));
            });
          }
        }
        assert.equal((await burndown(a, { sprintId: sprints[p2]![0]! }, NOW)).sprint.endsOn, '2026-04-20', 'no end: today');
        assert.ok((await throughput(a, { from: FROM, to: TO }, NOW)).total > 20, 'the history has work done in it');

        // What C's migration built is what A's triggers kept, row for row (sums that came back to 0 aside).
        for (const table of ['metrics_rollup', 'metrics_run_rollup', 'metrics_task_facts', 'metrics_task_contribs', 'metrics_task_timeline']) {
          const rows = async (s: Store) => {
            const cols = (await s.conn.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])).map((x) => x.name);
            const nonZero = table === 'metrics_rollup' ? 'WHERE value <> 0' : table === 'metrics_run_rollup' ? 'WHERE runs <> 0' : '';
            // Sums of quality scores are floating point, added in another order on each machine.
            const select = cols.map((x) => (x === 'quality_sum' ? 'round(quality_sum, 9) AS quality_sum' : x)).join(', ');
            return s.conn.all(`SELECT ${select} FROM ${table} ${nonZero} ORDER BY ${cols.join(', ')}`);
          };
          assert.deepEqual(await rows(c), await rows(a), `${table}: built = kept`);
        }
      } finally {
        await a.close();
        await b.close();
        await c.close();
      }
    });
  }
});
