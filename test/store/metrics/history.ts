// What the metrics tests write and what they check against.
//
// History: task events with chosen times, in the shapes the store's own writes give them (tasks.ts: a created event
// holds the row, a change { from, to }, a deletion { title, projectId }; swap.ts: a restore { change, from, to }).
// They reach the log through insertRows, the way a restore or a sync brings another machine's events: that is the
// one place these tests set timestamps (the store's own writes stamp the present).
//
// reference*: the figures computed the plain way, from those events alone: each task's events replayed in time order,
// each event placed on its local date with Intl's toLocaleDateString (not the metrics' own day arithmetic), no rollups.
import { ulid } from 'ulid';
import { percentile } from '../../../bench/stats';
import { insertRows } from '../../../src/store/snapshot/load';
import type { Store } from '../../../src/store/store';

export interface LoggedEvent {
  id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  actor: string;
  source: 'cli' | 'extension' | 'agent';
  created_at: string;
}

export const EVENT_COLUMNS = ['id', 'aggregate_type', 'aggregate_id', 'version', 'type', 'data', 'actor', 'source', 'created_at'];

interface Who {
  actor?: string;
  source?: LoggedEvent['source'];
}

/** Builds task events with chosen times; `events` is the log they make. */
export class History {
  readonly events: LoggedEvent[] = [];
  private readonly versions = new Map<string, number>();
  private readonly state = new Map<string, { status: string; sprintId: string | null; estimatedMinutes: number | null; projectId: string; title: string }>();

  private push(at: string, task: string, type: string, data: Record<string, unknown>, who: Who = {}, version?: number): void {
    const v = version ?? (this.versions.get(task) ?? 0) + 1;
    this.versions.set(task, Math.max(v, this.versions.get(task) ?? 0));
    this.events.push({ id: ulid(Date.parse(at)), aggregate_type: 'task', aggregate_id: task, version: v, type, data, actor: who.actor ?? 'tester', source: who.source ?? 'cli', created_at: at });
  }

  create(at: string, task: string, f: { projectId: string; sprintId?: string | null; status?: string; estimatedMinutes?: number | null; title?: string }, who?: Who): this {
    const row = { status: f.status ?? 'pending', sprintId: f.sprintId ?? null, estimatedMinutes: f.estimatedMinutes ?? null, projectId: f.projectId, title: f.title ?? task };
    this.state.set(task, row);
    this.push(at, task, 'task.created', { id: task, ...row, parentId: null, description: '', priority: 'medium', assignee: null, tags: [], notes: [], dependsOn: [], criteria: [], createdAt: at, updatedAt: at, version: 1, sealedFields: [] }, who);
    return this;
  }

  private change(at: string, task: string, type: string, to: Record<string, unknown>, who?: Who, version?: number): this {
    const s = this.state.get(task)!;
    const from = Object.fromEntries(Object.keys(to).map((k) => [k, (s as Record<string, unknown>)[k] ?? null]));
    Object.assign(s, to);
    this.push(at, task, type, { from, to }, who, version);
    return this;
  }

  status(at: string, task: string, status: string, who?: Who, version?: number): this {
    return this.change(at, task, 'task.status_changed', { status }, who, version);
  }
  move(at: string, task: string, sprintId: string | null, who?: Who): this {
    return this.change(at, task, 'task.updated', { sprintId }, who);
  }
  estimate(at: string, task: string, estimatedMinutes: number | null, who?: Who): this {
    return this.change(at, task, 'task.updated', { estimatedMinutes }, who);
  }
  rename(at: string, task: string, title: string, who?: Who): this {
    return this.change(at, task, 'task.updated', { title }, who);
  }
  remove(at: string, task: string, who?: Who): this {
    const s = this.state.get(task)!;
    this.push(at, task, 'task.deleted', { title: s.title, projectId: s.projectId }, who);
    return this;
  }
  /** A restore that brought a deleted task back (swap.ts's `added`), with its row's fields. */
  restore(at: string, task: string, who?: Who): this {
    const s = this.state.get(task)!;
    this.push(at, task, 'task.restored', { restoreId: 'r', commit: 'c', change: 'added', to: { id: task, ...s } }, who);
    return this;
  }
  /** An event about something else (a project, the vault): counts for activity only. */
  other(at: string, aggregateType: string, type: string, who?: Who): this {
    this.events.push({ id: ulid(Date.parse(at)), aggregate_type: aggregateType, aggregate_id: `${aggregateType}-1`, version: 1, type, data: {}, actor: who?.actor ?? 'tester', source: who?.source ?? 'cli', created_at: at });
    return this;
  }
}

/** Appends events to the log as a restore or sync does (any order), in one transaction per chunk. */
export async function appendToLog(store: Store, events: readonly LoggedEvent[], chunk = 500): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    const rows = events.slice(i, i + chunk).map((e) => [e.id, e.aggregate_type, e.aggregate_id, e.version, e.type, JSON.stringify(e.data), e.actor, e.source, e.created_at]);
    await store.conn.transaction(() => insertRows(store.conn, 'events', EVENT_COLUMNS, rows));
  }
}

// ---- The reference computation ------------------------------------------------------------------------------

/** The local date of an instant, by Intl's own formatting (en-CA writes YYYY-MM-DD). */
const dates = new Map<string, string>();
export function refDate(iso: string, timeZone: string): string {
  const key = `${timeZone} ${iso}`;
  let d = dates.get(key);
  if (d === undefined) dates.set(key, (d = new Date(iso).toLocaleDateString('en-CA', { timeZone })));
  return d;
}

/** Dates from..to by whole days (UTC arithmetic on dates, which have no time zone). */
export function refDays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The bucket starts of from..to: every day, or the Mondays from the one on or before `from`. */
export function refStarts(from: string, to: string, bucket: 'day' | 'week'): string[] {
  const days = refDays(bucket === 'week' ? refDays(shift(from, -6), from).find((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1)! : from, to);
  return bucket === 'day' ? days : days.filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1);
}

export const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The bucket (index) a local date falls in, or -1 outside from..to's buckets. */
function bucketOf(date: string, starts: string[], bucket: 'day' | 'week'): number {
  const end = shift(starts[starts.length - 1]!, bucket === 'week' ? 7 : 1);
  if (date < starts[0]! || date >= end) return -1;
  let i = starts.length - 1;
  while (starts[i]! > date) i--;
  return i;
}

interface TaskState {
  exists: boolean;
  status: string | null;
  sprintId: string | null;
  minutes: number;
  projectId: string | null;
}

const byTime = (a: LoggedEvent, b: LoggedEvent) => {
  const ta = new Date(a.created_at).toISOString();
  const tb = new Date(b.created_at).toISOString();
  return ta < tb ? -1 : ta > tb ? 1 : a.version - b.version || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
};

/** Each task's events in time order. */
function tasksOf(events: readonly LoggedEvent[]): Map<string, LoggedEvent[]> {
  const out = new Map<string, LoggedEvent[]>();
  for (const e of events) if (e.aggregate_type === 'task') out.set(e.aggregate_id, [...(out.get(e.aggregate_id) ?? []), e]);
  for (const list of out.values()) list.sort(byTime);
  return out;
}

/** A task's state after an event. */
function applyEvent(s: TaskState, e: LoggedEvent): void {
  const d = e.data as { change?: string; to?: Record<string, unknown>; projectId?: string; status?: string; sprintId?: string | null; estimatedMinutes?: number | null };
  const full = (row: Record<string, unknown>) => {
    s.exists = true;
    s.status = row.status as string;
    s.sprintId = (row.sprintId as string | null) ?? null;
    s.minutes = (row.estimatedMinutes as number | null) ?? 0;
    s.projectId = (row.projectId as string) ?? s.projectId;
  };
  if (e.type === 'task.deleted' || (e.type === 'task.restored' && d.change === 'removed')) {
    s.exists = false;
    s.projectId ??= d.projectId ?? null;
    return;
  }
  if (e.type === 'task.created') return full(d as Record<string, unknown>);
  if (e.type === 'task.restored' && d.change === 'added') return full(d.to!);
  const to = d.to ?? {};
  if ('sprintId' in to) s.sprintId = (to.sprintId as string | null) ?? null;
  if ('estimatedMinutes' in to) s.minutes = (to.estimatedMinutes as number | null) ?? 0;
  if ('status' in to) s.status = to.status as string;
}

const fresh = (): TaskState => ({ exists: false, status: null, sprintId: null, minutes: 0, projectId: null });

export interface RefTask {
  id: string;
  projectId: string | null;
  createdAt: string | null;
  startedAt: string | null;
  /** The last time it became done, if it is done at the end. */
  doneAt: string | null;
}

/**
 * Each task's creation, first start and completion. A task counts in its status while it exists (from its creation
 * to its deletion: a change stamped before its creation, by a clock behind, counts nowhere); it was done when it last
 * came to count as done, if it still does.
 */
export function refTasks(events: readonly LoggedEvent[]): RefTask[] {
  const out: RefTask[] = [];
  for (const [id, list] of tasksOf(events)) {
    const s = fresh();
    let createdAt: string | null = null;
    let startedAt: string | null = null;
    let enteredDone: string | null = null;
    let last: string | null = null;
    for (const e of list) {
      const at = new Date(e.created_at).toISOString();
      if (e.type === 'task.created' || (e.type === 'task.restored' && (e.data as { change?: string }).change === 'added')) createdAt ??= at;
      applyEvent(s, e);
      const counted = s.exists ? s.status : null;
      if (counted === 'in_progress') startedAt ??= at;
      if (counted === 'done' && last !== 'done') enteredDone = at;
      last = counted;
    }
    out.push({ id, projectId: s.projectId, createdAt, startedAt, doneAt: last === 'done' ? enteredDone : null });
  }
  return out;
}

const STATUSES = ['pending', 'in_progress', 'blocked', 'done', 'cancelled'] as const;

/** Tasks by status at the end of each bucket. */
export function refFlow(events: readonly LoggedEvent[], o: { projectId?: string; starts: string[]; bucket: 'day' | 'week'; timeZone: string }): Record<string, number>[] {
  const step = o.bucket === 'week' ? 7 : 1;
  const out = o.starts.map(() => Object.fromEntries(STATUSES.map((st) => [st, 0])) as Record<string, number>);
  const projects = new Map(refTasks(events).map((t) => [t.id, t.projectId]));
  for (const [id, list] of tasksOf(events)) {
    if (o.projectId !== undefined && projects.get(id) !== o.projectId) continue;
    o.starts.forEach((start, i) => {
      const end = shift(start, step);
      const s = fresh();
      for (const e of list) if (refDate(e.created_at, o.timeZone) < end) applyEvent(s, e);
      if (s.exists && s.status) out[i]![s.status]!++;
    });
  }
  return out;
}

export function refThroughput(events: readonly LoggedEvent[], o: { projectId?: string; starts: string[]; bucket: 'day' | 'week'; timeZone: string }): number[] {
  const out = o.starts.map(() => 0);
  for (const t of refTasks(events)) {
    if (!t.doneAt || (o.projectId !== undefined && t.projectId !== o.projectId)) continue;
    const i = bucketOf(refDate(t.doneAt, o.timeZone), o.starts, o.bucket);
    if (i >= 0) out[i]!++;
  }
  return out;
}

/** Cycle and lead times (ms) of the tasks done from..to (local dates), ascending. */
export function refCycle(events: readonly LoggedEvent[], o: { projectId?: string; from: string; to: string; timeZone: string }): { count: number; cycles: number[]; leads: number[] } {
  const done = refTasks(events).filter((t) => t.doneAt && (o.projectId === undefined || t.projectId === o.projectId) && refDate(t.doneAt, o.timeZone) >= o.from && refDate(t.doneAt, o.timeZone) <= o.to);
  const ms = (a: string | null, b: string) => (a === null ? null : Date.parse(b) - Date.parse(a));
  return {
    count: done.length,
    cycles: done.map((t) => ms(t.startedAt, t.doneAt!)).filter((x): x is number => x !== null).sort((a, b) => a - b),
    leads: done.map((t) => ms(t.createdAt, t.doneAt!)).filter((x): x is number => x !== null).sort((a, b) => a - b),
  };
}

/** A sprint's open tasks (and their minutes) and scope at the end of each day. */
export function refBurndown(events: readonly LoggedEvent[], o: { sprintId: string; days: string[]; timeZone: string }): { remaining: number; minutes: number; scope: number }[] {
  const out = o.days.map(() => ({ remaining: 0, minutes: 0, scope: 0 }));
  for (const list of tasksOf(events).values()) {
    o.days.forEach((day, i) => {
      const s = fresh();
      for (const e of list) if (refDate(e.created_at, o.timeZone) <= day) applyEvent(s, e);
      if (!s.exists || s.sprintId !== o.sprintId) return;
      out[i]!.scope++;
      if (s.status === 'pending' || s.status === 'in_progress' || s.status === 'blocked') {
        out[i]!.remaining++;
        out[i]!.minutes += s.minutes;
      }
    });
  }
  return out;
}

/** Events per bucket by actor and side (people: cli and extension; agents: agent). */
export function refActivity(events: readonly LoggedEvent[], o: { starts: string[]; bucket: 'day' | 'week'; timeZone: string }) {
  const out = o.starts.map((start) => ({ start, total: 0, humans: 0, agents: 0, byActor: {} as Record<string, number> }));
  for (const e of events) {
    const i = bucketOf(refDate(e.created_at, o.timeZone), o.starts, o.bucket);
    if (i < 0) continue;
    const b = out[i]!;
    b.total++;
    b[e.source === 'agent' ? 'agents' : 'humans']++;
    b.byActor[e.actor] = (b.byActor[e.actor] ?? 0) + 1;
  }
  return out;
}

/** Nearest-rank percentile of an ascending list; null for none. */
export const refPercentile = (sorted: number[], p: number) => (sorted.length ? percentile(sorted, p) : null);
