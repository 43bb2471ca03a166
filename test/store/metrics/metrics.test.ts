// Every dashboard metric on a real store, from task events with known times (history.ts writes them as a sync would),
// each figure checked against the plain computation of history.ts or worked out by hand: empty sprints, reopened,
// deleted and moved tasks, days in other time zones (a quarter-hour offset, a daylight-saving day), agent runs,
// activity by people and agents, the lists, and the errors a caller gets.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { recordAgentRun } from '../../../src/store/agents/runs';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { activity } from '../../../src/store/metrics/activity';
import { agentMetrics } from '../../../src/store/metrics/agents';
import { burndown } from '../../../src/store/metrics/burndown';
import { cycleTime } from '../../../src/store/metrics/cycleTime';
import { cumulativeFlow, throughput } from '../../../src/store/metrics/flow';
import { lists } from '../../../src/store/metrics/lists';
import { createProject } from '../../../src/store/projects';
import { insertRows } from '../../../src/store/snapshot/load';
import { createSprint } from '../../../src/store/sprints';
import type { Store } from '../../../src/store/store';
import { addDependency } from '../../../src/store/taskWork';
import { createTask, deleteTask, updateTask } from '../../../src/store/tasks';
import { human, rejectsWith, tempDir, useTempStore, writeTree } from '../../helpers';
import { appendToLog, History, refActivity, refBurndown, refDays, refFlow, refStarts, type LoggedEvent } from './history';

const NOW = Date.parse('2026-03-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('metrics (store)', () => {
  let store: Store;
  useTempStore((s) => (store = s));
  let projectId: string;
  let sprintA: string;
  let sprintB: string;
  beforeEach(async () => {
    projectId = (await store.write((o) => createProject(o, human, { name: 'Moonshot' }))).id;
    sprintA = (await store.write((o) => createSprint(o, human, { projectId, name: 'A', startsOn: '2026-03-02', endsOn: '2026-03-06' }))).id;
    sprintB = (await store.write((o) => createSprint(o, human, { projectId, name: 'B', startsOn: '2026-03-02', endsOn: '2026-03-06' }))).id;
  });

  /** The log as the store holds it (the API's own events included), for the plain computations. */
  const logged = async (): Promise<LoggedEvent[]> =>
    (await store.conn.all<LoggedEvent & { data: string }>('SELECT id, aggregate_type, aggregate_id, version, type, data, actor, source, created_at FROM events')).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));

  it('an empty sprint burns nothing down: every day 0, the ideal line 0', async () => {
    const r = await burndown(store, { sprintId: sprintA }, NOW);
    assert.deepEqual(r.sprint, { id: sprintA, name: 'A', projectId, startsOn: '2026-03-02', endsOn: '2026-03-06' });
    assert.deepEqual(
      r.days.map((d) => [d.date, d.remainingTasks, d.remainingMinutes, d.scopeTasks, d.idealTasks, d.idealMinutes]),
      refDays('2026-03-02', '2026-03-06').map((d) => [d, 0, 0, 0, 0, 0]),
    );
    const flow = await cumulativeFlow(store, { projectId, from: '2026-03-01', to: '2026-03-03' }, NOW);
    assert.deepEqual(flow.buckets.map((b) => b.byStatus), [0, 1, 2].map(() => ({ pending: 0, in_progress: 0, blocked: 0, done: 0, cancelled: 0 })));
    assert.deepEqual((await throughput(store, { projectId, from: '2026-03-01', to: '2026-03-03' }, NOW)).buckets.map((b) => b.done), [0, 0, 0]);
  });

  it('a reopened task counts once, when it is done again; its cycle time runs from its first start', async () => {
    const h = new History()
      .create('2026-03-02T10:00:00.000Z', 'T1', { projectId, sprintId: sprintA, estimatedMinutes: 90 })
      .status('2026-03-03T09:00:00.000Z', 'T1', 'in_progress')
      .status('2026-03-04T17:00:00.000Z', 'T1', 'done')
      .status('2026-03-05T08:00:00.000Z', 'T1', 'in_progress')
      .status('2026-03-06T16:00:00.000Z', 'T1', 'done');
    await appendToLog(store, h.events);
    const range = { projectId, from: '2026-03-02', to: '2026-03-07' };
    assert.deepEqual((await throughput(store, range, NOW)).buckets.map((b) => b.done), [0, 0, 0, 0, 1, 0]);
    const flow = (await cumulativeFlow(store, range, NOW)).buckets.map((b) => b.byStatus);
    assert.deepEqual(flow.map((s) => [s.pending, s.in_progress, s.done]), [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1], [0, 0, 1]]);
    const c = await cycleTime(store, range, NOW);
    assert.equal(c.count, 1);
    assert.equal(c.cycle.p50Ms, Date.parse('2026-03-06T16:00:00Z') - Date.parse('2026-03-03T09:00:00Z'));
    assert.equal(c.lead.p50Ms, Date.parse('2026-03-06T16:00:00Z') - Date.parse('2026-03-02T10:00:00Z'));
    assert.deepEqual(c.tasks.map((t) => [t.id, t.doneAt, t.startedAt]), [['T1', '2026-03-06T16:00:00.000Z', '2026-03-03T09:00:00.000Z']]);
    assert.equal(c.histogram.find((b) => b.label === '2-4d')!.cycle, 1);
    assert.equal(c.histogram.find((b) => b.label === '4-7d')!.lead, 1);
    const burn = await burndown(store, { sprintId: sprintA }, NOW);
    assert.deepEqual(burn.days.map((d) => [d.remainingTasks, d.remainingMinutes]), [[1, 90], [1, 90], [0, 0], [1, 90], [0, 0]]);
    assert.deepEqual(burn.days.map((d) => [d.idealTasks, d.idealMinutes]), [[1, 90], [0.75, 67.5], [0.5, 45], [0.25, 22.5], [0, 0]]);
  });

  it('a deleted task leaves the burndown and the flow when it is deleted, and is never throughput', async () => {
    const h = new History()
      .create('2026-03-02T10:00:00.000Z', 'T1', { projectId, sprintId: sprintA, estimatedMinutes: 30 })
      .create('2026-03-02T11:00:00.000Z', 'T2', { projectId, sprintId: sprintA, estimatedMinutes: 60 })
      .status('2026-03-03T12:00:00.000Z', 'T2', 'done')
      .remove('2026-03-04T12:00:00.000Z', 'T1')
      .remove('2026-03-05T12:00:00.000Z', 'T2');
    await appendToLog(store, h.events);
    const burn = await burndown(store, { sprintId: sprintA }, NOW);
    assert.deepEqual(burn.days.map((d) => [d.remainingTasks, d.remainingMinutes, d.scopeTasks]), [[2, 90], [1, 30], [0, 0], [0, 0], [0, 0]].map(([n, m], i) => [n, m, [2, 2, 1, 0, 0][i]]));
    const range = { projectId, from: '2026-03-02', to: '2026-03-06' };
    assert.deepEqual((await throughput(store, range, NOW)).buckets.map((b) => b.done), [0, 0, 0, 0, 0], 'done, then deleted: not done');
    assert.deepEqual((await cumulativeFlow(store, range, NOW)).buckets.map((b) => [b.byStatus.pending, b.byStatus.done]), [[2, 0], [1, 1], [0, 1], [0, 0], [0, 0]]);
    assert.equal((await cycleTime(store, range, NOW)).count, 0);
  });

  it('a task moved between sprints counts in each while it is there; a restore brings a deleted one back', async () => {
    const h = new History()
      .create('2026-03-02T09:00:00.000Z', 'T1', { projectId, sprintId: sprintA, estimatedMinutes: 45 })
      .move('2026-03-03T15:00:00.000Z', 'T1', sprintB)
      .estimate('2026-03-04T15:00:00.000Z', 'T1', 120)
      .move('2026-03-05T15:00:00.000Z', 'T1', null)
      .create('2026-03-02T09:30:00.000Z', 'T2', { projectId, sprintId: sprintB })
      .remove('2026-03-03T09:30:00.000Z', 'T2')
      .restore('2026-03-04T09:30:00.000Z', 'T2');
    await appendToLog(store, h.events);
    const a = await burndown(store, { sprintId: sprintA }, NOW);
    const b = await burndown(store, { sprintId: sprintB }, NOW);
    assert.deepEqual(a.days.map((d) => [d.remainingTasks, d.remainingMinutes]), [[1, 45], [0, 0], [0, 0], [0, 0], [0, 0]]);
    assert.deepEqual(b.days.map((d) => [d.remainingTasks, d.remainingMinutes]), [[1, 0], [1, 45], [2, 120], [1, 0], [1, 0]]);
    const events = await logged();
    const days = refDays('2026-03-02', '2026-03-06');
    for (const [sprintId, r] of [[sprintA, a], [sprintB, b]] as const) {
      assert.deepEqual(r.days.map((d) => ({ remaining: d.remainingTasks, minutes: d.remainingMinutes, scope: d.scopeTasks })), refBurndown(events, { sprintId, days, timeZone: 'UTC' }));
    }
  });

  it('a sprint under way shows no figures for the days to come; one yet to start draws its ideal line from what remains now', async () => {
    const h = new History().create('2026-03-01T09:00:00.000Z', 'T1', { projectId, sprintId: sprintA, estimatedMinutes: 10 }).create('2026-03-01T09:00:00.000Z', 'T2', { projectId, sprintId: sprintA });
    await appendToLog(store, h.events);
    const during = await burndown(store, { sprintId: sprintA }, Date.parse('2026-03-04T08:00:00Z'));
    assert.deepEqual(during.days.map((d) => d.remainingTasks), [2, 2, 2, null, null]);
    assert.deepEqual(during.days.map((d) => d.idealTasks), [2, 1.5, 1, 0.5, 0]);
    const before = await burndown(store, { sprintId: sprintA }, Date.parse('2026-03-01T12:00:00Z'));
    assert.deepEqual(before.days.map((d) => d.remainingTasks), [null, null, null, null, null]);
    assert.deepEqual(before.days.map((d) => [d.idealTasks, d.idealMinutes]), [[2, 10], [1.5, 7.5], [1, 5], [0.5, 2.5], [0, 0]]);
    // Without dates: from the day it was created to today.
    const open = await store.write((o) => createSprint(o, human, { projectId, name: 'Open' }));
    const created = new Date(Date.parse(open.createdAt)).toISOString().slice(0, 10);
    const r = await burndown(store, { sprintId: open.id });
    assert.deepEqual([r.sprint.startsOn, r.sprint.endsOn, r.days.length], [created, new Date().toISOString().slice(0, 10), refDays(created, new Date().toISOString().slice(0, 10)).length]);
  });

  it('days are days in the time zone asked for: a quarter-hour offset, a daylight-saving day, a date line', async () => {
    const h = new History()
      // Kathmandu is UTC+5:45: 18:14Z is 23:59 there, 18:15Z is midnight of the next day.
      .create('2026-03-02T18:14:00.000Z', 'K1', { projectId, status: 'done' })
      .create('2026-03-02T18:15:00.000Z', 'K2', { projectId, status: 'done' })
      // New York springs forward on 2026-03-08 (a 23-hour day): 03:59Z on the 9th is 23:59 of the 8th (UTC-4).
      .create('2026-03-09T03:59:00.000Z', 'N1', { projectId, status: 'done' })
      .create('2026-03-09T04:00:00.000Z', 'N2', { projectId, status: 'done' })
      // Chatham is UTC+13:45 in March: 10:14Z is 23:59 there.
      .create('2026-03-10T10:14:00.000Z', 'C1', { projectId, status: 'done' })
      .create('2026-03-10T10:15:00.000Z', 'C2', { projectId, status: 'done' });
    await appendToLog(store, h.events);
    const done = async (timeZone: string, from: string, to: string) => (await throughput(store, { projectId, from, to, timeZone }, NOW)).buckets.map((b) => b.done);
    assert.deepEqual(await done('Asia/Kathmandu', '2026-03-02', '2026-03-03'), [1, 1]);
    assert.deepEqual(await done('UTC', '2026-03-02', '2026-03-03'), [2, 0]);
    assert.deepEqual(await done('America/New_York', '2026-03-08', '2026-03-09'), [1, 1]);
    assert.deepEqual(await done('Pacific/Chatham', '2026-03-10', '2026-03-11'), [1, 1]);
    assert.deepEqual(await done('Asia/Kolkata', '2026-03-09', '2026-03-09'), [2], '09:29 and 09:30 in Kolkata, one day');
    // Every zone, day and week, agrees with the plain computation.
    const events = await logged();
    for (const timeZone of ['UTC', 'Asia/Kathmandu', 'America/New_York', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/St_Johns', 'Europe/Paris']) {
      for (const bucket of ['day', 'week'] as const) {
        const p = { projectId, from: '2026-02-27', to: '2026-03-12', bucket, timeZone };
        const starts = refStarts(p.from, p.to, bucket);
        const flow = await cumulativeFlow(store, p, NOW);
        assert.deepEqual(flow.buckets.map((b) => b.start), starts);
        assert.deepEqual(flow.buckets.map((b) => b.byStatus), refFlow(events, { projectId, starts, bucket, timeZone }), `${timeZone} by ${bucket}`);
      }
    }
  });

  it('per agent: runs, success rate, tokens, mean quality and duration, errors; a run leaves its project with its task', async () => {
    const task = await store.write((o) => createTask(o, human, { projectId, title: 'Build' }));
    const other = (await store.write((o) => createProject(o, human, { name: 'Other' }))).id;
    const elsewhere = await store.write((o) => createTask(o, human, { projectId: other, title: 'Elsewhere' }));
    const agent = { actor: 'claude', source: 'agent' as const };
    const run = (agentName: string, startedAt: string, f: Partial<Parameters<typeof recordAgentRun>[2]>) =>
      store.write((o) => recordAgentRun(o, agent, { agent: agentName, startedAt, outcome: 'success', ...f }));
    await run('coder', '2026-03-02T10:00:00.000Z', { taskId: task.id, tokensIn: 1000, tokensOut: 200, qualityScore: 0.9, durationMs: 60_000 });
    await run('coder', '2026-03-02T23:30:00.000Z', { taskId: task.id, outcome: 'failure', tokensIn: 500, tokensOut: 50, errors: 2, durationMs: 30_000 });
    await run('coder', '2026-03-03T10:00:00.000Z', { taskId: elsewhere.id, tokensIn: 10, qualityScore: 0.5 });
    await run('reviewer', '2026-03-03T12:00:00.000Z', { outcome: 'partial', qualityScore: 0.4 });
    const all = await agentMetrics(store, { from: '2026-03-02', to: '2026-03-03' }, NOW);
    assert.deepEqual(all.agents, [
      { agent: 'coder', runs: 3, successRate: 0.6667, tokensIn: 1510, tokensOut: 250, meanQuality: 0.7, meanDurationMs: 45_000, errors: 2 },
      { agent: 'reviewer', runs: 1, successRate: 0, tokensIn: 0, tokensOut: 0, meanQuality: 0.4, meanDurationMs: null, errors: 0 },
    ]);
    assert.deepEqual(all.buckets.map((b) => Object.fromEntries(Object.entries(b.byAgent).map(([a, f]) => [a, f.runs]))), [{ coder: 2 }, { coder: 1, reviewer: 1 }]);
    // In Paris, 23:30Z is the next day.
    const paris = await agentMetrics(store, { from: '2026-03-02', to: '2026-03-03', timeZone: 'Europe/Paris' }, NOW);
    assert.deepEqual(paris.buckets.map((b) => b.byAgent.coder?.runs), [1, 2]);
    const mine = await agentMetrics(store, { projectId, from: '2026-03-02', to: '2026-03-03' }, NOW);
    assert.deepEqual(mine.agents.map((a) => [a.agent, a.runs, a.tokensIn]), [['coder', 2, 1500]]);
    assert.deepEqual((await agentMetrics(store, { agent: 'reviewer', from: '2026-03-02', to: '2026-03-03' }, NOW)).agents.map((a) => a.agent), ['reviewer']);
    // Its task deleted, a run belongs to no project (as on a machine that gets it afterwards).
    await store.write((o) => deleteTask(o, human, task.id));
    assert.deepEqual((await agentMetrics(store, { projectId, from: '2026-03-02', to: '2026-03-03' }, NOW)).agents, []);
    assert.equal((await agentMetrics(store, { from: '2026-03-02', to: '2026-03-03' }, NOW)).agents[0]!.runs, 3);
  });

  it('activity: events per bucket by actor, people (cli, extension) against agents', async () => {
    const h = new History()
      .create('2026-03-02T10:00:00.000Z', 'T1', { projectId }, { actor: 'ana', source: 'cli' })
      .status('2026-03-02T11:00:00.000Z', 'T1', 'in_progress', { actor: 'claude', source: 'agent' })
      .rename('2026-03-03T11:00:00.000Z', 'T1', 'Renamed', { actor: 'ana', source: 'extension' })
      .other('2026-03-03T23:59:59.999Z', 'vault', 'vault.indexed', { actor: 'ana:laptop', source: 'extension' })
      .other('2026-03-04T00:00:00.000Z', 'memory', 'memory.created', { actor: 'claude', source: 'agent' });
    await appendToLog(store, h.events);
    const r = await activity(store, { from: '2026-03-02', to: '2026-03-04' }, NOW);
    assert.deepEqual(r.buckets, refActivity(await logged(), { starts: refDays('2026-03-02', '2026-03-04'), bucket: 'day', timeZone: 'UTC' }));
    assert.deepEqual(r.buckets.map((b) => [b.total, b.humans, b.agents]), [[2, 1, 1], [2, 2, 0], [1, 0, 1]]);
    assert.deepEqual(r.actors, [
      { actor: 'ana', total: 2, humans: 2, agents: 0 },
      { actor: 'claude', total: 2, humans: 0, agents: 2 },
      { actor: 'ana:laptop', total: 1, humans: 1, agents: 0 },
    ]);
    const week = await activity(store, { from: '2026-03-02', to: '2026-03-04', bucket: 'week', timeZone: 'Asia/Tokyo' }, NOW);
    assert.deepEqual(week.buckets.map((b) => [b.start, b.total]), [['2026-03-02', 5]]);
  });

  it('lists: blocked tasks longest blocked first, stale tasks oldest first, the most-linked notes', async () => {
    const blocked = await store.write((o) => createTask(o, human, { projectId, title: 'Waits' }));
    const dep = await store.write((o) => createTask(o, human, { projectId, title: 'Dependency' }));
    await store.write((o) => updateTask(o, human, blocked.id, 1, { status: 'blocked' }));
    await store.write((o) => addDependency(o, human, blocked.id, dep.id));
    // Tasks last changed long ago, put in place as a restore would (the store's writes stamp the present).
    const old = (id: string, status: string, updatedAt: string) => [id, projectId, `Old ${id}`, status, updatedAt, updatedAt];
    await store.conn.transaction(() =>
      insertRows(store.conn, 'tasks', ['id', 'project_id', 'title', 'status', 'created_at', 'updated_at'], [
        old('OLD1', 'pending', new Date(NOW - 40 * DAY).toISOString()),
        old('OLD2', 'in_progress', new Date(NOW - 90 * DAY).toISOString()),
        old('OLD3', 'done', new Date(NOW - 90 * DAY).toISOString()),
        old('OLD4', 'blocked', new Date(NOW - 31 * DAY).toISOString()),
        old('NEW1', 'pending', new Date(NOW - 29 * DAY).toISOString()),
      ]),
    );
    const vault = writeTree({ 'hub.md': '# Hub\n', 'a.md': '[[hub]] [[b]]\n', 'b.md': '[[hub]] ![[hub]]\n', 'c.md': '[[hub]] [[b]] [[missing]]\n' }, path.join(tempDir(), 'vault'));
    await indexVault(store, vault, human, { embedder: null });
    const r = await lists(store, { projectId }, NOW);
    assert.equal(r.blocked.total, 2);
    assert.deepEqual(r.blocked.tasks.map((t) => [t.id, t.waitingOn]), [['OLD4', 0], [blocked.id, 1]]);
    assert.ok(r.blocked.tasks[1]!.blockedSince, 'from the status change in the log');
    assert.equal(r.stale.total, 3);
    assert.deepEqual(r.stale.tasks.map((t) => [t.id, t.status, t.idleDays]), [['OLD2', 'in_progress', 90], ['OLD1', 'pending', 40], ['OLD4', 'blocked', 31]]);
    assert.deepEqual((await lists(store, { projectId, staleDays: 60, limit: 1 }, NOW)).stale, { days: 60, untouchedSince: new Date(NOW - 60 * DAY).toISOString(), total: 1, tasks: [r.stale.tasks[0]] });
    assert.deepEqual(r.mostLinkedNotes, [
      { path: 'hub.md', title: 'Hub', links: 4 },
      { path: 'b.md', title: 'b', links: 2 },
    ]);
    const other = (await store.write((o) => createProject(o, human, { name: 'Other' }))).id;
    assert.deepEqual([(await lists(store, { projectId: other }, NOW)).blocked.total, (await lists(store, { projectId: other }, NOW)).stale.total], [0, 0]);
  });

  it('the figures of the store API itself: tasks created, moved and finished now', async () => {
    const t = await store.write((o) => createTask(o, human, { projectId, title: 'Now', sprintId: sprintA, estimatedMinutes: 5 }));
    await store.write((o) => updateTask(o, human, t.id, 1, { status: 'in_progress' }));
    await store.write((o) => updateTask(o, { actor: 'claude', source: 'agent' }, t.id, 2, { status: 'done' }));
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual((await throughput(store, { projectId, from: today, to: today })).buckets, [{ start: today, done: 1 }]);
    const c = await cycleTime(store, { projectId, from: today, to: today });
    assert.deepEqual([c.count, c.tasks[0]!.id, c.tasks[0]!.title], [1, t.id, 'Now']);
    const events = await logged();
    assert.deepEqual((await activity(store, { from: today, to: today })).buckets, refActivity(events, { starts: [today], bucket: 'day', timeZone: 'UTC' }));
    assert.deepEqual((await cumulativeFlow(store, { from: today, to: today })).buckets.map((b) => b.byStatus), refFlow(events, { starts: [today], bucket: 'day', timeZone: 'UTC' }));
  });

  it('refuses what it cannot answer, saying why', async () => {
    await rejectsWith(burndown(store, { sprintId: 'nope' }), 'not_found', /No sprint with id nope/);
    await rejectsWith(throughput(store, { projectId: 'nope' }), 'not_found', /No project with id nope/);
    await rejectsWith(throughput(store, { timeZone: 'Mars/Olympus' }), 'invalid', /timeZone "Mars\/Olympus" is not a time zone/);
    await rejectsWith(cumulativeFlow(store, { from: '2026-03-05', to: '2026-03-01' }), 'invalid', /from \(2026-03-05\) is after to \(2026-03-01\)/);
    await rejectsWith(activity(store, { from: '2000-01-01', to: '2026-01-01' }), 'invalid', /9498 day buckets; at most 3660 .* or bucket week/);
    assert.equal((await activity(store, { from: '2000-01-01', to: '2026-01-01', bucket: 'week' })).buckets.length, 1358, 'weeks from the Monday before 2000-01-01');
    await rejectsWith(throughput(store, { from: '1969-12-31', to: '1970-01-02' }), 'invalid', /from \(1969-12-31\) must be a date from 1970-01-01 to 9998-12-31/);
    await rejectsWith(cycleTime(store, { from: '9998-12-01', to: '9999-01-01' }), 'invalid', /to \(9999-01-01\) must be a date from 1970-01-01 to 9998-12-31/);
    const far = await store.write((o) => createSprint(o, human, { projectId, name: 'Far', startsOn: '9999-12-30', endsOn: '9999-12-31' }));
    await rejectsWith(burndown(store, { sprintId: far.id }), 'invalid', /the sprint's first day \(9999-12-30\) must be a date from 1970-01-01 to 9998-12-31/);
  });
});
