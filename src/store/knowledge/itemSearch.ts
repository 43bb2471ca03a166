// Search over what is not a note: tasks (title, description, acceptance criteria), graph entities (name, type,
// observations), memories (type, content), agent sessions (agent, task; summary) and their messages (agent, role;
// content), all in one FTS5 index (search_items, kept by triggers: see
// drizzle/0017_search_items.sql) and, for search by meaning, one vector per item (search_item_vectors, made by
// semanticIndex.ts with the embedder that made the notes' vectors, so an item and a note are scored alike).
// Filters are SQL conditions per kind on search_items (aliased s), applied inside the ranking (and inside the KNN),
// so a narrow filter still gets its best hits.
import type { Connection } from '../connection';
import type { Store } from '../store';
import { LOCKED_TEXT } from '../crypto/fields';
import { isEncrypted } from '../crypto/cipher';
import { cutAtWord, plain, toFtsMatch, unmark, type SearchHit, type SearchKind, type SearchOptions } from './search';
import { ITEM_VECTOR_TABLE } from './chunkStore';

/** The kinds search_items holds. */
export const ITEM_KINDS = ['task', 'entity', 'memory', 'session', 'message'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface ItemFilters {
  kinds: readonly ItemKind[];
  /** A project (id or name, case-insensitive): its tasks, memories, sessions and messages; entities belong to none and are left out. */
  project?: string;
  /** Memories only: these types. */
  memoryTypes?: readonly string[];
  /** Memories only: the project's memories and the store-wide ones (recall's scope), by project id. */
  memoryScope?: string;
  /** Memories past their expiry are left out unless this is set. */
  includeExpired?: boolean;
}

const OPEN = '\u0002';
const CLOSE = '\u0003';
export const SNIPPET_CHARS = 180;

/** The SQL condition on search_items (s) for the filters, and its parameters in order; null when nothing can match. */
export function itemFilterSql(f: ItemFilters, now: string): { sql: string; params: (string | number)[] } | null {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const project = f.project?.trim();
  const projectIds = `(select id from projects where id = ? or lower(name) = lower(?))`;
  for (const kind of f.kinds) {
    if (kind === 'task') {
      if (project) {
        parts.push(`(s.kind = 'task' and exists (select 1 from tasks t where t.id = s.item_id and t.project_id in ${projectIds}))`);
        params.push(project, project);
      } else parts.push(`s.kind = 'task'`);
    } else if (kind === 'entity') {
      if (!project) parts.push(`s.kind = 'entity'`);
    } else if (kind === 'session' || kind === 'message') {
      if (project) {
        const session = kind === 'session' ? 'a.id = s.item_id' : 'a.id = (select m.session_id from session_messages m where m.id = s.item_id)';
        parts.push(`(s.kind = '${kind}' and exists (select 1 from agent_sessions a where ${session} and a.project_id in ${projectIds}))`);
        params.push(project, project);
      } else parts.push(`s.kind = '${kind}'`);
    } else {
      const where = ['m.id = s.item_id'];
      if (!f.includeExpired) {
        where.push('(m.expires_at is null or m.expires_at > ?)');
        params.push(now);
      }
      if (project) {
        where.push(`m.project_id in ${projectIds}`);
        params.push(project, project);
      }
      if (f.memoryScope) {
        where.push('(m.project_id = ? or m.project_id is null)');
        params.push(f.memoryScope);
      }
      if (f.memoryTypes?.length) {
        where.push(`m.type in (${f.memoryTypes.map(() => '?').join(', ')})`);
        params.push(...f.memoryTypes);
      }
      parts.push(`(s.kind = 'memory' and exists (select 1 from memories m where ${where.join(' and ')}))`);
    }
  }
  return parts.length ? { sql: `(${parts.join(' or ')})`, params } : null;
}

interface RankedItem {
  rowid: number;
  kind: ItemKind;
  itemId: string;
  score: number;
  snippet: string;
  highlights: [number, number][];
}

/** bm25 over the items; `words` as for notes (search.ts): every word typed, any of a question's words, or its every content word. */
export async function searchItemsText(store: Store, query: string, filters: ItemFilters, limit: number, words: SearchOptions['words'] = 'all', conn: Connection = store.conn): Promise<SearchHit[]> {
  const match = toFtsMatch(query, words);
  const where = itemFilterSql(filters, new Date().toISOString());
  if (!match || !where) return [];
  const rows = await conn.all<{ rowid: number; kind: ItemKind; itemId: string; rank: number; snippet: string }>(
    // The snippets made by the ranking query, for the rows it returns (as search.ts's rankNotes, which says why).
    `select s.id as rowid, s.kind, s.item_id as itemId, r.rank, r.snippet
       from (select f.rowid as id, f.rank as rank, snippet(search_items_fts, -1, '${OPEN}', '${CLOSE}', '…', 16) as snippet
               from search_items_fts f cross join search_items s on s.id = f.rowid
              where search_items_fts match ? and ${where.sql} order by f.rank limit ${limit}) r
       join search_items s on s.id = r.id
      order by r.rank`,
    [match, ...where.params],
  );
  return describe(store, rows.map((r) => ({ rowid: r.rowid, kind: r.kind, itemId: r.itemId, score: Math.round(-r.rank * 1000) / 1000, ...unmark(r.snippet) })));
}

/** Whether the items can be searched by meaning here: sqlite-vec loaded and the item vectors exist. */
export async function itemVectorsReady(store: Store): Promise<boolean> {
  if (!store.vecVersion) return false;
  return Boolean(await store.conn.get(`select 1 from sqlite_master where type = 'table' and name = ?`, [ITEM_VECTOR_TABLE]));
}

/** The items nearest to a query vector (cosine similarity as the score); items without a vector yet are not found. */
export async function searchItemsSemantic(store: Store, vector: Buffer, filters: ItemFilters, limit: number, highlight: (snippet: string) => [number, number][]): Promise<SearchHit[]> {
  const where = itemFilterSql(filters, new Date().toISOString());
  if (!where || !(await itemVectorsReady(store))) return [];
  const rows = await store.conn.all<{ rowid: number; kind: ItemKind; itemId: string; distance: number; title: string; body: string }>(
    `select s.id as rowid, s.kind, s.item_id as itemId, v.distance, f.title, f.body
       from (select item_id, distance from ${ITEM_VECTOR_TABLE} where embedding match ? and k = ?
                and item_id in (select s.id from search_items s where s.embedded = 1 and ${where.sql})) v
       join search_items s on s.id = v.item_id join search_items_fts f on f.rowid = s.id
      order by coalesce(v.distance, 2)`,
    [vector, Math.min(4096, limit), ...where.params],
  );
  return describe(
    store,
    rows.map((r) => {
      const snippet = cutAtWord(plain(r.body).replace(/\s+/g, ' ').trim() || r.title, SNIPPET_CHARS);
      return { rowid: r.rowid, kind: r.kind, itemId: r.itemId, score: Math.round((1 - (r.distance ?? 1)) * 1000) / 1000, snippet, highlights: highlight(snippet) };
    }),
  );
}

/** Titles and facts shown with each hit, read from the items' own tables (a secret title shows as locked). */
async function describe(store: Store, ranked: RankedItem[]): Promise<SearchHit[]> {
  if (!ranked.length) return [];
  // One query per kind among the hits (none for a kind with no hit), each given the ids as JSON.
  const rowsOf = async <T>(kind: ItemKind, sql: string): Promise<T[]> => {
    const ids = ranked.filter((r) => r.kind === kind).map((r) => r.itemId);
    return ids.length ? store.conn.all<T>(sql, [JSON.stringify(ids)]) : [];
  };
  const [tasks, entities, memories, sessions, messages] = await Promise.all([
    rowsOf<{ id: string; title: string; status: string; projectId: string }>('task', `select id, title, status, project_id as projectId from tasks where id in (select value from json_each(?))`),
    rowsOf<{ id: string; type: string }>('entity', `select name as id, entity_type as type from graph_entities where name in (select value from json_each(?))`),
    rowsOf<{ id: string; type: string; content: string; projectId: string | null }>('memory', `select id, type, content, project_id as projectId from memories where id in (select value from json_each(?))`),
    rowsOf<{ id: string; agent: string; summary: string | null; startedAt: string; projectId: string | null }>(
      'session',
      `select id, agent, summary, started_at as startedAt, project_id as projectId from agent_sessions where id in (select value from json_each(?))`,
    ),
    rowsOf<{ id: string; role: string; content: string; sessionId: string; agent: string; projectId: string | null }>(
      'message',
      `select m.id, m.role, substr(m.content, 1, 400) as content, m.session_id as sessionId, a.agent, a.project_id as projectId
         from session_messages m join agent_sessions a on a.id = m.session_id where m.id in (select value from json_each(?))`,
    ),
  ]);
  const task = new Map(tasks.map((t) => [t.id, t]));
  const entity = new Map(entities.map((e) => [e.id, e]));
  const memory = new Map(memories.map((m) => [m.id, m]));
  const session = new Map(sessions.map((x) => [x.id, x]));
  const message = new Map(messages.map((x) => [x.id, x]));
  const hits: SearchHit[] = [];
  for (const r of ranked) {
    const base = { kind: r.kind as SearchKind, id: r.itemId, score: r.score, snippet: r.snippet, highlights: r.highlights };
    if (r.kind === 'task') {
      const t = task.get(r.itemId);
      if (t) hits.push({ ...base, title: isEncrypted(t.title) ? LOCKED_TEXT : t.title, status: t.status, projectId: t.projectId });
    } else if (r.kind === 'entity') {
      const e = entity.get(r.itemId);
      if (e) hits.push({ ...base, title: r.itemId, type: e.type });
    } else if (r.kind === 'memory') {
      const m = memory.get(r.itemId);
      if (m) hits.push({ ...base, title: isEncrypted(m.content) ? LOCKED_TEXT : firstLine(m.content), type: m.type, projectId: m.projectId ?? undefined });
    } else if (r.kind === 'session') {
      const x = session.get(r.itemId);
      if (x) hits.push({ ...base, title: x.summary ? firstLine(x.summary) : `${x.agent}'s session of ${x.startedAt.slice(0, 16).replace('T', ' ')}`, type: x.agent, projectId: x.projectId ?? undefined });
    } else {
      const x = message.get(r.itemId);
      if (x) hits.push({ ...base, title: isEncrypted(x.content) ? LOCKED_TEXT : firstLine(x.content), type: `${x.agent} · ${x.role}`, sessionId: x.sessionId, projectId: x.projectId ?? undefined });
    }
  }
  return hits;
}

/** An item's title when it has none of its own: the first line of its text, cut to 80 characters. */
const firstLine = (text: string) => cutAtWord(text.trim().split('\n', 1)[0]!.trim(), 80);
