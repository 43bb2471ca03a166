// A sprint's burndown: for each day from its start to its end, the tasks in the sprint that are still open at the end
// of that day (and their estimate), replayed from each task's timeline (metrics_task_timeline: its creation, status
// changes, moves between sprints, estimate changes and deletion, in event time), against the ideal line.
import { notFound } from '../errors';
import { OPEN_TASK_STATUSES, type TaskStatus } from '../schema';
import type { MetricsDb } from './rollup';
import { checkTimeZone, daysOf, localDate } from './time';

export interface BurndownParams {
  sprintId: string;
  timeZone?: string;
}

export interface BurndownDay {
  date: string;
  /** Tasks in the sprint, not done or cancelled, at the end of the day; null for days still to come. */
  remainingTasks: number | null;
  /** Their estimates summed (a task without one counts 0). */
  remainingMinutes: number | null;
  /** Tasks in the sprint at the end of the day, whatever their status (the scope). */
  scopeTasks: number | null;
  /** The ideal line: from the first day's remaining down to 0 on the last day. */
  idealTasks: number;
  idealMinutes: number;
}

export interface BurndownReport {
  sprint: { id: string; name: string; projectId: string; startsOn: string; endsOn: string };
  timeZone: string;
  days: BurndownDay[];
}

interface TimelineRow {
  task_id: string;
  at: string;
  kind: 'created' | 'changed' | 'deleted';
  status: string | null;
  sprint_set: number;
  sprint_id: string | null;
  estimate_set: number;
  estimated_minutes: number | null;
}

interface TaskState {
  exists: boolean;
  status: string | null;
  sprintId: string | null;
  minutes: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function apply(state: TaskState, r: TimelineRow): void {
  if (r.kind === 'deleted') {
    state.exists = false;
    return;
  }
  if (r.kind === 'created') state.exists = true;
  if (r.status !== null) state.status = r.status;
  if (r.sprint_set) state.sprintId = r.sprint_id;
  if (r.estimate_set) state.minutes = r.estimated_minutes ?? 0;
}

export async function burndown(db: MetricsDb, p: BurndownParams, now: number = Date.now()): Promise<BurndownReport> {
  const timeZone = checkTimeZone(p.timeZone ?? 'UTC');
  const sprint = await db.conn.get<{ id: string; name: string; project_id: string; starts_on: string | null; ends_on: string | null; created_at: string }>(
    'SELECT id, name, project_id, starts_on, ends_on, created_at FROM sprints WHERE id = ?',
    [p.sprintId],
  );
  if (!sprint) throw notFound('sprint', p.sprintId);
  const today = localDate(now, timeZone);
  const startsOn = sprint.starts_on ?? localDate(Date.parse(sprint.created_at), timeZone);
  const endsOn = sprint.ends_on ?? (today > startsOn ? today : startsOn);
  const { dates, ends } = daysOf(startsOn, endsOn, timeZone);

  // Every task that was ever in the sprint: its timeline names the sprint, or (a log without its history) its row does.
  const rows = await db.conn.all<TimelineRow>(
    `SELECT task_id, at, kind, status, sprint_set, sprint_id, estimate_set, estimated_minutes FROM metrics_task_timeline
     WHERE task_id IN (SELECT task_id FROM metrics_task_timeline WHERE sprint_id IS NOT NULL AND sprint_id = ?1 UNION SELECT id FROM tasks WHERE sprint_id = ?1)
     ORDER BY task_id, at, version, event_id`,
    [p.sprintId],
  );
  const seen = new Set(rows.map((r) => r.task_id));
  const bare = await db.conn.all<{ id: string; status: string; estimated_minutes: number | null; created_at: string }>(
    'SELECT id, status, estimated_minutes, created_at FROM tasks WHERE sprint_id = ?',
    [p.sprintId],
  );
  for (const t of bare) {
    if (seen.has(t.id)) continue;
    rows.push({ task_id: t.id, at: new Date(Date.parse(t.created_at)).toISOString(), kind: 'created', status: t.status, sprint_set: 1, sprint_id: p.sprintId, estimate_set: 1, estimated_minutes: t.estimated_minutes });
  }

  const n = dates.length;
  const remaining = new Array<number>(n).fill(0);
  const minutes = new Array<number>(n).fill(0);
  const scope = new Array<number>(n).fill(0);
  const current = { remaining: 0, minutes: 0 };
  const open = (s: TaskState) => s.exists && s.sprintId === p.sprintId && OPEN_TASK_STATUSES.includes(s.status as TaskStatus);
  for (let i = 0; i < rows.length; ) {
    const id = rows[i]!.task_id;
    const state: TaskState = { exists: false, status: null, sprintId: null, minutes: 0 };
    let d = 0;
    for (; i < rows.length && rows[i]!.task_id === id; i++) {
      const r = rows[i]!;
      for (; d < n && ends[d]! <= r.at; d++) count(d, state);
      apply(state, r);
    }
    for (; d < n; d++) count(d, state);
    if (open(state)) {
      current.remaining++;
      current.minutes += state.minutes;
    }
  }
  function count(d: number, s: TaskState): void {
    if (!s.exists || s.sprintId !== p.sprintId) return;
    scope[d]!++;
    if (open(s)) {
      remaining[d]!++;
      minutes[d]! += s.minutes;
    }
  }

  // The ideal line starts from the first day's remaining (from what remains now, for a sprint yet to start).
  const started = dates[0]! <= today;
  const baseTasks = started ? remaining[0]! : current.remaining;
  const baseMinutes = started ? minutes[0]! : current.minutes;
  const ideal = (base: number, i: number) => (n > 1 ? round2((base * (n - 1 - i)) / (n - 1)) : 0);
  return {
    sprint: { id: sprint.id, name: sprint.name, projectId: sprint.project_id, startsOn, endsOn },
    timeZone,
    days: dates.map((date, i) => {
      const future = date > today;
      return {
        date,
        remainingTasks: future ? null : remaining[i]!,
        remainingMinutes: future ? null : round2(minutes[i]!),
        scopeTasks: future ? null : scope[i]!,
        idealTasks: ideal(baseTasks, i),
        idealMinutes: ideal(baseMinutes, i),
      };
    }),
  };
}
