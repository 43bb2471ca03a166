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
// too. Links inside code are not links (the parser skips them), so they are never touched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import type { Actor } from '../events';
import { StoreError } from '../errors';
import { noteLinks, notes } from '../schema';
import type { Store } from '../store';
import { indexPaths } from './indexer';
import { findNote } from './links';
import { fragmentParts, localDestination, parseNote, splitWikilink } from './markdown';
import { absoluteInVault, checkNoteName, checkVaultFolder, moveFileInVault, relativeInVault, replaceFileAtomically } from './noteFiles';
import { buildLinkIndex, normalizeNoteName, resolveLink, type LinkIndex } from './resolve';
import { isNotePath, scanVault } from './scan';
import type { ParsedLink } from './types';

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
  /** Vault-relative paths before and after. */
  from: string;
  to: string;
  edits: LinkEdit[];
  /** Notes with edits (paths before the rename). */
  files: string[];
}

export interface RenameResult extends RenamePlan {
  /** Paths written (after the rename: the moved note under its new path). */
  written: string[];
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const withoutMd = (p: string) => p.replace(/\.md$/i, '');

/** The note to rename: a vault-relative or absolute path, or a file name or title the store knows. */
async function noteToRename(store: Store, vault: string, note: string): Promise<string> {
  const wanted = path.isAbsolute(note) ? relativeInVault(vault, note) : note;
  const found = await findNote(store.orm, wanted);
  if (!fs.existsSync(absoluteInVault(vault, found.path))) {
    throw new StoreError('not_found', `${found.path} is in the index but no longer in the vault. Index the vault again.`, { path: found.path });
  }
  return found.path;
}

/** The new vault-relative path: a name (same folder) or a vault-relative path ending in a name (a move). */
function newPathFor(vault: string, fromRel: string, newName: string): string {
  const raw = newName.replace(/\\/g, '/').trim();
  const slash = raw.lastIndexOf('/');
  const folder = slash === -1 ? dirOf(fromRel) : checkVaultFolder(raw.slice(0, slash), 'The new folder');
  const name = checkNoteName(slash === -1 ? raw : raw.slice(slash + 1), 'The new note name');
  const toRel = folder ? `${folder}/${name}.md` : `${name}.md`;
  if (toRel === fromRel) throw new StoreError('invalid', `${fromRel} already has that name: nothing to rename.`, { path: fromRel });
  const toAbs = absoluteInVault(vault, toRel);
  const dir = path.dirname(toAbs);
  const clash = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.normalize('NFC').toLowerCase() === `${name}.md`.toLowerCase()) : undefined;
  const caseOnly = toRel.toLowerCase() === fromRel.toLowerCase();
  if (clash !== undefined && !caseOnly) {
    throw new StoreError('conflict', `${folder ? `${folder}/` : ''}${clash} already exists. Choose another name; Cairn never overwrites a note.`, { path: toRel });
  }
  return toRel;
}

/**
 * Notes whose links may change: backlinks of the note, the note itself, and notes linking to a note the renamed one
 * could capture afterwards: one with its new name (as file name or alias), or — after a move changes which of
 * several same-named notes is nearest — one sharing one of its aliases.
 */
async function candidateSources(store: Store, pre: LinkIndex, fromRel: string, toRel: string): Promise<string[]> {
  const names = [normalizeNoteName(baseOf(toRel)), ...aliasesOf(pre, fromRel)];
  const rivals = new Set(names.flatMap((n) => [...(pre.notesByName.get(n) ?? []), ...(pre.notesByAlias.get(n) ?? [])]));
  rivals.delete(fromRel);
  const rows = await store.orm
    .selectDistinct({ path: notes.path })
    .from(noteLinks)
    .innerJoin(notes, eq(notes.id, noteLinks.noteId))
    .where(inArray(noteLinks.targetPath, [fromRel, ...rivals]));
  return [...new Set([fromRel, ...rows.map((r) => r.path)])].sort();
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

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function positionOf(lineStarts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - lineStarts[lo]! };
}

/** The text to write as the link's target so that, from `fromPath`, it resolves to `want` (null: none found). */
function rewrittenTarget(post: LinkIndex, fromPath: string, link: ParsedLink, want: string, written: string, angle: boolean): string | null {
  const keepMd = /\.md$/i.test(written);
  const shape = (p: string) => (isNotePath(p) && !keepMd ? withoutMd(p) : p);
  const writtenDir = dirOf(written.replace(/\\/g, '/'));
  const rel = relativePath(dirOf(fromPath), want);
  const wantedForms =
    link.kind === 'markdown'
      ? [writtenDir ? `${writtenDir}/${baseOf(want)}` : baseOf(want), rel, `/${want}`]
      : [...(/^\.\.?\//.test(written) ? [rel.startsWith('.') ? rel : `./${rel}`] : []), writtenDir ? `${writtenDir}/${baseOf(want)}` : baseOf(want), baseOf(want), want, `/${want}`];
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
function planSource(rel: string, source: string, pre: LinkIndex, post: LinkIndex, map: (p: string) => string): SourcePlan {
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
    const target = rewrittenTarget(post, relAfter, m.link, want, m.link.kind === 'markdown' ? m.link.target : written, m.angle);
    if (target === null || target === written) return;
    if (!plan.edits.some((e) => e.start === m.targetStart)) plan.edits.push({ start: m.targetStart, end: m.targetEnd, newText: target });
  };

  const byLine = new Map<number, ParsedLink[]>();
  for (const link of parsed.links) byLine.set(link.line, [...(byLine.get(link.line) ?? []), link]);
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

async function linkIndexes(store: Store, vault: string, fromRel: string, toRel: string): Promise<{ pre: LinkIndex; post: LinkIndex }> {
  const rows = await store.conn.all<{ path: string; aliases: string }>('SELECT path, aliases FROM notes');
  const list = rows.map((r) => ({ path: r.path, aliases: r.aliases === '[]' ? [] : (JSON.parse(r.aliases) as string[]) }));
  // A move to another folder changes where the note's own relative links (to images too) start from.
  const files = dirOf(fromRel) === dirOf(toRel) ? [] : scanVault(vault).otherFiles;
  return {
    pre: buildLinkIndex(list, files),
    post: buildLinkIndex(list.map((n) => (n.path === fromRel ? { ...n, path: toRel } : n)), files),
  };
}

/** The aliases the index holds for a note. */
function aliasesOf(index: LinkIndex, notePath: string): string[] {
  return [...index.notesByAlias].filter(([, paths]) => paths.includes(notePath)).map(([alias]) => alias);
}

interface FullPlan {
  plan: RenamePlan;
  sources: SourcePlan[];
}

async function computePlan(store: Store, vault: string, note: string, newName: string): Promise<FullPlan> {
  const fromRel = await noteToRename(store, vault, note);
  const toRel = newPathFor(vault, fromRel, newName);
  const { pre, post } = await linkIndexes(store, vault, fromRel, toRel);
  const map = (p: string) => (p === fromRel ? toRel : p);
  const sources: SourcePlan[] = [];
  for (const rel of await candidateSources(store, pre, fromRel, toRel)) {
    let source: string;
    try {
      source = fs.readFileSync(absoluteInVault(vault, rel), 'utf8');
    } catch {
      continue; // removed since the last index: nothing to rewrite there
    }
    const s = planSource(rel, source, pre, post, map);
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
  return { plan: { from: fromRel, to: toRel, edits, files: sources.map((s) => s.path) }, sources };
}

/** What renaming `note` to `newName` would change, without writing anything. */
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

/** Renames the note and rewrites every link to it; then indexes what changed. */
export async function renameNote(store: Store, vault: string, who: Actor, note: string, newName: string): Promise<RenameResult> {
  const { plan, sources } = await computePlan(store, vault, note, newName);
  moveFileInVault(vault, plan.from, plan.to);
  const written: string[] = [];
  for (const s of sources) {
    const rel = s.path === plan.from ? plan.to : s.path;
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
