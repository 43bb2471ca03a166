// The backend's one method table: every method, defined once in its feature's folder. JSON-RPC (server.ts), the CLI
// (cli.ts), MCP and docs/protocol.md's method index (protocolDoc.ts) are views of it.
import type { z } from 'zod';
import { agentMethods } from './features/agents/methods';
import { backupMethods } from './features/backup/methods';
import { cryptoMethods } from './features/crypto/methods';
import type { MethodDef } from './features/define';
import { graphMethods } from './features/graph/methods';
import { knowledgeMethods } from './features/knowledge/methods';
import { memoryMethods } from './features/memory/methods';
import { noteMethods } from './features/notes/methods';
import { projectMethods } from './features/projects/methods';
import { storeMethods } from './features/store/methods';
import { syncMethods } from './features/sync/methods';
import { taskMethods } from './features/tasks/methods';

export const methodTable = {
  ...storeMethods,
  ...projectMethods,
  ...taskMethods,
  ...knowledgeMethods,
  ...noteMethods,
  ...graphMethods,
  ...memoryMethods,
  ...agentMethods,
  ...cryptoMethods,
  ...backupMethods,
  ...syncMethods,
};

/** The features in the order docs/protocol.md lists them. */
export const FEATURES: [string, Record<string, MethodDef>][] = [
  ['Store', storeMethods],
  ['Projects and sprints', projectMethods],
  ['Tasks', taskMethods],
  ['Knowledge', knowledgeMethods],
  ['Notes', noteMethods],
  ['Graph', graphMethods],
  ['Memory', memoryMethods],
  ['Agents', agentMethods],
  ['Encryption', cryptoMethods],
  ['Backup', backupMethods],
  ['Sync', syncMethods],
];

export type MethodName = keyof typeof methodTable;
export type Params<M extends MethodName> = z.infer<(typeof methodTable)[M]['params']>;
export type ParamsInput<M extends MethodName> = z.input<(typeof methodTable)[M]['params']>;

export const METHOD_NAMES = Object.keys(methodTable) as MethodName[];

export function isMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methodTable, name);
}

/** Methods that change the store (their success means a store.changed notification is due). */
export const isWrite = (name: string): boolean => isMethod(name) && (methodTable[name] as MethodDef).writes === true;
