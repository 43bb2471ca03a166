// The knowledge graph: entities, observations and relations (as the MCP memory server has them), over notes too.
import { z } from 'zod';
import {
  addObservations,
  createEntities,
  createRelations,
  deleteEntities,
  deleteObservations,
  deleteRelations,
  mostConnected,
  neighbours,
  openNodes,
  readGraph,
  searchNodes,
  shortestPath,
} from '../../../store/graph/graph';
import { MAX_DEPTH, MAX_PATH_DEPTH } from '../../../store/graph/limits';
import { graphView, MAX_VIEW_DEPTH } from '../../../store/graph/view';
import { GRAPH_KINDS } from '../../../store/graph/viewKinds';
import { exportMemoryJsonl, importMemoryJsonl, MAX_IMPORT_BYTES } from '../../../store/graph/memoryJsonl';
import { nodeName, observation } from '../../../store/valueRules';
import { method, pageLimit, pageOffset, who, writer } from '../define';

const relations = (what: string) =>
  z
    .array(z.strictObject({ from: nodeName('from'), to: nodeName('to'), relationType: nodeName('relationType') }), { error: `${what} must be a list of { from, to, relationType }` })
    .min(1, `${what} must not be empty`)
    .max(1000);
const depthError = `depth must be a whole number from 1 to ${MAX_DEPTH}`;
const viewDepthError = `depth must be a whole number from 1 to ${MAX_VIEW_DEPTH}`;

export const graphMethods = {
  'graph.createEntities': method({
    doc: 'Creates entities with their observations; names already there are skipped.',
    result: 'Entity[] (the ones created)',
    writes: true,
    params: () => z.strictObject({
      entities: z.array(z.strictObject({ name: nodeName('name'), entityType: nodeName('entityType'), observations: z.array(observation).max(1000).default([]) }), { error: 'entities must be a list of { name, entityType, observations }' }).min(1, 'entities must not be empty').max(1000),
      ...writer,
    }),
    handler: (store, p, ctx) => createEntities(store, who(ctx, p), p.entities),
  }),
  'graph.createRelations': method({
    doc: 'Creates named, directed relations between entities or notes; duplicates are skipped.',
    result: 'Relation[] (the ones created)',
    writes: true,
    params: () => z.strictObject({ relations: relations('relations'), ...writer }),
    handler: (store, p, ctx) => createRelations(store, who(ctx, p), p.relations),
  }),
  'graph.addObservations': method({
    doc: 'Adds observations to entities; ones already there are skipped.',
    result: '`[{"entityName","addedObservations"}]`',
    writes: true,
    params: () => z.strictObject({
      observations: z.array(z.strictObject({ entityName: nodeName('entityName'), contents: z.array(observation).min(1, 'contents must not be empty').max(1000) }), { error: 'observations must be a list of { entityName, contents }' }).min(1, 'observations must not be empty').max(1000),
      ...writer,
    }),
    handler: (store, p, ctx) => addObservations(store, who(ctx, p), p.observations),
  }),
  'graph.deleteEntities': method({
    doc: 'Deletes entities with their observations and relations.',
    result: 'string[] (deleted)',
    writes: true,
    params: () => z.strictObject({ entityNames: z.array(nodeName('entityNames'), { error: 'entityNames must be a list of names' }).min(1, 'entityNames must not be empty').max(1000), ...writer }),
    handler: (store, p, ctx) => deleteEntities(store, who(ctx, p), p.entityNames),
  }),
  'graph.deleteObservations': method({
    doc: 'Deletes observations from entities.',
    result: '`[{"entityName","deletedObservations"}]`',
    writes: true,
    params: () => z.strictObject({
      deletions: z.array(z.strictObject({ entityName: nodeName('entityName'), observations: z.array(observation).max(1000) }), { error: 'deletions must be a list of { entityName, observations }' }).min(1, 'deletions must not be empty').max(1000),
      ...writer,
    }),
    handler: (store, p, ctx) => deleteObservations(store, who(ctx, p), p.deletions),
  }),
  'graph.deleteRelations': method({
    doc: 'Deletes relations.',
    result: 'Relation[] (deleted)',
    writes: true,
    params: () => z.strictObject({ relations: relations('relations'), ...writer }),
    handler: (store, p, ctx) => deleteRelations(store, who(ctx, p), p.relations),
  }),
  'graph.read': method({
    doc: 'A page of the whole graph: nodes and the relations among them.',
    result: 'GraphPage',
    params: () => z.strictObject({ offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).optional() }),
    handler: (store, p) => readGraph(store, p),
  }),
  'graph.search': method({
    doc: 'Nodes whose name, type or observations contain the query, with the relations from or to them.',
    result: 'KnowledgeGraph',
    params: () => z.strictObject({ query: z.string({ error: 'query must be a string' }).trim().min(1, 'query must not be empty').max(1000, 'query must be at most 1000 characters'), limit: z.number().int().min(1).max(10_000).optional() }),
    handler: (store, p) => searchNodes(store, p.query, p.limit),
  }),
  'graph.open': method({
    doc: 'The nodes named, with the relations from or to them.',
    result: 'KnowledgeGraph',
    params: () => z.strictObject({ names: z.array(nodeName('names'), { error: 'names must be a list of names' }).max(1000) }),
    handler: (store, p) => openNodes(store, p.names),
  }),
  'graph.neighbours': method({
    doc: 'The nodes within a depth of one node, edges followed both ways.',
    result: 'Neighbourhood',
    params: () => z.strictObject({ node: nodeName('node'), depth: z.number({ error: depthError }).int(depthError).min(1, depthError).max(MAX_DEPTH, depthError).optional() }),
    handler: (store, p) => neighbours(store, p.node, p.depth),
  }),
  'graph.path': method({
    doc: 'A shortest path between two nodes, or null.',
    result: 'GraphPath or `null`',
    params: () => z.strictObject({ from: nodeName('from'), to: nodeName('to'), maxDepth: z.number().int().min(1).max(MAX_PATH_DEPTH, `maxDepth must be at most ${MAX_PATH_DEPTH}`).optional() }),
    handler: (store, p) => shortestPath(store, p.from, p.to, p.maxDepth),
  }),
  'graph.mostConnected': method({
    doc: 'The nodes with the most relations and links.',
    result: 'ConnectedNode[]',
    params: () => z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }),
    handler: (store, p) => mostConnected(store, p.limit),
  }),
  'graph.view': method({
    doc: 'The graph as the Knowledge Graph view draws it: nodes of every kind (notes, entities, tasks, agents, tags, placeholders) with their degree, and the edges among them, paged by node.',
    result: 'GraphView',
    vectorless: true,
    params: () => z.strictObject({
      mode: z.enum(['whole', 'local'], { error: 'mode must be "whole" or "local"' }).default('whole'),
      center: z.string({ error: 'center must be a node id, a note path, a task id or an entity name' }).trim().min(1, 'center must not be empty').max(1000).optional(),
      depth: z.number({ error: viewDepthError }).int(viewDepthError).min(1, viewDepthError).max(MAX_VIEW_DEPTH, viewDepthError).optional(),
      kinds: z.array(z.enum(GRAPH_KINDS, { error: `kinds must be among ${GRAPH_KINDS.join(', ')}` })).max(GRAPH_KINDS.length).optional(),
      folder: z.string({ error: 'folder must be a vault folder' }).max(1000).optional(),
      tag: z.string({ error: 'tag must be a tag' }).trim().min(1, 'tag must not be empty').max(200).optional(),
      relationType: z.string({ error: 'relationType must be a string' }).trim().min(1, 'relationType must not be empty').max(200).optional(),
      orphans: z.enum(['show', 'hide', 'only'], { error: 'orphans must be "show", "hide" or "only"' }).optional(),
      offset: pageOffset,
      limit: pageLimit(50_000, 5000),
    }),
    handler: (store, p) => graphView(store, p),
  }),
  'graph.import': method({
    doc: "Imports an MCP memory server file (memory.jsonl), all or nothing: a bad line is reported by its number and nothing is written.",
    result: 'ImportResult',
    writes: true,
    params: () => z.strictObject({
      text: z.string({ error: "text must be the file's content, a string" }).max(MAX_IMPORT_BYTES, `text must be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`),
      ...writer,
    }),
    handler: (store, p, ctx) => importMemoryJsonl(store, who(ctx, p), p.text),
  }),
  'graph.export': method({
    doc: "The graph's entities and relations as an MCP memory server file (memory.jsonl).",
    result: 'MemoryExport',
    params: () => z.strictObject({}),
    handler: (store) => exportMemoryJsonl(store),
  }),
};
