// Four `cairn mcp` processes on one store at once, as four agents would run: every entity and task each one was
// told was written is there, nothing twice, and the database passes its integrity check. (The MCP memory server
// keeps 1 of 20 concurrent creates in the same situation: its file is rewritten whole by each call.)
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, tempDir } from '../helpers';
import { connect } from './client';

const AGENTS = 4;
const ENTITIES = 1000;
const BATCH = 100;
const TASKS = 250;

describe('four cairn mcp processes writing one store at once', function () {
  this.timeout(300_000);
  before(requireBuilt);
  afterEach(cleanupTempDirs);

  it(`each creates ${ENTITIES} entities (batches of ${BATCH}) and ${TASKS} tasks: nothing lost, nothing doubled, integrity ok`, async () => {
    const store = path.join(tempDir('cairn-mcp-race-'), 'store');
    assert.equal(cli(['--store', store, 'init']).status, 0);
    const project = JSON.parse(cli(['--store', store, '--json', 'project', 'add', 'Race']).stdout) as { id: string };
    const agents = await Promise.all(Array.from({ length: AGENTS }, (_, a) => connect(['--store', store, 'mcp'], { name: `agent-${a}` })));
    try {
      const acknowledged = await Promise.all(
        agents.map(async (mcp, a) => {
          let entities = 0;
          const tasks: string[] = [];
          for (let b = 0; b < ENTITIES / BATCH; b++) {
            const batch = Array.from({ length: BATCH }, (_, i) => ({ name: `a${a}-e${b * BATCH + i}`, entityType: 'fact', observations: [`written by agent ${a}`] }));
            entities += (await mcp.ok<unknown[]>('create_entities', { entities: batch })).length;
            for (let t = 0; t < TASKS / (ENTITIES / BATCH); t++) tasks.push((await mcp.ok<{ id: string }>('task_create', { projectId: project.id, title: `agent ${a} task ${tasks.length}` })).id);
          }
          return { entities, tasks };
        }),
      );
      assert.deepEqual(acknowledged.map((r) => [r.entities, r.tasks.length]), Array.from({ length: AGENTS }, () => [ENTITIES, TASKS]));
      const graph = await agents[0]!.ok<{ total: number }>('read_graph', { limit: 1 });
      assert.equal(graph.total, AGENTS * ENTITIES, 'every entity acknowledged is there');
      const tasks = JSON.parse(cli(['--store', store, '--json', 'task', 'list', '--project', project.id]).stdout) as { id: string; title: string }[];
      assert.equal(tasks.length, AGENTS * TASKS, 'every task acknowledged is there');
      assert.equal(new Set(tasks.map((t) => t.title)).size, AGENTS * TASKS, 'none twice');
      assert.deepEqual(new Set(tasks.map((t) => t.id)), new Set(acknowledged.flatMap((r) => r.tasks)));
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
    const doctor = cli(['--store', store, '--json', 'doctor']);
    assert.equal(doctor.status, 0, doctor.stderr);
    assert.equal(JSON.parse(doctor.stdout).ok, true, 'integrity_check ok');
  });

  it('four agents claiming and completing in a loop: no task claimed twice, none before its dependencies are done', async () => {
    const store = path.join(tempDir('cairn-mcp-claims-'), 'store');
    assert.equal(cli(['--store', store, 'init']).status, 0);
    const project = JSON.parse(cli(['--store', store, '--json', 'project', 'add', 'Claims']).stdout) as { id: string };
    const agents = await Promise.all(Array.from({ length: AGENTS }, (_, a) => connect(['--store', store, 'mcp'], { name: `agent-${a}` })));
    const TOTAL = 40;
    try {
      // Four chains: task i waits for task i - 4.
      const ids: string[] = [];
      for (let i = 0; i < TOTAL; i++) ids.push((await agents[0]!.ok<{ id: string }>('task_create', { projectId: project.id, title: `step ${i}`, dependsOn: i >= 4 ? [ids[i - 4]!] : [] })).id);
      const completedBy = new Map<string, string>();
      await Promise.all(
        agents.map(async (mcp, a) => {
          for (let idle = 0; idle < 500; ) {
            const { task } = await mcp.ok<{ task: { id: string } | null }>('task_claim', {});
            if (!task) {
              const done = await mcp.ok<unknown[]>('task_list', { projectId: project.id, status: 'done', limit: 100 });
              if (done.length === TOTAL) return;
              idle++;
              await new Promise((r) => setTimeout(r, 10));
              continue;
            }
            assert.ok(!completedBy.has(task.id), `${task.id} claimed again by agent-${a} after ${completedBy.get(task.id)} completed it`);
            await mcp.ok('task_complete', { id: task.id, durationMs: 5, tokensIn: 10, tokensOut: 5 });
            completedBy.set(task.id, `agent-${a}`);
          }
        }),
      );
      assert.equal(completedBy.size, TOTAL, 'every task done');
      // From the event log: one claim per task, each after the completion of what it waits for.
      const events = JSON.parse(cli(['--store', store, '--json', 'log', '--type', 'task', '--limit', '1000']).stdout) as { seq: number; aggregateId: string; type: string; actor: string }[];
      const seqOf = (id: string, type: string) => events.filter((e) => e.aggregateId === id && e.type === type).map((e) => e.seq);
      for (const [i, id] of ids.entries()) {
        const claims = seqOf(id, 'task.claimed');
        assert.equal(claims.length, 1, `step ${i} claimed ${claims.length} times`);
        if (i >= 4) assert.ok(claims[0]! > seqOf(ids[i - 4]!, 'task.completed')[0]!, `step ${i} claimed before step ${i - 4} was done`);
      }
      assert.ok(new Set(events.filter((e) => e.type === 'task.claimed').map((e) => e.actor)).size > 1, 'the work was shared');
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
    const doctor = cli(['--store', store, '--json', 'doctor']);
    assert.equal(JSON.parse(doctor.stdout).ok, true, 'integrity_check ok');
  });
});
