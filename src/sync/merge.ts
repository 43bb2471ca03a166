// The three-way merge of one table's rows (a shard's lines, keyed by row key) against the merge base.
//
//   same on both sides                      → that
//   changed (added, edited, deleted) on one → that side's
//   changed on both, in different fields    → each side's fields; `version` moves past both, `updated_at` takes the later
//   the same field changed on both          → mine stays in the row, a conflict records mine, theirs and base
//   deleted on one side, changed on other   → the changed row stays, a conflict records both
// Tables marked `quiet` (the event log is append-only and never conflicts; the conflicts table itself) keep mine
// without recording anything when both sides changed a row.

export type Fields = Record<string, unknown>;

export interface RowConflict {
  table: string;
  key: string;
  /** The conflicting columns, or ['*'] when one side deleted the row. */
  fields: string[];
  mine: Fields | null;
  theirs: Fields | null;
  base: Fields | null;
}

export interface MergedRow {
  key: string;
  fromMine: string[];
  fromTheirs: string[];
  conflicts: string[];
  version: number | null;
}

export interface ShardMerge {
  lines: Map<string, string>;
  conflicts: RowConflict[];
  /** Rows taken as they are from theirs. */
  fromTheirs: number;
  /** Rows combined field by field (including those with a conflict). */
  merged: MergedRow[];
}

export interface TableShape {
  name: string;
  key: readonly string[];
  columns: readonly string[];
  /** Both-changed rows keep mine silently (append-only or bookkeeping tables). */
  quiet: boolean;
}

/** Columns that say when and how often a row changed: merged by rule, never a conflict. */
const VERSION = 'version';
const UPDATED_AT = 'updated_at';
/** Which of a row's fields are encrypted (src/store/crypto/fields.ts): each field's mark goes with its value. */
const SEALED = 'sealed_fields';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields a row marks encrypted; throws when its sealed_fields is no JSON list of names (a damaged row). */
export function marksOf(row: Fields): Set<string> {
  let marks: unknown;
  try {
    marks = JSON.parse(String(row[SEALED] ?? '[]'));
  } catch {
    marks = null;
  }
  if (!Array.isArray(marks) || !marks.every((m) => typeof m === 'string')) throw new Error(`${SEALED}: must be JSON text listing field names`);
  return new Set(marks);
}

const parse = (line: string | undefined) => (line === undefined ? null : (JSON.parse(line) as Fields));
const pick = (row: Fields | null, fields: string[]) => (row ? Object.fromEntries(fields.map((f) => [f, row[f] ?? null])) : null);

function encode(columns: readonly string[], row: Fields): string {
  const out: Fields = {};
  for (const c of columns) out[c] = row[c] ?? null;
  return JSON.stringify(out);
}

export function mergeShard(shape: TableShape, base: Map<string, string>, mine: Map<string, string>, theirs: Map<string, string>): ShardMerge {
  const out: ShardMerge = { lines: new Map(), conflicts: [], fromTheirs: 0, merged: [] };
  const keys = new Set([...base.keys(), ...mine.keys(), ...theirs.keys()]);
  for (const key of keys) {
    const b = base.get(key);
    const m = mine.get(key);
    const t = theirs.get(key);
    const take = (line: string | undefined) => {
      if (line !== undefined) out.lines.set(key, line);
    };
    if (m === t || t === b) {
      take(m);
      continue;
    }
    if (m === b) {
      take(t);
      out.fromTheirs++;
      continue;
    }
    // Both sides changed the row, differently.
    if (shape.quiet) {
      take(m ?? t);
      continue;
    }
    if (m === undefined || t === undefined) {
      take(m ?? t);
      if (m === undefined) out.fromTheirs++;
      out.conflicts.push({ table: shape.name, key, fields: ['*'], mine: parse(m), theirs: parse(t), base: parse(b) });
      continue;
    }
    const [br, mr, tr] = [parse(b), parse(m)!, parse(t)!];
    const row: Fields = { ...mr };
    const info: MergedRow = { key, fromMine: [], fromTheirs: [], conflicts: [], version: null };
    for (const c of shape.columns) {
      if (shape.key.includes(c) || c === VERSION || c === UPDATED_AT || c === SEALED) continue;
      const [bv, mv, tv] = [br?.[c], mr[c], tr[c]];
      if (same(mv, tv)) continue;
      if (same(mv, bv)) {
        row[c] = tv;
        info.fromTheirs.push(c);
      } else if (same(tv, bv)) info.fromMine.push(c);
      else info.conflicts.push(c);
    }
    if (shape.columns.includes(VERSION)) {
      row[VERSION] = Math.max(Number(mr[VERSION] ?? 0), Number(tr[VERSION] ?? 0)) + 1;
      info.version = row[VERSION] as number;
    }
    if (shape.columns.includes(UPDATED_AT)) row[UPDATED_AT] = String(mr[UPDATED_AT] ?? '') > String(tr[UPDATED_AT] ?? '') ? mr[UPDATED_AT] : tr[UPDATED_AT];
    // A field keeps the mark of the side its value came from: never plain text marked encrypted, nor a ciphertext unmarked.
    let recorded = info.conflicts;
    if (shape.columns.includes(SEALED)) {
      const [mineMarks, theirMarks] = [marksOf(mr), marksOf(tr)];
      row[SEALED] = JSON.stringify(shape.columns.filter((c) => (info.fromTheirs.includes(c) ? theirMarks : mineMarks).has(c)));
      // A conflict on a marked field carries the marks, so that resolving it takes the chosen side's along.
      if (info.conflicts.some((c) => mineMarks.has(c) || theirMarks.has(c))) recorded = [...info.conflicts, SEALED];
    }
    out.lines.set(key, encode(shape.columns, row));
    out.merged.push(info);
    if (info.conflicts.length) out.conflicts.push({ table: shape.name, key, fields: info.conflicts, mine: pick(mr, recorded), theirs: pick(tr, recorded), base: pick(br, recorded) });
  }
  return out;
}
