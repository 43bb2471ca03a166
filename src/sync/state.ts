// Machine-local bookkeeping of the backup, kept in .git/cairn/ (never committed, so it never causes a merge
// conflict): what the last backup exported (up to which event), and markers for work in progress.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from '../store/atomicFile';
import { fileMemo, fileStamp } from './stamps';

export interface BackupState {
  /** The commit this state describes; a different HEAD (a merge, a commit by hand) means "export in full". */
  head: string;
  /** The tree of `head`, when known (spares a git call; see BackupRepo.tip). */
  tree?: string;
  storeFile: string;
  schemaVersion: number;
  /** The last event exported: its local sequence number and global id (the id tells a replaced log apart). */
  lastSeq: number;
  lastEventId: string | null;
  /** Whether private notes were left out (a change of policy re-checks every note). */
  privateExcluded: boolean;
}

export interface PendingRestore {
  restoreId: string;
  commit: string;
  ref: string;
}

const file = (cairnDir: string, name: string) => path.join(cairnDir, name);

function readJson<T>(f: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Machine-local bookkeeping: rewritten at every backup, and a lost one only costs a full comparison (no flush). */
const writeJson = (f: string, value: unknown) => writeFileAtomically(f, JSON.stringify(value), { flush: false });

export const readState = (cairnDir: string) => readJson<BackupState>(file(cairnDir, 'state.json'));
export const writeState = (cairnDir: string, s: BackupState) => writeJson(file(cairnDir, 'state.json'), s);
export const clearState = (cairnDir: string) => fs.rmSync(file(cairnDir, 'state.json'), { force: true });

/** Present while a backup is changing the working tree; found at the start of a backup, it means "reset first". */
export const IN_PROGRESS = 'backup-in-progress';
export const markInProgress = (cairnDir: string) => fs.writeFileSync(file(cairnDir, IN_PROGRESS), String(process.pid));
export const isInProgress = (cairnDir: string) => fs.existsSync(file(cairnDir, IN_PROGRESS));
export const clearInProgress = (cairnDir: string) => fs.rmSync(file(cairnDir, IN_PROGRESS), { force: true });

/** The source files' stamps as of commit `head` (see files.ts), and which folder each prefix was mirrored from. */
export interface MirrorStamps {
  head: string;
  sources: Record<string, string>;
  stamps: Record<string, string>;
}

/** The stamps last written or read, while their file keeps its stamp (10,000 entries need not be parsed again). */
const knownStamps = fileMemo<MirrorStamps>();
const frozen = (s: MirrorStamps) => (Object.freeze(s.stamps), Object.freeze(s.sources), Object.freeze(s));

export function readStamps(cairnDir: string): MirrorStamps | null {
  const f = file(cairnDir, 'mirror-stamps.json');
  const stamp = fileStamp(f);
  if (!stamp) return null;
  const known = knownStamps.get(f, stamp);
  if (known) return known;
  const stamps = readJson<MirrorStamps>(f);
  return stamps && knownStamps.set(f, frozen(stamps), stamp);
}

export function writeStamps(cairnDir: string, s: MirrorStamps): void {
  const f = file(cairnDir, 'mirror-stamps.json');
  writeJson(f, s);
  knownStamps.set(f, frozen(s));
}

export const readPendingRestore = (cairnDir: string) => readJson<PendingRestore>(file(cairnDir, 'restore-pending.json'));
export const writePendingRestore = (cairnDir: string, p: PendingRestore) => writeJson(file(cairnDir, 'restore-pending.json'), p);
export const clearPendingRestore = (cairnDir: string) => fs.rmSync(file(cairnDir, 'restore-pending.json'), { force: true });

/** The backup repository's .git/config as last checked (its stamp, the settings Cairn wanted then) and whether it
 *  named a remote: while the stamp holds, the config needs no git call. */
export interface ConfigCheck {
  stamp: string;
  wanted: string;
  remote: boolean;
}

export const readConfigCheck = (cairnDir: string) => readJson<ConfigCheck>(file(cairnDir, 'config-checked.json'));
export const writeConfigCheck = (cairnDir: string, c: ConfigCheck) => writeJson(file(cairnDir, 'config-checked.json'), c);
