// How a request runs: validate the params with the method's schema, then its handler (the one method table,
// methodTable.ts). The RPC server, the CLI and MCP all call `invoke`, so they cannot drift apart.
import type { Actor } from '../store/events';
import { StoreError, storeErrorOf, underlying, type StoreErrorKind } from '../store/errors';
import type { Store, StoreOptions } from '../store/store';
import { recheckHeldKey } from '../store/crypto/keys';
import { explainSystemError, withoutServerPaths, type ErrorScope } from './systemErrors';
import { describeIssues, ErrorCodes } from './protocol';
import { methodDef, methodNames } from './methodTable';

export { isMethod, isWrite, methodNames } from './methodTable';

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
  /** The client asked to change nothing (cairn mcp --read-only): methods with side effects of their own skip them. */
  readOnly?: boolean;
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

/** Validates params and runs a method; failures come out as MethodError. */
export async function invoke(ctx: Context, method: string, rawParams: unknown, signal?: AbortSignal): Promise<unknown> {
  const def = methodDef(method);
  if (!def) throw new MethodError(ErrorCodes.MethodNotFound, `Unknown method "${method}". Methods: ${methodNames().join(', ')}.`);
  const params = rawParams === undefined || rawParams === null ? {} : rawParams;
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new MethodError(ErrorCodes.InvalidParams, `Invalid params for ${method}: params must be a JSON object with named fields, not ${Array.isArray(params) ? 'an array' : typeof params}.`);
  }
  const parsed = def.params.safeParse(params);
  if (!parsed.success) throw new MethodError(ErrorCodes.InvalidParams, describeIssues(method, parsed.error));
  const restoring = !ctx.store && ctx.openForRestore && RESTORING.has(method);
  // Listing the backups or a dry run must not move a damaged database aside; restoring does (Store.open's forRestore).
  const looking = method === 'backup.history' || (parsed.data as { dryRun?: boolean }).dryRun === true;
  const store = restoring ? await ctx.openForRestore!({ checkAtOpen: looking ? 'never' : 'always' }).catch((err) => Promise.reject(toMethodError(err))) : ctx.store;
  if (!store && !def.storeless) throw toMethodError(ctx.storeError ?? new StoreError('store_unavailable', 'The store is not open.'));
  try {
    if (store) await recheckHeldKey(store.orm); // a restore or sync (here or in another process) may have replaced the key set
    const vectorless = typeof def.vectorless === 'function' ? def.vectorless(parsed.data) : def.vectorless;
    if (store && !vectorless) await store.loadVec(); // at once when the store loaded it at open
    return await def.handler(store as Store, parsed.data, signal ? { ...ctx, signal } : ctx); // a storeless method may get none
  } catch (err) {
    throw toMethodError(err, { method, params, roots: [[ctx.vaultDir, 'vault'], ...(store ? [[store.dir, 'store folder'] as [string, string]] : [])] });
  } finally {
    if (restoring) await store!.close().catch(() => undefined);
  }
}
