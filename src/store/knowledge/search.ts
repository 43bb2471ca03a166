// Full-text search over the vault (FTS5, bm25). The query is what a person types: words (all must match,
// the last one as a prefix so results come while typing) and "quoted phrases"; FTS5 syntax characters are
// never passed through raw, so no query can be a syntax error.
import type { Connection } from '../connection';
import type { Store } from '../store';
import { DEFAULT_TEMPLATES_FOLDER } from './templates';

/** What one search looks through: notes, and the items of search_items (itemSearch.ts). */
export const SEARCH_KINDS = ['note', 'task', 'entity', 'memory', 'session', 'message'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchHit {
  kind: SearchKind;
  /** The note's vault-relative path, the entity's name, else the task's, memory's, session's or message's id. */
  id: string;
  /** Vault-relative path of the note (notes only). */
  path?: string;
  /** The note's or task's title, the entity's name, the first line of a memory, a session's summary or a message. */
  title: string;
  /** Higher is better (negated bm25). */
  score: number;
  /** A short passage around the match, without markup. */
  snippet: string;
  /** [start, end) offsets into snippet of each matched term. */
  highlights: [number, number][];
  /** 1-based line of the best passage, for hits found by meaning (semantic and hybrid search). */
  line?: number;
  /** Tasks: their status. */
  status?: string;
  /** Tasks and project memories: the project's id. */
  projectId?: string;
  /** Entities: the entity type; memories: the memory type; sessions: the agent; messages: the agent and role. */
  type?: string;
  /** Messages: the session they belong to. */
  sessionId?: string;
}

/** A note's hit: its id is its path. */
export type NoteHit = SearchHit & { kind: 'note'; path: string };

export interface SearchOptions {
  limit?: number;
  /** Only notes under this vault-relative folder. */
  folder?: string;
  /** Only notes with this tag (nested tags match their children: `a` matches `a/b`). */
  tag?: string;
  /** Only notes whose front matter `type` is this (case-insensitive). */
  type?: string;
  /** Only notes whose front matter `project` is this (case-insensitive). */
  project?: string;
  /**
   * 'all' (default): every word must match, as a person types; 'any': bm25 over any of the words (questions);
   * 'every': every word but the stop words must match (a question's content words, anywhere in the note).
   */
  words?: 'all' | 'any' | 'every';
  /**
   * The vault's templates folder (vault-relative; default `templates`, as cairn.templatesFolder): its notes, with their
   * `{{title}}` placeholders, are no answer to a question, so they are left out unless `folder` is inside it.
   */
  templatesFolder?: string;
}

const trimSlashes = (folder: string) => folder.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
const likePrefix = (folder: string) => trimSlashes(folder).replace(/[\\%_]/g, '\\$&') + '/%';

/** The templates folder to leave out of this search, or null (none, or the search asks for a folder inside it). */
export function excludedTemplates(options: SearchOptions): string | null {
  const templates = trimSlashes(options.templatesFolder ?? DEFAULT_TEMPLATES_FOLDER);
  if (!templates || templates === '.') return null;
  const folder = options.folder ? trimSlashes(options.folder).toLowerCase() : '';
  const inside = folder === templates.toLowerCase() || folder.startsWith(templates.toLowerCase() + '/');
  return inside ? null : templates;
}

/** SQL conditions on the notes table (aliased `n`) for the search filters, with their parameters in order. */
export function noteFilters(options: SearchOptions): { where: string[]; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  if (options.folder) {
    where.push(`n.path like ? escape '\\'`);
    params.push(likePrefix(options.folder));
  }
  const templates = excludedTemplates(options);
  if (templates) {
    // LIKE is case-insensitive (ASCII), as the file systems Obsidian vaults mostly live on.
    where.push(`n.path not like ? escape '\\'`);
    params.push(likePrefix(templates));
  }
  if (options.tag) {
    const tag = options.tag.replace(/^#/, '').toLowerCase();
    where.push(`exists (select 1 from note_tags t where t.note_id = n.id and (t.tag_key = ? or t.tag_key like ? escape '\\'))`);
    params.push(tag, tag.replace(/[\\%_]/g, '\\$&') + '/%');
  }
  for (const key of ['type', 'project'] as const) {
    const value = options[key]?.trim();
    if (!value) continue;
    where.push(`lower(n.front_matter ->> '$.${key}') = lower(?)`);
    params.push(value);
  }
  return { where, params };
}

const OPEN = '\u0002';
const CLOSE = '\u0003';

/** Turns typed text into an FTS5 MATCH expression: quoted terms ANDed, the last bare word as a prefix. */
export function toFtsQuery(input: string): string | null {
  const parts: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  let lastBare = -1;
  while ((m = re.exec(input))) {
    const phrase = m[1] !== undefined ? m[1] : m[2]!;
    // Keep letters, digits and a few joiners; everything else separates words, as the tokenizer would.
    const words = phrase.normalize('NFC').split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
    if (!words.length) continue;
    parts.push(`"${words.join(' ')}"`);
    lastBare = m[1] === undefined && words.length === 1 ? parts.length - 1 : -1;
  }
  if (!parts.length) return null;
  if (lastBare === parts.length - 1 && !/\s$/.test(input)) parts[lastBare] += '*';
  return parts.join(' ');
}

/** Words too common to help a ranking by any of the words (they would only make the match set the whole vault). */
export const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from how i if in into is it its me my no not of on or so that the their then there these they this to was we what when where which who why will with you your'.split(' '),
);

/** A question's terms: its words without stop words (all of them when nothing else is left), each once. */
export function queryTerms(input: string): string[] {
  const words = input.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  const content = words.filter((w) => !STOPWORDS.has(w));
  return [...new Set(content.length ? content : words)];
}

/** The terms as quoted FTS5 strings; a last word still being typed also matches as a prefix, as in toFtsQuery. */
function quotedTerms(input: string): string[] {
  const terms = queryTerms(input);
  const words = input.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  const last = words[words.length - 1];
  const typing = !/\s$/.test(input) && last !== undefined && terms.includes(last);
  return terms.map((w) => `"${w}"${typing && w === last ? '*' : ''}`);
}

/** Any of the words (stop words dropped unless nothing else is left), ranked by bm25: for questions. */
export function toFtsAnyQuery(input: string): string | null {
  const terms = quotedTerms(input);
  return terms.length ? terms.join(' OR ') : null;
}

/** Every one of the words but the stop words (as toFtsAnyQuery picks them). */
export function toFtsEveryQuery(input: string): string | null {
  const terms = quotedTerms(input);
  return terms.length ? terms.join(' AND ') : null;
}

/** The FTS5 MATCH expression for a search's `words` option. */
export function toFtsMatch(input: string, words: SearchOptions['words']): string | null {
  return words === 'any' ? toFtsAnyQuery(input) : words === 'every' ? toFtsEveryQuery(input) : toFtsQuery(input);
}

/**
 * What a hit matching every term of the query once scores by bm25 in one of the full-text tables, about: the sum of
 * the terms' idf as FTS5 computes it (ln((N - n + 0.5) / (n + 0.5)), at least 1e-6). A hit's bm25 over this is how
 * much of the query's weight its words carry (hybrid search's relevance floor).
 */
export async function queryWeight(store: Store, query: string, table: 'notes_fts' | 'search_items_fts', conn: Connection = store.conn): Promise<number> {
  const terms = queryTerms(query);
  if (!terms.length) return 0;
  const counts = await conn.all<{ n: number }>(
    `select (select count(*) from ${table} where ${table} match '"' || replace(value, '"', '""') || '"') as n from json_each(?)`,
    [JSON.stringify(terms)],
  );
  // One FTS row per note (per item): the plain table counts them without reading the text.
  const total = (await conn.get<{ n: number }>(`select count(*) as n from ${table === 'notes_fts' ? 'notes' : 'search_items'}`))!.n;
  return counts.reduce((sum, { n }) => sum + Math.max(1e-6, Math.log((total - n + 0.5) / (n + 0.5))), 0);
}

export async function searchText(store: Store, query: string, options: SearchOptions = {}): Promise<NoteHit[]> {
  return (await rankNotes(store.conn, query, options, true)).map(({ ref: _ref, ...hit }) => hit);
}

/** A note hit ranked without its snippet (hybrid search makes snippets only for the hits it shows); ref: its rowid in the index ranked. */
export type UnsnippetedHit = NoteHit & { ref: number };

/** searchText's notes, ranked the same, without snippets (snippetsOf makes them); ref: the note's rowid in notes_fts. */
export function rankText(store: Store, query: string, options: SearchOptions = {}, conn: Connection = store.conn): Promise<UnsnippetedHit[]> {
  return rankNotes(conn, query, options, false);
}

/**
 * Notes by bm25, with their snippets or without. A snippet is made in the ranking query itself, for the rows it
 * returns only (FTS5 orders by rank, so SQLite sorts nothing and stops at the limit) and from the positions the
 * ranking already holds: looking each hit up again by rowid and MATCH costs a seek in every term's doclist, twice
 * the ranking's time for common words (measured at 10,000 real-size notes: 5.1 → 3.0 ms p50, 14.6 → 7.4 ms p95).
 */
async function rankNotes(conn: Connection, query: string, options: SearchOptions, withSnippets: boolean): Promise<UnsnippetedHit[]> {
  const match = toFtsMatch(query, options.words);
  if (!match) return [];
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
  const { where, params: filterParams } = noteFilters(options);
  // CROSS JOIN keeps notes_fts the outer loop, so its rank order is the plan's and no snippet is made for a row
  // sorted away.
  const rows = await conn.all<{ id: number; path: string; title: string; rank: number; snippet?: string }>(
    `select n.id, n.path, n.title, r.rank${withSnippets ? ', r.snippet' : ''}
       from (select f.rowid as id, f.rank as rank${withSnippets ? `, snippet(notes_fts, 1, '${OPEN}', '${CLOSE}', '…', 16) as snippet` : ''}
               from notes_fts f cross join notes n on n.id = f.rowid
              where notes_fts match ?1 ${where.length ? 'and ' + where.join(' and ') : ''}
              order by f.rank limit ${limit}) r
       join notes n on n.id = r.id
      order by r.rank`,
    [match, ...filterParams],
  );
  return rows.map((r) => ({
    kind: 'note' as const,
    id: r.path,
    path: r.path,
    title: r.title,
    score: Math.round(-r.rank * 1000) / 1000,
    ...(r.snippet === undefined ? { snippet: '', highlights: [] } : unmark(r.snippet, r.title)),
    ref: r.id,
  }));
}

/** The snippets searchText (`words` as given) or searchPassages (`words: 'passages'`) makes, for these rowids of its index. */
export async function snippetsOf(store: Store, query: string, words: SearchOptions['words'] | 'passages', refs: readonly number[], conn: Connection = store.conn): Promise<Map<number, { snippet: string; highlights: [number, number][] }>> {
  const match = words === 'passages' ? toFtsAnyQuery(query) : toFtsMatch(query, words);
  if (!match || !refs.length) return new Map();
  const [table, column] = words === 'passages' ? ['note_passages_fts', 0] : ['notes_fts', 1];
  // One row at a time by rowid (json_each outside): a seek per row, worth it for the few hits hybrid search shows.
  // The note's title too, which unmark leaves out of a snippet that starts with it.
  const title = words === 'passages' ? '(select n.title from note_chunks c join notes n on n.id = c.note_id where c.id = j.value)' : 'notes_fts.title';
  const rows = await conn.all<{ id: number; snippet: string; title: string | null }>(
    `select j.value as id, snippet(${table}, ${column}, '${OPEN}', '${CLOSE}', '…', 16) as snippet, ${title} as title
       from json_each(?2) j cross join ${table} on ${table}.rowid = j.value and ${table} match ?1`,
    [match, JSON.stringify(refs)],
  );
  return new Map(rows.map((r) => [r.id, unmark(r.snippet, r.title ?? undefined)]));
}

/** How many of the best passages per note wanted searchPassages ranks first, when no filter narrows the search. */
const PASSAGES_PER_NOTE = 10;

/**
 * Notes by their best passage: bm25 over any of the words in each passage (with its note's title and heading path,
 * note_passages_fts), the note scored by its best one, whose snippet and line it shows. A note that answers in one
 * place ranks by that place, however long the rest of it is.
 */
export async function searchPassages(store: Store, query: string, options: SearchOptions = {}): Promise<NoteHit[]> {
  const ranked = await rankPassages(store, query, options);
  const snippets = await snippetsOf(store, query, 'passages', ranked.map((h) => h.ref));
  return ranked.map(({ ref, ...hit }) => ({ ...hit, ...(snippets.get(ref) ?? { snippet: '', highlights: [] }) }));
}

/** searchPassages' ranking without snippets; ref: the best passage's rowid in note_passages_fts (note_chunks.id). */
export async function rankPassages(store: Store, query: string, options: SearchOptions = {}, conn: Connection = store.conn): Promise<UnsnippetedHit[]> {
  const match = toFtsAnyQuery(query);
  if (!match) return [];
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
  const { where, params: filterParams } = noteFilters(options);
  // Without a filter of the person's, the best PASSAGES_PER_NOTE × limit passages are ranked first, by FTS5 alone
  // (half the time of joining every matching passage to its note at 50,000 passages), and the templates folder is
  // left out of those; a folder, tag, type or project filter is applied to every match, so a narrow one still
  // gets its best notes.
  const filtered = Boolean(options.folder || options.tag || options.type?.trim() || options.project?.trim());
  const ranked = filtered
    ? `select p.rowid as id, p.rank as rank from note_passages_fts p join note_chunks c on c.id = p.rowid join notes n on n.id = c.note_id
        where note_passages_fts match ?1 and ${where.join(' and ')}`
    : `select rowid as id, rank from note_passages_fts where note_passages_fts match ?1 order by rank limit ${PASSAGES_PER_NOTE * limit}`;
  const outerWhere = filtered || !where.length ? '' : `where ${where.join(' and ')}`;
  // The best passage of each note (SQLite gives a bare column the row of the min()).
  const rows = await conn.all<{ path: string; title: string; rank: number; line: number; passageId: number }>(
    `select n.path, n.title, b.rank, c.line, b.passageId
       from (select c.note_id as noteId, r.id as passageId, min(r.rank) as rank
               from (${ranked}) r join note_chunks c on c.id = r.id join notes n on n.id = c.note_id ${outerWhere}
              group by c.note_id order by rank limit ${limit}) b
       join notes n on n.id = b.noteId
       join note_chunks c on c.id = b.passageId
      order by b.rank`,
    [match, ...filterParams],
  );
  return rows.map((r) => ({ kind: 'note' as const, id: r.path, path: r.path, title: r.title, score: Math.round(-r.rank * 1000) / 1000, line: r.line, snippet: '', highlights: [], ref: r.passageId }));
}

/** Text cut to at most `max` characters at a word's end (or mid-word when no space comes after half of it), with '…'. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return text.slice(0, cut > max / 2 ? cut : max) + '…';
}

/** Markdown punctuation that reads as noise in a one-line snippet: heading marks, emphasis, wikilink brackets. */
export function plain(snippet: string): string {
  return snippet
    .replace(/\[\[(?:[^\]|\u0002\u0003]*\|)?/g, '') // [[target|  → '' (the alias stays)
    .replace(/\]\]/g, '')
    .replace(/(^|\s)#{1,6}(?=\s)/g, '$1')
    .replace(/\*\*|__/g, '');
}

/**
 * A snippet as shown: markup and the match marks taken out (their places are the highlights), whitespace collapsed
 * and trimmed.
 * A snippet from the top of a note starts with its title (its `# Title` line, or a passage's "Title › heading"),
 * which every hit shows beside it already: that title is left out.
 */
export function unmark(marked: string, title?: string): { snippet: string; highlights: [number, number][] } {
  marked = plain(marked);
  let out = '';
  const highlights: [number, number][] = [];
  let start = -1;
  for (const ch of marked.replace(/\s+/g, ' ')) {
    if (ch === OPEN) start = out.length;
    else if (ch === CLOSE) {
      if (start >= 0) highlights.push([start, out.length]);
      start = -1;
    } else out += ch;
  }
  out = out.trimEnd();
  let cut = out.length - out.trimStart().length;
  // Twice at most: a passage's "Title › Title …", where its heading path starts with the note's `# Title`.
  const t = title?.replace(/\s+/g, ' ').trim();
  for (let k = 0; k < 2 && t; k++) {
    const rest = out.slice(cut);
    const sep = rest.length <= t.length + 1 || !rest.startsWith(t) ? 0 : rest.startsWith(' › ', t.length) ? 3 : rest[t.length] === ' ' ? 1 : 0;
    if (!sep) break;
    cut += t.length + sep;
  }
  if (!cut) return { snippet: out, highlights };
  return { snippet: out.slice(cut), highlights: highlights.flatMap(([a, b]) => (b <= cut ? [] : [[Math.max(a, cut) - cut, b - cut] as [number, number]])) };
}
