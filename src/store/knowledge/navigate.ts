// Following a link from an editor: which note (and which line of it) a link written in a note points at, by the
// same Obsidian rules the index uses (resolve.ts), plus what a hover shows (title, first lines) and the target's
// headings and block ids (for `[[Note#` completion). The link index is built from the store's notes and kept until
// they change (a new index run).
import * as fs from 'node:fs';
import type { Store } from '../store';
import { StoreError } from '../errors';
import { localDestination, fragmentParts, parseNote, splitWikilink } from './markdown';
import { absoluteInVault, relativeInVault } from './noteFiles';
import { buildLinkIndex, resolveLink, type LinkIndex } from './resolve';
import { isNotePath, scanVault } from './scan';
import type { ParsedHeading, ParsedLink } from './types';

export type LinkKind = ParsedLink['kind'];

export interface ResolvedTarget {
  /** Vault-relative path of the target. */
  path: string;
  /** False for a file that is not a note (an image, a PDF): no title, headings or preview. */
  isNote: boolean;
  title: string;
  /** 1-based line the link points at: the heading's or block's line, else the first line after the front matter. */
  line: number;
  heading?: string;
  block?: string;
  /** True when the link names a heading or block that the note does not have (line is then 1). */
  missingAnchor: boolean;
  headings: ParsedHeading[];
  blocks: { id: string; line: number }[];
  /** Markdown from the target: the section under the heading or block, else the start of the note (no front matter). */
  preview: string;
}

const PREVIEW_LINES = 14;
const PREVIEW_CHARS = 1500;

const cache = new WeakMap<Store, { key: string; index: LinkIndex }>();

/**
 * What the link index depends on: notes change only through index runs, each of which appends a `vault` event, so
 * the latest one (read from the events' aggregate index) and the note count say whether to rebuild. Task and
 * graph writes leave the cached index alone.
 */
async function notesVersion(store: Store): Promise<string> {
  const row = await store.conn.get<{ seq: number | null; notes: number }>(
    `SELECT (SELECT max(seq) FROM events WHERE aggregate_type = 'vault') AS seq,
            (SELECT count(*) FROM notes) AS notes`,
  );
  return `${row?.seq ?? 0}:${row?.notes ?? 0}`;
}

/** The store's link index (every note's path and aliases), rebuilt only when the notes changed since. */
export async function storeLinkIndex(store: Store): Promise<LinkIndex> {
  const key = await notesVersion(store);
  const hit = cache.get(store);
  if (hit && hit.key === key) return hit.index;
  const rows = await store.conn.all<{ path: string; aliases: string }>('SELECT path, aliases FROM notes');
  const index = buildLinkIndex(rows.map((r) => ({ path: r.path, aliases: r.aliases === '[]' ? [] : (JSON.parse(r.aliases) as string[]) })));
  cache.set(store, { key, index });
  return index;
}

/** A link as an editor sees it (`Note#Heading|alias` inside `[[…]]`, or a Markdown destination) → ParsedLink. */
export function linkFromText(kind: LinkKind, text: string): ParsedLink | null {
  if (kind === 'markdown') {
    const raw = text.trim().replace(/^<(.*)>$/, '$1');
    const dest = localDestination(raw);
    if (!dest) return null;
    return { kind, target: dest.path, ...fragmentParts(dest.fragment), line: 0, context: '' };
  }
  const parts = splitWikilink(text);
  return parts ? { kind, ...parts, line: 0, context: '' } : null;
}

/** Heading text as links compare it: case, punctuation and spacing ignored (`Set-up & Use` ~ `set up use`). */
const headingKey = (s: string) => s.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The heading a link's `#A#B` (Obsidian: a path of headings, the last one counts) or `#a-slug` names. */
export function findHeading(headings: readonly ParsedHeading[], wanted: string): ParsedHeading | undefined {
  const last = wanted.split('#').filter((s) => s.trim()).pop() ?? wanted;
  const key = headingKey(last);
  return headings.find((h) => headingKey(h.text) === key);
}

/** Lines of the target for a hover: a heading's section (to the next heading of its level or above), else the top. */
function previewOf(bodyLines: string[], firstBodyLine: number, from: number, heading: ParsedHeading | undefined, headings: readonly ParsedHeading[]): string {
  const start = Math.max(from, firstBodyLine) - firstBodyLine;
  let end = bodyLines.length;
  if (heading) {
    const next = headings.find((h) => h.line > heading.line && h.level <= heading.level);
    if (next) end = next.line - firstBodyLine;
  }
  let lines = bodyLines.slice(start, Math.min(end, start + PREVIEW_LINES));
  while (lines.length && !lines[0]!.trim()) lines = lines.slice(1);
  let text = lines.join('\n').trimEnd();
  if (text.length > PREVIEW_CHARS) text = `${text.slice(0, PREVIEW_CHARS).trimEnd()}…`;
  else if (start + PREVIEW_LINES < end) text += '\n\n…';
  return text;
}

/**
 * Where a link written in the note `from` (vault-relative or absolute, inside the vault) points; null when it
 * resolves to nothing (a placeholder). `text` is what stands inside `[[…]]` / `![[…]]`, or a Markdown link's
 * destination.
 */
export async function resolveForEditor(store: Store, vault: string, from: string, kind: LinkKind, text: string): Promise<ResolvedTarget | null> {
  const fromRel = relativeInVault(vault, from);
  const link = linkFromText(kind, text);
  if (!link) throw new StoreError('invalid', `"${text}" is not a link to a note (write it like Note, Note#Heading, Note#^block or Note|alias).`, { link: text });
  let target = resolveLink(await storeLinkIndex(store), fromRel, link);
  if (target === null && !isNotePath(link.target) && /\.[A-Za-z0-9]+$/.test(link.target)) {
    // Perhaps an image or other attachment: those names are not in the store, so look at the vault itself.
    const index = buildLinkIndex([], scanVault(vault).otherFiles);
    target = resolveLink(index, fromRel, link);
  }
  if (target === null) return null;
  const abs = absoluteInVault(vault, target);
  const base = { path: target, heading: link.heading, block: link.block, missingAnchor: false, headings: [], blocks: [] };
  if (!isNotePath(target)) return { ...base, isNote: false, title: target.slice(target.lastIndexOf('/') + 1), line: 1, preview: '' };
  let source: string;
  try {
    source = fs.readFileSync(abs, 'utf8');
  } catch {
    throw new StoreError('not_found', `${target} is in the index but no longer in the vault. Index the vault again.`, { path: target });
  }
  const parsed = parseNote(source, target);
  const allLines = source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').split('\n');
  const bodyLines = parsed.body.split('\n');
  const firstBodyLine = allLines.length - bodyLines.length + 1;
  let line = firstBodyLine;
  let heading: ParsedHeading | undefined;
  let missingAnchor = false;
  if (link.heading) {
    heading = findHeading(parsed.headings, link.heading);
    if (heading) line = heading.line;
    else missingAnchor = true;
  } else if (link.block) {
    const block = parsed.blockIds.find((b) => b.id.toLowerCase() === link.block!.toLowerCase());
    if (block) line = block.line;
    else missingAnchor = true;
  }
  // A block id ends its paragraph: show from the paragraph's first line.
  let from0 = line;
  if (link.block && !missingAnchor) while (from0 > firstBodyLine && allLines[from0 - 2]?.trim()) from0--;
  return {
    ...base,
    isNote: true,
    title: parsed.title,
    line: missingAnchor ? 1 : line,
    missingAnchor,
    headings: parsed.headings,
    blocks: parsed.blockIds,
    preview: previewOf(bodyLines, firstBodyLine, from0, heading, parsed.headings),
  };
}
