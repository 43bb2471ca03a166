// The knowledge graph. Nodes are entities that live only in the database (graph_entities, with a type and
// observations) and the vault's notes (name = vault-relative path, type 'note'). Edges are named relations
// between entities (graph_relations) and the notes' resolved wikilinks and Markdown links, which are computed
// from note_links as `links_to` edges at query time, never copied. The write operations mirror the MCP memory
// server's (create / delete entities, relations, observations); each is one transaction with one event.
import { and, eq, inArray } from 'drizzle-orm';
import { appendNextEvent, type Actor } from '../events';
import { StoreError } from '../errors';
import { nowIso } from '../ids';
import { findNote } from '../knowledge/links';
import type { Orm } from '../orm';
import { entityCorpus, entityOf, matchingEntities, writeEntities } from './entityCorpus';
import { MAX_DEPTH, MAX_PATH_DEPTH } from './limits';
import { graphEntities, graphObservations, graphRelations, notes } from '../schema';
import type { Store } from '../store';

export const LINKS_TO = 'links_to';
export const NOTE_TYPE = 'note';
export { MAX_DEPTH, MAX_PATH_DEPTH };

export interface Entity {
  name: string;
  entityType: string;
  observations: string[];
}

export interface Relation {
  from: string;
  to: string;
  relationType: string;
}

export interface KnowledgeGraph {
  entities: Entity[];
  relations: Relation[];
}

export interface GraphPage extends KnowledgeGraph {
  offset: number;
  limit: number;
  /** Nodes in the whole graph (entities and notes). */
  total: number;
  /** Offset of the next page, or null on the last one. */
  nextOffset: number | null;
}

export interface GraphNode {
  name: string;
  type: string;
}

export interface Neighbourhood {
  node: GraphNode;
  depth: number;
  /** The node itself (distance 0) and every node within `depth` edges, either direction, nearest first. */
  nodes: (GraphNode & { distance: number })[];
  /** The edges walked: every edge with an end nearer than `depth`. */
  edges: Relation[];
}

export interface PathStep extends Relation {
  /** 'forward' when the path follows the edge from → to, 'backward' when it walks it against its direction. */
  direction: 'forward' | 'backward';
}

export interface GraphPath {
  from: GraphNode;
  to: GraphNode;
  length: number;
  nodes: GraphNode[];
  steps: PathStep[];
}

export interface ConnectedNode extends GraphNode {
  degree: number;
  outgoing: number;
  incoming: number;
}

/** Every edge: entity relations plus the notes' resolved links (wikilinks and Markdown links to notes). */
const EDGES = `edges(src, dst, type) as (
  select from_name, to_name, relation_type from graph_relations
  union
  select n.path, l.target_path, '${LINKS_TO}' from note_links l join notes n on n.id = l.note_id
  where l.target_path is not null and l.target_path <> n.path and l.kind in ('wikilink', 'markdown')
    and exists (select 1 from notes t where t.path = l.target_path)
)`;

/** Every node: entities, and the notes that are not also entities. */
const NODES = `nodes(name, type) as (
  select name, entity_type from graph_entities
  union all
  select path, '${NOTE_TYPE}' from notes where path not in (select name from graph_entities)
)`;

type Raw = Store['conn'];

const edgeRow = (r: { src: string; dst: string; type: string }): Relation => ({ from: r.src, to: r.dst, relationType: r.type });

async function observationsOf(orm: Orm, names: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < names.length; i += 500) {
    const rows = await orm
      .select({ entityName: graphObservations.entityName, content: graphObservations.content })
      .from(graphObservations)
      .where(inArray(graphObservations.entityName, names.slice(i, i + 500)))
      .orderBy(graphObservations.id);
    for (const r of rows) out.set(r.entityName, [...(out.get(r.entityName) ?? []), r.content]);
  }
  return out;
}

async function toEntities(orm: Orm, nodes: GraphNode[]): Promise<Entity[]> {
  const obs = await observationsOf(orm, nodes.map((n) => n.name));
  return nodes.map((n) => ({ name: n.name, entityType: n.type, observations: obs.get(n.name) ?? [] }));
}

/** A note's link that is an edge: resolved to another note that exists, by a wikilink or a Markdown link. */
const LINK_IS_EDGE = `l.target_path is not null and l.target_path <> n.path and l.kind in ('wikilink', 'markdown')
  and exists (select 1 from notes t where t.path = l.target_path)`;

/**
 * The edges that start at (`src`) or end at (`dst`) a node of `wanted`, each side looked up through its own index
 * (graph_relations' key and graph_relations_to_idx; notes' path and note_links_target_path_idx). Going through
 * EDGES instead would read every link of the vault first: ~300 ms a call at 10,000 notes with 190,000 links.
 */
const EDGE_LOOKUPS = {
  src: [
    `select from_name as src, to_name as dst, relation_type as type from graph_relations where from_name in wanted`,
    `select n.path, l.target_path, '${LINKS_TO}' from notes n join note_links l on l.note_id = n.id where n.path in wanted and ${LINK_IS_EDGE}`,
  ],
  dst: [
    `select from_name, to_name, relation_type from graph_relations where to_name in wanted`,
    `select n.path, l.target_path, '${LINKS_TO}' from note_links l join notes n on n.id = l.note_id where l.target_path in wanted and ${LINK_IS_EDGE}`,
  ],
};

type EdgeEnds = 'among' | 'from' | 'touching';

/** The SQL of edgesAmong (exported for the test that reads its query plan); its one parameter is the names as JSON. */
export function edgesAmongSql(ends: EdgeEnds): string {
  const lookups = ends === 'touching' ? [...EDGE_LOOKUPS.src, ...EDGE_LOOKUPS.dst] : EDGE_LOOKUPS.src;
  return `with wanted(name) as (select value from json_each(?))
     select src, dst, type from (${lookups.join(' union ')})
     ${ends === 'among' ? 'where dst in wanted' : ''}
     order by src, dst, type`;
}

/** The edges whose ends are both among `names` ('among'), start there ('from'), or touch them ('touching'). */
async function edgesAmong(conn: Raw, names: string[], ends: EdgeEnds = 'among'): Promise<Relation[]> {
  if (names.length === 0) return [];
  const rows = await conn.all<{ src: string; dst: string; type: string }>(edgesAmongSql(ends), [JSON.stringify(names)]);
  return rows.map(edgeRow);
}

async function nodesNamed(conn: Raw, names: string[]): Promise<GraphNode[]> {
  if (names.length === 0) return [];
  return conn.all<GraphNode>(`with ${NODES} select name, type from nodes where name in (select value from json_each(?)) order by name`, [JSON.stringify(names)]);
}

/** A node by exact name; else a note by path without `.md`, file name or title. Unknown → not_found. */
export async function findNode(store: Store, name: string): Promise<GraphNode> {
  const [exact] = await nodesNamed(store.conn, [name]);
  if (exact) return exact;
  try {
    const note = await findNote(store.orm, name);
    const [node] = await nodesNamed(store.conn, [note.path]);
    if (node) return node;
  } catch (err) {
    if (!(err instanceof StoreError && err.kind === 'not_found')) throw err;
  }
  throw new StoreError('not_found', `No graph node named "${name}" (neither an entity nor a note).`, { node: name });
}

const unique = <T>(items: T[], key: (t: T) => string) => {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
};

/** Makes sure each name is an entity; a note without one gets an entity of type 'note' (their names are returned). Unknown → not_found. */
async function ensureEntities(orm: Orm, names: string[], now: string): Promise<string[]> {
  const made: string[] = [];
  for (const name of unique(names, (n) => n)) {
    const [entity] = await orm.select({ name: graphEntities.name }).from(graphEntities).where(eq(graphEntities.name, name));
    if (entity) continue;
    const [note] = await orm.select({ path: notes.path }).from(notes).where(eq(notes.path, name));
    if (!note) throw new StoreError('not_found', `Entity with name ${name} not found (create it first; notes are named by their vault-relative path).`, { entityName: name });
    await orm.insert(graphEntities).values({ name, entityType: NOTE_TYPE, createdAt: now, updatedAt: now });
    made.push(name);
  }
  return made;
}

const entityKey = (names: string[], fallback: string) => (new Set(names).size === 1 ? names[0]! : fallback);

// ---- Writes (MCP memory server operations) -------------------------------------------------------------------

/**
 * Creates the entities whose names are new (existing names are skipped, as the MCP server does); returns them. A
 * batch is a few statements whatever its size, not one per row. The observations go in before their entities
 * (the foreign key checked at commit): an entity's search row is then written once, with all of them, instead of
 * once more for each observation (measured: 3.6× faster at 100 entities a batch).
 */
export function createEntities(store: Store, who: Actor, items: Entity[]): Promise<Entity[]> {
  const orm = store.orm;
  return writeEntities(store, async () => {
    const now = nowIso();
    const wanted = unique(items, (e) => e.name).map((e) => ({ ...e, observations: unique(e.observations, (o) => o) }));
    const existing = await store.conn.all<{ name: string }>('select name from graph_entities where name in (select value from json_each(?))', [JSON.stringify(wanted.map((e) => e.name))]);
    const taken = new Set(existing.map((r) => r.name));
    const created = wanted.filter((e) => !taken.has(e.name));
    if (!created.length) return [];
    const batch = JSON.stringify(created);
    await store.conn.run('PRAGMA defer_foreign_keys = ON'); // until this transaction ends
    await store.conn.run(
      `insert into graph_observations (entity_name, content, created_at)
       select e.value ->> '$.name', o.value, ?2 from json_each(?1) e, json_each(e.value -> '$.observations') o order by e.key, o.key`,
      [batch, now],
    );
    await store.conn.run(`insert into graph_entities (name, entity_type, created_at, updated_at) select value ->> '$.name', value ->> '$.entityType', ?2, ?2 from json_each(?1) order by key`, [batch, now]);
    await appendNextEvent(orm, who, { aggregateType: 'graph', aggregateId: entityKey(created.map((e) => e.name), 'entities'), type: 'graph.entitiesCreated', data: { entities: created } });
    return created;
  }, (created) => ({ created }));
}

/** Creates the relations that do not exist yet (duplicates skipped); returns them. Ends must be entities or notes. */
export function createRelations(store: Store, who: Actor, items: Relation[]): Promise<Relation[]> {
  const orm = store.orm;
  let notesMade: string[] = [];
  return writeEntities(store, async () => {
    const now = nowIso();
    notesMade = await ensureEntities(orm, items.flatMap((r) => [r.from, r.to]), now);
    const created: Relation[] = [];
    for (const r of unique(items, (x) => JSON.stringify([x.from, x.to, x.relationType]))) {
      const [exists] = await orm
        .select({ f: graphRelations.fromName })
        .from(graphRelations)
        .where(and(eq(graphRelations.fromName, r.from), eq(graphRelations.toName, r.to), eq(graphRelations.relationType, r.relationType)));
      if (exists) continue;
      await orm.insert(graphRelations).values({ fromName: r.from, toName: r.to, relationType: r.relationType, createdAt: now });
      created.push({ from: r.from, to: r.to, relationType: r.relationType });
    }
    if (created.length) await appendNextEvent(orm, who, { aggregateType: 'graph', aggregateId: 'relations', type: 'graph.relationsCreated', data: { relations: created } });
    return created;
  }, () => ({ notesMade }));
}

/** Adds observations (ones already there are skipped); returns what was added. An unknown entity is an error. */
export function addObservations(store: Store, who: Actor, items: { entityName: string; contents: string[] }[]): Promise<{ entityName: string; addedObservations: string[] }[]> {
  const orm = store.orm;
  let notesMade: string[] = [];
  return writeEntities(store, async () => {
    const now = nowIso();
    notesMade = await ensureEntities(orm, items.map((i) => i.entityName), now);
    const result: { entityName: string; addedObservations: string[] }[] = [];
    for (const item of items) {
      const added: string[] = [];
      for (const content of unique(item.contents, (c) => c)) {
        const [exists] = await orm
          .select({ id: graphObservations.id })
          .from(graphObservations)
          .where(and(eq(graphObservations.entityName, item.entityName), eq(graphObservations.content, content)));
        if (exists) continue;
        await orm.insert(graphObservations).values({ entityName: item.entityName, content, createdAt: now });
        added.push(content);
      }
      if (added.length) await orm.update(graphEntities).set({ updatedAt: now }).where(eq(graphEntities.name, item.entityName));
      result.push({ entityName: item.entityName, addedObservations: added });
    }
    const changed = result.filter((r) => r.addedObservations.length);
    if (changed.length) {
      await appendNextEvent(orm, who, { aggregateType: 'graph', aggregateId: entityKey(changed.map((r) => r.entityName), 'entities'), type: 'graph.observationsAdded', data: { observations: changed } });
    }
    return result;
  }, (added) => ({ notesMade, added }));
}

/** Deletes entities with their observations and relations (notes themselves are untouched); returns the names deleted. */
export function deleteEntities(store: Store, who: Actor, names: string[]): Promise<string[]> {
  const orm = store.orm;
  return writeEntities(store, async () => {
    const deleted: string[] = [];
    for (const name of unique(names, (n) => n)) {
      const rows = await orm.delete(graphEntities).where(eq(graphEntities.name, name)).returning({ name: graphEntities.name });
      if (rows.length) deleted.push(name);
    }
    if (deleted.length) await appendNextEvent(orm, who, { aggregateType: 'graph', aggregateId: entityKey(deleted, 'entities'), type: 'graph.entitiesDeleted', data: { names: deleted } });
    return deleted;
  }, (deleted) => ({ deleted }));
}

/** Deletes observations; ones that do not exist are ignored. Returns what was deleted. */
export function deleteObservations(store: Store, who: Actor, items: { entityName: string; observations: string[] }[]): Promise<{ entityName: string; deletedObservations: string[] }[]> {
  const orm = store.orm;
  return writeEntities(store, async () => {
    const now = nowIso();
    const result: { entityName: string; deletedObservations: string[] }[] = [];
    for (const item of items) {
      const deleted: string[] = [];
      for (const content of unique(item.observations, (c) => c)) {
        const rows = await orm
          .delete(graphObservations)
          .where(and(eq(graphObservations.entityName, item.entityName), eq(graphObservations.content, content)))
          .returning({ id: graphObservations.id });
        if (rows.length) deleted.push(content);
      }
      if (deleted.length) {
        await orm.update(graphEntities).set({ updatedAt: now }).where(eq(graphEntities.name, item.entityName));
        result.push({ entityName: item.entityName, deletedObservations: deleted });
      }
    }
    if (result.length) {
      await appendNextEvent(orm, who, { aggregateType: 'graph', aggregateId: entityKey(result.map((r) => r.entityName), 'entities'), type: 'graph.observationsDeleted', data: { observations: result } });
    }
    return result;
  }, (deletedObservations) => ({ deletedObservations }));
}

/** Deletes relations; ones that do not exist are ignored (links_to edges come from the notes and stay). */
export function deleteRelations(store: Store, who: Actor, items: Relation[]): Promise<Relation[]> {
  const orm = store.orm;
  return writeEntities(store, async () => {
    const deleted: Relation[] = [];
    for (const r of unique(items, (x) => JSON.stringify([x.from, x.to, x.relationType]))) {
      const rows = await orm
        .delete(graphRelations)
        .where(and(eq(graphRelations.fromName, r.from), eq(graphRelations.toName, r.to), eq(graphRelations.relationType, r.relationType)))
        .returning({ f: graphRelations.fromName });
      if (rows.length) deleted.push({ from: r.from, to: r.to, relationType: r.relationType });
    }
    if (deleted.length) await appendNextEvent(orm, who, { aggregateType: 'graph', aggregateId: 'relations', type: 'graph.relationsDeleted', data: { relations: deleted } });
    return deleted;
  }, () => ({}));
}

// ---- Reads -----------------------------------------------------------------------------------------------------

/** One page of nodes (by name), with their observations and every edge leaving them. */
export function readGraph(store: Store, page: { offset?: number; limit?: number } = {}): Promise<GraphPage> {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? 100;
  return store.read(async (orm) => {
    const [count] = await store.conn.all<{ n: number }>(`with ${NODES} select count(*) as n from nodes`);
    const total = count?.n ?? 0;
    const nodes = await store.conn.all<GraphNode>(`with ${NODES} select name, type from nodes order by name limit ? offset ?`, [limit, offset]);
    const entities = await toEntities(orm, nodes);
    const relations = await edgesAmong(store.conn, nodes.map((n) => n.name), 'from');
    return { entities, relations, offset, limit, total, nextOffset: offset + nodes.length < total ? offset + nodes.length : null };
  });
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Nodes whose name, type or an observation contains `query` (compared lower-cased, as the MCP memory server does),
 * and the edges from or to them. Entities are searched in memory (entityCorpus.ts: one indexOf over all their text);
 * notes (nodes by their path or title) are matched with LIKE.
 */
export function searchNodes(store: Store, query: string, limit = 100): Promise<KnowledgeGraph> {
  return store.read(async () => {
    const corpus = await entityCorpus(store.conn);
    const hits = matchingEntities(corpus, query);
    const noteNodes = await store.conn.all<{ path: string }>(
      `select path from notes where path like ?1 escape '\\' or title like ?1 escape '\\' or ('${NOTE_TYPE}' like ?1 escape '\\' and path not in (select name from graph_entities))`,
      [`%${escapeLike(query)}%`],
    );
    // A note that is also an entity is that entity (its type, its observations).
    let names = hits;
    if (noteNodes.length) names = [...new Set([...names, ...noteNodes.map((n) => n.path)])].sort(compareNames);
    const chosen = names.slice(0, limit);
    const entities = chosen.map((name): Entity => {
      const e = entityOf(corpus, name);
      return e ? { name, entityType: e.type, observations: [...e.observations] } : { name, entityType: NOTE_TYPE, observations: [] };
    });
    return { entities, relations: await edgesAmong(store.conn, chosen, 'touching') };
  });
}

/** The named nodes (unknown names are left out) and the edges from or to them, as the MCP memory server does. */
export function openNodes(store: Store, names: string[]): Promise<KnowledgeGraph> {
  return store.read(async (orm) => {
    const nodes = await nodesNamed(store.conn, unique(names, (n) => n));
    return { entities: await toEntities(orm, nodes), relations: await edgesAmong(store.conn, nodes.map((n) => n.name), 'touching') };
  });
}

/** Every node within `depth` edges of `node` (either direction), with its distance, and the edges walked. */
export async function neighbours(store: Store, nodeName: string, depth = 1): Promise<Neighbourhood> {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) throw new StoreError('invalid', `depth must be a whole number from 1 to ${MAX_DEPTH}.`);
  return store.read(async () => {
    const node = await findNode(store, nodeName);
    // Breadth-first, one indexed lookup per level: every edge touching a node nearer than `depth` is walked, and
    // both its ends are then reached.
    const distance = new Map<string, number>([[node.name, 0]]);
    const walked = new Map<string, Relation>();
    let frontier = [node.name];
    for (let level = 0; level < depth && frontier.length; level++) {
      const next: string[] = [];
      for (const edge of await edgesAmong(store.conn, frontier, 'touching')) {
        walked.set(JSON.stringify([edge.from, edge.to, edge.relationType]), edge);
        for (const end of [edge.from, edge.to]) {
          if (distance.has(end)) continue;
          distance.set(end, level + 1);
          next.push(end);
        }
      }
      frontier = next;
    }
    const types = new Map((await nodesNamed(store.conn, [...distance.keys()])).map((n) => [n.name, n.type]));
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const nodes = [...distance]
      .map(([name, d]) => ({ name, type: types.get(name) ?? NOTE_TYPE, distance: d }))
      .sort((a, b) => a.distance - b.distance || byName(a.name, b.name));
    const edges = [...walked.values()].sort((a, b) => byName(a.from, b.from) || byName(a.to, b.to) || byName(a.relationType, b.relationType));
    return { node, depth, nodes, edges };
  });
}

/** A shortest path between two nodes, walking edges either way, of at most `maxDepth` steps; null when none. */
export function shortestPath(store: Store, fromName: string, toName: string, maxDepth = MAX_PATH_DEPTH): Promise<GraphPath | null> {
  return store.read(async () => {
    const from = await findNode(store, fromName);
    const to = await findNode(store, toName);
    // Breadth-first, one query per level: parent[n] is the step that first reached n.
    const parent = new Map<string, PathStep | null>([[from.name, null]]);
    let frontier = [from.name];
    for (let level = 0; level < maxDepth && frontier.length && !parent.has(to.name); level++) {
      const inFrontier = new Set(frontier);
      const next: string[] = [];
      for (const r of await edgesAmong(store.conn, frontier, 'touching')) {
        for (const [here, there, direction] of [
          [r.from, r.to, 'forward'],
          [r.to, r.from, 'backward'],
        ] as const) {
          if (!inFrontier.has(here) || parent.has(there)) continue;
          parent.set(there, { from: r.from, to: r.to, relationType: r.relationType, direction });
          next.push(there);
        }
      }
      frontier = next;
    }
    if (!parent.has(to.name)) return null;
    const steps: PathStep[] = [];
    const names = [to.name];
    for (let step = parent.get(to.name); step; ) {
      steps.unshift(step);
      const prev = step.direction === 'forward' ? step.from : step.to;
      names.unshift(prev);
      step = parent.get(prev);
    }
    const types = new Map((await nodesNamed(store.conn, names)).map((n) => [n.name, n.type]));
    return { from, to, length: steps.length, nodes: names.map((name) => ({ name, type: types.get(name) ?? NOTE_TYPE })), steps };
  });
}

/** Nodes by degree (edges in either direction), most connected first; ties by name. */
export function mostConnected(store: Store, limit = 10): Promise<ConnectedNode[]> {
  return store.read(() =>
    store.conn.all<ConnectedNode>(
      `with ${EDGES}, ${NODES},
       ends(name, outgoing, incoming) as (select src, 1, 0 from edges union all select dst, 0, 1 from edges)
       select e.name, coalesce(n.type, '${NOTE_TYPE}') as type, count(*) as degree, sum(e.outgoing) as outgoing, sum(e.incoming) as incoming
       from ends e left join nodes n on n.name = e.name
       group by e.name order by degree desc, e.name limit ?`,
      [limit],
    ),
  );
}
