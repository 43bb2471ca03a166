// What a backend method is: its params schema (zod), its handler, a one-line doc and whether it writes. Each feature
// folder holds its methods; methodTable.ts gathers them into the one table that JSON-RPC, the CLI, MCP and
// docs/protocol.md are views of.
import { z } from 'zod';
import type { Actor } from '../../store/events';
import type { Store } from '../../store/store';
import type { Context } from '../methods';
import { count, person, qualityScore } from '../../store/valueRules';

interface MethodFields<S extends z.ZodType> {
  /** One line: what the method does (the method index in docs/protocol.md and MCP tool descriptions). */
  doc: string;
  /** What it answers, as docs/protocol.md names the shape. */
  result: string;
  /** It changes something: the store (a store.changed notification follows), or files and repositories it names;
   * read-only transports do not offer it. */
  writes?: boolean;
  /** It reads only files its params name, never the store: it runs without one (the CLI opens none, and a backend
   * whose store could not be opened still answers it); its handler is then given no store. */
  storeless?: boolean;
  /** It never touches the vector tables (sqlite-vec's vec0), not even through a trigger: a store opened without
   * sqlite-vec (the CLI's: loading it costs every command's start) runs it as it is. Every other method loads
   * sqlite-vec first, so a method that leaves this out is only slower to start, never wrong. A function decides by the
   * params (a search by words alone). */
  vectorless?: boolean | ((p: z.infer<S>) => boolean);
  handler: (store: Store, p: z.infer<S>, ctx: Context) => Promise<unknown>;
}

export interface MethodDef<S extends z.ZodType = z.ZodType> extends MethodFields<S> {
  /** Its params schema, built when first read (see `method`). */
  readonly params: S;
}

/** A method as its feature writes it: the params schema behind a function, which `method` calls once, when needed. */
export interface MethodSpec<S extends z.ZodType> extends MethodFields<S> {
  params: () => S;
}

/**
 * Keeps the params type of each handler tied to its schema, and builds the schema only when the method is first
 * used: a feature's module defines dozens of methods, and building all their zod schemas when it loads cost every
 * CLI call ~5–10 ms for the one method it runs.
 */
export function method<S extends z.ZodType>(spec: MethodSpec<S>): MethodDef<S> {
  const { params, ...fields } = spec;
  let schema: S | undefined;
  return Object.defineProperty(fields, 'params', { get: () => (schema ??= params()), enumerable: true }) as MethodDef<S>;
}

// Shared fields are getters, so that spreading them into a method's params (built when first used) builds them.
/** Fields every write accepts: who is making the change (defaults to the backend's own actor). */
export const writer = {
  get actor() {
    return person('actor').optional();
  },
};

/** What a run cost and how it went: agents.recordRun and tasks.complete take the same. */
export const runMeasures = {
  get durationMs() {
    return count('durationMs').optional();
  },
  get tokensIn() {
    return count('tokensIn').optional();
  },
  get tokensOut() {
    return count('tokensOut').optional();
  },
  get qualityScore() {
    return qualityScore.optional();
  },
  get errors() {
    return count('errors').optional();
  },
};

/** The actor of a write: the `actor` param when given, else the backend's. */
export const who = (ctx: Context, p: { actor?: string }): Actor => (p.actor ? { ...ctx.who, actor: p.actor } : ctx.who);

/** A page's size (1 to `max`, `dflt` when left out) and where it starts: the paging params of list methods. */
export const pageLimit = (max: number, dflt: number) => z.number({ error: `limit must be a whole number from 1 to ${max}` }).int().min(1).max(max).default(dflt);
export const pageOffset = z.number({ error: 'offset must be a whole number' }).int().min(0).default(0);

export const expectedVersion = z.number({ error: 'expectedVersion must be the version number you read' }).int().positive();

/** Drops the fields that are not changes (id, version, actor) from update params. */
export function changesOf<T extends { id: string; expectedVersion: number; actor?: string }>(p: T) {
  const { id: _id, expectedVersion: _v, actor: _a, ...changes } = p;
  return changes;
}
