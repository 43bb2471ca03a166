// The backup repository's layout and the canonical text form of a row. See src/sync/README.md: sync builds on
// exactly these rules (a row's file is a pure function of its key, so both sides of a merge agree on it).
//
//   manifest.json                 format, Cairn and schema version, tables (key, columns, rows), sha256 per file
//   db/<table>/<xx>.jsonl         one row per line; <xx> = first 2 hex digits of sha256(row key); lines sorted by key
//   files/vault/<path>            the vault's files as they are
//   files/agents/<slug>/<path>    each agent folder (slug: home/…, workspace/… or root/…)
import * as crypto from 'node:crypto';
import { StoreError } from '../store/errors';

export const FORMAT = 1;
export const MANIFEST = 'manifest.json';
export const DB_DIR = 'db';
/** Copies of the vault's and agent folders' files. */
export const FILES_DIR = 'files';
export const VAULT_PREFIX = 'files/vault/';
export const AGENTS_PREFIX = 'files/agents/';

// crypto.hash (Node 20.12+) is several times faster than createHash on short input (a shard is chosen per row);
// VS Code's own runtime, which runs the backend, may be older.
export const sha256: (data: string | Buffer) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** A row's identity as text: the key's value for a one-column key, else the JSON array of the key's values. */
export function rowKey(key: readonly string[], row: Record<string, unknown>): string {
  if (key.length === 1) return String(row[key[0]!]);
  return JSON.stringify(key.map((k) => encodeValue(row[k])));
}

/**
 * rowKey of a JSONL line without parsing all of it: a one-column key comes first on the line, so a plain string
 * value is read off its start (a merge and a sync's apply key every line of the shards they read); anything else
 * is parsed.
 */
export function lineKey(key: readonly string[], line: string): string {
  if (key.length === 1) {
    const head = `{${JSON.stringify(key[0])}:"`;
    const end = line.startsWith(head) ? line.indexOf('"', head.length) : -1;
    if (end !== -1 && !line.slice(head.length, end).includes('\\')) return line.slice(head.length, end);
  }
  return rowKey(key, readRow(line));
}

/** The row a shard's line holds; throws an Error saying what the line is instead (not JSON, not a JSON object). */
export function readRow(line: string): Record<string, unknown> {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error('not a JSON object');
  return row as Record<string, unknown>;
}

/**
 * A shard's line that is no valid row, refused by file and line: read by a restore (`syncing` undefined), or by a
 * sync from `syncing` ("the remote's commit …", "the backup being synced").
 */
export function invalidRow(rel: string, line: number, table: string, problem: string, syncing?: string): StoreError {
  const what = `${rel} line ${line} is not a valid ${table} row (${problem})`;
  return new StoreError(
    'corrupt',
    syncing === undefined
      ? `${what}; the backup was damaged or edited by hand. Nothing was changed.`
      : `${what} in ${syncing}: another program wrote it or it was edited by hand. Nothing was applied to this store; revert or fix that commit on the remote, then sync again.`,
  );
}

export const shardOf = (rowKeyText: string) => sha256(rowKeyText).slice(0, 2);
export const shardPath = (table: string, shard: string) => `${DB_DIR}/${table}/${shard}.jsonl`;

/** SQLite values as JSON: text, numbers and null as themselves; a blob as {"$blob": base64}. */
function encodeValue(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $blob: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return Number(v);
  return v === undefined ? null : v;
}

export function decodeValue(v: unknown): string | number | null | Buffer {
  if (v !== null && typeof v === 'object' && typeof (v as { $blob?: unknown }).$blob === 'string') return Buffer.from((v as { $blob: string }).$blob, 'base64');
  if (typeof v === 'string' || typeof v === 'number' || v === null) return v;
  throw new Error(`a value of type ${Array.isArray(v) ? 'array' : typeof v} is not a SQLite value`);
}

/** One JSONL line (without the newline): the columns in the table's canonical order. */
export function encodeRow(columns: readonly string[], row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = encodeValue(row[c]);
  return JSON.stringify(out);
}

/** A shard's row keys and lines in file order (sorted by row key), and its text: each line ending in a newline. */
export function shardContent(lines: Map<string, string>): { keys: string[]; lines: string[]; text: string } {
  const keys = [...lines.keys()].sort(compareKeys);
  const ordered = keys.map((k) => lines.get(k)!);
  return { keys, lines: ordered, text: ordered.length ? ordered.join('\n') + '\n' : '' };
}

export const shardText = (lines: Map<string, string>): string => shardContent(lines).text;

/** Code-unit order: the same in every JavaScript engine and independent of locale. */
export const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function splitLines(text: string): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
