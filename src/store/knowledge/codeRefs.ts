// What a source file's code lenses need from the store, in one read: the notes its comments name (`[[Note]]`,
// resolved by Obsidian's wikilink rules from the vault root), the tasks whose ids they contain, and the notes that
// mention the file itself.
//
// A note mentions a file when one of its Markdown links (`[text](path)`) or wikilinks (`[[src/a.ts]]`,
// `![[src/a.ts]]`) points at it. A Markdown link's path is tried, in this order, relative to: the note's own folder
// (plain Markdown: `[x](../../src/a.ts)` from a vault inside the workspace), the workspace folder (`[x](src/a.ts)`),
// and the vault root. A wikilink is relative to the note's folder only when it says so (`[[../src/a.ts]]`), as in
// Obsidian; otherwise it is a path from the workspace folder or the vault root. A path starting with `/` is tried
// from the workspace folder and from the vault root. A link that resolved to a vault file when the vault was indexed
// counts for exactly that file (and one that resolved to a note never names a code file). A note in the vault gets
// no such lens (its backlinks are the Links view's business).
import { revealTask } from '../crypto/fields';
import * as path from 'node:path';
import type { TaskStatus } from '../schema';
import type { Store } from '../store';
import { buildLinkIndex, normalizeNoteName, resolveLink } from './resolve';
import { isNotePath } from './scan';

export interface CodeRefsQuery {
  /** Absolute path of the source file; its top-of-file lens counts the notes that mention it. */
  file?: string;
  /** Absolute path of the workspace folder holding the file (links relative to it count). */
  workspaceFolder?: string;
  /** Wikilink texts as written between `[[` and `]]` (`Note`, `folder/Note`, `Note#Heading`, `Note|alias`). */
  notes?: string[];
  taskIds?: string[];
}

export interface CodeRefNote {
  /** As sent in the query. */
  name: string;
  path: string;
  title: string;
  /** 1-based line of the heading the link names, when it names one the note has. */
  line: number | null;
}

export interface CodeRefTask {
  id: string;
  title: string;
  status: TaskStatus;
}

export interface FileMention {
  /** The mentioning note (vault-relative path). */
  path: string;
  title: string;
  /** 1-based line of its first link to the file. */
  line: number;
  /** The link's path as written. */
  target: string;
}

export interface CodeRefs {
  /** The names that resolve to a note (the others are left out). */
  notes: CodeRefNote[];
  /** The ids that are tasks (the others are left out). */
  tasks: CodeRefTask[];
  /** The notes that mention the file, one entry per note, by path. */
  fileMentions: FileMention[];
}

interface NoteCandidate {
  path: string;
  title: string;
  aliases: string;
}

/** `Note#Heading|alias` → the note part and the heading (a `#^block` names no heading). */
function splitName(text: string): { target: string; heading: string | null } {
  const bare = text.split('|')[0]!;
  const hash = bare.indexOf('#');
  if (hash === -1) return { target: bare.trim(), heading: null };
  const heading = bare.slice(hash + 1).trim();
  return { target: bare.slice(0, hash).trim(), heading: heading && !heading.startsWith('^') ? heading : null };
}

async function resolveNotes(store: Store, names: readonly string[]): Promise<CodeRefNote[]> {
  const wanted = names.map((name) => ({ name, ...splitName(name) })).filter((w) => w.target);
  if (!wanted.length) return [];
  const keys = [...new Set(wanted.map((w) => normalizeNoteName(w.target.replace(/\\/g, '/')).split('/').pop()!))];
  // Only the notes that can match: those with a wanted file name; notes with aliases only for what is still unresolved.
  const byName = await store.conn.all<NoteCandidate>('SELECT path, title, aliases FROM notes WHERE name_key IN (SELECT value FROM json_each(?))', [JSON.stringify(keys)]);
  const candidates = new Map(byName.map((n) => [n.path, n]));
  const resolveAll = () => {
    const index = buildLinkIndex([...candidates.values()].map((n) => ({ path: n.path, aliases: JSON.parse(n.aliases) as string[] })));
    return wanted.map((w) => ({ ...w, path: resolveLink(index, '', { kind: 'wikilink', target: w.target, line: 0, context: '' }) }));
  };
  let resolved = resolveAll();
  if (resolved.some((r) => !r.path)) {
    for (const n of await store.conn.all<NoteCandidate>("SELECT path, title, aliases FROM notes WHERE aliases <> '[]'")) candidates.set(n.path, n);
    resolved = resolveAll();
  }
  const out: CodeRefNote[] = [];
  for (const r of resolved) {
    const note = r.path ? candidates.get(r.path) : undefined;
    if (!note) continue;
    const heading = r.heading
      ? await store.conn.get<{ line: number }>(
          'SELECT h.line AS line FROM note_headings h JOIN notes n ON n.id = h.note_id WHERE n.path = ? AND lower(h.text) = lower(?) ORDER BY h.line LIMIT 1',
          [note.path, r.heading],
        )
      : undefined;
    out.push({ name: r.name, path: note.path, title: note.title, line: heading?.line ?? null });
  }
  return out;
}

async function findTasks(store: Store, ids: readonly string[]): Promise<CodeRefTask[]> {
  if (!ids.length) return [];
  const rows = await store.conn.all<CodeRefTask>('SELECT id, title, status FROM tasks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', [JSON.stringify([...new Set(ids)])]);
  return rows.map((t) => revealTask(store.orm, t));
}

/** The absolute paths a note's link may stand for (see the header for the rule). */
function linkedPaths(vault: string, workspace: string | undefined, notePath: string, kind: string, target: string, targetPath: string | null): string[] {
  if (targetPath) return [path.resolve(vault, targetPath)];
  const t = target.replace(/\\/g, '/');
  const rel = t.replace(/^\/+/, '');
  const out: string[] = [];
  const fromNote = kind === 'markdown' ? !t.startsWith('/') : /^\.\.?\//.test(t);
  if (fromNote) out.push(path.resolve(vault, path.posix.dirname(notePath), rel));
  if (fromNote && kind !== 'markdown') return out;
  if (workspace) out.push(path.resolve(workspace, rel));
  out.push(path.resolve(vault, rel));
  return out;
}

async function findFileMentions(store: Store, vaultDir: string, file: string, workspace: string | undefined): Promise<FileMention[]> {
  const vault = path.resolve(vaultDir);
  const wanted = path.resolve(file);
  const inVault = path.relative(vault, wanted);
  if (isNotePath(wanted) && !inVault.startsWith('..') && !path.isAbsolute(inVault)) return [];
  // Case-insensitive file systems (macOS, Windows) name one file in several spellings.
  const key = (p: string) => (process.platform === 'linux' ? p : p.toLowerCase());
  // Candidates: links whose path contains the file name (no index serves a suffix; this is one pass over the links,
  // whose paths are short), then each is checked by the rule above.
  const rows = await store.conn.all<{ path: string; title: string; kind: string; target: string; targetPath: string | null; line: number }>(
    `SELECT n.path AS path, n.title AS title, l.kind AS kind, l.target AS target, l.target_path AS targetPath, l.line AS line
       FROM note_links l JOIN notes n ON n.id = l.note_id
      WHERE instr(lower(l.target), lower(?)) > 0
      ORDER BY n.path, l.line`,
    [path.basename(wanted)],
  );
  const ws = workspace ? path.resolve(workspace) : undefined;
  const out: FileMention[] = [];
  for (const r of rows) {
    if (out.at(-1)?.path === r.path) continue; // one entry per note: its first link to the file
    if (linkedPaths(vault, ws, r.path, r.kind, r.target, r.targetPath).some((p) => key(p) === key(wanted))) out.push({ path: r.path, title: r.title, line: r.line, target: r.target });
  }
  return out;
}

/** Everything a source file's lenses need, read in one snapshot. */
export function lookupCodeRefs(store: Store, vaultDir: string, q: CodeRefsQuery): Promise<CodeRefs> {
  return store.read(async () => ({
    notes: await resolveNotes(store, q.notes ?? []),
    tasks: await findTasks(store, q.taskIds ?? []),
    fileMentions: q.file ? await findFileMentions(store, vaultDir, q.file, q.workspaceFolder) : [],
  }));
}
