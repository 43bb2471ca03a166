// The store the task-listing benches read: one project of `count` tasks with varied status, priority, assignee, tags,
// descriptions and estimates, written through the repositories in one transaction.
import type { Actor } from '../src/store/events';
import { createProject } from '../src/store/projects';
import { TASK_PRIORITIES, TASK_STATUSES } from '../src/store/schema';
import { Store } from '../src/store/store';
import { createTask } from '../src/store/tasks';

const who: Actor = { actor: 'bench', source: 'agent' };

/** Builds the store in `dir`; the project's id. */
export async function buildTaskStore(dir: string, count: number, description: string): Promise<string> {
  const store = await Store.open(dir);
  try {
    const project = await store.write((orm) => createProject(orm, who, { name: 'Bench', description }));
    await store.write(async (orm) => {
      for (let i = 0; i < count; i++) {
        await createTask(orm, who, {
          projectId: project.id,
          title: `Task ${i}: make the thing ${i % 97} work`,
          description: i % 3 === 0 ? `Some notes on task ${i}, long enough to look like a real description of a piece of work.` : '',
          status: TASK_STATUSES[i % TASK_STATUSES.length],
          priority: TASK_PRIORITIES[i % TASK_PRIORITIES.length],
          assignee: i % 2 ? `agent-${i % 5}` : null,
          tags: i % 4 === 0 ? ['bench', `t${i % 10}`] : [],
          estimatedMinutes: i % 7 === 0 ? 30 : null,
        });
      }
    });
    return project.id;
  } finally {
    await store.close();
  }
}
