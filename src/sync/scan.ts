// The secret scan of what a backup is about to commit: new or changed JSONL lines (unchanged lines are blanked
// so line and column numbers stay true) and changed files. Multi-line text fields are also scanned decoded, since
// inside a JSON string a private key's line breaks are "\n" escapes. Each finding says where it is in words:
// "task 01J… field description", "note ideas/x.md line 3".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../store/errors';
import type { WrittenShard } from './exporter';
import { AGENTS_PREFIX, rowKey, splitLines, VAULT_PREFIX } from './layout';
import { scanForSecrets, type SecretFinding } from './secrets';

export interface LocatedFinding extends SecretFinding {
  /** What the finding is in, in words. */
  where: string;
}

const FIELD_MARK = '#field:';

const singular = (table: string) => {
  const words = table.split('_');
  const last = words.pop()!;
  return [...words, last.endsWith('ies') ? last.slice(0, -3) + 'y' : last.replace(/s$/, '')].join(' ');
};

/** The column whose JSON value spans this 1-based character column of a canonical line. */
function fieldAt(line: string, columns: readonly string[], column: number): string | null {
  const row = JSON.parse(line) as Record<string, unknown>;
  let pos = 1; // past "{"
  for (const c of columns) {
    const start = pos + JSON.stringify(c).length + 1;
    const end = start + JSON.stringify(row[c] ?? null).length;
    if (column - 1 >= start && column - 1 < end) return c;
    pos = end + 1;
  }
  return null;
}

function isText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 8192).includes(0);
}

/**
 * What one scan reads from the working tree: written shards (only their new lines, the others blanked so line
 * numbers stay true; `freshLines` null: every line) and changed copies. Plain data, so a worker can run it.
 */
export interface ScanJob {
  shards: { path: string; key: string[]; columns: string[]; freshLines: number[] | null }[];
  files: string[];
}

/** The job scanning these shards' new lines and these files. */
export function scanJob(shards: readonly WrittenShard[], files: readonly string[]): ScanJob {
  return {
    shards: shards.map((s) => ({ path: s.path, key: s.spec.key, columns: s.spec.columns, freshLines: s.freshLines.length === s.lines.length ? null : s.freshLines })),
    files: [...files],
  };
}

/** Reads a job's text from the working tree and scans it; findings as the scanner reports them (see locateFindings). */
export async function runScanJob(repo: string, job: ScanJob, allow: readonly string[]): Promise<SecretFinding[]> {
  const inputs: { path: string; text: string }[] = [];
  for (const s of job.shards) {
    const text = fs.readFileSync(path.join(repo, s.path), 'utf8');
    // Only a line holding an escaped line break can hold a multi-line field: just those are parsed.
    const lines = s.freshLines || text.includes('\\n') ? splitLines(text) : [];
    let fresh = lines;
    // The shard on disk is what gets committed: if it no longer has the lines recorded as new (written again
    // meanwhile), all of it is scanned.
    if (s.freshLines && s.freshLines.every((i) => i < lines.length)) {
      const isFresh = new Set(s.freshLines);
      inputs.push({ path: s.path, text: lines.map((l, i) => (isFresh.has(i) ? l : '')).join('\n') });
      fresh = s.freshLines.map((i) => lines[i]!);
    } else inputs.push({ path: s.path, text });
    for (const line of fresh) {
      if (!line.includes('\\n')) continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      for (const c of s.columns) {
        const v = row[c];
        if (typeof v === 'string' && v.includes('\n')) inputs.push({ path: `${s.path}${FIELD_MARK}${rowKey(s.key, row)}${FIELD_MARK}${c}`, text: v });
      }
    }
  }
  for (const rel of job.files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path.join(repo, rel));
    } catch {
      continue;
    }
    if (isText(bytes)) inputs.push({ path: rel, text: bytes.toString('utf8') });
  }
  return inputs.length ? scanForSecrets(inputs, { allow: [...allow] }) : [];
}

/** Each finding (one per place and rule) with a plain description of where it is. */
export function locateFindings(findings: readonly SecretFinding[], shards: readonly WrittenShard[]): LocatedFinding[] {
  const byPath = new Map(shards.map((s) => [s.path, s]));
  const seen = new Set<string>();
  const out: LocatedFinding[] = [];
  for (const f of findings) {
    const located = locate(f, byPath);
    const dedupe = `${located.where}|${f.rule}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out.push(located);
  }
  return out;
}

/** Scans (here, on this thread), and returns each finding with a plain description of where it is. */
export async function scanStaged(repo: string, shards: WrittenShard[], changedFiles: string[], allow: readonly string[]): Promise<LocatedFinding[]> {
  return locateFindings(await runScanJob(repo, scanJob(shards, changedFiles), allow), shards);
}

function locate(f: SecretFinding, shards: Map<string, WrittenShard>): LocatedFinding {
  const [file, key, field] = f.path.split(FIELD_MARK);
  const shard = shards.get(file!);
  if (shard && key !== undefined && field !== undefined) {
    return { ...f, where: `${singular(shard.table)} ${key} field ${field} (line ${f.line} of the field)` };
  }
  if (shard) {
    const line = shard.lines[f.line - 1] ?? '';
    const row = line ? (JSON.parse(line) as Record<string, unknown>) : {};
    const column = line ? fieldAt(line, shard.spec.columns, f.column) : null;
    return { ...f, where: `${singular(shard.table)} ${rowKey(shard.spec.key, row)}${column ? ` field ${column}` : ''}` };
  }
  if (f.path.startsWith(VAULT_PREFIX)) return { ...f, where: `note ${f.path.slice(VAULT_PREFIX.length)} line ${f.line}` };
  if (f.path.startsWith(AGENTS_PREFIX)) return { ...f, where: `agent file ${f.path.slice(AGENTS_PREFIX.length)} line ${f.line}` };
  return { ...f, where: `${f.path} line ${f.line}` };
}

/** The refusal: every finding as file:line with where it is, and how to exclude or allow each. */
export function refusal(findings: LocatedFinding[]): StoreError {
  const lines = findings.map((f) => `${f.path.split(FIELD_MARK)[0]}:${f.line}:${f.column}: ${f.rule}: ${f.message} — in ${f.where} (allow: ${f.fingerprint})`);
  return new StoreError(
    'invalid',
    `The backup was refused: ${findings.length} possible secret${findings.length === 1 ? '' : 's'} would be committed:\n${lines.join('\n')}\n` +
      'Remove the secret (or encrypt the field), exclude the file (--exclude PATTERN, setting backup exclude), or allow a finding you accept (--allow FINGERPRINT). Nothing was committed.',
    { findings },
  );
}
