// What each JSON-RPC method does: validate the params with the protocol's schema, then one store call. The
// CLI calls the same `invoke`, so the RPC server and the CLI cannot drift apart.
import * as fs from 'node:fs';
import type { Actor } from '../store/events';
import { agentDiagnostics, indexAgents, listAgents } from '../store/agents/indexer';
import { listAgentRuns, recordAgentRun } from '../store/agents/runs';
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
} from '../store/graph/graph';
import { indexVault } from '../store/knowledge/indexer';
import { noteLinksOf, placeholders } from '../store/knowledge/links';
import { resolveForEditor } from '../store/knowledge/navigate';
import { createDecision, createNote, DEFAULT_TEMPLATES_FOLDER, openDailyNote } from '../store/knowledge/newNotes';
import { checkVaultFolder } from '../store/knowledge/noteFiles';
import { planRename, renameNote } from '../store/knowledge/rename';
import { listTemplates } from '../store/knowledge/templates';
import { countNotes, listFolders, listNotes, listOrphans, listTags } from '../store/knowledge/catalog';
import { indexChangedPaths } from '../store/knowledge/changedPaths';
import { createPlaceholderNote } from '../store/knowledge/placeholderNote';
import { parseEmbedderSpec } from '../store/knowledge/embedder';
import { storeEmbedderSpec } from '../store/knowledge/semanticIndex';
import { searchByMode } from '../store/knowledge/semanticSearch';
import { noteTasks, taskNotes } from '../store/knowledge/taskLinks';
import { lookupCodeRefs } from '../store/knowledge/codeRefs';
import { listEvents } from '../store/events';
import { StoreError, storeErrorOf, underlying, type StoreErrorKind } from '../store/errors';
import { createProject, deleteProject, getProject, listProjects, updateProject } from '../store/projects';
import { createSprint, deleteSprint, listSprints, updateSprint } from '../store/sprints';
import type { Store, StoreOptions } from '../store/store';
import { countTasks, createTask, deleteTask, getTask, listTasks, updateTask } from '../store/tasks';
import { backupHandlers } from './backupMethods';
import { syncHandlers } from './syncMethods';
import { explainSystemError, withoutServerPaths, type ErrorScope } from './systemErrors';
import { describeIssues, ErrorCodes, methods, type MethodName, type Params } from './protocol';
import { CAIRN_VERSION } from './version';
import { cryptoHandlers, revealRun, revealRuns, revealTaskRow, revealTasks } from './cryptoMethods';
import { recheckHeldKey } from '../store/crypto/keys';

export interface Context {
  /** Null when the store could not be opened; storeError then says why. */
  store: Store | null;
  storeError?: StoreError;
  who: Actor;
  /** The knowledge vault folder (default `<store>/vault`). */
  vaultDir: string;
  /** Claude Code agent folders, highest precedence first (default: `<cwd>/.claude/agents`, `~/.claude/agents`). */
  agentDirs: string[];
  /** Sends a notification to the client (progress of long operations); absent in the CLI. */
  notify?: (method: string, params: unknown) => void;
  /** Aborted when the client cancels this request ($/cancelRequest); set per request by invoke. */
  signal?: AbortSignal;
  /**
   * Set when the store could not be opened because its database is gone or damaged: opens it to restore into, for
   * the methods in RESTORING (each request opens and closes it; the backend is restarted to use the restored store).
   */
  openForRestore?: (options: Pick<StoreOptions, 'checkAtOpen'>) => Promise<Store>;
}

/** What a store that is gone or damaged still answers (Context.openForRestore): how the user gets the data back. */
const RESTORING = new Set<string>(['backup.history', 'backup.restore']);

/** An error that goes back to the client as a JSON-RPC error (code + message + optional data). */
export class MethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    /** What only the log may show (an internal error's own text: SQL, stack); never sent to the client. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

const codeFor: Record<StoreErrorKind, number> = {
  not_found: ErrorCodes.NotFound,
  conflict: ErrorCodes.Conflict,
  invalid: ErrorCodes.InvalidOperation,
  busy: ErrorCodes.Busy,
  store_unavailable: ErrorCodes.StoreUnavailable,
  schema_too_new: ErrorCodes.SchemaTooNew,
  disk_full: ErrorCodes.DiskFull,
  corrupt: ErrorCodes.Corrupt,
  locked: ErrorCodes.Locked,
  cancelled: ErrorCodes.Cancelled,
  mass_delete: ErrorCodes.MassDelete,
  read_only: ErrorCodes.ReadOnly,
};

/** `scope`: the request, so that a file-system error can name its param and leave out the server's paths. */
export function toMethodError(err: unknown, scope: ErrorScope = {}): MethodError {
  if (err instanceof MethodError) return err;
  const storeError = storeErrorOf(err); // also inside drizzle's "Failed query: <sql>" wrapper
  if (storeError) return new MethodError(codeFor[storeError.kind], storeError.message, { kind: storeError.kind, ...storeError.data });
  const system = explainSystemError(err, scope);
  if (system) return new MethodError(system.code, system.message, system.data);
  const cause = underlying(err) as { code?: unknown; message?: string } | undefined;
  const detail = [err, ...(cause === err ? [] : [cause])].map((e) => (e as Error)?.stack ?? String(e)).join('\ncaused by: ');
  if (typeof cause?.code === 'string' && cause.code.startsWith('SQLITE_')) {
    // A query failed in a way the store does not explain: its text (SQL, params) stays in the log.
    return new MethodError(ErrorCodes.Internal, `Internal error: the store could not run ${scope.method ?? 'this request'} (${cause.code}). This is a bug in Cairn; the Cairn log has the details.`, undefined, detail);
  }
  return new MethodError(ErrorCodes.Internal, `Internal error: ${withoutServerPaths(cause?.message ?? String(err), scope)}`, undefined, detail);
}

const who = (ctx: Context, p: { actor?: string }): Actor => (p.actor ? { ...ctx.who, actor: p.actor } : ctx.who);
const asArray = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
/** Drops the fields that are not changes (id, version, actor) from update params. */
function changesOf<T extends { id: string; expectedVersion: number; actor?: string }>(p: T) {
  const { id: _id, expectedVersion: _v, actor: _a, ...changes } = p;
  return changes;
}

type Handlers = { [M in MethodName]: (store: Store, p: Params<M>, ctx: Context) => Promise<unknown> };

const handlers: Handlers = {
  ...backupHandlers,
  ...syncHandlers,
  'store.info': async (store, _p, ctx) => ({
    cairnVersion: CAIRN_VERSION,
    storeDir: store.dir,
    databaseFile: store.file,
    schemaVersion: store.migration.to,
    readOnly: store.readOnly,
    vecVersion: store.vecVersion,
    lastSeq: await store.lastEventSeq(),
    taskCounts: await countTasks(store.orm),
    noteCount: await countNotes(store),
    embedder: await storeEmbedderSpec(store),
    actor: ctx.who.actor,
    source: ctx.who.source,
  }),
  'store.health': (store) => store.health(),
  'projects.list': (store) => store.read((orm) => listProjects(orm)),
  'projects.get': (store, p) => getProject(store.orm, p.id),
  'projects.create': (store, p, ctx) => store.write((orm) => createProject(orm, who(ctx, p), p)),
  'projects.update': (store, p, ctx) => store.write((orm) => updateProject(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))),
  'projects.delete': (store, p, ctx) => store.write((orm) => deleteProject(orm, who(ctx, p), p.id, p.expectedVersion)),
  'sprints.list': (store, p) => listSprints(store.orm, p.projectId),
  'sprints.create': (store, p, ctx) => store.write((orm) => createSprint(orm, who(ctx, p), p)),
  'sprints.update': (store, p, ctx) => store.write((orm) => updateSprint(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))),
  'sprints.delete': (store, p, ctx) => store.write((orm) => deleteSprint(orm, who(ctx, p), p.id, p.expectedVersion)),
  'tasks.list': (store, p) => listTasks(store.orm, { ...p, status: asArray(p.status) }).then(revealTasks(store)),
  'tasks.get': (store, p) =>
    p.includeNotes
      ? store.read(async (orm) => ({ ...revealTaskRow(store, true)(await getTask(orm, p.id)), relatedNotes: await taskNotes(orm, p.id) }))
      : getTask(store.orm, p.id).then(revealTaskRow(store, true)),
  'tasks.notes': (store, p) => store.read((orm) => taskNotes(orm, p.taskId)),
  'notes.tasks': (store, p) => store.read((orm) => noteTasks(orm, p.note)),
  'codeLens.lookup': (store, p, ctx) => lookupCodeRefs(store, ctx.vaultDir, p),
  'tasks.create': (store, p, ctx) => store.write((orm) => createTask(orm, who(ctx, p), p)).then(revealTaskRow(store)),
  'tasks.update': (store, p, ctx) => store.write((orm) => updateTask(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))).then(revealTaskRow(store)),
  'tasks.delete': (store, p, ctx) => store.write((orm) => deleteTask(orm, who(ctx, p), p.id, p.expectedVersion)),
  'tasks.counts': (store) => countTasks(store.orm),
  'events.list': (store, p) => listEvents(store.orm, p),
  'knowledge.index': async (store, p, ctx) => {
    if (p.create) fs.mkdirSync(ctx.vaultDir, { recursive: true });
    else if (!fs.existsSync(ctx.vaultDir)) {
      throw new StoreError('not_found', `The vault folder ${ctx.vaultDir} does not exist. Create it (RPC: knowledge.index with create: true; CLI: cairn index --create), or point the vault path at an existing Obsidian vault.`, { vault: ctx.vaultDir });
    }
    return indexVault(store, ctx.vaultDir, who(ctx, p), { embedder: p.embedder ? parseEmbedderSpec(p.embedder) : undefined });
  },
  'knowledge.search': (store, p) => searchByMode(store, p.query, p.mode, p),
  'notes.links': (store, p) => noteLinksOf(store.orm, p.note),
  'notes.placeholders': (store) => placeholders(store.orm),
  'notes.resolve': (store, p, ctx) => resolveForEditor(store, ctx.vaultDir, p.from, p.kind, p.link),
  'notes.templates': async (_store, p, ctx) => listTemplates(ctx.vaultDir, checkVaultFolder(p.templatesFolder ?? DEFAULT_TEMPLATES_FOLDER, 'The templates folder')),
  'notes.create': (store, p, ctx) => createNote(store, ctx.vaultDir, who(ctx, p), p),
  'notes.daily': (store, p, ctx) => openDailyNote(store, ctx.vaultDir, who(ctx, p), p),
  'notes.createDecision': (store, p, ctx) => createDecision(store, ctx.vaultDir, who(ctx, p), p),
  'notes.renamePlan': (store, p, ctx) => planRename(store, ctx.vaultDir, p.note, p.newName),
  'notes.rename': (store, p, ctx) => renameNote(store, ctx.vaultDir, who(ctx, p), p.note, p.newName),
  'notes.list': (store, p) => listNotes(store, p),
  'notes.folders': (store, p) => listFolders(store, p.parent),
  'notes.orphans': (store, p) => listOrphans(store, p),
  'tags.list': (store) => listTags(store),
  'notes.createPlaceholder': (store, p, ctx) => createPlaceholderNote(store, ctx.vaultDir, who(ctx, p), p.target),
  'knowledge.indexPaths': (store, p, ctx) => indexChangedPaths(store, ctx.vaultDir, p.paths, who(ctx, p)),
  'agents.index': (store, p, ctx) => indexAgents(store, ctx.agentDirs, who(ctx, p)),
  'agents.list': (store) => store.read((orm) => listAgents(orm)),
  'agents.lint': (store) => store.read((orm) => agentDiagnostics(orm)),
  'agents.recordRun': (store, p, ctx) => {
    const { actor: _a, ...run } = p;
    return store.write((orm) => recordAgentRun(orm, who(ctx, p), run)).then(revealRun(store));
  },
  'agents.runs': (store, p) => listAgentRuns(store.orm, p).then(revealRuns(store)),
  ...cryptoHandlers,
  'graph.createEntities': (store, p, ctx) => createEntities(store, who(ctx, p), p.entities),
  'graph.createRelations': (store, p, ctx) => createRelations(store, who(ctx, p), p.relations),
  'graph.addObservations': (store, p, ctx) => addObservations(store, who(ctx, p), p.observations),
  'graph.deleteEntities': (store, p, ctx) => deleteEntities(store, who(ctx, p), p.entityNames),
  'graph.deleteObservations': (store, p, ctx) => deleteObservations(store, who(ctx, p), p.deletions),
  'graph.deleteRelations': (store, p, ctx) => deleteRelations(store, who(ctx, p), p.relations),
  'graph.read': (store, p) => readGraph(store, p),
  'graph.search': (store, p) => searchNodes(store, p.query, p.limit),
  'graph.open': (store, p) => openNodes(store, p.names),
  'graph.neighbours': (store, p) => neighbours(store, p.node, p.depth),
  'graph.path': (store, p) => shortestPath(store, p.from, p.to, p.maxDepth),
  'graph.mostConnected': (store, p) => mostConnected(store, p.limit),
};

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/** Validates params and runs a method; failures come out as MethodError. */
export async function invoke(ctx: Context, method: string, rawParams: unknown, signal?: AbortSignal): Promise<unknown> {
  if (!isMethod(method)) throw new MethodError(ErrorCodes.MethodNotFound, `Unknown method "${method}". Methods: ${METHOD_NAMES.join(', ')}.`);
  const params = rawParams === undefined || rawParams === null ? {} : rawParams;
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new MethodError(ErrorCodes.InvalidParams, `Invalid params for ${method}: params must be a JSON object with named fields, not ${Array.isArray(params) ? 'an array' : typeof params}.`);
  }
  const parsed = methods[method].safeParse(params);
  if (!parsed.success) throw new MethodError(ErrorCodes.InvalidParams, describeIssues(method, parsed.error));
  const restoring = !ctx.store && ctx.openForRestore && RESTORING.has(method);
  // Listing the backups or a dry run must not move a damaged database aside; restoring does (Store.open's forRestore).
  const looking = method === 'backup.history' || (parsed.data as { dryRun?: boolean }).dryRun === true;
  const store = restoring ? await ctx.openForRestore!({ checkAtOpen: looking ? 'never' : 'always' }).catch((err) => Promise.reject(toMethodError(err))) : ctx.store;
  if (!store) throw toMethodError(ctx.storeError ?? new StoreError('store_unavailable', 'The store is not open.'));
  try {
    const handler = handlers[method] as (store: Store, p: unknown, ctx: Context) => Promise<unknown>;
    await recheckHeldKey(store.orm); // a restore or sync (here or in another process) may have replaced the key set
    return await handler(store, parsed.data, signal ? { ...ctx, signal } : ctx);
  } catch (err) {
    throw toMethodError(err, { method, params, roots: [[ctx.vaultDir, 'vault'], [store.dir, 'store folder']] });
  } finally {
    if (restoring) await store.close().catch(() => undefined);
  }
}

/** Methods that change the store (their success means a store.changed notification is due). */
export const isWrite = (method: string) => /\.(create\w*|update|delete\w*|add\w+|index\w*|recordRun|daily|rename|restore|erase|init|unlock|changePassphrase)$|^(sync\.run|conflicts\.resolve)$/.test(method);
