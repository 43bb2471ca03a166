// The MCP memory server's file (@modelcontextprotocol/server-memory's memory.jsonl) in and out of the graph: one JSON
// object a line, entities first, then relations, keys in the server's order, lines joined by "\n" (no newline at the
// end; blank lines and a trailing newline are accepted on import). Import is all or nothing: every line is checked
// first (by the rules the graph methods use, valueRules.ts), then the whole file is written in one transaction.
//
// Dangling relations (an end that names no entity: the memory server accepts them) cannot be stored as they are:
// graph_relations has foreign keys on both ends to graph_entities (enforced, and checked again when a backup is
// loaded: snapshot/load.ts runs PRAGMA foreign_key_check), so a row whose end is not an entity would break restores.
// So an end that is not an entity (in the file or the store) gets a placeholder row of type DANGLING_TYPE with no
// observations, and export leaves such placeholders out: the relation comes out dangling again, and no entity the
// file did not have comes out. A file that later names it as an entity turns the placeholder into that entity.
// Limits of this: placeholders are graph nodes in Cairn's own reads (graph.read, neighbours: type DANGLING_TYPE); a
// placeholder named like a note path hides the note's type `note` there; graph.createEntities skips the name as
// existing (import, not it, turns a placeholder into an entity). Keeping them without a row needs a migration.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendNextEvent, type Actor } from '../events';
import { StoreError } from '../errors';
import { nowIso } from '../ids';
import type { Orm } from '../orm';
import { graphEntities, graphObservations, graphRelations } from '../schema';
import type { Store } from '../store';
import { nodeName, observation } from '../valueRules';
import { addObservations, createEntities, createRelations, type Entity, type Relation } from './graph';

/** The format's name (cairn import/export --format). */
export const MEMORY_FORMAT = 'mcp-memory';
/** The largest file (bytes; for the text param, characters) an import reads. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** The entity type of a dangling relation's end (above). An imported entity of this type needs an observation. */
export const DANGLING_TYPE = 'mcp-memory:dangling';
/** How many bad lines an error lists (the count covers them all). */
const MAX_PROBLEMS_LISTED = 10;
/** Items per call of the graph writes, as their methods allow; all of them run in the one import transaction. */
const CHUNK = 1000;

export interface ImportResult {
  format: typeof MEMORY_FORMAT;
  /** New entities, and placeholders of dangling ends that the file names as entities. */
  entitiesCreated: number;
  /** Entity lines that created nothing: the name is an entity already (its type is kept) or came earlier in the file. */
  entitiesMerged: number;
  observationsAdded: number;
  /** Observations the entity already has (in the store, or earlier in the file). */
  observationsSkipped: number;
  relationsCreated: number;
  /** Relation lines already in the store or earlier in the file. */
  relationsSkipped: number;
  /** Placeholder entities made for the ends of dangling relations (type DANGLING_TYPE; left out of exports). */
  danglingEnds: number;
}

export interface MemoryExport {
  format: typeof MEMORY_FORMAT;
  /** The file's content: lines joined by "\n", no newline at the end ("" for an empty graph). */
  text: string;
  entities: number;
  observations: number;
  relations: number;
}

interface ImportPlan {
  /** Merged by name, in the order first seen: the first line's type, every observation once, in order. */
  entities: Entity[];
  /** Each relation once, in the file's order. */
  relations: Relation[];
  entityLines: number;
  relationLines: number;
  observationItems: number;
}

/** With the u flag a class of surrogates matches only unpaired ones: SQLite would store U+FFFD instead. */
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u;
const stored = (rule: z.ZodType<string>, what: string) => rule.refine((s) => !UNPAIRED_SURROGATE.test(s), `${what} holds an unpaired UTF-16 surrogate (not Unicode text: it cannot be stored as it is)`);

const entityLine = z
  .strictObject({
    type: z.literal('entity'),
    name: stored(nodeName('name'), 'name'),
    entityType: stored(nodeName('entityType'), 'entityType'),
    observations: z.array(stored(observation, 'an observation'), { error: 'observations must be a list of strings' }),
  })
  .refine((e) => e.entityType !== DANGLING_TYPE || e.observations.length > 0, {
    message: `entityType "${DANGLING_TYPE}" is Cairn's type for the ends of dangling relations: an entity of that type needs at least one observation`,
    path: ['entityType'],
  });
const relationLine = z.strictObject({
  type: z.literal('relation'),
  from: stored(nodeName('from'), 'from'),
  to: stored(nodeName('to'), 'to'),
  relationType: stored(nodeName('relationType'), 'relationType'),
});

/** The issues as one line, the first for each field (an empty name is not also reported as blank). */
function describe(error: z.ZodError): string {
  const fields = new Set<string>();
  return error.issues
    .filter((i) => i.code === 'unrecognized_keys' || (!fields.has(i.path.join('.')) && fields.add(i.path.join('.'))))
    .map((i) => {
      const where = i.path.length ? `${i.path.join('.')}: ` : '';
      if (i.code === 'unrecognized_keys') return `${where}unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}${i.message}`;
    })
    .join('; ');
}

/** One line's problem, or its entity or relation. */
function parseLine(line: string): { problem: string } | { entity: Entity } | { relation: Relation } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { problem: `not valid JSON (${(err as Error).message})` };
  }
  const type = value && typeof value === 'object' && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
  if (type === 'entity') {
    const r = entityLine.safeParse(value);
    return r.success ? { entity: { name: r.data.name, entityType: r.data.entityType, observations: r.data.observations } } : { problem: describe(r.error) };
  }
  if (type === 'relation') {
    const r = relationLine.safeParse(value);
    return r.success ? { relation: { from: r.data.from, to: r.data.to, relationType: r.data.relationType } } : { problem: describe(r.error) };
  }
  const said = type === undefined ? 'no "type"' : `"type" ${JSON.stringify(type).slice(0, 40)}`;
  return { problem: `not an entity or a relation (${said}; it must be "entity" or "relation")` };
}

/** Checks every line; throws StoreError 'invalid' naming the bad lines (by number, from 1), else the plan. */
export function parseMemoryJsonl(text: string): ImportPlan {
  if (text.length > MAX_IMPORT_BYTES) throw new StoreError('invalid', `The file is too large: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB is imported; nothing was imported.`);
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const problems: { line: number; problem: string }[] = [];
  const entities = new Map<string, { entity: Entity; seen: Set<string> }>();
  const relations = new Map<string, Relation>();
  let entityLines = 0;
  let relationLines = 0;
  let observationItems = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseLine(line);
    if ('problem' in r) {
      problems.push({ line: i + 1, problem: r.problem });
    } else if ('entity' in r) {
      entityLines++;
      observationItems += r.entity.observations.length;
      const known = entities.get(r.entity.name) ?? { entity: { ...r.entity, observations: [] }, seen: new Set<string>() };
      entities.set(r.entity.name, known);
      for (const o of r.entity.observations) if (!known.seen.has(o)) (known.seen.add(o), known.entity.observations.push(o));
    } else {
      relationLines++;
      const key = JSON.stringify([r.relation.from, r.relation.to, r.relation.relationType]);
      if (!relations.has(key)) relations.set(key, r.relation);
    }
  });
  if (problems.length) {
    const listed = problems.slice(0, MAX_PROBLEMS_LISTED).map((p) => `line ${p.line}: ${p.problem}`);
    const more = problems.length > MAX_PROBLEMS_LISTED ? `; … ${problems.length - MAX_PROBLEMS_LISTED} more` : '';
    throw new StoreError(
      'invalid',
      `${listed.join('; ')}${more} (${problems.length} line${problems.length === 1 ? ' is' : 's are'} not a valid MCP memory entity or relation; nothing was imported)`,
      { problems: problems.slice(0, 100) },
    );
  }
  return { entities: [...entities.values()].map((e) => e.entity), relations: [...relations.values()], entityLines, relationLines, observationItems };
}

const chunks = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** The entities among `names`: their type and how many observations they have. */
async function existing(store: Store, names: string[]): Promise<Map<string, { type: string; observations: number }>> {
  const rows = names.length
    ? await store.conn.all<{ name: string; type: string; observations: number }>(
        `select e.name, e.entity_type as type, (select count(*) from graph_observations o where o.entity_name = e.name) as observations
         from graph_entities e where e.name in (select value from json_each(?))`,
        [JSON.stringify(names)],
      )
    : [];
  return new Map(rows.map((r) => [r.name, { type: r.type, observations: r.observations }]));
}

const isPlaceholder = (e: { type: string; observations: number } | undefined) => e?.type === DANGLING_TYPE && e.observations === 0;

/**
 * Imports a memory file's content (all or nothing). An entity already in the store keeps its type and gains the
 * observations it lacks; the same entity twice in the file is merged (the first line's type); a relation already
 * there, or twice in the file, is created once. Writes the graph's own events (graph.entitiesCreated,
 * graph.observationsAdded, graph.relationsCreated) and one graph.imported with the counts, all as `who`.
 */
export async function importMemoryJsonl(store: Store, who: Actor, text: string): Promise<ImportResult> {
  const plan = parseMemoryJsonl(text);
  return store.write(async (orm) => {
    const now = nowIso();
    const before = await existing(store, plan.entities.map((e) => e.name));
    const fresh = plan.entities.filter((e) => !before.has(e.name));
    const promoted = plan.entities.filter((e) => isPlaceholder(before.get(e.name)));
    const merged = plan.entities.filter((e) => before.has(e.name) && !isPlaceholder(before.get(e.name)));

    let observationsAdded = 0;
    let entitiesCreated = 0;
    for (const chunk of chunks(fresh)) {
      for (const e of await createEntities(store, who, chunk)) (entitiesCreated++, (observationsAdded += e.observations.length));
    }
    for (const e of promoted) await orm.update(graphEntities).set({ entityType: e.entityType, updatedAt: now }).where(eq(graphEntities.name, e.name));
    entitiesCreated += promoted.length;
    const more = [...promoted, ...merged].filter((e) => e.observations.length).map((e) => ({ entityName: e.name, contents: e.observations }));
    for (const chunk of chunks(more)) {
      for (const r of await addObservations(store, who, chunk)) observationsAdded += r.addedObservations.length;
    }

    const named = new Set(plan.entities.map((e) => e.name));
    const ends = [...new Set(plan.relations.flatMap((r) => [r.from, r.to]))].filter((n) => !named.has(n));
    const known = await existing(store, ends);
    const dangling = ends.filter((n) => !known.has(n));
    await insertPlaceholders(orm, dangling, now);
    let relationsCreated = 0;
    for (const chunk of chunks(plan.relations)) relationsCreated += (await createRelations(store, who, chunk)).length;

    const result: ImportResult = {
      format: MEMORY_FORMAT,
      entitiesCreated,
      entitiesMerged: plan.entityLines - entitiesCreated,
      observationsAdded,
      observationsSkipped: plan.observationItems - observationsAdded,
      relationsCreated,
      relationsSkipped: plan.relationLines - relationsCreated,
      danglingEnds: dangling.length,
    };
    if (entitiesCreated || observationsAdded || relationsCreated || dangling.length) {
      await appendNextEvent(orm, who, {
        aggregateType: 'graph',
        aggregateId: 'import',
        type: 'graph.imported',
        data: { ...result, placeholders: dangling, promoted: promoted.map((e) => ({ name: e.name, entityType: e.entityType })) },
      });
    }
    return result;
  });
}

async function insertPlaceholders(orm: Orm, names: string[], now: string): Promise<void> {
  for (let i = 0; i < names.length; i += 100) {
    await orm.insert(graphEntities).values(names.slice(i, i + 100).map((name) => ({ name, entityType: DANGLING_TYPE, createdAt: now, updatedAt: now })));
  }
}

/**
 * The graph as a memory file: the rows of graph_entities (implicit `note` entities included: they are rows; notes
 * that are only in the vault index are not entities, and their `links_to` edges are not relations) except the
 * placeholders of dangling ends, then every row of graph_relations. Entities by name, relations by from, to, type
 * (SQLite's binary order: Unicode code points); observations in the order they were added.
 */
export function exportMemoryJsonl(store: Store): Promise<MemoryExport> {
  return store.read(async (orm) => {
    const rows = await orm.select({ name: graphEntities.name, type: graphEntities.entityType }).from(graphEntities).orderBy(graphEntities.name);
    const observations = await orm.select({ name: graphObservations.entityName, content: graphObservations.content }).from(graphObservations).orderBy(graphObservations.entityName, graphObservations.id);
    const relations = await orm
      .select({ from: graphRelations.fromName, to: graphRelations.toName, relationType: graphRelations.relationType })
      .from(graphRelations)
      .orderBy(graphRelations.fromName, graphRelations.toName, graphRelations.relationType);
    const byName = new Map<string, string[]>();
    for (const o of observations) (byName.get(o.name) ?? byName.set(o.name, []).get(o.name)!).push(o.content);
    const entities = rows.filter((r) => !(r.type === DANGLING_TYPE && !byName.has(r.name)));
    const lines = [
      ...entities.map((e) => JSON.stringify({ type: 'entity', name: e.name, entityType: e.type, observations: byName.get(e.name) ?? [] })),
      ...relations.map((r) => JSON.stringify({ type: 'relation', from: r.from, to: r.to, relationType: r.relationType })),
    ];
    return { format: MEMORY_FORMAT, text: lines.join('\n'), entities: entities.length, observations: observations.length, relations: relations.length };
  });
}
