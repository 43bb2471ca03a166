// Indexes the vault paths a file watcher reported. Two watchers may report the same save (VS Code's, through the
// extension, and the standalone backend's own): runs on one store are queued one after the other, so the second
// finds the catalog already current (size and mtime match: nothing read, nothing written, no event) instead of
// parsing and writing the same note twice at the same time.
import * as path from 'node:path';
import type { Actor } from '../events';
import type { Store } from '../store';
import { indexPaths, type IndexPathsOptions, type IndexReport } from './indexer';

const queues = new WeakMap<Store, Promise<unknown>>();

/** A path (absolute, or relative to the vault) as the vault-relative '/' path indexPaths takes; null outside the vault. */
export function vaultRelative(vault: string, p: string): string | null {
  const rel = path.relative(vault, path.resolve(vault, p));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** indexPaths, queued behind any other run on the same store; paths outside the vault are ignored. */
export function indexChangedPaths(store: Store, vaultDir: string, paths: readonly string[], who: Actor, options: IndexPathsOptions = {}): Promise<IndexReport> {
  const vault = path.resolve(vaultDir);
  const rels = paths.map((p) => vaultRelative(vault, p)).filter((p): p is string => p !== null);
  const run = (queues.get(store) ?? Promise.resolve()).catch(() => undefined).then(() => indexPaths(store, vault, rels, who, options));
  queues.set(store, run);
  return run;
}
