// The git objects a backup writes before its secret scan has decided: refused (or cancelled, or failed before its
// commit), they must not stay in the backup repository (unreachable, but readable by anyone with the folder, kept by
// git for weeks, and taken by the next backup for objects that were always there). What was in the object store
// before the backup is listed at its start (a directory listing, no git call); after it gives up, the objects of
// what it staged that were not there before are deleted: loose files, and packs (git add's bulk check-in) made only
// of such objects. Nothing else is touched: a stash, a dangling blob the user keeps, a pack
// git's own gc wrote meanwhile, an object of an older commit that the refused tree shares.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMPTY_TREE } from './blobs';
import type { BackupRepo } from './git';

export interface ObjectListing {
  /** Loose objects, as `xx/rest` (their path under .git/objects). */
  loose: Set<string>;
  /** Pack files (`pack-….pack`). */
  packs: Set<string>;
}

const objectsDir = (repoDir: string) => path.join(repoDir, '.git', 'objects');

function names(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** What the object store holds now. */
export function listObjects(repoDir: string): ObjectListing {
  const root = objectsDir(repoDir);
  const loose = new Set<string>();
  for (const fanout of names(root)) if (/^[0-9a-f]{2}$/.test(fanout)) for (const rest of names(path.join(root, fanout))) loose.add(`${fanout}/${rest}`);
  return { loose, packs: new Set(names(path.join(root, 'pack')).filter((f) => f.endsWith('.pack'))) };
}

/** The object ids a version 2 pack index lists; null for any other format (then the pack is left alone). */
function packIds(idxFile: string, hashBytes: number): string[] | null {
  let idx: Buffer;
  try {
    idx = fs.readFileSync(idxFile);
  } catch {
    return null;
  }
  if (idx.length < 8 + 256 * 4 || idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return null;
  const count = idx.readUInt32BE(8 + 255 * 4);
  const first = 8 + 256 * 4;
  if (idx.length < first + count * hashBytes) return null;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(idx.toString('hex', first + i * hashBytes, first + (i + 1) * hashBytes));
  return ids;
}

/**
 * Deletes what a backup that did not commit wrote: the objects of `tree` (what it staged, and its subtrees and blobs;
 * null when git could not write it) that `from` (HEAD's tree, null before the first commit) does not have, plus
 * `written` (blobs it wrote as it went), where they were not in `before`. Call once the index no longer names them
 * (after the reset to HEAD).
 */
export async function removeNewObjects(repo: BackupRepo, before: ObjectListing, from: string | null, tree: string | null, written: Iterable<string>): Promise<void> {
  const ids = new Set(written);
  if (tree) {
    ids.add(tree);
    const diff = await repo.git.raw(['diff-tree', '-r', '-t', '--no-renames', '--raw', '-z', from ?? EMPTY_TREE, tree, '--']);
    // Entries: ":<mode> <mode> <old id> <new id> <status>" NUL "<path>" NUL.
    for (const entry of diff.split('\0')) if (entry.startsWith(':')) ids.add(entry.split(' ')[3]!);
  }
  const hashBytes = ([...ids][0]?.length ?? 0) / 2;
  if (!hashBytes) return;
  const root = objectsDir(repo.dir);
  for (const id of ids) {
    const rel = `${id.slice(0, 2)}/${id.slice(2)}`;
    if (!before.loose.has(rel)) fs.rmSync(path.join(root, rel), { force: true });
  }
  const packDir = path.join(root, 'pack');
  for (const pack of names(packDir)) {
    if (!pack.endsWith('.pack') || before.packs.has(pack)) continue;
    const base = path.join(packDir, pack.slice(0, -'.pack'.length));
    // A pack git keeps on purpose (.keep), or a cruft pack of gc's (.mtimes), is never ours.
    if (fs.existsSync(`${base}.keep`) || fs.existsSync(`${base}.mtimes`)) continue;
    const inPack = packIds(`${base}.idx`, hashBytes);
    if (!inPack?.every((id) => ids.has(id))) continue;
    // The index first: without it git no longer looks into the pack.
    for (const ext of ['.idx', '.rev', '.bitmap', '.pack']) fs.rmSync(`${base}${ext}`, { force: true });
  }
}
