// Lists a folder's files with their stats. A backup lists the vault (10,000 stat calls for a large one) while it
// exports the tables: that listing runs in a worker thread, kept for the next backup, so it costs this thread
// nothing; where no worker can start, it runs here. The result is the same either way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { realPathInside, realPathOf } from '../store/insideRoot';
import { NOT_A_REGULAR_FILE, statFailure } from '../store/textFile';
import { stampOf } from './stamps';
import { IDLE_WORKER_MS, WorkerClient } from './workerClient';

/** What a backup needs of a file's stat (fs.Stats has all of it). */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  atimeMs: number;
  ino: number;
  /** stampOf these (made where the file is listed: in the worker, that costs this thread nothing). */
  stamp: string;
}

export interface Listing {
  /** Relative '/' paths of regular files. */
  files: Map<string, FileStat>;
  /** Files that could not be read, with why. */
  skipped: { path: string; reason: string }[];
}

export interface WalkRequest {
  root: string;
  /** Real paths never entered (the store folder, the backup repository). */
  skipReal: readonly string[];
}

/**
 * Walks a folder here: relative '/' paths of regular files (symlinks followed while their real path stays inside
 * `root`, each real folder once). What is passed over is listed with the reason: a link leading out of the folder
 * (its files are not the folder's to back up), a FIFO or device, a name that is not valid UTF-8.
 */
export function walkFolder(root: string, skipReal: readonly string[]): Listing {
  const files = new Map<string, FileStat>();
  const skipped: Listing['skipped'] = [];
  const rootReal = realPathOf(root);
  if (!rootReal) return { files, skipped };
  const seen = new Set<string>();
  // `real` is the folder's real path: a sub-folder entered by its name (not through a symlink) is at real/name, so
  // only the root and symlinks cost a realpath.
  const visit = (abs: string, real: string, rel: string) => {
    if (seen.has(real) || skipReal.includes(real)) return;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      // Gone since it was listed, or a name that is not UTF-8 (no folder has the name reported): passed over. Any
      // other failure stops the backup, rather than dropping the copies of what the folder held.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      skipped.push({ path: rel || '.', reason: statFailure(path.basename(abs), err) });
      return;
    }
    for (const e of entries) {
      if (e.name === '.git') continue;
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        visit(childAbs, path.join(real, e.name), childRel);
        continue;
      }
      let st: fs.Stats;
      try {
        st = fs.statSync(childAbs);
      } catch (err) {
        skipped.push({ path: childRel, reason: statFailure(e.name, err) });
        continue;
      }
      if (e.isSymbolicLink()) {
        const target = realPathInside(rootReal, childAbs);
        if (!target) {
          skipped.push({ path: childRel, reason: `a symbolic link to ${realPathOf(childAbs)}, outside ${root}: not backed up` });
          continue;
        }
        if (st.isDirectory()) {
          visit(childAbs, target, childRel);
          continue;
        }
      }
      if (st.isFile()) files.set(childRel, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, atimeMs: st.atimeMs, ino: st.ino, stamp: stampOf(st) });
      else skipped.push({ path: childRel, reason: NOT_A_REGULAR_FILE });
    }
  };
  visit(root, rootReal, '');
  return { files, skipped };
}

// --- across the thread boundary: paths and a Float64Array of 5 numbers per file (cheap to copy, no objects)

export interface PackedListing {
  rels: string[];
  stamps: string[];
  stats: Float64Array;
  skipped: Listing['skipped'];
}

export function packListing(l: Listing): PackedListing {
  const rels = [...l.files.keys()];
  const stamps = new Array<string>(rels.length);
  const stats = new Float64Array(rels.length * 5);
  rels.forEach((rel, i) => {
    const st = l.files.get(rel)!;
    stamps[i] = st.stamp;
    stats.set([st.size, st.mtimeMs, st.ctimeMs, st.atimeMs, st.ino], i * 5);
  });
  return { rels, stamps, stats, skipped: l.skipped };
}

function unpackListing(p: PackedListing): Listing {
  const files = new Map<string, FileStat>();
  const s = p.stats;
  p.rels.forEach((rel, i) => files.set(rel, { size: s[i * 5]!, mtimeMs: s[i * 5 + 1]!, ctimeMs: s[i * 5 + 2]!, atimeMs: s[i * 5 + 3]!, ino: s[i * 5 + 4]!, stamp: p.stamps[i]! }));
  return { files, skipped: p.skipped };
}

export type WalkReply = { id: number; listings: PackedListing[] };

const walker = new WorkerClient<WalkReply>('walkWorker', true, IDLE_WORKER_MS);

let lastPlace: 'worker' | 'here' | null = null;
/** Where the last walkFolders ran (the worker can fail to start silently: walks then run here). */
export const lastWalkPlace = () => lastPlace;

/** Walks these folders in the worker (here when it cannot run); listings in request order. */
export async function walkFolders(requests: readonly WalkRequest[]): Promise<Listing[]> {
  const here = () => ((lastPlace = 'here'), requests.map((r) => walkFolder(r.root, r.skipReal)));
  if (!requests.length) return [];
  if (!walker.start()) return here();
  try {
    const reply = await walker.request({ requests });
    lastPlace = 'worker';
    return reply.listings.map(unpackListing);
  } catch {
    return here(); // a worker that failed or died: the same walk here
  }
}
