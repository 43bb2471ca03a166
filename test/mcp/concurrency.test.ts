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
});
