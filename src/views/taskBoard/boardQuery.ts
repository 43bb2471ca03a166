// The board's filter (as the webview holds it) turned into tasks.board params: "mine" becomes the user's name,
// "no sprint" and "unassigned" become nulls, an empty text or an unset list no filter at all.
import type { ParamsInput } from '../../backend/protocol';
import type { BoardFilter } from './messages';

export function boardParams(
  filter: BoardFilter,
  columns: ParamsInput<'tasks.board'>['columns'],
  me: string,
  facets: boolean,
  lanes?: 'sprint' | 'assignee',
): ParamsInput<'tasks.board'> {
  const p: ParamsInput<'tasks.board'> = { columns };
  if (lanes) p.lanes = lanes;
  if (filter.projectId) p.projectId = filter.projectId;
  if (filter.sprint.kind === 'none') p.sprintId = null;
  else if (filter.sprint.kind === 'id') p.sprintId = filter.sprint.id;
  if (filter.assignee.kind === 'mine') p.assignee = me;
  else if (filter.assignee.kind === 'unassigned') p.assignee = null;
  else if (filter.assignee.kind === 'name') p.assignee = filter.assignee.name;
  if (filter.tag) p.tag = filter.tag;
  if (filter.priority) p.priority = [filter.priority];
  if (filter.text.trim()) p.text = filter.text.trim();
  if (facets) p.facets = true;
  return p;
}
