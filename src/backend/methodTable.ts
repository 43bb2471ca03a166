// The backend's one method table: every method, defined once in its feature's folder. JSON-RPC (server.ts), the CLI
// (cli.ts), MCP and docs/protocol.md's method index (protocolDoc.ts) are views of it. A feature's module (its zod
// schemas and the store code its handlers call) loads when one of its methods is first looked up, so a CLI command
// pays for its own feature only: loading every feature cost each `cairn` call ~50 ms. The docs, MCP's tools/list and
// the fuzzers look at every method and load them all. The types are the same as an eager table's (import type).
import type { z } from 'zod';
import type { agentMethods } from './features/agents/methods';
import type { backupMethods } from './features/backup/methods';
import type { cryptoMethods } from './features/crypto/methods';
import type { MethodDef } from './features/define';
import type { graphMethods } from './features/graph/methods';
import type { knowledgeMethods } from './features/knowledge/methods';
import type { memoryMethods } from './features/memory/methods';
import type { metricsMethods } from './features/metrics/methods';
import type { sessionMethods } from './features/sessions/methods';
import type { noteMethods } from './features/notes/methods';
import type { projectMethods } from './features/projects/methods';
import type { storeMethods } from './features/store/methods';
import type { syncMethods } from './features/sync/methods';
import type { taskMethods } from './features/tasks/methods';

type MethodTable = typeof storeMethods &
  typeof projectMethods &
  typeof taskMethods &
  typeof knowledgeMethods &
  typeof noteMethods &
  typeof graphMethods &
  typeof memoryMethods &
  typeof sessionMethods &
  typeof agentMethods &
  typeof metricsMethods &
  typeof cryptoMethods &
  typeof backupMethods &
  typeof syncMethods;

interface Feature {
  title: string;
  /** Its methods' name prefixes (before the first dot), or whole names that another prefix would miss: where a
   * lookup looks first. Only a hint: a name found in no hinted feature is looked for in all of them. */
  names: string[];
  load: () => Record<string, MethodDef>;
}

// require() (bundled by esbuild, each module initialised on first call) is what defers a feature's module.
/* eslint-disable @typescript-eslint/no-require-imports */
/** The features in the order docs/protocol.md lists them. */
const FEATURE_LIST: Feature[] = [
  { title: 'Store', names: ['store', 'events', 'activity'], load: () => require('./features/store/methods').storeMethods },
  { title: 'Projects and sprints', names: ['projects', 'sprints'], load: () => require('./features/projects/methods').projectMethods },
  { title: 'Tasks', names: ['tasks', 'codeLens', 'notes.tasks'], load: () => require('./features/tasks/methods').taskMethods },
  { title: 'Knowledge', names: ['knowledge', 'context'], load: () => require('./features/knowledge/methods').knowledgeMethods },
  { title: 'Notes', names: ['notes', 'tags'], load: () => require('./features/notes/methods').noteMethods },
  { title: 'Graph', names: ['graph'], load: () => require('./features/graph/methods').graphMethods },
  { title: 'Memory', names: ['memory'], load: () => require('./features/memory/methods').memoryMethods },
  { title: 'Sessions', names: ['sessions'], load: () => require('./features/sessions/methods').sessionMethods },
  { title: 'Agents', names: ['agents'], load: () => require('./features/agents/methods').agentMethods },
  { title: 'Metrics', names: ['metrics'], load: () => require('./features/metrics/methods').metricsMethods },
  { title: 'Encryption', names: ['crypto'], load: () => require('./features/crypto/methods').cryptoMethods },
  { title: 'Backup', names: ['backup'], load: () => require('./features/backup/methods').backupMethods },
  { title: 'Sync', names: ['sync', 'conflicts'], load: () => require('./features/sync/methods').syncMethods },
];
/* eslint-enable @typescript-eslint/no-require-imports */

const loaded = new Map<Feature, Record<string, MethodDef>>();

function methodsOf(feature: Feature): Record<string, MethodDef> {
  let methods = loaded.get(feature);
  if (!methods) loaded.set(feature, (methods = feature.load()));
  return methods;
}

const hinted = (name: string): Feature[] => FEATURE_LIST.filter((f) => f.names.includes(name) || f.names.includes(name.split('.')[0]!));

/** The features a lookup of `name` looks in first, by title (a test checks that each method's is its own feature). */
export const hintedFeatures = (name: string): string[] => hinted(name).map((f) => f.title);

/** Method `name`'s definition, loading the features its name hints at first; undefined when there is no such method. */
export function methodDef(name: string): MethodDef | undefined {
  for (const feature of [...hinted(name), ...FEATURE_LIST]) {
    const methods = methodsOf(feature);
    if (Object.prototype.hasOwnProperty.call(methods, name)) return methods[name];
  }
  return undefined;
}

/** The features in the order docs/protocol.md lists them, each with its methods (loads them all). */
export function features(): [string, Record<string, MethodDef>][] {
  return FEATURE_LIST.map((f) => [f.title, methodsOf(f)]);
}

/** Every method by name (loads every feature). */
export function allMethods(): MethodTable {
  return Object.assign({}, ...FEATURE_LIST.map(methodsOf)) as MethodTable;
}

export type MethodName = keyof MethodTable;
export type Params<M extends MethodName> = z.infer<MethodTable[M]['params']>;
export type ParamsInput<M extends MethodName> = z.input<MethodTable[M]['params']>;

/** Every method's name (loads every feature). */
export const methodNames = (): MethodName[] => Object.keys(allMethods()) as MethodName[];

export function isMethod(name: string): name is MethodName {
  return methodDef(name) !== undefined;
}

/** Methods that change the store (their success means a store.changed notification is due). */
export const isWrite = (name: string): boolean => methodDef(name)?.writes === true;
