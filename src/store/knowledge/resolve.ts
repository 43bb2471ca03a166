// Obsidian link resolution: which vault file a parsed link points at, as a pure function over an index of the vault.
//
// Rules (the tests pin each one):
// - `[[#Heading]]` / `[[#^block]]` (target '') → the linking note itself.
// - Wikilinks and embeds (`[[x]]`, `![[x]]`):
//   - `/a/b` → that path from the vault root; `./b`, `../b` → relative to the linking note's folder. No name matching.
//   - `a/b` (contains `/`) → notes whose path ends with `a/b` at a folder boundary (`x/a/b.md` but not `xa/b.md`).
//   - `b` → notes whose file name is `b`, anywhere.
//   Names compare case-insensitively, NFC-normalised, with or without `.md`. Note names come first, then aliases
//   (same comparison), then — only when the index was given the vault's other files — non-note files by file name or
//   path suffix (`![[pic.png]]`, `[[assets/pic.png]]`).
// - Markdown links (`[x](a/b.md)`, `[x](../src/a.ts)`): relative to the linking note's folder, or from the vault root
//   when they start with `/`. Exact path first, then case-insensitively, then with `.md` appended (`[x](notes/b)`).
//   When that fails and the target is a plain relative path (not `./`, `../` or `/`), the wikilink rules are tried, as
//   Obsidian does for links it wrote in "shortest path" form (`[x](Note.md)` for a note in another folder).
// - A path that climbs out of the vault (`../` above the root) never resolves.
// - Several candidates: the one in the linking note's folder, else the one with the fewest folders, else the shortest
//   path, else the first in code-unit order of the path. Deterministic, whatever order the index was built in.
// - Non-note targets resolve only when `files` was given to buildLinkIndex; otherwise null.
import type { ParsedLink } from './types';
import { isNotePath } from './scan';

/** Lowercase, NFC, without a trailing `.md`: the form note names and paths are compared in. */
export function normalizeNoteName(name: string): string {
  return name.trim().normalize('NFC').toLowerCase().replace(/\.md$/, '');
}

const fileKey = (p: string) => p.normalize('NFC').toLowerCase();
const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dirName = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

export interface LinkIndex {
  /** Note paths by exact path. */
  readonly notePaths: ReadonlySet<string>;
  /** Note path by fileKey(path) (lowercase NFC, `.md` kept). */
  readonly notesByKey: ReadonlyMap<string, string>;
  /** Note paths by normalized file name, best candidate first (before the same-folder preference). */
  readonly notesByName: ReadonlyMap<string, readonly string[]>;
  /** Note paths by normalized alias. */
  readonly notesByAlias: ReadonlyMap<string, readonly string[]>;
  /** Non-note files, when given: exact, by fileKey(path), and by lowercased file name. */
  readonly filePaths: ReadonlySet<string>;
  readonly filesByKey: ReadonlyMap<string, string>;
  readonly filesByName: ReadonlyMap<string, readonly string[]>;
}

/** Fewest folders, then shortest, then code-unit order. */
function comparePaths(a: string, b: string): number {
  const da = a.split('/').length;
  const db = b.split('/').length;
  if (da !== db) return da - db;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/**
 * The index resolveLink works on. `notes`: every note (vault-relative path with '/' separators, and its aliases);
 * `files`: optionally, the vault's other files (images, PDFs, code), so embeds and links to them can resolve.
 */
export function buildLinkIndex(notes: readonly { path: string; aliases: readonly string[] }[], files: readonly string[] = []): LinkIndex {
  const notePaths = new Set<string>();
  const notesByKey = new Map<string, string>();
  const notesByName = new Map<string, string[]>();
  const notesByAlias = new Map<string, string[]>();
  for (const n of notes) {
    const p = n.path.replace(/\\/g, '/');
    notePaths.add(p);
    const key = fileKey(p);
    const known = notesByKey.get(key);
    if (known === undefined || comparePaths(p, known) < 0) notesByKey.set(key, p);
    pushTo(notesByName, normalizeNoteName(baseName(p)), p);
    for (const a of n.aliases) {
      const alias = normalizeNoteName(a);
      if (alias) pushTo(notesByAlias, alias, p);
    }
  }
  const filePaths = new Set<string>();
  const filesByKey = new Map<string, string>();
  const filesByName = new Map<string, string[]>();
  for (const f of files) {
    const p = f.replace(/\\/g, '/');
    if (isNotePath(p) && notePaths.has(p)) continue;
    filePaths.add(p);
    const key = fileKey(p);
    const known = filesByKey.get(key);
    if (known === undefined || comparePaths(p, known) < 0) filesByKey.set(key, p);
    pushTo(filesByName, fileKey(baseName(p)), p);
  }
  for (const list of [...notesByName.values(), ...notesByAlias.values(), ...filesByName.values()]) list.sort(comparePaths);
  return { notePaths, notesByKey, notesByName, notesByAlias, filePaths, filesByKey, filesByName };
}

/** The candidate in `fromDir`, else the first (the lists are sorted by comparePaths). */
function pick(candidates: readonly string[] | undefined, fromDir: string): string | null {
  if (!candidates?.length) return null;
  for (const c of candidates) if (dirName(c) === fromDir) return c;
  return candidates[0]!;
}

/**
 * Joins a relative path onto a folder, resolving `.` and `..`; null when it climbs above the vault root.
 * `base` '' is the root.
 */
function joinPath(base: string, rel: string): string | null {
  const out = base ? base.split('/') : [];
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

/** A vault path (no leading '/'), tried exactly, case-insensitively, then with `.md` appended. */
function byPath(index: LinkIndex, p: string): string | null {
  if (!p) return null;
  if (index.notePaths.has(p)) return p;
  if (index.filePaths.has(p)) return p;
  const key = fileKey(p);
  const found = index.notesByKey.get(key) ?? index.filesByKey.get(key);
  if (found) return found;
  if (!isNotePath(p)) return index.notesByKey.get(`${key}.md`) ?? null;
  return null;
}

/** Wikilink-style lookup of a target that is neither absolute nor `./`/`../`. */
function byName(index: LinkIndex, fromDir: string, target: string): string | null {
  const t = target.replace(/\\/g, '/').replace(/^\/+/, '').replace(/\/+$/, '');
  if (!t) return null;
  const name = normalizeNoteName(t);
  if (!name) return null;
  const slash = name.lastIndexOf('/');
  if (slash === -1) {
    const hit = pick(index.notesByName.get(name), fromDir) ?? pick(index.notesByAlias.get(name), fromDir);
    if (hit) return hit;
    return pick(index.filesByName.get(fileKey(t)), fromDir);
  }
  // folder/Note: a path suffix at a folder boundary.
  const suffix = `/${name}`;
  const endsWith = (p: string, s: string) => p === s.slice(1) || p.endsWith(s);
  const notes = index.notesByName.get(name.slice(slash + 1))?.filter((p) => endsWith(normalizeNoteName(p), suffix));
  const hit = pick(notes, fromDir);
  if (hit) return hit;
  const aliasHit = pick(index.notesByAlias.get(name), fromDir); // an alias may contain '/'
  if (aliasHit) return aliasHit;
  const fileSuffix = `/${fileKey(t)}`;
  const files = index.filesByName.get(fileKey(baseName(t)))?.filter((p) => endsWith(fileKey(p), fileSuffix));
  return pick(files, fromDir);
}

/** The vault-relative path the link points at, or null (an unresolved placeholder). See the header for the rules. */
export function resolveLink(index: LinkIndex, fromPath: string, link: ParsedLink): string | null {
  const target = link.target.trim();
  if (!target) return fromPath;
  const fromDir = dirName(fromPath.replace(/\\/g, '/'));
  const t = target.replace(/\\/g, '/');
  const explicitPath = t.startsWith('/') || t.startsWith('./') || t.startsWith('../') || t === '.' || t === '..';
  if (link.kind === 'markdown' || explicitPath) {
    const p = t.startsWith('/') ? joinPath('', t) : joinPath(fromDir, t);
    if (p === null) return null; // climbs out of the vault
    const found = byPath(index, p);
    if (found || explicitPath) return found;
    // A plain relative Markdown link that is not there: Obsidian's shortest-path form.
    return byName(index, fromDir, t);
  }
  return byName(index, fromDir, t);
}
