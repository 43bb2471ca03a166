// Obsidian-flavoured Markdown → ParsedNote. markdown-it (CommonMark preset) gives the structure, so nothing inside
// fenced or indented code, inline code spans, HTML blocks or HTML comments counts as a link, tag or block id; two
// inline rules added to it recognise wikilinks/embeds and #tags, and the link/image rules are wrapped to record where
// each Markdown link starts. Front matter is read with `yaml`. Lines are 1-based and count from the top of the file,
// front matter included.
//
// Decisions on ambiguous syntax (the tests pin each one):
// - Markdown links: every local destination counts (`x.md`, `../src/a.ts`, `notes/b.md#sec`, extensionless `notes/b`),
//   URL-decoded, with `#fragment` split into heading (or block when it starts with `^`) and `?query` dropped.
//   Skipped: any `scheme:` (http, https, mailto, obsidian, file, C:…), protocol-relative `//host`, and pure `#anchor`
//   / `?query` links (a slug of this note, not a link to another file). Reference-style links count where they are
//   used; the `[label]: dest` definitions themselves do not (Foam writes one per wikilink, they would double-count).
//   Markdown images `![alt](pic.png)` count too, with kind 'markdown' (the kind says how the link resolves: relative
//   to the note) and the alt text as alias. The link text is the alias of a Markdown link.
// - Wikilinks cannot span lines or contain `[` (`[[[a]]]` links to `a`), `[[]]` and `[[|x]]` are not links, `\|` inside a wikilink (Obsidian's table escape)
//   splits the alias like `|`. `[[a#b#c]]` keeps `b#c` as the heading path.
// - Tags: `#` must start the inline text or follow whitespace; the name is letters, marks, digits, `_`, `-`, `/`;
//   trailing `/` dropped; a name of only digits and `/` is not a tag. Tags in headings count. Front-matter `tags` /
//   `tag`: a list or a comma/space-separated string, `#` optional; invalid entries are dropped with a warning.
// - `aliases` / `alias`: a list, or a string taken as one alias (not split on commas: "Smith, John" is one name).
// - Wikilinks and embeds inside front-matter string values (`related: "[[Note]]"`, lists of them) are links too, as
//   in Obsidian, listed before the body's (frontMatterLinks.ts); an unquoted `key: [[Note]]` is a YAML list, not a link.
// - Block ids: `^id` (letters, digits, `-`) at the end of the last line of a paragraph (list items and quotes
//   included, and a `^id` line right under a list, quote or table, which CommonMark folds into that paragraph) or of a
//   heading (stripped from the heading's text). A repeated id gets a warning.
// - Front matter must open on the first line (`---`) and close with `---` or `...`; unclosed → read as Markdown with a
//   warning. Empty front matter → {}. Broken YAML (a key twice in one mapping included) → null plus an error at the
//   YAML error's line; a value that parses but is not a mapping → null plus a warning. The body (what full-text
//   search indexes) is the text after the front matter, with the BOM dropped and line endings normalised to \n.
// - Limits, so that no note can stall or exhaust the indexer (each one a diagnostic, the rest of the note indexed):
//   front matter over MAX_FRONT_MATTER_BYTES, an alias bomb or an alias inside its own anchor (yamlData.ts) → null;
//   links past MAX_LINKS_PER_NOTE are left out (past it, `[[…]]` and `[…](…)` are plain text); past
//   MAX_TOKENS_PER_NOTE Markdown elements the rest of the note is plain text (searchable, nothing else); at most
//   MAX_DIAGNOSTICS_PER_NOTE problems are listed.
import MarkdownIt from 'markdown-it';
import { type Document, LineCounter, type Node as YamlNode, parseDocument } from 'yaml';
import { plainYamlValue, repeatedKeys } from '../yamlData';
import { type FrontMatterLink, linksInFrontMatter } from './frontMatterLinks';
import type { NoteDiagnostic, ParsedHeading, ParsedLink, ParsedNote } from './types';
import { splitWikilink } from './wikilinkText';

export { splitWikilink } from './wikilinkText';

type Token = MarkdownIt.Token;
type StateInline = MarkdownIt.StateInline;
type StateBlock = MarkdownIt.StateBlock;

type WikiMeta = {
  srcPos: number;
  embed: boolean;
  target: string;
  heading?: string;
  block?: string;
  alias?: string;
};

/** Larger front matter is ignored (with an error): real properties are a few lines; YAML costs grow with size. */
export const MAX_FRONT_MATTER_BYTES = 256 * 1024;
/** Links kept per note (front matter and body): each is a row, with its context line; the rest are left out. */
export const MAX_LINKS_PER_NOTE = 10_000;

/**
 * Markdown elements (markdown-it tokens, blocks and inline) read per note: past them the rest of the note is text,
 * still searchable, but its links, tags, headings and block ids are not indexed. What bounds the time and memory one
 * note costs, whatever it holds (5 MB of one-line headings would take 15 s and a gigabyte).
 */
export const MAX_TOKENS_PER_NOTE = 200_000;
/** Problems found while parsing that are listed per note; the rest are counted in a last one. */
export const MAX_DIAGNOSTICS_PER_NOTE = 100;

/** What one parse counts across markdown-it's rules. */
interface ParseEnv extends MarkdownIt.Env {
  /** Links made so far (the front matter's included). */
  links: number;
  /** Inline tokens made by the inline blocks parsed so far. */
  inlineTokens: number;
  /** Where the token budget ran out: the body line (0-based) from which blocks were not read, or -1 within a block. */
  cutAt?: number;
}
const linksFull = (state: StateInline) => (state.env as ParseEnv).links >= MAX_LINKS_PER_NOTE;

const TAG_AT = /#([\p{L}\p{M}\p{N}_\-/]+)/uy;
const TAG_WHOLE = /^[\p{L}\p{M}\p{N}_\-/]+$/u;
const NOT_ONLY_DIGITS = /[^\p{N}/]/u;
const BLOCK_ID_AT_END = /(?:^|[ \t])\^([A-Za-z0-9-]+)$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

const isWhitespace = (code: number) => code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0c || code === 0x0d || code === 0xa0 || code === 0x3000;

/** A valid tag name (without `#`), or null: trailing `/` dropped, not starting with `/`, not only digits. */
function cleanTag(raw: string): string | null {
  const name = raw.replace(/\/+$/, '');
  if (!name || name.startsWith('/') || !TAG_WHOLE.test(name) || !NOT_ONLY_DIGITS.test(name)) return null;
  return name;
}

/**
 * Cache of the next occurrence of a string at or after a position in the last inline text seen, so that a long line
 * full of unclosed `[[` stays linear instead of being rescanned to its end from every `[[`.
 */
interface NextCache {
  src: string;
  from: number;
  at: number;
}
function nextIndex(cache: NextCache, src: string, needle: string, from: number): number {
  if (cache.src === src && from >= cache.from && (cache.at === -1 || cache.at >= from)) return cache.at;
  cache.src = src;
  cache.from = from;
  cache.at = src.indexOf(needle, from);
  return cache.at;
}
const closeCache: NextCache = { src: '', from: 0, at: -1 };
const newlineCache: NextCache = { src: '', from: 0, at: -1 };
const bracketCache: NextCache = { src: '', from: 0, at: -1 };

/** Inline rule: `[[…]]` and `![[…]]`. */
function wikilinkRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  let pos = state.pos;
  const embed = src.charCodeAt(pos) === 0x21; /* ! */
  if (embed) pos++;
  if (src.charCodeAt(pos) !== 0x5b || src.charCodeAt(pos + 1) !== 0x5b) return false;
  const innerStart = pos + 2;
  const close = nextIndex(closeCache, src, ']]', innerStart);
  if (close === -1 || close + 2 > state.posMax) return false;
  const nl = nextIndex(newlineCache, src, '\n', innerStart);
  if (nl !== -1 && nl < close) return false;
  const bracket = nextIndex(bracketCache, src, '[', innerStart);
  if (bracket !== -1 && bracket < close) return false; // `[[a [[b]]`, `[[[a]]]`: the inner one is the link
  const inner = src.slice(innerStart, close);
  const parsed = splitWikilink(inner);
  if (!parsed) return false;
  if (!silent && linksFull(state)) {
    state.pending += src.slice(state.pos, close + 2); // enough links: the rest is text (no token: as cheap as text)
  } else if (!silent) {
    (state.env as ParseEnv).links++;
    const token = state.push('wikilink', '', 0);
    token.content = inner;
    const meta: WikiMeta = { srcPos: state.pos, embed, ...parsed };
    token.meta = meta;
  }
  state.pos = close + 2;
  return true;
}

/** Inline rule: `#tag` at the start of the inline text or after whitespace. */
function tagRule(state: StateInline, silent: boolean): boolean {
  const pos = state.pos;
  const src = state.src;
  if (src.charCodeAt(pos) !== 0x23 /* # */) return false;
  if (pos > 0 && !isWhitespace(src.charCodeAt(pos - 1))) return false;
  if (pos + 1 >= state.posMax) return false;
  TAG_AT.lastIndex = pos;
  const m = TAG_AT.exec(src);
  if (!m) return false;
  let raw = m[1]!;
  if (pos + 1 + raw.length > state.posMax) raw = raw.slice(0, state.posMax - pos - 1);
  const tag = cleanTag(raw);
  if (!tag) return false;
  if (!silent) {
    const token = state.push('tag', '', 0);
    token.content = `#${raw}`;
    token.meta = { srcPos: pos, tag };
  }
  state.pos = pos + 1 + raw.length;
  return true;
}

type InlineRule = (state: StateInline, silent: boolean) => boolean;

/**
 * Wraps the link/image rule so that the token it makes remembers where in the inline text it started, and counts it;
 * past MAX_LINKS_PER_NOTE links, `[text](dest)` is text.
 */
function recordingPosition(original: InlineRule, type: 'link_open' | 'image'): InlineRule {
  return (state, silent) => {
    if (linksFull(state)) return false;
    const start = state.pos;
    const from = state.tokens.length;
    const ok = original(state, silent);
    if (ok && !silent) {
      (state.env as ParseEnv).links++;
      for (let i = from; i < state.tokens.length; i++) {
        const t = state.tokens[i]!;
        if (t.type === type) {
          t.meta = { ...(t.meta ?? {}), srcPos: start };
          break;
        }
      }
    }
    return ok;
  };
}

/** Block rule, first of all: once the note's token budget is spent, the rest of the body is passed over. */
function blockBudgetRule(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (silent || state.tokens.length < MAX_TOKENS_PER_NOTE) return false;
  (state.env as ParseEnv).cutAt ??= startLine;
  state.line = endLine;
  return true;
}

/** Inline rule, first of all: once the note's token budget is spent, the rest of the inline text is plain text. */
function inlineBudgetRule(state: StateInline, silent: boolean): boolean {
  const env = state.env as ParseEnv;
  if (env.inlineTokens + state.tokens.length < MAX_TOKENS_PER_NOTE) return false;
  if (!silent) {
    state.pending += state.src.slice(state.pos, state.posMax);
    env.cutAt ??= -1;
  }
  state.pos = state.posMax;
  return true;
}

function createParser(): MarkdownIt.MarkdownIt {
  const md = new MarkdownIt('commonmark', { html: true });
  md.block.ruler.before(md.block.ruler.__rules__[0]!.name, 'token_budget', blockBudgetRule);
  md.inline.ruler.before(md.inline.ruler.__rules__[0]!.name, 'token_budget', inlineBudgetRule);
  const parseInline = md.inline.parse.bind(md.inline);
  md.inline.parse = (src, mdi, env, out) => {
    parseInline(src, mdi, env, out);
    (env as ParseEnv).inlineTokens += out.length;
  };
  const original = (name: string): InlineRule => {
    const rule = md.inline.ruler.__rules__.find((r) => r.name === name);
    if (!rule) throw new Error(`markdown-it has no inline rule named ${name}`);
    return rule.fn as InlineRule;
  };
  md.inline.ruler.at('link', recordingPosition(original('link'), 'link_open'));
  md.inline.ruler.at('image', recordingPosition(original('image'), 'image'));
  md.inline.ruler.before('link', 'wikilink', wikilinkRule);
  md.inline.ruler.before('link', 'obsidian_tag', tagRule);
  return md;
}

/** One parser per module: building markdown-it is far costlier than a parse. */
const md = createParser();

interface FrontMatterResult {
  frontMatter: Record<string, unknown> | null;
  /** Index in the text where the body starts. */
  bodyStart: number;
  /** Lines before the body (the front matter with its delimiters). */
  lineOffset: number;
  /** The wikilinks in its values (none when it is broken). */
  links: FrontMatterLink[];
}

function countNewlines(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

const CLOSING_FENCE = /^(?:---|\.\.\.)[ \t]*$/gm;

function readFrontMatter(text: string, diagnostics: NoteDiagnostic[]): FrontMatterResult {
  const none: FrontMatterResult = { frontMatter: null, bodyStart: 0, lineOffset: 0, links: [] };
  if (!text.startsWith('---')) return none;
  const firstNl = text.indexOf('\n');
  const firstLine = firstNl === -1 ? text : text.slice(0, firstNl);
  if (!/^---[ \t]*$/.test(firstLine)) return none;
  if (firstNl === -1) {
    diagnostics.push({ line: 1, severity: 'warning', message: "The note starts with '---' but the front matter is never closed (no '---' or '...' line); it was read as Markdown." });
    return none;
  }
  CLOSING_FENCE.lastIndex = firstNl + 1;
  const close = CLOSING_FENCE.exec(text);
  if (!close) {
    diagnostics.push({ line: 1, severity: 'warning', message: "The note starts with '---' but the front matter is never closed (no '---' or '...' line); it was read as Markdown." });
    return none;
  }
  const yamlText = text.slice(firstNl + 1, close.index);
  const closeEnd = close.index + close[0].length;
  const bodyStart = closeEnd < text.length ? closeEnd + 1 : closeEnd; // past the closing line's \n
  const lineOffset = countNewlines(text, 0, bodyStart);

  const ignored = (line: number, message: string): FrontMatterResult => {
    diagnostics.push({ line, severity: 'error', message: `${message}. It was ignored; the rest of the note was indexed.` });
    return { frontMatter: null, bodyStart, lineOffset, links: [] };
  };
  const bytes = Buffer.byteLength(yamlText);
  if (bytes > MAX_FRONT_MATTER_BYTES) return ignored(2, `The front matter is ${Math.ceil(bytes / 1024)} KiB, more than the ${MAX_FRONT_MATTER_BYTES / 1024} KiB Cairn reads`);
  const lineCounter = new LineCounter();
  let doc: Document;
  let duplicate: YamlNode | undefined;
  try {
    // Repeated keys are found by repeatedKeys (yaml's own uniqueKeys check is quadratic).
    doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: false });
    duplicate = doc.errors.length ? undefined : repeatedKeys(doc)[0];
  } catch (err) {
    return ignored(2, `The front matter could not be read: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc.errors.length || duplicate) {
    const [offset, message] = duplicate ? [duplicate.range?.[0] ?? 0, 'Map keys must be unique'] : [doc.errors[0]!.pos[0], doc.errors[0]!.message.split('\n')[0]];
    return ignored(lineCounter.linePos(offset).line + 1, `The front matter is not valid YAML: ${message}`);
  }
  if (doc.contents == null) return { frontMatter: {}, bodyStart, lineOffset, links: [] }; // empty or only comments
  const read = plainYamlValue(doc);
  if ('problem' in read) return ignored(2, `The front matter could not be read: ${read.problem}`);
  const value = read.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
    diagnostics.push({ line: 2, severity: 'warning', message: `The front matter is ${what}, not a mapping of keys to values (like "title: …"); it was ignored.` });
    return { frontMatter: null, bodyStart, lineOffset, links: [] };
  }
  return { frontMatter: value as Record<string, unknown>, bodyStart, lineOffset, links: linksInFrontMatter(text, firstNl + 1, doc) };
}

/** Strings of a front-matter value that may be a list or a scalar. */
function stringsOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'number' || typeof item === 'boolean') out.push(String(item));
  }
  return out;
}

/** Pushes `value` unless an equal one (case-insensitive, NFC) is already there. */
function addUnique(list: string[], seen: Set<string>, value: string): void {
  const key = value.normalize('NFC').toLowerCase();
  if (seen.has(key)) return;
  seen.add(key);
  list.push(value);
}

/** The file line of a position in an inline token's text: its first line plus the newlines before it (counted incrementally). */
class LineTracker {
  private pos = 0;
  private line = 0;
  /** The first newline at or after `pos` (-1: none), so that a long line is not rescanned for every link on it. */
  private nextNl: number;
  constructor(
    private readonly content: string,
    private readonly baseLine: number,
  ) {
    this.nextNl = content.indexOf('\n');
  }
  lineAt(pos: number): number {
    if (pos < this.pos) {
      this.pos = 0;
      this.line = 0;
      this.nextNl = this.content.indexOf('\n');
    }
    while (this.nextNl !== -1 && this.nextNl < pos) {
      this.line++;
      this.pos = this.nextNl + 1;
      this.nextNl = this.content.indexOf('\n', this.pos);
    }
    return this.baseLine + this.line;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%20/g, ' ');
  }
}

/** A Markdown link destination → path and fragment, or null for what is not a local file (see the header). */
export function localDestination(href: string): { path: string; fragment: string } | null {
  if (!href || SCHEME.test(href) || href.startsWith('//')) return null;
  const hash = href.indexOf('#');
  let rawPath = hash === -1 ? href : href.slice(0, hash);
  const fragment = hash === -1 ? '' : safeDecode(href.slice(hash + 1)).trim();
  const q = rawPath.indexOf('?');
  if (q !== -1) rawPath = rawPath.slice(0, q);
  const path = safeDecode(rawPath).replace(/\\/g, '/').trim();
  if (!path) return null;
  return { path, fragment };
}

function attr(token: Token, name: string): string {
  const a = token.attrs?.find(([k]) => k === name);
  return a ? String(a[1]) : '';
}

/** Plain text of inline tokens (for heading text, link text, image alt). */
function plainText(children: Token[] | null): string {
  if (!children) return '';
  let s = '';
  for (const t of children) {
    switch (t.type) {
      case 'text':
      case 'text_special':
      case 'code_inline':
      case 'tag':
        s += t.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        s += ' ';
        break;
      case 'image':
        s += plainText(t.children);
        break;
      case 'wikilink': {
        const m = t.meta as WikiMeta;
        s += m.alias ?? (m.target + (m.heading ? `#${m.heading}` : m.block ? `#^${m.block}` : ''));
        break;
      }
      default:
        break; // emphasis/link open-close, html_inline: markup only
    }
  }
  return s;
}

/** The text as parsed: BOM dropped, line endings normalised to \n. */
function normalized(source: string): string {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** The wikilinks of a note's front matter, with where each target is written (see frontMatterLinks.ts). */
export function frontMatterLinksOf(source: string): FrontMatterLink[] {
  return readFrontMatter(normalized(source), []).links;
}

export function parseNote(source: string, fileName: string): ParsedNote {
  const diagnostics: NoteDiagnostic[] = [];
  const text = normalized(source);

  const fm = readFrontMatter(text, diagnostics);
  const body = fm.bodyStart ? text.slice(fm.bodyStart) : text;
  let lines: string[] | null = null;
  const contexts = new Map<number, string>();
  const contextOf = (line: number) => {
    let c = contexts.get(line);
    if (c === undefined) {
      c = ((lines ??= text.split('\n'))[line - 1] ?? '').trim();
      contexts.set(line, c);
    }
    return c;
  };

  const headings: ParsedHeading[] = [];
  const links: ParsedLink[] = [];
  const blockIds: { id: string; line: number }[] = [];
  const tags: string[] = [];
  const tagKeys = new Set<string>();
  const aliases: string[] = [];
  const aliasKeys = new Set<string>();
  const addLink = (link: ParsedLink) => {
    if (links.length < MAX_LINKS_PER_NOTE) links.push(link);
  };

  // Front-matter tags and aliases come first, then the body's inline tags in order.
  const front = fm.frontMatter;
  if (front) {
    const bad: string[] = [];
    for (const key of ['tags', 'tag']) {
      for (const entry of stringsOf(front[key])) {
        for (const piece of entry.split(/[\s,]+/)) {
          if (!piece) continue;
          const tag = cleanTag(piece.replace(/^#+/, ''));
          if (tag) addUnique(tags, tagKeys, tag);
          else bad.push(piece);
        }
      }
    }
    if (bad.length) diagnostics.push({ line: 1, severity: 'warning', message: `Front-matter tags that are not valid tag names were left out: ${bad.map((b) => JSON.stringify(b)).join(', ')} (a tag is letters, digits, _, - and /, and not only digits).` });
    for (const key of ['aliases', 'alias']) {
      for (const a of stringsOf(front[key])) {
        const alias = a.trim();
        if (alias) addUnique(aliases, aliasKeys, alias);
      }
    }
  }

  // Links in front-matter properties come first, in the order they are written.
  for (const l of fm.links) {
    const link: ParsedLink = { kind: l.kind, target: l.target, line: l.line, context: contextOf(l.line) };
    if (l.heading !== undefined) link.heading = l.heading;
    if (l.block !== undefined) link.block = l.block;
    if (l.alias !== undefined) link.alias = l.alias;
    addLink(link);
  }

  const env: ParseEnv = { links: links.length, inlineTokens: 0 };
  const tokens = md.parse(body, env);
  const offset = fm.lineOffset + 1; // markdown-it lines are 0-based within the body
  const seenBlocks = new Map<string, number>();
  const addBlockId = (id: string, line: number) => {
    const first = seenBlocks.get(id);
    if (first !== undefined) diagnostics.push({ line, severity: 'warning', message: `Block id ^${id} is already used on line ${first}; links to it go to the first one.` });
    else seenBlocks.set(id, line);
    blockIds.push({ id, line });
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.type !== 'inline' || !tok.map) continue;
    const baseLine = tok.map[0] + offset;
    const prev = tokens[i - 1];
    collectInline(tok, baseLine);
    if (prev?.type === 'heading_open') {
      let headingText = plainText(tok.children).trim();
      const m = BLOCK_ID_AT_END.exec(headingText);
      if (m) {
        headingText = headingText.slice(0, m.index).trim();
        addBlockId(m[1]!, baseLine);
      }
      headings.push({ level: Number(prev.tag.slice(1)), text: headingText, line: baseLine });
    } else if (prev?.type === 'paragraph_open') {
      const content = tok.content;
      const lastNl = content.lastIndexOf('\n');
      const m = BLOCK_ID_AT_END.exec(lastNl === -1 ? content : content.slice(lastNl + 1));
      if (m) addBlockId(m[1]!, baseLine + countNewlines(content));
    }
  }

  function collectInline(tok: Token, baseLine: number): void {
    const children = tok.children;
    if (!children) return;
    const tracker = new LineTracker(tok.content, baseLine);
    let open: { link: ParsedLink; from: number } | null = null;
    for (let c = 0; c < children.length; c++) {
      const child = children[c]!;
      switch (child.type) {
        case 'wikilink': {
          const m = child.meta as WikiMeta;
          const line = tracker.lineAt(m.srcPos);
          const link: ParsedLink = { kind: m.embed ? 'embed' : 'wikilink', target: m.target, line, context: contextOf(line) };
          if (m.heading !== undefined) link.heading = m.heading;
          if (m.block !== undefined) link.block = m.block;
          if (m.alias !== undefined) link.alias = m.alias;
          addLink(link);
          break;
        }
        case 'tag':
          addUnique(tags, tagKeys, (child.meta as { tag: string }).tag);
          break;
        case 'link_open': {
          const dest = localDestination(attr(child, 'href'));
          const srcPos = (child.meta as { srcPos?: number } | null)?.srcPos;
          if (!dest || srcPos === undefined) break;
          const line = tracker.lineAt(srcPos);
          open = { link: { kind: 'markdown', target: dest.path, line, context: contextOf(line), ...fragmentParts(dest.fragment) }, from: c + 1 };
          break;
        }
        case 'link_close':
          if (open) {
            const alias = plainText(children.slice(open.from, c)).trim();
            if (alias) open.link.alias = alias;
            addLink(open.link);
            open = null;
          }
          break;
        case 'image': {
          const dest = localDestination(attr(child, 'src'));
          const srcPos = (child.meta as { srcPos?: number } | null)?.srcPos;
          if (!dest || srcPos === undefined) break;
          const line = tracker.lineAt(srcPos);
          const link: ParsedLink = { kind: 'markdown', target: dest.path, line, context: contextOf(line), ...fragmentParts(dest.fragment) };
          const alt = plainText(child.children).trim();
          if (alt) link.alias = alt;
          addLink(link);
          break;
        }
        default:
          break;
      }
    }
  }

  const cuts: NoteDiagnostic[] = [];
  if (links.length >= MAX_LINKS_PER_NOTE) {
    cuts.push({ line: 1, severity: 'warning', message: `This note has ${MAX_LINKS_PER_NOTE} links or more: only the first ${MAX_LINKS_PER_NOTE} are indexed (backlinks, graph, placeholders); the whole text is searchable.` });
  }
  if (env.cutAt !== undefined) {
    const from = env.cutAt >= 0 ? `from line ${env.cutAt + offset} on` : 'past its first part';
    cuts.push({ line: env.cutAt >= 0 ? env.cutAt + offset : 1, severity: 'warning', message: `This note has more than ${MAX_TOKENS_PER_NOTE} Markdown elements: ${from}, its text is searchable but its links, tags, headings and block ids are not indexed.` });
  }
  // The cap comes last, over all of them; the warnings saying why the note was cut are always listed.
  const room = MAX_DIAGNOSTICS_PER_NOTE - cuts.length;
  if (diagnostics.length > room) {
    const more = diagnostics.length - room + 1;
    diagnostics.splice(room - 1, Infinity, { line: 1, severity: 'warning', message: `${more} more problems in this note are not listed.` });
  }
  diagnostics.push(...cuts);

  let title = '';
  const fmTitle = front?.title;
  if (typeof fmTitle === 'string' || typeof fmTitle === 'number') title = String(fmTitle).trim();
  if (!title) title = headings.find((h) => h.level === 1 && h.text)?.text ?? '';
  if (!title) title = (fileName.split(/[\\/]/).pop() ?? fileName).replace(/\.md$/i, '');

  return { title, frontMatter: front, aliases, tags, headings, links, blockIds, body, diagnostics };
}

export function fragmentParts(fragment: string): { heading?: string; block?: string } {
  if (!fragment) return {};
  if (fragment.startsWith('^')) return fragment.length > 1 ? { block: fragment.slice(1) } : {};
  return { heading: fragment };
}
