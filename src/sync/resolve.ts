// conflicts.list and conflicts.resolve: a row conflict is resolved by the store (src/store/conflicts.ts); a note
// conflict here, on this machine's files (temp file + rename), then marked resolved in the store.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getConflict, listConflicts, markResolved, resolveRowConflict, type ConflictChoice } from '../store/conflicts';
import { writeFileAtomically } from '../store/atomicFile';
import { StoreError } from '../store/errors';
import type { ConflictRow } from '../store/schema';
import type { BackupEnv, BackupSettings } from './backup';
import { roots } from './restore';

export interface ConflictView {
  id: string;
  kind: 'row' | 'file';
  table: string | null;
  rowKey: string | null;
  label: string | null;
  /** The file's path in the backup (files/vault/…), and where it and theirs' copy are on this machine. */
  path: string | null;
  copyPath: string | null;
  file: string | null;
  copyFile: string | null;
  fields: string[];
  mine: unknown;
  theirs: unknown;
  base: unknown;
  machine: string;
  theirsCommit: string;
  detectedAt: string;
  resolution: ConflictChoice | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

function localFile(env: BackupEnv, settings: BackupSettings, repoPath: string | null): string | null {
  if (!repoPath) return null;
  const root = roots(env, settings).find((r) => repoPath.startsWith(r.prefix));
  return root ? path.join(root.dir, repoPath.slice(root.prefix.length)) : null;
}

function view(env: BackupEnv, settings: BackupSettings, c: ConflictRow & { label?: string | null }): ConflictView {
  return {
    id: c.id,
    kind: c.kind,
    table: c.tableName,
    rowKey: c.rowKey,
    label: c.label ?? null,
    path: c.path,
    copyPath: c.copyPath,
    file: localFile(env, settings, c.path),
    copyFile: localFile(env, settings, c.copyPath),
    fields: c.fields,
    mine: c.mine ?? null,
    theirs: c.theirs ?? null,
    base: c.base ?? null,
    machine: c.machine,
    theirsCommit: c.theirsCommit,
    detectedAt: c.detectedAt,
    resolution: c.resolution,
    resolvedAt: c.resolvedAt,
    resolvedBy: c.resolvedBy,
  };
}

export async function conflictList(env: BackupEnv, settings: BackupSettings, status: 'open' | 'resolved' | 'all', limit: number) {
  const rows = await listConflicts(env.store.orm, status, limit);
  const open = status === 'open' ? rows.length : (await listConflicts(env.store.orm, 'open', 10_000)).length;
  return { conflicts: rows.map((r) => view(env, settings, r)), open };
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomically(file, text);
}

export async function resolveConflict(env: BackupEnv, settings: BackupSettings, id: string, choice: ConflictChoice, value: unknown): Promise<{ conflict: ConflictView }> {
  const c = await env.store.read((orm) => getConflict(orm, id));
  if (c.resolution) throw new StoreError('invalid', `The conflict ${id} was already resolved (${c.resolution}, ${c.resolvedAt}).`);
  if (c.kind === 'row') {
    await env.store.write((orm) => resolveRowConflict(orm, env.who, c, choice, value));
  } else {
    const file = localFile(env, settings, c.path);
    const copy = localFile(env, settings, c.copyPath);
    if (!file) throw new StoreError('invalid', `${c.path} is not in this machine's vault or agent folders; resolve it on a machine that has them.`);
    if (choice === 'edit' && typeof value !== 'string') throw new StoreError('invalid', 'An edit of a note conflict needs the note\'s new text as a string.');
    const theirsText = copy && fs.existsSync(copy) ? fs.readFileSync(copy, 'utf8') : typeof c.theirs === 'string' ? c.theirs : null;
    if (choice === 'edit') writeAtomically(file, value as string);
    else if (choice === 'theirs') {
      if (theirsText === null) fs.rmSync(file, { force: true }); // theirs had deleted the note
      else writeAtomically(file, theirsText);
    } else if (c.mine === null && !c.copyPath) fs.rmSync(file, { force: true }); // mine had deleted the note
    if (copy) fs.rmSync(copy, { force: true });
    await env.store.write((orm) => markResolved(orm, env.who, c, choice));
  }
  return { conflict: view(env, settings, { ...(await env.store.read((orm) => getConflict(orm, id))), label: null }) };
}
