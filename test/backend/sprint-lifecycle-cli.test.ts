// A sprint's life through dist/cli.js, as a person or a script runs it: add with goal and dates, start, close with
// its unfinished tasks moved to the next sprint (or out of any sprint, or left), each move in the event log; and the
// mistakes refused with a message that says what to do.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cleanupTempDirs, cliWith, requireBuilt, tempDir } from '../helpers';

describe('cairn sprint add / start / close (CLI)', () => {
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
  const sprint = (name: string, ...flags: string[]) => json('sprint', 'add', '--project', projectId, ...flags, name);
  const task = (title: string, sprintId: string, status?: string) => {
    const id = json('task', 'add', '--project', projectId, '--sprint', sprintId, title).id as string;
    if (status) ok('task', 'move', id, status);
    return id;
  };
  const sprintOf = (id: string) => json('task', 'show', id).sprintId as string | null;
  /** Exit 1: the store refused it; 2: the arguments are wrong. */
  const refused = (args: string[], message: RegExp, status = 1) => {
    const r = run(args);
    assert.equal(r.status, status, r.stdout);
    assert.match(r.stderr, message);
  };

  it('adds a sprint with goal and dates; start makes it active from its first day, or from today', () => {
    const planned = sprint('Sprint 1', '--goal', 'Ship sign-up', '--starts', '2026-12-01', '--ends', '2026-12-14');
    assert.deepEqual([planned.status, planned.goal, planned.startsOn, planned.endsOn], ['planned', 'Ship sign-up', '2026-12-01', '2026-12-14']);
    assert.match(ok('sprint', 'list', '--project', projectId), /planned\s+2026-12-01 – 2026-12-14\s+Sprint 1/);
    const started = json('sprint', 'start', planned.id);
    assert.deepEqual([started.status, started.startsOn, started.version], ['active', '2026-12-01', 2]);
    assert.equal(json('sprint', 'start', planned.id).version, 2, 'starting an active sprint changes nothing');
    const undated = json('sprint', 'start', sprint('Sprint 2').id, '--on', '2026-12-15');
    assert.equal(undated.startsOn, '2026-12-15');
    const today = json('sprint', 'start', sprint('Sprint 3').id);
    const now = new Date();
    assert.equal(today.startsOn, `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`);
  });

  it('close moves the unfinished tasks to the next sprint in one write, done ones stay; each move is in the log', () => {
    const s1 = sprint('Sprint 1', '--starts', '2026-12-01').id;
    const s2 = sprint('Sprint 2').id;
    const done = task('Done already', s1, 'done');
    const open = [task('Still pending', s1), task('Half way', s1, 'in_progress'), task('Stuck', s1, 'blocked')];
    assert.match(ok('sprint', 'close', s1, '--move-open-to', s2, '--on', '2026-12-14'), /^Closed sprint .* Sprint 1 \(ended 2026-12-14\); 3 unfinished tasks moved to /);
    const closed = json('sprint', 'list', '--project', projectId).find((s: { id: string }) => s.id === s1);
    assert.deepEqual([closed.status, closed.endsOn], ['closed', '2026-12-14']);
    assert.equal(sprintOf(done), s1);
    for (const id of open) assert.equal(sprintOf(id), s2);
    const log = json('log', '--id', open[0]);
    assert.ok(log.some((e: { type: string; data: { to?: { sprintId?: string } } }) => e.data.to?.sprintId === s2), 'the move is an event of the task');
  });

  it('close with --move-open-to none takes unfinished tasks out of any sprint; without it they stay', () => {
    const s1 = sprint('Sprint 1').id;
    const t1 = task('Pending', s1);
    assert.match(ok('sprint', 'close', s1, '--move-open-to', 'none'), /1 unfinished tasks moved out of it/);
    assert.equal(sprintOf(t1), null);
    const s2 = sprint('Sprint 2').id;
    const t2 = task('Pending too', s2);
    assert.match(ok('sprint', 'close', s2), /1 unfinished tasks stay in it/);
    assert.equal(sprintOf(t2), s2);
  });

  it('refuses what cannot be: closing twice, starting a closed sprint, moving to itself, a closed or another project\'s sprint; nothing changes', () => {
    const s1 = sprint('Sprint 1').id;
    const t1 = task('Pending', s1);
    const other = json('sprint', 'add', '--project', json('project', 'add', 'Elsewhere').id, 'Theirs').id;
    const old = sprint('Old').id;
    ok('sprint', 'close', old);
    refused(['sprint', 'close', s1, '--move-open-to', s1], /cannot move to the sprint being closed/);
    refused(['sprint', 'close', s1, '--move-open-to', other], /Sprint Theirs is in another project/);
    refused(['sprint', 'close', s1, '--move-open-to', old], /Sprint Old is closed; move unfinished tasks to a planned or active sprint/);
    refused(['sprint', 'close', s1, '--move-open-to', 'nope'], /No sprint with id nope|sprint nope/i);
    refused(['sprint', 'close', old], /Sprint Old is closed already/);
    refused(['sprint', 'start', old], /Sprint Old is closed\. To work in it again, set its status/);
    refused(['sprint', 'start', s1, '--on', '2026-02-30'], /not a real calendar date/, 2);
    assert.equal(sprintOf(t1), s1);
    assert.equal(json('sprint', 'list', '--project', projectId).find((s: { id: string }) => s.id === s1).status, 'planned');
  });
});
