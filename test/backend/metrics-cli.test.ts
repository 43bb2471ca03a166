// cairn metrics … through dist/cli.js, as a person or an agent's script runs it: work done with the CLI itself (a
// sprint, tasks moved, blocked, deleted, a run logged by an agent), then every metric as JSON, equal to what that
// work and the event log (cairn log --json) say, and as tables; bad input gets a one-line error and its exit code.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cleanupTempDirs, cliWith, requireBuilt, tempDir } from '../helpers';
import { shift } from '../store/metrics/history';

describe('cairn metrics (CLI)', () => {
  let store: string;
  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir(), 'store');
  });
  afterEach(cleanupTempDirs);

  const { run, ok, json } = cliWith(() => ['--store', store, '--actor', 'tester']);

  it('burndown, throughput, flow, cycle-time, agents, activity and lists of work done with the CLI', () => {
    ok('init');
    const projectId = json('project', 'add', 'Moonshot').id as string;
    const sprintId = json('sprint', 'add', '--project', projectId, 'Sprint 1').id as string;
    const ship = json('task', 'add', '--project', projectId, '--sprint', sprintId, '--estimate', '30', 'Ship');
    const wait = json('task', 'add', '--project', projectId, '--sprint', sprintId, '--estimate', '45', 'Wait').id as string;
    const drop = json('task', 'add', '--project', projectId, '--sprint', sprintId, 'Drop').id as string;
    // The day of the work (UTC, the metrics' default), from the store's own stamp: the sprint ends that day.
    const day = (ship.createdAt as string).slice(0, 10);
    ok('sprint', 'update', sprintId, '--starts', shift(day, -2), '--ends', day);
    ok('task', 'move', ship.id, 'in_progress');
    ok('--source', 'agent', '--actor', 'coder', 'task', 'move', ship.id, 'done');
    ok('task', 'move', wait, 'blocked');
    ok('task', 'delete', drop);
    ok('--source', 'agent', '--actor', 'coder', 'agent', 'run-log', '--agent', 'coder', '--task', ship.id, '--tokens-in', '100', '--duration-ms', '2000', '--quality', '0.5', '--outcome', 'success');

    const burn = json('metrics', 'burndown', sprintId);
    assert.deepEqual(burn.sprint, { id: sprintId, name: 'Sprint 1', projectId, startsOn: shift(day, -2), endsOn: day });
    assert.deepEqual(
      burn.days.map((d: Record<string, unknown>) => [d.date, d.remainingTasks, d.remainingMinutes, d.scopeTasks]),
      [[shift(day, -2), 0, 0, 0], [shift(day, -1), 0, 0, 0], [day, 1, 45, 2]],
      'at the end of the day: Wait (blocked) remains; Ship is done; Drop was deleted',
    );
    const range = ['--from', day, '--to', day];
    assert.deepEqual(json('metrics', 'throughput', ...range).buckets, [{ start: day, done: 1 }]);
    assert.deepEqual(json('metrics', 'flow', '--project', projectId, ...range).buckets, [{ start: day, byStatus: { pending: 0, in_progress: 0, blocked: 1, done: 1, cancelled: 0 } }]);
    const cycle = json('metrics', 'cycle-time', ...range);
    assert.deepEqual([cycle.count, cycle.tasks.map((t: { id: string; title: string }) => [t.id, t.title])], [1, [[ship.id, 'Ship']]]);
    assert.ok(cycle.cycle.p50Ms >= 0 && cycle.lead.p50Ms >= cycle.cycle.p50Ms);
    assert.equal(json('metrics', 'cycle-time', '--from', '1990-01-01', '--to', day).count, 1, 'a range of any length');
    assert.equal(json('metrics', 'activity', '--from', '1990-01-01', '--to', day, '--bucket', 'week').buckets.length > 1800, true);
    assert.deepEqual(json('metrics', 'agents', ...range).agents, [{ agent: 'coder', runs: 1, successRate: 1, tokensIn: 100, tokensOut: 0, meanQuality: 0.5, meanDurationMs: 2000, errors: 0 }]);

    // Activity is the log's events by actor and source: the same count as cairn log shows.
    const log: { actor: string; source: string; createdAt: string }[] = json('log', '--limit', '1000');
    const today = log.filter((e) => e.createdAt.startsWith(day));
    const activity = json('metrics', 'activity', ...range);
    assert.deepEqual(activity.buckets, [
      {
        start: day,
        total: today.length,
        humans: today.filter((e) => e.source !== 'agent').length,
        agents: today.filter((e) => e.source === 'agent').length,
        byActor: { coder: today.filter((e) => e.actor === 'coder').length, tester: today.filter((e) => e.actor === 'tester').length },
      },
    ]);
    assert.equal(activity.buckets[0].agents, 2, 'the move to done and the run, by coder as an agent');

    const lists = json('metrics', 'lists', '--project', projectId);
    assert.deepEqual([lists.blocked.total, lists.blocked.tasks.map((t: { id: string }) => t.id), lists.stale.total], [1, [wait], 0]);

    // The same as tables.
    assert.match(ok('metrics', 'burndown', sprintId), new RegExp(`^Sprint Sprint 1 \\(${sprintId}\\): ${shift(day, -2)} \\.\\. ${day} \\(UTC\\)\\nDATE +REMAINING +MINUTES +SCOPE +IDEAL +IDEAL MINUTES\\n`));
    assert.match(ok('metrics', 'burndown', sprintId), new RegExp(`\\n${day}  1 +45 +2 +0\\.0 +0\\.0\\n$`));
    assert.match(ok('metrics', 'throughput', ...range), new RegExp(`^Tasks done ${day} \\.\\. ${day} \\(UTC, by day\\): 1\\nSTART +DONE\\n${day}  1\\n$`));
    assert.match(ok('metrics', 'flow', ...range, '--tz', 'Europe/Paris'), /^Tasks by status .*\(Europe\/Paris, by day\)\nSTART +PENDING +IN_PROGRESS +BLOCKED +DONE +CANCELLED\n/);
    assert.match(ok('metrics', 'cycle-time', ...range), /^Tasks done .*: 1\ncycle time \(in progress → done\): 1 task, p50 /);
    assert.match(ok('metrics', 'agents', ...range), /\ncoder +1 +100% +100 +0 +0\.50 +2s +0\n$/);
    assert.match(ok('metrics', 'activity', ...range), /\nACTOR +EVENTS +AS PERSON +AS AGENT\ntester /);
    assert.match(ok('metrics', 'lists'), new RegExp(`^Blocked tasks: 1\\nID +BLOCKED SINCE +WAITING ON +ASSIGNEE +TITLE\\n${wait}  ${day} .*Wait\\n`));
  });

  it('bad input: one line saying what to fix, exit 2; an unknown sprint or project, exit 1', () => {
    ok('init');
    const cases: [string[], number, RegExp][] = [
      [['metrics', 'flow', '--tz', 'Nowhere/City'], 2, /^cairn: Invalid params for metrics\.cumulativeFlow: timeZone: timeZone is not a time zone this system knows: use an IANA name/],
      [['metrics', 'throughput', '--from', '2026-02-30'], 2, /^cairn: Invalid params for metrics\.throughput: from: not a real calendar date\n$/],
      [['metrics', 'throughput', '--from', '2026-03-05', '--to', '2026-03-01'], 2, /^cairn: Invalid params for metrics\.throughput: to: from must not be after to\n$/],
      [['metrics', 'activity', '--from', '1990-01-01', '--to', '2026-01-01'], 2, /^cairn: Invalid params for metrics\.activity: from: from\.\.to makes more than 3660 buckets, more than fit one answer: choose a shorter range or bucket week\n$/],
      [['metrics', 'throughput', '--bucket', 'month'], 2, /^cairn: .*month.*day, week/],
      [['metrics', 'lists', '--limit', '0'], 2, /^cairn: "0" is not a positive whole number/],
      [['metrics', 'burndown', 'nope'], 1, /^cairn: No sprint with id nope\.\n$/],
      [['metrics', 'agents', '--project', 'nope'], 1, /^cairn: No project with id nope\.\n$/],
    ];
    for (const [args, status, stderr] of cases) {
      const r = run(args);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });
});
