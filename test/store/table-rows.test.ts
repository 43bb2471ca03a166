// tableRows (one JSON text per row, REAL and BLOB columns apart) answers exactly what drizzle's own select does:
// the same keys in the same order, text of every kind, JSON columns (arrays, objects), integers, REALs that JSON
// would round, nulls, bytes; and keeps the query's order, filter and page.
import * as assert from 'node:assert/strict';
import { asc, desc, eq } from 'drizzle-orm';
import { createProject } from '../../src/store/projects';
import { embeddingState, tasks } from '../../src/store/schema';
import type { Store } from '../../src/store/store';
import { tableRows } from '../../src/store/tableRows';
import { createTask, listTasks } from '../../src/store/tasks';
import { human, useTempStore } from '../helpers';

describe('tableRows', () => {
  let store: Store;
  useTempStore((s) => (store = s));

  it('gives the rows drizzle gives, value for value, in the query order', async () => {
    const project = await store.write((orm) => createProject(orm, human, { name: 'P' }));
    const titles = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', 'émoji 🪨 and 中文', '\u0001 control', '  spaces  ', 'x'.repeat(5000)];
    await store.write(async (orm) => {
      for (const [i, title] of titles.entries()) {
        await createTask(orm, human, {
          projectId: project.id,
          title,
          description: i % 2 ? `a description of ${title}` : '',
          tags: i % 3 ? [`t${i}`, 'ünïcode', '"q"'] : [],
          criteria: i % 2 ? ['first "criterion"', 'ünï 🪨 \\ \u0001'] : [],
          estimatedMinutes: [0.1 + 0.2, 1 / 3, 30, null, 1e-7, 123456789.123456789, 2 ** 53][i] ?? null,
          assignee: i % 2 ? null : 'agent',
        });
      }
    });
    // Values that JSON would not keep: a REAL needing 17 digits, the largest double, and a big integer.
    await store.conn.run('update tasks set actual_minutes = ?, quality_score = ?, tokens_in = ? where title = ?', [1.7976931348623157e308, 0.30000000000000004, 2 ** 53 - 1, 'plain']);

    const drizzle = await store.orm.select().from(tasks).orderBy(asc(tasks.title));
    const fast = await tableRows(store.orm, tasks, store.orm.select().from(tasks).orderBy(asc(tasks.title)));
    assert.deepEqual(fast, drizzle);
    assert.deepEqual(fast.map((t) => Object.keys(t)), drizzle.map((t) => Object.keys(t)));
    assert.equal(fast.find((t) => t.title === 'plain')!.actualMinutes, 1.7976931348623157e308);

    const page = await listTasks(store.orm, { projectId: project.id, limit: 3, offset: 2 });
    assert.deepEqual(page, (await store.orm.select().from(tasks).where(eq(tasks.projectId, project.id)).orderBy(asc(tasks.id))).slice(2, 5));
    assert.deepEqual(await tableRows(store.orm, tasks, store.orm.select().from(tasks).where(eq(tasks.title, 'none'))), []);
  });

  it('hands a BLOB column over as its bytes', async () => {
    const state = Buffer.from([0, 1, 2, 255, 34, 92]);
    await store.orm.insert(embeddingState).values({ id: 1, spec: 'glove', embedderId: 'e"1', dimensions: 100, state, updatedAt: 'now' });
    await store.orm.insert(embeddingState).values({ id: 2, spec: 'x', embedderId: 'e2', dimensions: 3, state: null, updatedAt: 'now' });
    const query = () => store.orm.select().from(embeddingState).orderBy(desc(embeddingState.id));
    const fast = await tableRows(store.orm, embeddingState, query());
    assert.deepEqual(fast, await query());
    assert.deepEqual(fast[1]!.state, state);
  });
});
