// What the cursor is on or typing in a line of Markdown: a link under the cursor (for go-to-definition and hover),
// or the start of a link or tag being typed (for completion). Only locates text; what a link means is the
// backend's business (notes.resolve), by the store's Obsidian rules.

export interface LinkAtCursor {
  kind: 'wikilink' | 'embed' | 'markdown';
  /** Inside `[[…]]` (target#heading|alias), or a Markdown link's destination. */
  text: string;
  /** The whole link's columns on the line (start inclusive, end exclusive). */
  start: number;
  end: number;
}

const MD_LINK = /!?\[(?:[^[\]\\]|\\.|\[[^[\]]*\])*\]\(\s*(<[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The link on `line` that covers `character`, if any. */
export function linkAt(line: string, character: number): LinkAtCursor | undefined {
  for (let i = line.indexOf('[['); i !== -1; i = line.indexOf('[[', i + 2)) {
    const close = line.indexOf(']]', i + 2);
    if (close === -1) break;
    const inner = line.slice(i + 2, close);
    if (inner.includes('[')) continue;
    const embed = i > 0 && line[i - 1] === '!';
    const start = embed ? i - 1 : i;
    if (character >= start && character <= close + 2 && inner.trim()) return { kind: embed ? 'embed' : 'wikilink', text: inner, start, end: close + 2 };
  }
  MD_LINK.lastIndex = 0;
  for (let m = MD_LINK.exec(line); m; m = MD_LINK.exec(line)) {
    const dest = m[1]!;
    if (character >= m.index && character <= m.index + m[0].length && !SCHEME.test(dest.replace(/^</, '')) && !dest.startsWith('#')) {
      return { kind: 'markdown', text: dest, start: m.index, end: m.index + m[0].length };
    }
  }
  return undefined;
}

export type Typing =
  /** `[[na` / `![[na`: a note name; `from` is where the name starts, `closed` when `]]` already follows the cursor. */
  | { kind: 'note'; query: string; from: number; closed: boolean }
  /** `[[Note#he` / `[[Note#^bl`: a heading or block of that note. */
  | { kind: 'heading' | 'block'; note: string; query: string; from: number; closed: boolean }
  /** `#ta` after a space or at a line's start with a letter typed: a tag. */
  | { kind: 'tag'; query: string; from: number };

/** What is being typed at the cursor: the text before it on the line, and the text after it. */
export function typingAt(before: string, after: string): Typing | undefined {
  const closed = after.startsWith(']]');
  const anchor = /!?\[\[([^[\]|#]*)#(\^?)([^[\]|#]*)$/.exec(before);
  if (anchor) {
    return { kind: anchor[2] ? 'block' : 'heading', note: anchor[1]!, query: anchor[3]!, from: before.length - anchor[3]!.length, closed };
  }
  const note = /!?\[\[([^[\]|#]*)$/.exec(before);
  if (note) return { kind: 'note', query: note[1]!, from: before.length - note[1]!.length, closed };
  // `#` at the start of a line with nothing after it is a heading being typed, not a tag.
  const tag = /(?:^|\s)#([\p{L}\p{M}\p{N}_\-/]*)$/u.exec(before);
  if (tag && (tag[1] || before.trim() !== '#')) return { kind: 'tag', query: tag[1]!, from: before.length - tag[1]!.length };
  return undefined;
}
