// A known history for the dashboard's tests: a week and a half of work on one project (tasks created, started,
// blocked, done, reopened, deleted; people and agents), as task events with chosen times (test/store/metrics/
// history.ts) written to the log the way a restore or a sync brings another machine's events, with the rows those
// events leave in the tasks table. Shared by the integration test (fixed dates) and the UI test's seed (dates
// before today).
import { ulid } from 'ulid';
import { insertRows } from '../../src/store/snapshot/load';
import { Store } from '../../src/store/store';
import { appendToLog, History, type LoggedEvent } from '../store/metrics/history';

export interface SeededTask {
  id: string;
  title: string;
  status: string;
  sprintId: string | null;
  estimatedMinutes: number | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface DashboardHistory {
  events: LoggedEvent[];
  /** The tasks that still exist at the end, by a short name (A, B, …). */
  tasks: Record<string, SeededTask>;
  /** Every task's id by short name, deleted ones too. */
  ids: Record<string, string>;
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The history, from the sprint's first day `start` (YYYY-MM-DD, UTC) on. */
export function dashboardHistory(o: { projectId: string; sprintId: string; start: string }): DashboardHistory {
  const at = (day: number, hour: number, minute = 0) => `${addDays(o.start, day)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
  const titles: Record<string, string> = {
    A: 'Write the release notes',
    B: 'Migrate the billing tables',
    C: 'Fix the login redirect',
    D: 'Profile the search index',
    E: 'Try the old importer',
    F: 'Tune the embeddings',
    G: 'Review the API docs',
  };
  const ids: Record<string, string> = {};
  for (const [i, k] of Object.keys(titles).entries()) ids[k] = ulid(Date.parse(at(0, 0)) + i);
  const coder = { actor: 'coder', source: 'agent' as const };
  const reviewer = { actor: 'reviewer', source: 'agent' as const };
  const dana = { actor: 'dana', source: 'cli' as const };
  const p = o.projectId;
  const s = o.sprintId;
  const h = new History()
    .create(at(0, 9), ids.A!, { projectId: p, sprintId: s, estimatedMinutes: 60, title: titles.A }, dana)
    .create(at(0, 9, 30), ids.B!, { projectId: p, sprintId: s, estimatedMinutes: 120, title: titles.B }, dana)
    .create(at(0, 10), ids.E!, { projectId: p, sprintId: s, estimatedMinutes: 45, title: titles.E }, dana)
    .status(at(0, 13), ids.B!, 'in_progress', dana)
    .status(at(1, 10), ids.A!, 'in_progress', coder)
    .create(at(1, 8), ids.C!, { projectId: p, sprintId: s, estimatedMinutes: 30, title: titles.C }, dana)
    .create(at(1, 14), ids.G!, { projectId: p, sprintId: s, estimatedMinutes: 90, title: titles.G }, dana)
    .other(at(1, 12), 'project', 'project.updated', { actor: 'dana', source: 'extension' })
    .status(at(2, 15), ids.A!, 'done', coder)
    .create(at(2, 12), ids.D!, { projectId: p, title: titles.D }, dana)
    .remove(at(2, 9), ids.E!, dana)
    .status(at(2, 10), ids.G!, 'in_progress', reviewer)
    .status(at(3, 11), ids.B!, 'blocked', dana)
    .status(at(3, 17), ids.C!, 'done', dana)
    .create(at(3, 10), ids.F!, { projectId: p, title: titles.F }, coder)
    .status(at(3, 11), ids.F!, 'in_progress', coder)
    .status(at(4, 9), ids.D!, 'in_progress', dana)
    .status(at(4, 12), ids.G!, 'done', reviewer)
    .status(at(5, 10), ids.F!, 'done', coder)
    .other(at(5, 15), 'note', 'note.indexed', coder)
    .status(at(6, 9), ids.F!, 'in_progress', dana)
    .status(at(7, 16), ids.F!, 'done', coder);
  // Each surviving task's row: its state after its last event.
  const tasks: Record<string, SeededTask> = {};
  for (const [k, id] of Object.entries(ids)) {
    const list = h.events.filter((e) => e.aggregate_id === id).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    if (list.some((e) => e.type === 'task.deleted')) continue;
    const row = { status: 'pending', sprintId: null as string | null, estimatedMinutes: null as number | null };
    for (const e of list) {
      const d = e.data as { status?: string; sprintId?: string | null; estimatedMinutes?: number | null; to?: { status?: string } };
      if (e.type === 'task.created') Object.assign(row, { status: d.status, sprintId: d.sprintId ?? null, estimatedMinutes: d.estimatedMinutes ?? null });
      else if (d.to?.status) row.status = d.to.status;
    }
    tasks[k] = { id, title: titles[k]!, ...row, createdAt: list[0]!.created_at, updatedAt: list[list.length - 1]!.created_at, version: Math.max(...list.map((e) => e.version)) };
  }
  return { events: h.events, tasks, ids };
}

/** Writes the history's events and task rows into the store at `storeDir`, in one transaction each. */
export async function writeHistory(storeDir: string, h: DashboardHistory, projectId: string): Promise<void> {
  const store = await Store.open(storeDir, { create: false, loadVec: false, checkAtOpen: 'never' });
  try {
    await appendToLog(store, h.events);
    const columns = ['id', 'project_id', 'sprint_id', 'title', 'status', 'estimated_minutes', 'created_at', 'updated_at', 'version'];
    const rows = Object.values(h.tasks).map((t) => [t.id, projectId, t.sprintId, t.title, t.status, t.estimatedMinutes, t.createdAt, t.updatedAt, t.version]);
    await store.conn.transaction(() => insertRows(store.conn, 'tasks', columns, rows));
  } finally {
    await store.close();
  }
}
