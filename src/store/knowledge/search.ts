// Full-text search over the vault (FTS5, bm25). The query is what a person types: words (all must match,
// the last one as a prefix so results come while typing) and "quoted phrases"; FTS5 syntax characters are
// never passed through raw, so no query can be a syntax error.
import type { Store } from '../store';

export interface SearchHit {
  /** Vault-relative path of the note. */
  path: string;
  title: string;
  /** Higher is better (negated bm25). */
  score: number;
  /** A short passage around the match, without markup. */
  snippet: string;
  /** [start, end) offsets into snippet of each matched term. */
  highlights: [number, number][];
  /** 1-based line of the best passage, for hits found by meaning (semantic and hybrid search). */
  line?: number;
}

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
  /** 'all' (default): every word must match, as a person types; 'any': bm25 over any of the words (questions). */
  words?: 'all' | 'any';
}

/** SQL conditions on the notes table (aliased `n`) for the search filters, with their parameters in order. */
export function noteFilters(options: SearchOptions): { where: string[]; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  if (options.folder) {
    where.push(`n.path like ? escape '\\'`);
    params.push(options.folder.replace(/^\/+|\/+$/g, '').replace(/[\\%_]/g, '\\$&') + '/%');
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

/** Any of the words (stop words dropped unless nothing else is left), ranked by bm25: for questions. */
export function toFtsAnyQuery(input: string): string | null {
  const words = input.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  const content = words.filter((w) => !STOPWORDS.has(w));
  const terms = [...new Set(content.length ? content : words)];
  if (!terms.length) return null;
  // As in toFtsQuery, a last word still being typed also matches as a prefix.
  const last = words[words.length - 1]!;
  const typing = !/\s$/.test(input) && terms.includes(last);
  return terms.map((w) => `"${w}"${typing && w === last ? '*' : ''}`).join(' OR ');
}

export async function searchText(store: Store, query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const match = options.words === 'any' ? toFtsAnyQuery(query) : toFtsQuery(query);
  if (!match) return [];
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
  const { where, params: filterParams } = noteFilters(options);
  const params: (string | number)[] = [match, ...filterParams];
  // Rank (and filter) first in a subquery, which is cheap; build snippets only for the rows returned.
  const rows = await store.conn.all<{ path: string; title: string; rank: number; snippet: string }>(
    `select n.path, n.title, r.rank, snippet(notes_fts, 1, '${OPEN}', '${CLOSE}', '…', 16) as snippet
       from (select f.rowid as id, f.rank as rank
               from notes_fts f join notes n on n.id = f.rowid
              where notes_fts match ?1 ${where.length ? 'and ' + where.join(' and ') : ''}
              order by f.rank limit ${limit}) r
       join notes n on n.id = r.id
       join notes_fts on notes_fts.rowid = r.id and notes_fts match ?1
      order by r.rank`,
    params,
  );
  return rows.map((r) => ({ path: r.path, title: r.title, score: Math.round(-r.rank * 1000) / 1000, ...unmark(r.snippet) }));
}

/** Markdown punctuation that reads as noise in a one-line snippet: heading marks, emphasis, wikilink brackets. */
export function plain(snippet: string): string {
  return snippet
    .replace(/\[\[(?:[^\]|\u0002\u0003]*\|)?/g, '') // [[target|  → '' (the alias stays)
    .replace(/\]\]/g, '')
    .replace(/(^|\s)#{1,6}(?=\s)/g, '$1')
    .replace(/\*\*|__/g, '');
}

function unmark(marked: string): { snippet: string; highlights: [number, number][] } {
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
  return { snippet: out, highlights };
}
