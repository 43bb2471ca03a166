// The JSON-RPC protocol's parameter schemas (zod): the single source of truth for what every method accepts.
// The RPC server and the CLI both validate through these, so both give the same messages. docs/protocol.md
// documents the same shapes for clients in other languages.
import * as path from 'node:path';
import { z } from 'zod';
import { backupMethods } from './backupProtocol';
import { pathParam } from './pathParam';
import { syncMethods } from './syncProtocol';
import { AGGREGATE_TYPES } from '../store/events';
import { MAX_DEPTH, MAX_PATH_DEPTH } from '../store/graph/limits';
import { parseEmbedderSpec } from '../store/knowledge/embedder';
import { SECRET_TASK_FIELDS } from '../store/crypto/fields';
import { EVENT_SOURCES, TASK_STATUSES } from '../store/schema';
import {
  agentName,
  count,
  datesInOrder,
  day,
  id,
  isoDateTime,
  minutes,
  name,
  nodeName,
  noteRef,
  noteRefs,
  observation,
  person,
  qualityScore,
  runOutcome,
  sprintDatesInOrder,
  sprintStatus,
  tags,
  taskPriority as priority,
  taskStatus as status,
  text,
} from '../store/valueRules';

const version = z.number({ error: 'expectedVersion must be the version number you read' }).int().positive();
const absolutePath = (what: string) => pathParam(z.string({ error: `${what} must be an absolute path` }).max(4096), what).refine((p) => path.isAbsolute(p), `${what} must be an absolute path`);
/** Params that name places in the vault (see pathParam.ts). */
const vaultFolder = (what: string, error = `${what} must be a vault-relative folder`) => pathParam(z.string({ error }).max(1000), what);
const templateName = pathParam(z.string({ error: 'template must be a template name' }).trim().min(1, 'template must not be empty').max(1000), 'template');
const notePath = (max: number) => pathParam(z.string({ error: 'note must be a path or a title' }).trim().min(1, 'note must not be empty').max(max), 'note');

const sprintFields = {
  goal: text.optional(),
  status: sprintStatus.optional(),
  startsOn: day.nullable().optional(),
  endsOn: day.nullable().optional(),
};

const relations = (what: string) =>
  z
    .array(z.strictObject({ from: nodeName('from'), to: nodeName('to'), relationType: nodeName('relationType') }), { error: `${what} must be a list of { from, to, relationType }` })
    .min(1, `${what} must not be empty`)
    .max(1000);

/** An embedder in its short form (src/store/knowledge/embedder.ts). */
const embedderSpec = z
  .string({ error: 'embedder must be a string' })
  .max(2000)
  .refine((s) => {
    try {
      parseEmbedderSpec(s);
      return true;
    } catch {
      return false;
    }
  }, 'embedder must be "glove", "transformers:/path/to/model-folder" or "openai:MODEL@http://host:port/v1"');

/** Task fields stored encrypted (see crypto.*). */
const secretFields = z.array(z.enum(SECRET_TASK_FIELDS, { error: `secretFields may name ${SECRET_TASK_FIELDS.join(', ')}` }), { error: 'secretFields must be a list of field names' }).max(SECRET_TASK_FIELDS.length);
const passphrase = (what: string) => z.string({ error: `${what} must be a string` }).min(1, `${what} must not be empty`).max(1024, `${what} must be at most 1024 characters`);
const keychainKey = z.string({ error: 'keychainKey must be a base64 string' }).regex(/^[A-Za-z0-9+/]{43}=$/, 'keychainKey must be 32 random bytes, base64-encoded');

/** Fields every write accepts: who is making the change (defaults to the backend's own actor). */
const writer = { actor: person('actor').optional() };

export const methods = {
  ...backupMethods,
  ...syncMethods,
  'store.info': z.strictObject({}),
  'store.health': z.strictObject({}),
  'projects.list': z.strictObject({}),
  'projects.get': z.strictObject({ id: id('id') }),
  'projects.create': z.strictObject({ name: name('name'), description: text.optional(), ...writer }),
  'projects.update': z.strictObject({ id: id('id'), expectedVersion: version, name: name('name').optional(), description: text.optional(), ...writer }),
  'projects.delete': z.strictObject({ id: id('id'), expectedVersion: version.optional(), ...writer }),
  'sprints.list': z.strictObject({ projectId: id('projectId').optional() }),
  'sprints.create': z.strictObject({ projectId: id('projectId'), name: name('name'), ...sprintFields, ...writer }).refine(sprintDatesInOrder, datesInOrder),
  'sprints.update': z
    .strictObject({ id: id('id'), expectedVersion: version, name: name('name').optional(), ...sprintFields, ...writer })
    .refine(sprintDatesInOrder, datesInOrder),
  'sprints.delete': z.strictObject({ id: id('id'), expectedVersion: version.optional(), ...writer }),
  'tasks.list': z.strictObject({
    projectId: id('projectId').optional(),
    sprintId: id('sprintId').nullable().optional(),
    status: z.union([status, z.array(status)], { error: `status must be one of ${TASK_STATUSES.join(', ')}, or a list of them` }).optional(),
    assignee: agentName.optional(),
    parentId: id('parentId').optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
    offset: z.number().int().min(0).optional(),
  }),
  'tasks.get': z.strictObject({ id: id('id'), includeNotes: z.boolean({ error: 'includeNotes must be true or false' }).optional() }),
  'tasks.notes': z.strictObject({ taskId: id('taskId') }),
  'notes.tasks': z.strictObject({ note: noteRef('note') }),
  'codeLens.lookup': z.strictObject({
    file: absolutePath('file').optional(),
    workspaceFolder: absolutePath('workspaceFolder').optional(),
    notes: z.array(z.string({ error: 'notes must be a list of wikilink texts' }).max(1000), { error: 'notes must be a list of wikilink texts' }).max(1000, 'notes may hold at most 1000 names').optional(),
    taskIds: z.array(id('each of taskIds'), { error: 'taskIds must be a list of task ids' }).max(1000, 'taskIds may hold at most 1000 ids').optional(),
  }),
  'tasks.create': z.strictObject({
    projectId: id('projectId'),
    title: name('title'),
    sprintId: id('sprintId').nullable().optional(),
    parentId: id('parentId').nullable().optional(),
    description: text.optional(),
    status: status.optional(),
    priority: priority.optional(),
    assignee: agentName.nullable().optional(),
    tags: tags.optional(),
    estimatedMinutes: minutes('estimatedMinutes').nullable().optional(),
    notes: noteRefs.optional(),
    secretFields: secretFields.optional(),
    ...writer,
  }),
  'tasks.update': z.strictObject({
    id: id('id'),
    expectedVersion: version,
    title: name('title').optional(),
    description: text.optional(),
    status: status.optional(),
    priority: priority.optional(),
    assignee: agentName.nullable().optional(),
    tags: tags.optional(),
    sprintId: id('sprintId').nullable().optional(),
    parentId: id('parentId').nullable().optional(),
    estimatedMinutes: minutes('estimatedMinutes').nullable().optional(),
    actualMinutes: minutes('actualMinutes').nullable().optional(),
    tokensIn: count('tokensIn').nullable().optional(),
    tokensOut: count('tokensOut').nullable().optional(),
    qualityScore: qualityScore.nullable().optional(),
    notes: noteRefs.optional(),
    secretFields: secretFields.optional(),
    ...writer,
  }),
  'tasks.delete': z.strictObject({ id: id('id'), expectedVersion: version.optional(), ...writer }),
  'tasks.counts': z.strictObject({}),
  'knowledge.index': z.strictObject({ create: z.boolean().optional(), embedder: embedderSpec.optional(), ...writer }),
  'knowledge.search': z.strictObject({
    query: z.string({ error: 'query must be a string' }).trim().min(1, 'query must not be empty').max(1000),
    mode: z.enum(['text', 'semantic', 'hybrid'], { error: 'mode must be "text", "semantic" or "hybrid"' }).default('hybrid'),
    fusion: z.enum(['convex', 'rrf'], { error: 'fusion must be "convex" (scaled scores) or "rrf" (reciprocal rank)' }).optional(),
    limit: z.number().int().min(1).max(200).optional(),
    folder: pathParam(z.string().max(1000), 'folder').optional(),
    tag: z.string().max(200).optional(),
    type: z.string().max(200).optional(),
    project: z.string().max(200).optional(),
  }),
  'notes.links': z.strictObject({ note: notePath(1000) }),
  'notes.placeholders': z.strictObject({}),
  'notes.resolve': z.strictObject({
    from: pathParam(z.string({ error: 'from must be the path of the note that holds the link' }).trim().min(1, 'from must not be empty').max(4096), 'from'),
    link: z.string({ error: 'link must be the text inside [[…]], or a Markdown link destination' }).trim().min(1, 'link must not be empty').max(4096),
    kind: z.enum(['wikilink', 'embed', 'markdown'], { error: 'kind must be one of wikilink, embed, markdown' }).default('wikilink'),
  }),
  'notes.templates': z.strictObject({ templatesFolder: vaultFolder('templatesFolder').optional() }),
  'notes.create': z.strictObject({
    title: pathParam(z.string({ error: 'title must be a string' }).max(1000), 'title'),
    template: templateName.optional(),
    templatesFolder: vaultFolder('templatesFolder').optional(),
    folder: vaultFolder('folder').optional(),
    ...writer,
  }),
  'notes.daily': z.strictObject({
    date: z.string({ error: 'date must be a day written YYYY-MM-DD' }).trim().optional(),
    folder: vaultFolder('folder').optional(),
    format: pathParam(z.string({ error: 'format must be a date format such as YYYY-MM-DD' }).max(200), 'format').optional(),
    template: templateName.optional(),
    templatesFolder: vaultFolder('templatesFolder').optional(),
    ...writer,
  }),
  'notes.createDecision': z.strictObject({
    title: z.string({ error: 'title must be a string' }).max(1000),
    folder: vaultFolder('folder').optional(),
    ...writer,
  }),
  'notes.renamePlan': z.strictObject({
    note: notePath(4096),
    newName: pathParam(z.string({ error: 'newName must be a string' }).max(1000), 'newName'),
  }),
  'notes.rename': z.strictObject({
    note: notePath(4096),
    newName: pathParam(z.string({ error: 'newName must be a string' }).max(1000), 'newName'),
    ...writer,
  }),
  'notes.list': z.strictObject({
    folder: vaultFolder('folder', 'folder must be a vault-relative folder path ("" for the top level)').optional(),
    recursive: z.boolean().optional(),
    tag: z.string({ error: 'tag must be a string' }).trim().min(1, 'tag must not be empty').max(200).optional(),
    offset: z.number({ error: 'offset must be a whole number' }).int().min(0).optional(),
    limit: z.number({ error: 'limit must be a whole number from 1 to 100000' }).int().min(1).max(100_000).optional(),
  }),
  'notes.folders': z.strictObject({ parent: vaultFolder('parent', 'parent must be a vault-relative folder path ("" for the top level)').optional() }),
  'notes.orphans': z.strictObject({
    offset: z.number({ error: 'offset must be a whole number' }).int().min(0).optional(),
    limit: z.number({ error: 'limit must be a whole number from 1 to 100000' }).int().min(1).max(100_000).optional(),
  }),
  'tags.list': z.strictObject({}),
  'notes.createPlaceholder': z.strictObject({
    target: pathParam(z.string({ error: 'target must be the note name a link uses, such as "Lost city" or "trips/Lost city"' }).trim().min(1, 'target must not be empty').max(1000), 'target'),
    ...writer,
  }),
  'knowledge.indexPaths': z.strictObject({
    paths: z.array(pathParam(z.string({ error: 'paths must be file or folder paths (absolute, or relative to the vault)' }).min(1).max(4096), 'each path'), { error: 'paths must be a list of file or folder paths' }).min(1, 'paths must not be empty').max(100_000),
    ...writer,
  }),
  'agents.index': z.strictObject({ ...writer }),
  'agents.list': z.strictObject({}),
  'agents.lint': z.strictObject({}),
  'agents.recordRun': z.strictObject({
    agent: name('agent'),
    taskId: id('taskId').optional(),
    startedAt: isoDateTime('startedAt').optional(),
    durationMs: count('durationMs').optional(),
    tokensIn: count('tokensIn').optional(),
    tokensOut: count('tokensOut').optional(),
    qualityScore: qualityScore.optional(),
    errors: count('errors').optional(),
    outcome: runOutcome,
    notes: text.optional(),
    secret: z.boolean({ error: 'secret must be true or false' }).optional(),
    ...writer,
  }),
  'agents.runs': z.strictObject({
    agent: name('agent').optional(),
    taskId: id('taskId').optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  'graph.createEntities': z.strictObject({
    entities: z.array(z.strictObject({ name: nodeName('name'), entityType: nodeName('entityType'), observations: z.array(observation).max(1000).default([]) }), { error: 'entities must be a list of { name, entityType, observations }' }).min(1, 'entities must not be empty').max(1000),
    ...writer,
  }),
  'graph.createRelations': z.strictObject({ relations: relations('relations'), ...writer }),
  'graph.addObservations': z.strictObject({
    observations: z.array(z.strictObject({ entityName: nodeName('entityName'), contents: z.array(observation).min(1, 'contents must not be empty').max(1000) }), { error: 'observations must be a list of { entityName, contents }' }).min(1, 'observations must not be empty').max(1000),
    ...writer,
  }),
  'graph.deleteEntities': z.strictObject({ entityNames: z.array(nodeName('entityNames'), { error: 'entityNames must be a list of names' }).min(1, 'entityNames must not be empty').max(1000), ...writer }),
  'graph.deleteObservations': z.strictObject({
    deletions: z.array(z.strictObject({ entityName: nodeName('entityName'), observations: z.array(observation).max(1000) }), { error: 'deletions must be a list of { entityName, observations }' }).min(1, 'deletions must not be empty').max(1000),
    ...writer,
  }),
  'graph.deleteRelations': z.strictObject({ relations: relations('relations'), ...writer }),
  'graph.read': z.strictObject({ offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).optional() }),
  'graph.search': z.strictObject({ query: z.string({ error: 'query must be a string' }).trim().min(1, 'query must not be empty').max(1000), limit: z.number().int().min(1).max(10_000).optional() }),
  'graph.open': z.strictObject({ names: z.array(nodeName('names'), { error: 'names must be a list of names' }).max(1000) }),
  'graph.neighbours': z.strictObject({ node: nodeName('node'), depth: z.number({ error: `depth must be a whole number from 1 to ${MAX_DEPTH}` }).int(`depth must be a whole number from 1 to ${MAX_DEPTH}`).min(1, `depth must be a whole number from 1 to ${MAX_DEPTH}`).max(MAX_DEPTH, `depth must be a whole number from 1 to ${MAX_DEPTH}`).optional() }),
  'graph.path': z.strictObject({ from: nodeName('from'), to: nodeName('to'), maxDepth: z.number().int().min(1).max(MAX_PATH_DEPTH, `maxDepth must be at most ${MAX_PATH_DEPTH}`).optional() }),
  'graph.mostConnected': z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }),
  'crypto.status': z.strictObject({}),
  'crypto.init': z.strictObject({ passphrase: passphrase('passphrase'), keychainKey: keychainKey.optional(), ...writer }),
  'crypto.unlock': z
    .strictObject({ passphrase: passphrase('passphrase').optional(), keychainKey: keychainKey.optional(), ...writer })
    .refine((p) => p.passphrase !== undefined || p.keychainKey !== undefined, 'give passphrase or keychainKey'),
  'crypto.lock': z.strictObject({}),
  'crypto.changePassphrase': z.strictObject({ oldPassphrase: passphrase('oldPassphrase'), newPassphrase: passphrase('newPassphrase'), ...writer }),
  'store.export': z.strictObject({
    format: z.enum(['json', 'markdown'], { error: 'format must be "json" or "markdown"' }).default('json'),
    projectId: id('projectId').optional(),
  }),
  'projects.erase': z.strictObject({ id: id('id'), confirm: z.literal(true, { error: 'confirm must be true: erasing removes the project and its history for good' }), ...writer }),
  'events.list': z.strictObject({
    aggregateType: z.enum(AGGREGATE_TYPES, { error: `aggregateType must be one of ${AGGREGATE_TYPES.join(', ')}` }).optional(),
    aggregateId: id('aggregateId').optional(),
    afterSeq: z.number().int().min(0).optional(),
    beforeSeq: z.number().int().min(1).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    order: z.enum(['asc', 'desc']).default('desc'),
  }),
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.infer<(typeof methods)[M]>;
export type ParamsInput<M extends MethodName> = z.input<(typeof methods)[M]>;

export const SOURCES = EVENT_SOURCES;

/** JSON-RPC error codes. -32602 is the standard "invalid params"; the rest are Cairn's, in the server range. */
export const ErrorCodes = {
  InvalidParams: -32602,
  MethodNotFound: -32601,
  NotFound: -32001,
  Conflict: -32002,
  Busy: -32003,
  StoreUnavailable: -32004,
  SchemaTooNew: -32005,
  InvalidOperation: -32006,
  DiskFull: -32007,
  Corrupt: -32008,
  Locked: -32009,
  /** A backup or sync would remove more rows than the event log's deletions explain: refused unless allowMassDelete. */
  MassDelete: -32010,
  /** A write to a store that is open read-only (this process cannot write its folder or database). */
  ReadOnly: -32011,
  /** The request was cancelled ($/cancelRequest) and stopped at a safe point; the error says what it left behind. */
  Cancelled: -32800,
  Internal: -32603,
} as const;

/** Turns zod issues into one line a person can act on: "title: must not be empty; priority: must be one of …". */
export function describeIssues(method: string, error: z.ZodError): string {
  const parts = error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : 'params';
    if (i.code === 'unrecognized_keys') return `${where}: unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${where}: ${i.message}`;
  });
  return `Invalid params for ${method}: ${parts.join('; ')}`;
}

/** Notification sent by the backend whenever the store changed (by this process or any other). */
export const STORE_CHANGED = 'store.changed';
export interface StoreChanged {
  /** Sequence number of the newest event now in the store. */
  lastSeq: number;
  /** Aggregates touched since the previous notification (absent when unknown, e.g. after a restore). */
  aggregates?: { type: string; id: string }[];
}

/** Notification carrying the backend's log lines to the client. */
export const LOG = 'log';
export interface LogMessage {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
}
