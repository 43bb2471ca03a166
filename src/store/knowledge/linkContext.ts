// The context a link row keeps (note_links.context): its line, cut to a window around the link when the line is long.
// What the backlinks view, `cairn note links` and the MCP tools show beside a link; a whole paragraph written as one
// line (common in real vaults) made each of its links store up to 500 characters of it, 78 MB on a 55 MB vault.
import type { ParsedLink } from './types';

/** Characters of context kept around a link (its line whole when shorter). */
export const LINK_CONTEXT_CHARS = 160;
/** Of those, how many may come before the link (the rest follows it: the link and what is said after it). */
const BEFORE = 60;
/** How far into a line the link is looked for: a line of megabytes dense with links must not cost a search per link. */
const SEARCHED = 4096;

/** The line cut to LINK_CONTEXT_CHARS around where the link is in it, at word ends, with '…' where it was cut. */
export function linkContext(line: string, link: Pick<ParsedLink, 'target' | 'alias'>): string {
  if (line.length <= LINK_CONTEXT_CHARS) return line;
  const head = line.length > SEARCHED ? line.slice(0, SEARCHED) : line;
  const found = [`[[${link.target}`, `](${link.target}`, link.target, link.alias].map((s) => (s ? head.indexOf(s) : -1)).find((i) => i >= 0) ?? 0;
  let start = Math.max(0, Math.min(found - BEFORE, line.length - LINK_CONTEXT_CHARS));
  if (start > 0) {
    const space = line.indexOf(' ', start);
    if (space >= 0 && space < found && space - start < BEFORE / 2) start = space + 1;
  }
  let end = Math.min(line.length, start + LINK_CONTEXT_CHARS);
  if (end < line.length) {
    const space = line.lastIndexOf(' ', end);
    if (space > Math.max(start, found) + 20) end = space;
  }
  return `${start > 0 ? '…' : ''}${line.slice(start, end).trim()}${end < line.length ? '…' : ''}`;
}
