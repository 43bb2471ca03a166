// Lists a folder's files with their stats. A backup lists the vault (10,000 stat calls for a large one) while it
// exports the tables: that listing runs in a worker thread, kept for the next backup, so it costs this thread
// nothing; where no worker can start, it runs here. The result is the same either way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** What a backup needs of a file's stat (fs.Stats has all of it). */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  atimeMs: number;
  ino: number;
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

/** Walks a folder here: relative '/' paths of regular files (symlinks followed, each real folder once). */
export function walkFolder(root: string, skipReal: readonly string[]): Listing {
  const files = new Map<string, FileStat>();
  const skipped: Listing['skipped'] = [];
  const seen = new Set<string>();
  // `real` is the folder's real path: a sub-folder entered by its name (not through a symlink) is at real/name, so
  // only the root and symlinked folders cost a realpath.
  const visit = (abs: string, real: string, rel: string) => {
    if (seen.has(real) || skipReal.includes(real)) return;
    seen.add(real);
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
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
        skipped.push({ path: childRel, reason: `cannot read (${(err as NodeJS.ErrnoException).code})` });
        continue;
      }
      if (st.isFile()) files.set(childRel, st);
      else if (st.isDirectory()) {
        const target = realPath(childAbs);
        if (target) visit(childAbs, target, childRel);
      }
    }
  };
  const rootReal = realPath(root);
  if (rootReal) visit(root, rootReal, '');
  return { files, skipped };
}

function realPath(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

// --- across the thread boundary: paths and a Float64Array of 5 numbers per file (cheap to copy, no objects)

export interface PackedListing {
  rels: string[];
  stats: Float64Array;
  skipped: Listing['skipped'];
}

export function packListing(l: Listing): PackedListing {
  const rels = [...l.files.keys()];
  const stats = new Float64Array(rels.length * 5);
  rels.forEach((rel, i) => {
    const st = l.files.get(rel)!;
    stats.set([st.size, st.mtimeMs, st.ctimeMs, st.atimeMs, st.ino], i * 5);
  });
  return { rels, stats, skipped: l.skipped };
}

function unpackListing(p: PackedListing): Listing {
  const files = new Map<string, FileStat>();
  const s = p.stats;
  p.rels.forEach((rel, i) => files.set(rel, { size: s[i * 5]!, mtimeMs: s[i * 5 + 1]!, ctimeMs: s[i * 5 + 2]!, atimeMs: s[i * 5 + 3]!, ino: s[i * 5 + 4]! }));
  return { files, skipped: p.skipped };
}

export type WalkReply = { id: number; listings: PackedListing[] } | { id: number; error: string };

/** A worker's code: bundled beside this code (dist/NAME.js), or its source when running from src/ (tsx). */
export function workerCode(name: string): { file: string; execArgv?: string[] } | null {
  const built = path.join(__dirname, `${name}.js`);
  if (fs.existsSync(built)) return { file: built };
  const source = path.join(__dirname, `${name}.ts`);
  return fs.existsSync(source) ? { file: source, execArgv: ['--require', 'tsx/cjs'] } : null;
}

/** An idle worker is stopped after this long (a backup every few minutes keeps it). */
const IDLE_MS = 60_000;

let worker: Worker | null | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (l: PackedListing[]) => void; reject: (e: Error) => void }>();

function failAll(err: Error): void {
  worker = undefined; // the next walk tries a new one
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
}

function startWorker(): Worker | null {
  if (worker !== undefined) return worker;
  const code = workerCode('walkWorker');
  try {
    worker = code ? new Worker(code.file, code.execArgv ? { execArgv: code.execArgv } : {}) : null;
  } catch {
    worker = null; // a runtime without worker threads: walks run here
  }
  if (!worker) return null;
  const w = worker;
  w.unref(); // an idle worker never keeps the process alive
  w.on('message', (reply: WalkReply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if ('error' in reply) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.listings);
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', () => {
    if (worker === w) failAll(new Error('the walk worker stopped'));
  });
  return w;
}

function stopWhenIdle(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (waiting.size) return;
    const w = worker;
    worker = undefined;
    void w?.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

let lastPlace: 'worker' | 'here' | null = null;
/** Where the last walkFolders ran (the worker can fail to start silently: walks then run here). */
export const lastWalkPlace = () => lastPlace;

/** Walks these folders in the worker (here when it cannot run); listings in request order. */
export async function walkFolders(requests: readonly WalkRequest[]): Promise<Listing[]> {
  const here = () => ((lastPlace = 'here'), requests.map((r) => walkFolder(r.root, r.skipReal)));
  if (!requests.length) return [];
  const w = startWorker();
  if (!w) return here();
  const id = nextId++;
  try {
    const packed = await new Promise<PackedListing[]>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      w.ref(); // a walk under way keeps the process alive
      w.postMessage({ id, requests });
    });
    lastPlace = 'worker';
    return packed.map(unpackListing);
  } catch {
    return here(); // a worker that failed or died: the same walk here
  } finally {
    if (!waiting.size && worker) worker.unref();
    stopWhenIdle();
  }
}
