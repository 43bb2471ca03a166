// The knowledge graph as a picture draws it (the Knowledge Graph view, `graph.view`): nodes of every kind Cairn
// knows — notes, entities, tasks, agents, tags, placeholders — and the edges between them — links and embeds between
// notes, named relations between entities, task ↔ note links both ways, task dependencies, assignee → agent, note →
// tag, note → placeholder. Each family of edges is one set-based query (notes joined by their ids, no query per
// node); filters, degrees, the local walk and the page are worked out here over those rows, so the whole store at
// 10,000 notes and 190,000 links is a handful of scans.
import { revealTask } from '../crypto/fields';
import { StoreError } from '../errors';
import { nameKeyOf } from '../knowledge/indexer';
import { findNote, namesFilePath } from '../knowledge/links';
import type { Store } from '../store';
import { GRAPH_KINDS, type GraphKind } from './viewKinds';

export { GRAPH_KINDS, type GraphKind };

/** The kinds a view shows when none are named: tags and placeholders are opt-in (they crowd a vault's picture). */
export const DEFAULT_KINDS: readonly GraphKind[] = ['note', 'entity', 'task', 'agent'];
export const MAX_VIEW_DEPTH = 3;

/** The types of the edges that are not entity relations (those carry their own relation type). */
export const EDGE_TYPES = {
  link: 'links to',
  embed: 'embeds',
  mentions: 'mentions',
  taskNote: 'about',
  dependsOn: 'depends on',
  assignedTo: 'assigned to',
  tagged: 'tagged',
  placeholder: 'links to (missing)',
} as const;

export interface GraphViewQuery {
  mode: 'whole' | 'local';
  /** Local mode: the node to centre on — a node id (`note:a.md`, `task:ID`, `entity:Name`, …), or a note's path,
   * file name or title, a task id, an entity name. */
  center?: string;
  /** Local mode: how many edges out from the centre (1–3). */
  depth?: number;
  kinds?: readonly GraphKind[];
  /** Only the notes in this folder (and below); other kinds are kept. */
  folder?: string;
  /** Only the notes with this tag (or a tag below it, `a` matches `a/b`); other kinds are kept. */
  tag?: string;
  /** Only the edges of this type. */
  relationType?: string;
  /** Nodes without an edge (under the filters): shown (default), hidden, or the only ones shown. */
  orphans?: 'show' | 'hide' | 'only';
  offset?: number;
  limit?: number;
}

export interface ViewNode {
  /** `<kind>:<key>`: unique across kinds. */
  id: string;
  kind: GraphKind;
  /** What the node is called: a note's title, a task's title, an entity's or agent's name, `#tag`, a missing note's name. */
  label: string;
  /** The key within its kind: a note's vault path, a task id, an entity's or agent's name, a tag (lower-cased), a missing note's name. */
  key: string;
  /** Edges under the filters, either direction (in local mode too: edges beyond the depth count). */
  degree: number;
  /** Notes: the folder (vault-relative, '' at the top). */
  folder?: string;
  /** Notes: the first of their tags (lower-cased), for colouring by tag. */
  tag?: string;
  /** Entities: their type; tasks: their status. */
  type?: string;
  /** Local mode: edges from the centre. */
  distance?: number;
}

export interface ViewEdge {
  source: string;
  target: string;
  type: string;
}

export interface GraphView {
  mode: 'whole' | 'local';
  /** Local mode: the centre's id. */
  center: string | null;
  /** Nodes and edges in the view under its filters (all pages). */
  totalNodes: number;
  totalEdges: number;
  offset: number;
  limit: number;
  nextOffset: number | null;
  /** This page's nodes, ordered by kind then id. */
  nodes: ViewNode[];
  /** The edges whose source is on this page (and whose target is in the view): each edge is on exactly one page. */
  edges: ViewEdge[];
  /** The first page only: the choices of the filters — edge types, note folders and the commonest tags. */
  facets?: { relationTypes: string[]; folders: string[]; tags: string[] };
}

const MAX_FACET_FOLDERS = 2000;
const MAX_FACET_TAGS = 500;

const folderOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const underFolder = (p: string, folder: string) => folder === '' || p.startsWith(`${folder}/`);
const normalFolder = (f: string) => f.replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
const normalTag = (t: string) => t.replace(/^#/, '').toLowerCase();

/** A growable list of edges as three parallel integer arrays (190,000 edges as objects cost ~10× the time in GC). */
class EdgeList {
  source = new Int32Array(1024);
  target = new Int32Array(1024);
  type = new Int32Array(1024);
  length = 0;
  push(s: number, t: number, type: number): void {
    if (this.length === this.source.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.source = grow(this.source);
      this.target = grow(this.target);
      this.type = grow(this.type);
    }
    this.source[this.length] = s;
    this.target[this.length] = t;
    this.type[this.length++] = type;
  }
}

interface Graph {
  /** Nodes by index; `index` finds one by id. */
  nodes: Omit<ViewNode, 'degree'>[];
  index: Map<string, number>;
  edges: EdgeList;
  /** Edge types by number (EdgeList.type). */
  types: string[];
  /** Every note's path (the folder filter's choices), whatever the kinds shown. */
  notePaths: string[];
}

type Raw = Store['conn'];

/** The integers of a comma-separated list, read without making a string of each. */
function integersOf(text: string): number[] {
  const out: number[] = [];
  let n = 0;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      any = true;
    } else if (any) {
      out.push(n);
      n = 0;
      any = false;
    }
  }
  if (any) out.push(n);
  return out;
}

/** Every node and edge of the kinds asked for, before filters (edges whose ends are both there). */
async function loadGraph(conn: Raw, store: Store, kinds: ReadonlySet<GraphKind>): Promise<Graph> {
  const nodes: Omit<ViewNode, 'degree'>[] = [];
  const index = new Map<string, number>();
  const edges = new EdgeList();
  const types: string[] = [];
  const typeIndex = new Map<string, number>();
  const add = (n: Omit<ViewNode, 'degree'>) => {
    if (index.has(n.id)) return;
    index.set(n.id, nodes.length);
    nodes.push(n);
  };
  const typeOf = (type: string) => typeIndex.get(type) ?? (typeIndex.set(type, types.length), types.push(type) - 1);
  const edgeAt = (s: number | undefined, t: number | undefined, type: number) => {
    if (s === undefined || t === undefined || s === t) return;
    edges.push(s, t, type);
  };
  const edge = (source: string, target: string, type: string) => edgeAt(index.get(source), index.get(target), typeOf(type));

  // Notes by row id (the link tables name them so): their node indexes.
  const noteRows = await conn.all<{ id: number; path: string; title: string; tag: string | null }>(
    `select n.id, n.path, n.title, (select min(t.tag_key) from note_tags t where t.note_id = n.id) as tag from notes n`,
  );
  const noteIndex = new Map<number, number>();
  if (kinds.has('note')) {
    for (const n of noteRows) {
      noteIndex.set(n.id, nodes.length);
      add({ id: `note:${n.path}`, kind: 'note', label: n.title || n.path, key: n.path, folder: folderOf(n.path), ...(n.tag ? { tag: n.tag } : {}) });
    }
  }

  if (kinds.has('entity')) {
    // An entity named by a note's path is that note (relations to notes make one), not a node of its own.
    const entities = await conn.all<{ name: string; type: string }>(`select name, entity_type as type from graph_entities where name not in (select path from notes)`);
    for (const e of entities) add({ id: `entity:${e.name}`, kind: 'entity', label: e.name, key: e.name, type: e.type });
  }
  const tasks = kinds.has('task')
    ? await conn.all<{ id: string; title: string; status: string; assignee: string | null; dependsOn: string; notes: string; sealedFields: string }>(
        `select id, title, status, assignee, depends_on as dependsOn, notes, sealed_fields as sealedFields from tasks`,
      )
    : [];
  for (const t of tasks) {
    // An encrypted title is shown decrypted, or as the locked marker: never as ciphertext.
    const shown = revealTask(store.orm, { id: t.id, title: t.title, sealedFields: JSON.parse(t.sealedFields) as string[] });
    add({ id: `task:${t.id}`, kind: 'task', label: shown.title ? `${t.id} ${shown.title}` : t.id, key: t.id, type: t.status });
  }
  if (kinds.has('agent')) {
    const agents = await conn.all<{ name: string }>(`select distinct name from agents where name is not null and name <> '' order by name`);
    for (const a of agents) add({ id: `agent:${a.name}`, kind: 'agent', label: a.name, key: a.name });
  }
  if (kinds.has('tag')) {
    const tags = await conn.all<{ key: string; tag: string }>(`select tag_key as key, min(tag) as tag from note_tags group by tag_key`);
    for (const t of tags) add({ id: `tag:${t.key}`, kind: 'tag', label: `#${t.tag}`, key: t.key });
  }
  const placeholderRows = kinds.has('placeholder')
    ? await conn.all<{ noteId: number; key: string; target: string }>(
        `select note_id as noteId, lower(target) as key, min(target) as target from note_links
         where target_path is null and kind <> 'markdown' and target <> '' group by note_id, lower(target)`,
      )
    : [];
  for (const p of placeholderRows) if (!namesFilePath(p.target)) add({ id: `placeholder:${p.key}`, kind: 'placeholder', label: p.target, key: p.key });

  // ---- edges ----
  if (kinds.has('note')) {
    // One scan of note_links, the target found by notes' unique path index, answered as one string of integers:
    // 190,000 rows as objects cost ~4× the query itself (measured). Duplicates are dropped here.
    const [row] = await conn.all<{ triples: string | null }>(
      `select group_concat(l.note_id || ',' || t.id || ',' || (l.kind = 'embed')) as triples from note_links l join notes t on t.path = l.target_path
       where l.target_path is not null and t.id <> l.note_id`,
    );
    const triples = integersOf(row?.triples ?? '');
    const link = typeOf(EDGE_TYPES.link);
    const embed = typeOf(EDGE_TYPES.embed);
    const seen = new Set<number>();
    const n = nodes.length + 1;
    for (let i = 0; i + 2 < triples.length; i += 3) {
      const s = noteIndex.get(triples[i]!);
      const t = noteIndex.get(triples[i + 1]!);
      if (s === undefined || t === undefined) continue;
      const key = (s * n + t) * 2 + triples[i + 2]!;
      if (seen.has(key)) continue;
      seen.add(key);
      edgeAt(s, t, triples[i + 2] ? embed : link);
    }
  }
  if (kinds.has('entity') || kinds.has('note')) {
    const rel = await conn.all<{ src: string; dst: string; type: string; srcNote: number; dstNote: number }>(
      `select r.from_name as src, r.to_name as dst, r.relation_type as type,
              exists (select 1 from notes n where n.path = r.from_name) as srcNote, exists (select 1 from notes n where n.path = r.to_name) as dstNote
       from graph_relations r`,
    );
    for (const r of rel) edge(`${r.srcNote ? 'note' : 'entity'}:${r.src}`, `${r.dstNote ? 'note' : 'entity'}:${r.dst}`, r.type);
  }
  if (kinds.has('task')) {
    for (const t of tasks) {
      for (const dep of JSON.parse(t.dependsOn) as string[]) edge(`task:${t.id}`, `task:${dep}`, EDGE_TYPES.dependsOn);
      if (t.assignee) edge(`task:${t.id}`, `agent:${t.assignee}`, EDGE_TYPES.assignedTo);
    }
    if (kinds.has('note')) {
      const mentions = await conn.all<{ noteId: number; taskId: string }>(`select distinct note_id as noteId, task_id as taskId from note_task_refs`);
      const mentionType = typeOf(EDGE_TYPES.mentions);
      for (const m of mentions) edgeAt(noteIndex.get(m.noteId), index.get(`task:${m.taskId}`), mentionType);
      for (const [taskId, path] of await taskNoteFields(conn, tasks)) edge(`task:${taskId}`, `note:${path}`, EDGE_TYPES.taskNote);
    }
  }
  if (kinds.has('tag') && kinds.has('note')) {
    const tagged = await conn.all<{ noteId: number; key: string }>(`select distinct note_id as noteId, tag_key as key from note_tags`);
    const taggedType = typeOf(EDGE_TYPES.tagged);
    for (const t of tagged) edgeAt(noteIndex.get(t.noteId), index.get(`tag:${t.key}`), taggedType);
  }
  const placeholderType = typeOf(EDGE_TYPES.placeholder);
  for (const p of placeholderRows) edgeAt(noteIndex.get(p.noteId), index.get(`placeholder:${p.key}`), placeholderType);
  return { nodes, index, edges, types, notePaths: noteRows.map((n) => n.path) };
}

/**
 * The notes each task's own `notes` field names (path, file name or title, as findNote resolves them), in one query
 * for every distinct name: by path first, else the shortest path with that file name, else a title.
 */
async function taskNoteFields(conn: Raw, tasks: { id: string; notes: string }[]): Promise<[string, string][]> {
  const named = tasks.flatMap((t) => (JSON.parse(t.notes) as string[]).map((name) => [t.id, name] as const));
  if (!named.length) return [];
  const names = [...new Set(named.map(([, n]) => n))].map((name) => {
    const wanted = name.replace(/\\/g, '/').replace(/^\.?\//, '');
    return { name, path: wanted.endsWith('.md') ? wanted : `${wanted}.md`, key: nameKeyOf(wanted), title: wanted.toLowerCase() };
  });
  const rows = await conn.all<{ name: string; path: string | null }>(
    `select w.value ->> '$.name' as name, coalesce(
       (select path from notes where path = w.value ->> '$.path'),
       (select path from notes where name_key = w.value ->> '$.key' order by length(path), path limit 1),
       (select path from notes where lower(title) = w.value ->> '$.title' order by path limit 1)) as path
     from json_each(?) w`,
    [JSON.stringify(names)],
  );
  const resolved = new Map(rows.map((r) => [r.name, r.path]));
  const out: [string, string][] = [];
  for (const [taskId, name] of named) {
    const p = resolved.get(name);
    if (p) out.push([taskId, p]);
  }
  return out;
}

/** The node a centre names: an id, else a note (path, file name or title), a task id, an entity or agent name. */
function centreOf(graph: Graph, center: string): string {
  if (graph.index.has(center)) return center;
  for (const kind of ['task', 'entity', 'agent', 'note'] as const) if (graph.index.has(`${kind}:${center}`)) return `${kind}:${center}`;
  return '';
}

/** The graph as the view shows it: the filters applied, degrees counted, and (local mode) the walk from the centre. */
export async function graphView(store: Store, q: GraphViewQuery): Promise<GraphView> {
  const depth = q.depth ?? 1;
  if (q.mode === 'local' && (!Number.isInteger(depth) || depth < 1 || depth > MAX_VIEW_DEPTH)) throw new StoreError('invalid', `depth must be a whole number from 1 to ${MAX_VIEW_DEPTH}.`);
  if (q.mode === 'local' && !q.center?.trim()) throw new StoreError('invalid', 'A local graph needs its centre: a note, task or entity (center).');
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 5000;
  const kinds = new Set<GraphKind>(q.kinds?.length ? q.kinds : DEFAULT_KINDS);
  return store.read(async () => {
    const graph = await loadGraph(store.conn, store, kinds);
    let centerId: string | null = null;
    if (q.mode === 'local') {
      centerId = centreOf(graph, q.center!.trim());
      if (!centerId) {
        // A note named by its file name or title, as elsewhere.
        const note = await findNote(store.orm, q.center!.trim()).catch((err: unknown) => {
          if (err instanceof StoreError && err.kind === 'not_found') return null;
          throw err;
        });
        if (note && graph.index.has(`note:${note.path}`)) centerId = `note:${note.path}`;
      }
      if (!centerId) throw new StoreError('not_found', `No note, task or entity "${q.center}" is in the graph (of the kinds shown). If it is a new note, index the vault again.`, { center: q.center });
    }

    // Filters on notes (the centre always stays), then on edges.
    const { nodes, edges } = graph;
    const centre = centerId === null ? -1 : graph.index.get(centerId)!;
    const folder = q.folder !== undefined ? normalFolder(q.folder) : undefined;
    const tag = q.tag ? normalTag(q.tag) : undefined;
    const tagged = tag ? await notesTagged(store.conn, tag) : undefined;
    const kept = new Uint8Array(nodes.length).fill(1);
    nodes.forEach((n, i) => {
      if (n.kind !== 'note' || i === centre) return;
      if ((folder !== undefined && !underFolder(n.key, folder)) || (tagged && !tagged.has(n.key))) kept[i] = 0;
    });
    const onlyType = q.relationType === undefined ? -1 : graph.types.indexOf(q.relationType);
    const edgeKept = new Uint8Array(edges.length);
    const degree = new Int32Array(nodes.length);
    for (let e = 0; e < edges.length; e++) {
      const s = edges.source[e]!;
      const t = edges.target[e]!;
      if (!kept[s] || !kept[t] || (q.relationType !== undefined && edges.type[e] !== onlyType)) continue;
      edgeKept[e] = 1;
      degree[s]!++;
      degree[t]!++;
    }

    // The nodes shown: every one kept, or those within the depth of the centre (with their distance).
    let distance: Int32Array | undefined;
    if (centre >= 0) {
      distance = walk(centre, nodes.length, edges, edgeKept, depth);
      for (let i = 0; i < nodes.length; i++) if (distance[i]! < 0) kept[i] = 0;
    }
    const orphans = q.orphans ?? 'show';
    if (orphans !== 'show') for (let i = 0; i < nodes.length; i++) if (i !== centre && (orphans === 'only') !== (degree[i] === 0)) kept[i] = 0;
    const shown: number[] = [];
    for (let i = 0; i < nodes.length; i++) if (kept[i]) shown.push(i);
    const kindOrder = (i: number) => GRAPH_KINDS.indexOf(nodes[i]!.kind);
    shown.sort((a, b) => kindOrder(a) - kindOrder(b) || (nodes[a]!.id < nodes[b]!.id ? -1 : nodes[a]!.id > nodes[b]!.id ? 1 : 0));

    const page = shown.slice(offset, offset + limit);
    const onPage = new Uint8Array(nodes.length);
    for (const i of page) onPage[i] = 1;
    let totalEdges = 0;
    const pageEdges: ViewEdge[] = [];
    for (let e = 0; e < edges.length; e++) {
      const s = edges.source[e]!;
      const t = edges.target[e]!;
      if (!edgeKept[e] || !kept[s] || !kept[t]) continue;
      totalEdges++;
      if (onPage[s]) pageEdges.push({ source: nodes[s]!.id, target: nodes[t]!.id, type: graph.types[edges.type[e]!]! });
    }
    const result: GraphView = {
      mode: q.mode,
      center: centerId,
      totalNodes: shown.length,
      totalEdges,
      offset,
      limit,
      nextOffset: offset + page.length < shown.length ? offset + page.length : null,
      nodes: page.map((i) => ({ ...nodes[i]!, degree: degree[i]!, ...(distance ? { distance: distance[i]! } : {}) })),
      edges: pageEdges,
    };
    if (offset === 0) {
      const tags = await store.conn.all<{ key: string }>(`select tag_key as key from note_tags group by tag_key order by count(*) desc, tag_key limit ?`, [MAX_FACET_TAGS]);
      result.facets = facets(graph.notePaths, graph.types, edges, tags.map((t) => t.key));
    }
    return result;
  });
}

/** Breadth-first over the kept edges, either way: each node's distance from the centre, -1 beyond `depth`. */
function walk(centre: number, count: number, edges: EdgeList, edgeKept: Uint8Array, depth: number): Int32Array {
  // Adjacency in compressed rows: the neighbours of i are around[start[i] .. start[i + 1]).
  const start = new Int32Array(count + 1);
  for (let e = 0; e < edges.length; e++) {
    if (!edgeKept[e]) continue;
    start[edges.source[e]! + 1]!++;
    start[edges.target[e]! + 1]!++;
  }
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, count);
  const around = new Int32Array(start[count]!);
  for (let e = 0; e < edges.length; e++) {
    if (!edgeKept[e]) continue;
    around[fill[edges.source[e]!]!++] = edges.target[e]!;
    around[fill[edges.target[e]!]!++] = edges.source[e]!;
  }
  const distance = new Int32Array(count).fill(-1);
  distance[centre] = 0;
  let frontier = [centre];
  for (let d = 1; d <= depth && frontier.length; d++) {
    const next: number[] = [];
    for (const i of frontier) {
      for (let k = start[i]!; k < start[i + 1]!; k++) {
        const other = around[k]!;
        if (distance[other]! >= 0) continue;
        distance[other] = d;
        next.push(other);
      }
    }
    frontier = next;
  }
  return distance;
}

async function notesTagged(conn: Raw, tag: string): Promise<Set<string>> {
  const rows = await conn.all<{ path: string }>(
    `select distinct n.path from note_tags t join notes n on n.id = t.note_id where t.tag_key = ?1 or (t.tag_key > ?1 || '/' and t.tag_key < ?1 || '0')`,
    [tag],
  );
  return new Set(rows.map((r) => r.path));
}

function facets(notePaths: Iterable<string>, types: string[], edges: EdgeList, tags: string[]): NonNullable<GraphView['facets']> {
  const folders = new Set<string>();
  for (const p of notePaths) for (let f = folderOf(p); f && !folders.has(f); f = folderOf(f)) folders.add(f);
  const used = new Set<number>(edges.type.subarray(0, edges.length));
  return { relationTypes: types.filter((_, i) => used.has(i)).sort(), folders: [...folders].sort().slice(0, MAX_FACET_FOLDERS), tags };
}
