// Where a task shows in the Projects tree under a view (src/store/taskTree.ts), for Reveal Task: the chain from the
// top-most of its shown ancestors down to the task, each with its position in its level (so the tree knows which
// page holds it), and the level the chain starts in (the project's own list, a sprint or a group).
import { sql } from 'drizzle-orm';
import type { Orm } from './orm';
import { getTask } from './tasks';
import { levelWhere, readTreeTasks, shownChildren, shows, type TreeLevel, type TreeTask, type TreeView } from './taskTree';

export interface TreePlace {
  /** Where the chain's first task sits; each next one sits under the one before. */
  level: TreeLevel;
  chain: { task: TreeTask; position: number }[];
}

/** Deeper than any chain of subtasks Cairn writes (tasks.ts refuses loops and stops looking at 1,000). */
const MAX_DEPTH = 1000;

/** The task's place, or null when the view does not show it (the filter hides it; or a loop of parents, which only a hand-edited restore could hold, leaves it under nothing). */
export async function treePlace(orm: Orm, id: string, v: TreeView): Promise<TreePlace | null> {
  const task = await getTask(orm, id);
  const climb = v.groupBy === 'sprint';
  // The task and, grouped by sprint, its ancestors while they show: top-most first.
  const ids = (
    (await orm.all(sql`
      with recursive up(id, parent_id, depth) as (
        select t.id, t.parent_id, 0 from tasks t where t.id = ${id} and ${shows('t', v)}
        union all
        select t.id, t.parent_id, up.depth + 1 from up join tasks t on t.id = up.parent_id
        where ${climb ? sql`1` : sql`0`} and +t.project_id = ${task.projectId} and ${shows('t', v)} and up.depth < ${MAX_DEPTH}
      )
      select id from up order by depth desc`)) as [string][]
  ).map(([taskId]) => taskId);
  if (!ids.length || new Set(ids).size < ids.length) return null;

  const rows = new Map((await readTreeTasks(orm, sql`select t.id, ${shownChildren(v)} as children from tasks t where t.id in ${ids}`)).map((t) => [t.id, t]));
  const top = rows.get(ids[0]!)!;
  const { projectId } = task;
  const level: TreeLevel =
    v.groupBy === 'status' ? { projectId, group: top.status }
    : v.groupBy === 'priority' ? { projectId, group: top.priority }
    : v.groupBy === 'assignee' ? { projectId, group: top.assignee ?? '' }
    : top.sprintId ? { projectId, sprintId: top.sprintId }
    : { projectId };
  const chain: TreePlace['chain'] = [];
  for (const [i, taskId] of ids.entries()) {
    const at = i === 0 ? level : { projectId, parentId: ids[i - 1]! };
    const [[position]] = (await orm.all(sql`select count(*) as n from tasks t where ${levelWhere(at, v)} and t.id < ${taskId}`)) as [[number]];
    chain.push({ task: rows.get(taskId)!, position });
  }
  return { level, chain };
}
