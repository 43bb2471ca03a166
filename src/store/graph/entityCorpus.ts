// The graph's entities held in memory for search_nodes: the MCP memory server's match (a name, type or observation
// containing the query, compared lower-cased) is a substring search, which SQLite answers only by a trigram index
// (1.5–4 ms a query at 10,000 entities, and half the cost of every create) or a scan. Here every entity's lower-cased
// text is one string, searched with indexOf: ~0.3 ms at 10,000 entities with 3 observations each.
//
// Kept per connection, and known stale by the connection's writes key (knowledge/untilWrite.ts: total_changes() and
// data_version, which change with any write, here or by another connection). A write of this module's graph
// operations is applied to the copy (after it commits, and only when the copy was current just before it); any other
// change (another process, an import, a sync, a task) makes the next search read the tables again (~100 ms at 10,000
// entities).
import { lineIndexAt } from '../knowledge/lineStarts';
import { writesKey } from '../knowledge/untilWrite';
import type { Store } from '../store';

type Raw = Store['conn'];

/** Between the pieces of text: a query holding it can match no single piece, so it is searched piece by piece. */
const SEPARATOR = '\u0000';

interface Entry {
  type: string;
  /** In the order they were added. */
  observations: string[];
  /** Which segment of the view holds its text now (an older one of it is dead). */
  segment?: number;
}

/**
 * What a search scans: each entity's pieces lower-cased, each after a SEPARATOR, one segment per entity, all in one
 * string. A write appends the segments of the entities it changed and leaves their old ones dead (a hit there is
 * skipped), so a search after a write pays for what changed, not for all of it; when half are dead it is made again.
 */
interface View {
  text: string;
  /** Where each segment begins in `text`, and whose it is. */
  starts: number[];
  owners: string[];
  dead: number;
  /** How often each UTF-16 code unit occurs in `text`: a search looks for the query's rarest one first. */
  frequency: Uint32Array;
}

export interface EntityCorpus {
  /** The graph's version this copy holds (see writesKey). */
  version: string;
  entries: Map<string, Entry>;
  view?: View;
}

/** A write of the graph operations (graph.ts), as it changed the entities. */
export interface EntityChange {
  created?: { name: string; entityType: string; observations: string[] }[];
  /** Notes that became entities (type 'note', no observations) for a relation or an observation. */
  notesMade?: string[];
  added?: { entityName: string; addedObservations: string[] }[];
  deleted?: string[];
  deletedObservations?: { entityName: string; deletedObservations: string[] }[];
}

const corpora = new WeakMap<Raw, EntityCorpus>();

async function read(conn: Raw, version: string): Promise<EntityCorpus> {
  const entries = new Map<string, Entry>();
  for (const e of await conn.all<{ name: string; type: string }>('select name, entity_type as type from graph_entities')) entries.set(e.name, { type: e.type, observations: [] });
  for (const o of await conn.all<{ entity: string; content: string }>('select entity_name as entity, content from graph_observations order by id')) {
    entries.get(o.entity)?.observations.push(o.content);
  }
  return { version, entries };
}

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const segmentOf = (name: string, entry: Entry) => [name, entry.type, ...entry.observations].map((piece) => SEPARATOR + piece.toLowerCase()).join('');

function append(view: View, name: string, entry: Entry): void {
  const segment = segmentOf(name, entry);
  entry.segment = view.starts.length;
  view.starts.push(view.text.length);
  view.owners.push(name);
  view.text += segment;
  for (let i = 0; i < segment.length; i++) view.frequency[segment.charCodeAt(i)]!++;
}

function viewOf(corpus: EntityCorpus): View {
  if (corpus.view && corpus.view.dead <= corpus.entries.size) return corpus.view;
  const starts: number[] = [];
  const owners: string[] = [];
  const parts: string[] = [];
  let length = 0;
  for (const [name, entry] of corpus.entries) {
    const segment = segmentOf(name, entry);
    entry.segment = starts.length;
    starts.push(length);
    owners.push(name);
    parts.push(segment);
    length += segment.length;
  }
  const text = parts.join('');
  const frequency = new Uint32Array(65536);
  for (let i = 0; i < text.length; i++) frequency[text.charCodeAt(i)]!++;
  return (corpus.view = { text, starts, owners, dead: 0, frequency });
}

/** The entities as they are in this (read) transaction: the copy kept, or a new one when the graph changed. */
export async function entityCorpus(conn: Raw): Promise<EntityCorpus> {
  const version = await writesKey(conn);
  const kept = corpora.get(conn);
  if (kept?.version === version) return kept;
  const made = await read(conn, version);
  corpora.set(conn, made);
  return made;
}

/**
 * Runs a graph write (in one write transaction) and then applies `change` of its result to the copy in memory, if
 * this connection has one that was current when the write began; else the copy is left to be read again.
 */
export async function writeEntities<T>(store: Store, write: () => Promise<T>, change: (result: T) => EntityChange): Promise<T> {
  const conn = store.conn;
  if (!corpora.has(conn)) return store.write(write);
  const done = await store.write(async () => {
    const before = await writesKey(conn);
    const result = await write();
    return { result, before, after: await writesKey(conn) };
  });
  const corpus = corpora.get(conn);
  if (corpus?.version === done.before) apply(corpus, change(done.result), done.after);
  return done.result;
}

function apply(corpus: EntityCorpus, change: EntityChange, version: string): void {
  const { entries, view } = corpus;
  const touched = new Set([
    ...(change.created ?? []).map((e) => e.name),
    ...(change.notesMade ?? []),
    ...(change.added ?? []).filter((a) => a.addedObservations.length).map((a) => a.entityName),
    ...(change.deletedObservations ?? []).map((d) => d.entityName),
    ...(change.deleted ?? []),
  ]);
  // Each entity changed leaves its segment dead; the ones still there get a new one at the end.
  if (view) for (const name of touched) if (entries.get(name)?.segment !== undefined) view.dead++;
  for (const e of change.created ?? []) entries.set(e.name, { type: e.entityType, observations: [...e.observations] });
  for (const name of change.notesMade ?? []) entries.set(name, { type: 'note', observations: [] });
  for (const a of change.added ?? []) entries.get(a.entityName)?.observations.push(...a.addedObservations);
  for (const d of change.deletedObservations ?? []) {
    const entry = entries.get(d.entityName);
    const deleted = new Set(d.deletedObservations);
    if (entry) entry.observations = entry.observations.filter((o) => !deleted.has(o));
  }
  for (const name of change.deleted ?? []) entries.delete(name);
  if (view) {
    for (const name of touched) {
      const entry = entries.get(name);
      if (entry) append(view, name, entry);
    }
  }
  corpus.version = version;
}


/** An entity's type and observations (by name, as matchingEntities gives them). */
export const entityOf = (corpus: EntityCorpus, name: string): { type: string; observations: string[] } | undefined => corpus.entries.get(name);

/**
 * The names (sorted) of the entities whose name, type or an observation contains `query`, compared lower-cased as the
 * MCP memory server compares them.
 */
export function matchingEntities(corpus: EntityCorpus, query: string): string[] {
  const q = query.toLowerCase();
  const out: string[] = [];
  if (corpus.entries.size === 0) return out;
  if (q.includes(SEPARATOR)) {
    for (const [name, e] of corpus.entries) if ([name, e.type, ...e.observations].some((piece) => piece.toLowerCase().includes(q))) out.push(name);
    return out.sort(compareNames);
  }
  const { text, starts, owners, frequency } = viewOf(corpus);
  // indexOf runs fastest when the pattern's first character is rare (V8 looks for it first): so the search is for
  // the query from its rarest character on, and each place found is checked for the part before it.
  let anchor = 0;
  for (let k = 1; k < q.length; k++) if (frequency[q.charCodeAt(k)]! < frequency[q.charCodeAt(anchor)]!) anchor = k;
  const before = q.slice(0, anchor);
  const from = q.slice(anchor);
  for (let at = text.indexOf(from, anchor); at !== -1; ) {
    if (text.startsWith(before, at - anchor)) {
      const k = lineIndexAt(starts, at - anchor); // the segment holding the match: the last that starts at or before it
      if (corpus.entries.get(owners[k]!)?.segment === k) out.push(owners[k]!);
      if (k + 1 === starts.length) break;
      at = text.indexOf(from, starts[k + 1]! + anchor);
    } else at = text.indexOf(from, at + 1);
  }
  return out.sort(compareNames);
}
