// Renaming (or moving) a note and keeping every link to it working, as Obsidian does. planRename computes the text
// edits without writing anything (the extension turns them into a previewable WorkspaceEdit); renameNote applies
// them (the CLI and RPC): the file is moved first, never over another file, then each linking note is rewritten
// atomically, then the changed paths are re-indexed.
//
// Which links change: every link in a note that may be affected — the notes the store knows link to the renamed
// note, the renamed note itself, and notes with a link naming the new name — is resolved before the rename and
// after it (resolve.ts, the index's own rules). A link whose target would change (it pointed at the renamed note,
// or a relative link of a moved note, or a link the new name would capture) is rewritten to the shortest form that
// resolves to the right note afterwards: the same form as written when that still works (`[[Old]]` → `[[New]]`,
// `[[folder/Old]]` → `[[folder/New]]`), else the bare name, else the full path. Only the link's target changes: a
// `#heading`, `#^block`, `|alias`, `.md` suffix, `<…>` brackets or a Markdown link's text and title stay as written.
// Links by alias keep working and are left alone. Markdown reference definitions (`[label]: Old.md`) are rewritten
// too, and so are wikilinks in front-matter properties (`related: "[[Old]]"`: only the target, quoting kept). Links
// inside code are not links (the parser skips them), so they are never touched.
//
// A folder renamed or moved is the same operation over every note and file under it: each link that resolved to
// something under the folder and would not afterwards, and each relative link of a note inside it that would point
// elsewhere, is rewritten (a name-only `[[Note]]` that still resolves to the moved note is left alone).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Actor } from '../events';
import { StoreError } from '../errors';
import type { Store } from '../store';
import { indexPaths } from './indexer';
import { escapeFor } from './frontMatterLinks';
import { fragmentParts, frontMatterLinksOf, localDestination, parseNote, splitWikilink } from './markdown';
import { absoluteInVault, moveFileInVault, moveFolderInVault, replaceFileAtomically } from './noteFiles';
import { buildLinkIndex, normalizeNoteName, resolveLink, type LinkIndex } from './resolve';
import { dirOf, renameTargetOf, type RenameTarget } from './renameTarget';
import { isNotePath, scanVault } from './scan';
import type { ParsedLink } from './types';
import { lineIndexAt, lineStartsOf } from './lineStarts';

/** One replacement in a note, positions 0-based (lines; UTF-16 code units within the line, as editors count). */
export interface LinkEdit {
  /** The note's vault-relative path before the rename. */
  path: string;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  oldText: string;
  newText: string;
}

export interface RenamePlan {
  /** Vault-relative paths before and after (of the folder, for a folder). */
  from: string;
  to: string;
  /** A folder was renamed (or moved), with every note and file under it. */
  folder: boolean;
  edits: LinkEdit[];
  /** Notes with edits (paths before the rename). */
  files: string[];
}

export interface RenameResult extends RenamePlan {
  /** Paths written (after the rename: the moved note under its new path). */
  written: string[];
}

const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const withoutMd = (p: string) => p.replace(/\.md$/i, '');

/**
 * Notes whose links may change: the links to anything that moves, the moved notes themselves (their relative
 * links), and notes linking to a note a moved one could capture afterwards: one with its new name (as file name or
 * alias), or — after a move changes which of several same-named notes is nearest — one sharing its name or aliases.
 */
async function candidateSources(store: Store, pre: LinkIndex, target: RenameTarget): Promise<string[]> {
  const moved = target.folder ? [...pre.notePaths].filter((p) => p.startsWith(`${target.from}/`)) : [target.from];
  const movedSet = new Set(moved);
  const aliases = new Map<string, string[]>();
  for (const [alias, paths] of pre.notesByAlias) for (const p of paths) if (movedSet.has(p)) aliases.set(p, [...(aliases.get(p) ?? []), alias]);
  const names = new Set(moved.flatMap((p) => [normalizeNoteName(baseOf(target.map(p))), ...(aliases.get(p) ?? [])]));
  const rivals = new Set([...names].flatMap((n) => [...(pre.notesByName.get(n) ?? []), ...(pre.notesByAlias.get(n) ?? [])]));
  for (const p of moved) rivals.delete(p);
  // Under a folder, non-note files move too: links to them count like links to its notes.
  const rows = await store.conn.all<{ path: string }>(
    `SELECT DISTINCT n.path AS path FROM note_links l JOIN notes n ON n.id = l.note_id
      WHERE l.target_path IN (SELECT value FROM json_each(?)) OR (? AND substr(l.target_path, 1, length(?)) = ?)`,
    [JSON.stringify([...moved, ...rivals]), target.folder ? 1 : 0, `${target.from}/`, `${target.from}/`],
  );
  return [...new Set([...moved, ...rows.map((r) => r.path)])].sort();
}

/** Percent-encodes what a Markdown link destination cannot hold as is (spaces, brackets, `#`, `?`, `%`). */
const encodeDestination = (p: string) => p.replace(/[ %()<>[\]\\^`{}|"#?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** A relative path from folder `fromDir` to `to` ('/' separators, `../` as needed). */
function relativePath(fromDir: string, to: string): string {
  const rel = path.posix.relative(fromDir || '.', to);
  return rel || baseOf(to);
}

/** A link found in the text: where it starts, where its target (or destination's path) is, and what it says. */
interface Match {
  start: number;
  targetStart: number;
  targetEnd: number;
  link: ParsedLink;
  /** A Markdown destination written in `<…>` (spaces allowed, no percent-encoding needed). */
  angle: boolean;
  /** Already paired with a parsed link of its line. */
  used: boolean;
}

const keyOf = (l: Pick<ParsedLink, 'kind' | 'target' | 'heading' | 'block'> & { alias?: string }) =>
  JSON.stringify([l.kind, l.target, l.heading ?? null, l.block ?? null, l.kind === 'markdown' ? null : (l.alias ?? null)]);

/** Blanks inline code spans (keeping every offset and newline), so no link is looked for inside them. */
function maskCodeSpans(s: string): string {
  return s.replace(/(`+)(?:(?!\1)[\s\S])*?[^`]\1(?!`)|(`+)\2/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** The length of a destination's path part (before `#fragment` or `?query`). */
function pathLength(dest: string): number {
  const cut = dest.search(/[#?]/);
  return cut === -1 ? dest.length : cut;
}

const MD_LINK = /!?\[((?:[^[\]\\]|\\.|\[(?:[^[\]\\]|\\.)*\])*)\]\(\s*(<[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/gy;

/** The links written in `text` from offset `from` to `to` (wikilinks, embeds, inline Markdown links and images). */
function linksIn(text: string, from: number, to: number): Match[] {
  const masked = maskCodeSpans(text.slice(from, to));
  const out: Match[] = [];
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i];
    if (c === '[' && masked[i + 1] === '[') {
      const close = masked.indexOf(']]', i + 2);
      const inner = close === -1 ? '' : masked.slice(i + 2, close);
      if (close !== -1 && !inner.includes('[') && !inner.includes('\n')) {
        const parts = splitWikilink(inner);
        if (parts) {
          const embed = i > 0 && masked[i - 1] === '!';
          const lead = inner.length - inner.trimStart().length;
          const targetStart = from + i + 2 + lead;
          out.push({ start: from + i - (embed ? 1 : 0), targetStart, targetEnd: targetStart + parts.target.length, link: { kind: embed ? 'embed' : 'wikilink', ...parts, line: 0, context: '' }, angle: false, used: false });
          i = close + 1;
          continue;
        }
      }
    }
    if (c === '[' || (c === '!' && masked[i + 1] === '[')) {
      MD_LINK.lastIndex = i;
      const m = MD_LINK.exec(masked);
      if (m) {
        const raw = m[2]!;
        const angle = raw.startsWith('<');
        const inner = angle ? raw.slice(1, -1) : raw;
        const dest = localDestination(inner);
        if (dest) {
          const afterParen = i + (c === '!' ? 1 : 0) + 1 + m[1]!.length + 2; // past `](`
          const rawStart = from + afterParen + (masked.slice(afterParen).length - masked.slice(afterParen).trimStart().length) + (angle ? 1 : 0);
          out.push({ start: from + i, targetStart: rawStart, targetEnd: rawStart + pathLength(inner), link: { kind: 'markdown', target: dest.path, ...fragmentParts(dest.fragment), line: 0, context: '' }, angle, used: false });
        }
        // Go on inside the link's text (an image inside a link is a link too), but not into an image's own `[`.
        if (c === '!') i++;
      }
    }
  }
  return out;
}

/** `[label]: destination` lines outside fenced code: Markdown reference definitions. */
function definitionsIn(text: string, lineStarts: number[], firstBodyLine: number): Match[] {
  const out: Match[] = [];
  let fence: string | null = null;
  const lines = text.split('\n');
  for (let n = firstBodyLine - 1; n < lines.length; n++) {
    const line = lines[n]!;
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!.repeat(f[1]!.length);
      else if (f[1]!.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const m = /^( {0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*)(<[^<>\n]*>|\S+)/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    const angle = raw.startsWith('<');
    const inner = angle ? raw.slice(1, -1) : raw;
    const dest = localDestination(inner);
    if (!dest) continue;
    const start = lineStarts[n]! + m[1]!.length + (angle ? 1 : 0);
    out.push({ start, targetStart: start, targetEnd: start + pathLength(inner), link: { kind: 'markdown', target: dest.path, ...fragmentParts(dest.fragment), line: n + 1, context: '' }, angle, used: false });
  }
  return out;
}

function positionOf(lineStarts: number[], offset: number): { line: number; character: number } {
  const line = lineIndexAt(lineStarts, offset);
  return { line, character: offset - lineStarts[line]! };
}

/** The text to write as the link's target so that, from `fromPath`, it resolves to `want` (null: none found). */
function rewrittenTarget(post: LinkIndex, fromPath: string, link: ParsedLink, want: string, written: string, angle: boolean, keepDepth: boolean): string | null {
  const keepMd = /\.md$/i.test(written);
  const shape = (p: string) => (isNotePath(p) && !keepMd ? withoutMd(p) : p);
  const w = written.replace(/\\/g, '/');
  const writtenDir = dirOf(w);
  const sameFolder = writtenDir ? `${writtenDir}/${baseOf(want)}` : baseOf(want);
  const rel = relativePath(dirOf(fromPath), want);
  // A vault-absolute link stays absolute. When a folder moved, a path link keeps as many folders as it had
  // (`[[alpha/Plan]]` → `[[alpha-2024/Plan]]`) before falling back to the bare name: the folders were the point.
  const absolute = w.startsWith('/') ? [`/${want}`] : [];
  const depth = w.split('/').length;
  const sameDepth = keepDepth && depth > 1 ? [want.split('/').slice(-depth).join('/')] : [];
  const wantedForms =
    link.kind === 'markdown'
      ? [...absolute, sameFolder, rel, `/${want}`]
      : [...(/^\.\.?\//.test(w) ? [rel.startsWith('.') ? rel : `./${rel}`] : []), ...absolute, sameFolder, ...sameDepth, baseOf(want), want, `/${want}`];
  for (const form of wantedForms) {
    const target = shape(form);
    if (resolveLink(post, fromPath, { ...link, target }) === want) {
      if (link.kind !== 'markdown' || angle) return target;
      return target.split('/').map(encodeDestination).join('/');
    }
  }
  return null;
}

interface SourcePlan {
  path: string;
  text: string;
  bom: boolean;
  edits: { start: number; end: number; newText: string }[];
}

/** The edits of one note. `pre`/`post`: the link index before and after; `map` sends old paths to new ones. */
function planSource(rel: string, source: string, pre: LinkIndex, post: LinkIndex, map: (p: string) => string, keepDepth: boolean): SourcePlan {
  const bom = source.charCodeAt(0) === 0xfeff;
  const text = bom ? source.slice(1) : source;
  const plan: SourcePlan = { path: rel, text, bom, edits: [] };
  const parsed = parseNote(text, rel);
  const relAfter = map(rel);
  const lineStarts = lineStartsOf(text);
  const firstBodyLine = lineStarts.length - parsed.body.split('\n').length + 1;
  /** Where to stop looking for the links of a line: its paragraph's end (a Markdown link's text may wrap). */
  const searchEnd = (line0: number) => {
    let n = line0 + 1;
    while (n < lineStarts.length && n < line0 + 20 && text.slice(lineStarts[n]!, lineStarts[n + 1] ?? text.length).trim()) n++;
    return n < lineStarts.length ? lineStarts[n]! : text.length;
  };
  const needsChange = (link: ParsedLink): string | null => {
    const before = resolveLink(pre, rel, link);
    if (before === null) return null;
    const want = map(before);
    return resolveLink(post, relAfter, link) === want ? null : want;
  };
  const edit = (m: Match, want: string) => {
    const written = text.slice(m.targetStart, m.targetEnd);
    const target = rewrittenTarget(post, relAfter, m.link, want, m.link.kind === 'markdown' ? m.link.target : written, m.angle, keepDepth);
    if (target === null || target === written) return;
    if (!plan.edits.some((e) => e.start === m.targetStart)) plan.edits.push({ start: m.targetStart, end: m.targetEnd, newText: target });
  };

  // Links in front-matter properties: the target is rewritten inside its YAML value, escaped for the value's quotes.
  for (const fl of frontMatterLinksOf(text)) {
    const link: ParsedLink = { kind: fl.kind, target: fl.target, line: fl.line, context: '' };
    if (fl.heading !== undefined) link.heading = fl.heading;
    if (fl.block !== undefined) link.block = fl.block;
    const want = needsChange(link);
    if (want === null) continue;
    const target = rewrittenTarget(post, relAfter, link, want, fl.target, false, keepDepth);
    const start = lineStarts[fl.line - 1]! + fl.character;
    const end = lineStarts[fl.line - 1]! + fl.endCharacter;
    if (target !== null && escapeFor(fl.style, target) !== text.slice(start, end)) plan.edits.push({ start, end, newText: escapeFor(fl.style, target) });
  }

  const byLine = new Map<number, ParsedLink[]>();
  for (const link of parsed.links) if (link.line >= firstBodyLine) byLine.set(link.line, [...(byLine.get(link.line) ?? []), link]);
  for (const [line, links] of byLine) {
    const found = linksIn(text, lineStarts[line - 1]!, searchEnd(line - 1));
    for (const link of links) {
      const m = found.find((f) => !f.used && f.start < (lineStarts[line] ?? text.length + 1) && keyOf(f.link) === keyOf(link));
      if (!m) continue; // a reference-style Markdown link: its definition is rewritten below
      m.used = true;
      const want = needsChange(link);
      if (want !== null) edit(m, want);
    }
  }
  for (const def of definitionsIn(text, lineStarts, firstBodyLine)) {
    const want = needsChange(def.link);
    if (want !== null) edit(def, want);
  }
  plan.edits.sort((a, b) => a.start - b.start);
  return plan;
}

async function linkIndexes(store: Store, vault: string, target: RenameTarget): Promise<{ pre: LinkIndex; post: LinkIndex }> {
  const rows = await store.conn.all<{ path: string; aliases: string }>('SELECT path, aliases FROM notes');
  const list = rows.map((r) => ({ path: r.path, aliases: r.aliases === '[]' ? [] : (JSON.parse(r.aliases) as string[]) }));
  // A move to another folder changes where the moved notes' own relative links (to images too) start from; a
  // folder moves the files under it too.
  const files = !target.folder && dirOf(target.from) === dirOf(target.to) ? [] : scanVault(vault).otherFiles;
  return {
    pre: buildLinkIndex(list, files),
    post: buildLinkIndex(
      list.map((n) => ({ ...n, path: target.map(n.path) })),
      files.map(target.map),
    ),
  };
}

interface FullPlan {
  plan: RenamePlan;
  target: RenameTarget;
  sources: SourcePlan[];
}

async function computePlan(store: Store, vault: string, note: string, newName: string): Promise<FullPlan> {
  const target = await renameTargetOf(store, vault, note, newName);
  const { pre, post } = await linkIndexes(store, vault, target);
  const sources: SourcePlan[] = [];
  for (const rel of await candidateSources(store, pre, target)) {
    let source: string;
    try {
      source = fs.readFileSync(absoluteInVault(vault, rel), 'utf8');
    } catch {
      continue; // removed since the last index: nothing to rewrite there
    }
    const s = planSource(rel, source, pre, post, target.map, target.folder);
    if (s.edits.length) sources.push(s);
  }
  const edits: LinkEdit[] = [];
  for (const s of sources) {
    const starts = lineStartsOf(s.text);
    for (const e of s.edits) {
      const a = positionOf(starts, e.start);
      const b = positionOf(starts, e.end);
      edits.push({ path: s.path, line: a.line, character: a.character, endLine: b.line, endCharacter: b.character, oldText: s.text.slice(e.start, e.end), newText: e.newText });
    }
  }
  return { plan: { from: target.from, to: target.to, folder: target.folder, edits, files: sources.map((s) => s.path) }, target, sources };
}

/** What renaming `note` (a note, or a folder) to `newName` would change, without writing anything. */
export async function planRename(store: Store, vault: string, note: string, newName: string): Promise<RenamePlan> {
  return (await computePlan(store, vault, note, newName)).plan;
}

const applied = (s: SourcePlan) => {
  let out = '';
  let at = 0;
  for (const e of s.edits) {
    out += s.text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return (s.bom ? '\ufeff' : '') + out + s.text.slice(at);
};

/** Renames the note (or folder) and rewrites every link to what moved; then indexes what changed. */
export async function renameNote(store: Store, vault: string, who: Actor, note: string, newName: string): Promise<RenameResult> {
  const { plan, target, sources } = await computePlan(store, vault, note, newName);
  if (plan.folder) moveFolderInVault(vault, plan.from, plan.to);
  else moveFileInVault(vault, plan.from, plan.to);
  const written: string[] = [];
  for (const s of sources) {
    const rel = target.map(s.path);
    try {
      replaceFileAtomically(absoluteInVault(vault, rel), applied(s));
    } catch (err) {
      throw new StoreError(
        'invalid',
        `${plan.from} was renamed to ${plan.to}, but the links in ${rel} could not be updated (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Updated so far: ${written.join(', ') || 'none'}.`,
        { from: plan.from, to: plan.to, written },
      );
    }
    written.push(rel);
  }
  await indexPaths(store, vault, [plan.from, plan.to, ...written], who);
  return { ...plan, written };
}
