// The work model as a user or an agent's script runs it through dist/cli.js: depend / undepend, task show in both
// directions, criteria, next (--claim, --json), claim, done, and task update / sprint update.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cleanupTempDirs, cliWith, requireBuilt, tempDir } from '../helpers';

describe('cairn task depend / criteria / next / claim / done / update (CLI)', () => {
  let store: string;
  let projectId: string;
  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir(), 'store');
    ok('init');
    projectId = json('project', 'add', 'Moonshot').id;
  });
  afterEach(cleanupTempDirs);

  const { run, ok, json } = cliWith(() => ['--store', store, '--actor', 'tester']);
  const add = (title: string, ...flags: string[]) => json('task', 'add', '--project', projectId, ...flags, title).id as string;

  it('depend, show both directions and the checklist, next / claim / done as an agent would script it', () => {
    const design = add('Design', '--priority', 'high');
    const build = add('Build', '--priority', 'urgent');
    assert.match(ok('task', 'depend', build, '--on', design), new RegExp(`Build.* now waits for ${design}`));
    const cycle = run(['task', 'depend', design, '--on', build]);
    assert.equal(cycle.status, 1);
    assert.match(cycle.stderr, /^cairn: Task .*"Design" cannot depend on .*"Build": that would make a cycle/);
    ok('task', 'criteria', 'add', build, 'Compiles');
    ok('task', 'criteria', 'add', build, 'Tests pass');
    const shown = ok('task', 'show', build);
    assert.match(shown, new RegExp(`waits for \\(not ready\\):\\n  ${design}  pending  Design`));
    assert.match(shown, /acceptance criteria \(0\/2\):\n  1\. \[ \] Compiles\n  2\. \[ \] Tests pass/);
    assert.match(ok('task', 'show', design), new RegExp(`waited for by:\\n  ${build}  pending  Build`));
    assert.deepEqual(json('task', 'show', build).dependencies.dependsOn.map((t: { id: string }) => t.id), [design]);

    assert.equal(json('task', 'next', '--agent', 'coder').task.id, design, 'the urgent one waits: the high one is next');
    const claimed = json('task', 'next', '--agent', 'coder', '--claim').task;
    assert.deepEqual([claimed.id, claimed.assignee, claimed.status], [design, 'coder', 'in_progress']);
    assert.deepEqual(json('task', 'next', '--agent', 'reviewer'), { task: null }, 'nothing else is ready');
    const held = run(['task', 'claim', design, '--agent', 'reviewer']);
    assert.equal(held.status, 1);
    assert.match(held.stderr, /is held by coder \(in progress\)/);
    const done = json('task', 'done', design, '--duration-ms', '90000', '--tokens-in', '1200', '--tokens-out', '300', '--quality', '0.9', '--summary', 'Designed');
    assert.deepEqual([done.task.status, done.task.tokensIn, done.task.actualMinutes, done.run.agentName, done.run.notes], ['done', 1200, 1.5, 'coder', 'Designed']);

    assert.match(ok('task', 'claim', build, '--agent', 'coder'), /^Claimed /);
    const open = run(['task', 'done', build]);
    assert.equal(open.status, 1);
    assert.match(open.stderr, /2 open acceptance criteria \(1\. Compiles; 2\. Tests pass\)/);
    ok('task', 'criteria', 'check', build, '1');
    ok('task', 'criteria', 'check', build, '2');
    assert.match(ok('task', 'done', build), /^Done: .*Build.*; run \w+ by coder\n$/);
    assert.equal(json('task', 'show', build).dependencies.ready, true);
  });

  it('task update and sprint update change fields with the version read; bad values are usage errors', () => {
    const sprint = json('sprint', 'add', '--project', projectId, 'Sprint 1');
    const id = add('Draft');
    const t = json('task', 'update', id, '--title', 'Final', '--priority', 'high', '--tag', 'a', '--tag', 'b', '--estimate', '30', '--sprint', sprint.id, '--description', 'All of it');
    assert.deepEqual([t.title, t.priority, t.tags, t.estimatedMinutes, t.sprintId, t.description], ['Final', 'high', ['a', 'b'], 30, sprint.id, 'All of it']);
    assert.equal(json('task', 'update', id, '--sprint', 'none').sprintId, null);
    const s = json('sprint', 'update', sprint.id, '--status', 'active', '--goal', 'Ship', '--starts', '2026-12-01', '--ends', '2026-12-14');
    assert.deepEqual([s.status, s.goal, s.startsOn, s.endsOn], ['active', 'Ship', '2026-12-01', '2026-12-14']);
    assert.equal(run(['sprint', 'update', sprint.id, '--status', 'sleeping']).status, 2);
    const backwards = run(['sprint', 'update', sprint.id, '--ends', '2026-11-01']);
    assert.equal(backwards.status, 1, 'checked against the start as stored');
    assert.match(backwards.stderr, /endsOn must not be before startsOn/);
    const missing = run(['sprint', 'update', 'NOPE', '--goal', 'x']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /No sprint with id NOPE/);
  });
});
