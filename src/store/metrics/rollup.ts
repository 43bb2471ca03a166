// Reads the rollups the metrics migration keeps (metrics_rollup: series of counts; metrics_run_rollup: agent runs'
// measures), summed per UTC day (grain d) and quarter hour (q). The sum of a series up to an instant b is the days
// before b's day plus the quarters of b's day before b (none at a UTC midnight; past midday, b's whole day less the
// quarters after b): a bucket in any time zone costs a few rows, never the events behind them.
import type { Connection } from '../connection';

export interface MetricsDb {
  conn: Connection;
}

interface RollupTable {
  name: 'metrics_rollup' | 'metrics_run_rollup';
  key: 'series' | 'agent';
  values: readonly string[];
}

export const SERIES: RollupTable = { name: 'metrics_rollup', key: 'series', values: ['value'] };
export const RUN_VALUES = ['runs', 'success', 'tokens_in', 'tokens_out', 'errors', 'quality_sum', 'quality_n', 'duration_sum', 'duration_n'] as const;
export const RUNS: RollupTable = { name: 'metrics_run_rollup', key: 'agent', values: RUN_VALUES };

/** Project key of the rollups: a project's id, or '*' for the whole store. */
const ALL_PROJECTS = '*';

export interface CumulativeQuery {
  project?: string;
  /** The keys (series, agents) to read; all of the table's when omitted. */
  keys?: readonly string[];
  /** Keys from this one (included) up to `keysBefore` (excluded), when `keys` is not given. */
  keysFrom?: string;
  keysBefore?: string;
  /** UTC ISO instants, ascending, each on a quarter hour. */
  bounds: readonly string[];
  /**
   * The caller needs differences between bounds only (counts in buckets), not totals since the first event: sums
   * then start at the first bound's day and rows before it are not read.
   */
  differencesOnly?: boolean;
}

/** For each key, for each value column, the sum up to (excluding) each bound. */
export type Cumulative = Map<string, number[][]>;

const day = (iso: string) => iso.slice(0, 10);
const quarter = (iso: string) => iso.slice(0, 16);

export async function cumulative(db: MetricsDb, table: RollupTable, q: CumulativeQuery): Promise<Cumulative> {
  const project = q.project ?? ALL_PROJECTS;
  const n = q.bounds.length;
  const cols = table.values;
  const out: Cumulative = new Map();
  const sumsOf = (key: string) => {
    let s = out.get(key);
    if (!s) out.set(key, (s = cols.map(() => new Array<number>(n).fill(0))));
    return s;
  };
  if (!n) return out;

  // Days: every key with a row from the first bound's day (or the beginning) to the last bound's day, which is
  // every key the partial hours and quarters below can hold.
  const where = [`grain = 'd'`, 'project_id = ?', 'slot <= ?'];
  const params: (string | number)[] = [project, day(q.bounds[n - 1]!)];
  if (q.differencesOnly) {
    where.push('slot >= ?');
    params.push(day(q.bounds[0]!));
  }
  if (q.keys) {
    where.push(`${table.key} IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(q.keys));
  } else {
    if (q.keysFrom !== undefined) {
      where.push(`${table.key} >= ?`);
      params.push(q.keysFrom);
    }
    if (q.keysBefore !== undefined) {
      where.push(`${table.key} < ?`);
      params.push(q.keysBefore);
    }
  }
  // As one JSON text, not a row each: handing thousands of rows over one by one costs more than reading them.
  const packed = await db.conn.get<{ rows: string | null }>(
    `SELECT json_group_array(json_array(${table.key}, slot, ${cols.join(', ')})) AS rows FROM ${table.name} WHERE ${where.join(' AND ')}`,
    params,
  );
  const days = (JSON.parse(packed?.rows ?? '[]') as [string, string, ...number[]][]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  // Rows come by key, then day: one pass per key over the bounds. A bound inside a UTC day adds the quarters of its
  // day before it, or (past midday) takes the quarters after it away from the whole day: at most 48 quarters.
  const boundDays = q.bounds.map(day);
  const quarters: [number, string, string, string, 1 | -1][] = [];
  const width = cols.length;
  for (let i = 0; i < days.length; ) {
    const key = days[i]![0];
    const s = sumsOf(key);
    const running = new Array<number>(width).fill(0);
    let b = 0;
    for (; i < days.length && days[i]![0] === key; i++) {
      const row = days[i]!;
      const slot = row[1];
      for (; b < n && boundDays[b]! <= slot; b++) {
        const at = quarter(q.bounds[b]!);
        const sameDay = boundDays[b] === slot && at !== `${slot}T00:00`;
        const late = sameDay && at > `${slot}T12:00`;
        for (let c = 0; c < width; c++) s[c]![b] = running[c]! + (late ? Number(row[c + 2] ?? 0) : 0);
        if (late) quarters.push([b, key, at, `${slot}T99`, -1]);
        else if (sameDay) quarters.push([b, key, slot, at, 1]);
      }
      for (let c = 0; c < width; c++) running[c]! += Number(row[c + 2] ?? 0);
    }
    for (; b < n; b++) for (let c = 0; c < width; c++) s[c]![b] = running[c]!;
  }

  // Those quarters: one range of the primary key each.
  if (quarters.length) {
    const sumSql = `SELECT json_array(${cols.map((c) => `total(r.${c})`).join(', ')}) FROM ${table.name} r WHERE r.grain = 'q' AND r.project_id = ?2 AND r.${table.key} = json_extract(j.value, '$[1]') AND r.slot >= json_extract(j.value, '$[2]') AND r.slot < json_extract(j.value, '$[3]')`;
    const packed = await db.conn.get<{ rows: string | null }>(`SELECT json_group_array(json_array(j.key, json((${sumSql})))) AS rows FROM json_each(?1) j`, [JSON.stringify(quarters), project]);
    for (const [at, values] of JSON.parse(packed?.rows ?? '[]') as [number, number[]][]) {
      const [b, key, , , sign] = quarters[at]!;
      const s = sumsOf(key);
      for (let c = 0; c < width; c++) s[c]![b]! += sign * (values[c] ?? 0);
    }
  }
  return out;
}

/** Differences between consecutive bounds: per bucket. */
export const perBucket = (sums: readonly number[]) => sums.slice(1).map((v, i) => v - sums[i]!);
