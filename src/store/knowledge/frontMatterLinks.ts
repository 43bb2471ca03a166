// Wikilinks written in front-matter properties, as Obsidian reads them: `related: "[[Note]]"`, a list of them
// (`- "[[A]]"`), or a link inside a longer text value (`source: "from [[Meeting#Notes|the meeting]]"`), at any depth
// of the YAML. Only string values count: an unquoted `key: [[Note]]` is YAML for a nested list, not a link (Obsidian
// asks for the quotes too). Each link is found in the value's source text, so its place in the file is exact
// (rename rewrites just the target there, keeping the quoting and the rest of the YAML as written), and it is kept
// only when the value, as YAML reads it, holds the same link.
import { type Document, isMap, isScalar, isSeq, type Node as YamlNode, type Scalar } from 'yaml';
import { splitWikilink, type WikilinkParts } from './wikilinkText';
import { lineIndexAt, lineStartsOf } from './lineStarts';

/** How a value is written, which decides how a rewritten target must be escaped. */
export type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

export interface FrontMatterLink extends WikilinkParts {
  kind: 'wikilink' | 'embed';
  /** The property's top-level key. */
  property: string;
  /** 1-based line in the file. */
  line: number;
  /** 0-based columns (UTF-16) of the target as written in the file (escaped as its style requires). */
  character: number;
  endCharacter: number;
  style: ScalarStyle;
}

const STYLE: Record<string, ScalarStyle> = { PLAIN: 'plain', QUOTE_SINGLE: 'single', QUOTE_DOUBLE: 'double', BLOCK_LITERAL: 'block', BLOCK_FOLDED: 'block' };

/** A written (escaped) stretch of a value → what it says. */
export function unescapeIn(style: ScalarStyle, written: string): string {
  if (style === 'single') return written.replace(/''/g, "'");
  if (style === 'double') return written.replace(/\\(["\\/])/g, '$1');
  return written;
}

/** What to write in a value of this style so that it says `text`. */
export function escapeFor(style: ScalarStyle, text: string): string {
  if (style === 'single') return text.replace(/'/g, "''");
  if (style === 'double') return text.replace(/["\\]/g, '\\$&');
  return text;
}

const WIKILINK = /(!?)\[\[([^[\]\n]+)\]\]/g;

/**
 * The wikilinks in the front matter's string values. `text`: the note (BOM dropped, `\n` line ends); `yamlStart`:
 * where the YAML starts in it; `doc`: the YAML parsed from there, without errors.
 */
export function linksInFrontMatter(text: string, yamlStart: number, doc: Document): FrontMatterLink[] {
  const out: FrontMatterLink[] = [];
  const lineOf = lineFinder(text);
  const visitNode = (node: YamlNode | null | undefined, property: string) => {
    if (isMap(node)) {
      for (const pair of node.items) visitNode(pair.value as YamlNode | null, property || (isScalar(pair.key) ? String(pair.key.value) : ''));
    } else if (isSeq(node)) {
      for (const item of node.items) visitNode(item as YamlNode | null, property);
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('[[')) {
      collect(node as Scalar<string>, property);
    }
  };
  const collect = (node: Scalar<string>, property: string) => {
    const style = STYLE[node.type ?? 'PLAIN'] ?? 'plain';
    const [from, to] = node.range ?? [0, 0];
    const written = text.slice(yamlStart + from, yamlStart + to);
    // The links the value holds as YAML reads it (a set, so a value with thousands of links stays linear).
    const held = new Set<string>();
    for (const [link] of node.value.matchAll(WIKILINK)) held.add(link).add(link.replace(/^!/, ''));
    for (const m of written.matchAll(WIKILINK)) {
      const inner = unescapeIn(style, m[2]!);
      if (!held.has(`${m[1]}[[${inner}]]`)) continue; // escaped or folded differently: not the text it seems
      const parts = splitWikilink(inner);
      if (!parts) continue;
      const innerAt = yamlStart + from + m.index! + m[1]!.length + 2;
      const lead = m[2]!.length - m[2]!.trimStart().length;
      // Where the target ends as written: its unescaped length mapped back through the escapes.
      let end = innerAt + lead;
      for (let seen = 0; seen < parts.target.length; end++) {
        seen++;
        if ((style === 'single' && text.startsWith("''", end)) || (style === 'double' && text[end] === '\\')) end++;
      }
      const { line, lineStart } = lineOf(innerAt);
      out.push({
        kind: m[1] ? 'embed' : 'wikilink',
        ...parts,
        property,
        line,
        character: innerAt + lead - lineStart,
        endCharacter: end - lineStart,
        style,
      });
    }
  };
  visitNode(doc.contents as YamlNode | null, '');
  return out;
}

/** The 1-based line of an offset in `text` and where that line starts (line starts found once, then binary search). */
function lineFinder(text: string): (offset: number) => { line: number; lineStart: number } {
  let starts: number[] | undefined;
  return (offset) => {
    starts ??= lineStartsOf(text);
    const index = lineIndexAt(starts, offset);
    return { line: index + 1, lineStart: starts[index]! };
  };
}
