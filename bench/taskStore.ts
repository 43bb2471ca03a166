// The store the task-listing benches read: one project of `count` tasks with varied status, priority, assignee, tags,
// descriptions and estimates, written through the repositories in one transaction. With a shape, the project also has
// sprints (two tasks in three in one of them, picked at random) and subtasks (every `subtaskEvery`th task is one, under
// an earlier task that is none), as the Projects tree sees a project.
import type { Actor } from '../src/store/events';
import { createProject } from '../src/store/projects';
import { TASK_PRIORITIES, TASK_STATUSES } from '../src/store/schema';
import { createSprint } from '../src/store/sprints';
import { Store } from '../src/store/store';
import { createTask } from '../src/store/tasks';
import { prng } from './stats';

const who: Actor = { actor: 'bench', source: 'agent' };

export interface TaskStoreShape {
  sprints: number;
  subtaskEvery: number;
}

/** Builds the store in `dir`; the project's id and its sprints' ids (none without a shape). */
export async function buildTaskStore(dir: string, count: number, description: string, shape?: TaskStoreShape): Promise<{ projectId: string; sprintIds: string[] }> {
  const store = await Store.open(dir);
  try {
    const project = await store.write((orm) => createProject(orm, who, { name: 'Bench', description }));
    const sprintIds = await store.write(async (orm) => {
      const ids: string[] = [];
      for (let i = 0; i < (shape?.sprints ?? 0); i++) ids.push((await createSprint(orm, who, { projectId: project.id, name: `Sprint ${i + 1}` })).id);
      return ids;
    });
    const rand = prng(15);
    const topLevel: string[] = [];
    await store.write(async (orm) => {
      for (let i = 0; i < count; i++) {
        const subtask = shape && topLevel.length > 0 && i % shape.subtaskEvery === shape.subtaskEvery - 1;
        const task = await createTask(orm, who, {
          projectId: project.id,
          ...(shape && rand() < 2 / 3 ? { sprintId: sprintIds[Math.floor(rand() * sprintIds.length)] } : {}),
          ...(subtask ? { parentId: topLevel[Math.floor(rand() * topLevel.length)] } : {}),
          title: `Task ${i}: make the thing ${i % 97} work`,
          description: i % 3 === 0 ? `Some notes on task ${i}, long enough to look like a real description of a piece of work.` : '',
          status: TASK_STATUSES[i % TASK_STATUSES.length],
          priority: TASK_PRIORITIES[i % TASK_PRIORITIES.length],
          assignee: i % 2 ? `agent-${i % 5}` : null,
          tags: i % 4 === 0 ? ['bench', `t${i % 10}`] : [],
          estimatedMinutes: i % 7 === 0 ? 30 : null,
        });
        if (!subtask) topLevel.push(task.id);
      }
    });
    return { projectId: project.id, sprintIds };
  } finally {
    await store.close();
  }
}
