// The RPC side of encryption, export and erase: handlers for crypto.*, store.export and projects.erase, and the
// reveal step every task and agent-run answer goes through (plaintext when unlocked, a locked marker otherwise).
import { revealAgentRun, revealTask } from '../store/crypto/fields';
import { changePassphrase, initKeys, keyStatus, lock, parseKeychainKey, unlock } from '../store/crypto/keys';
import { eraseProject } from '../store/erase';
import { exportJson, exportMarkdown } from '../store/export';
import type { Actor } from '../store/events';
import type { AgentRunRow, TaskRow } from '../store/schema';
import type { Store } from '../store/store';
import type { Context } from './methods';
import type { Params } from './protocol';

export const revealTaskRow =
  (store: Store, strict = false) =>
  <T extends TaskRow>(row: T) =>
    revealTask(store.orm, row, strict);
export const revealTasks = (store: Store) => (rows: TaskRow[]) => rows.map((r) => revealTask(store.orm, r));
export const revealRun = (store: Store) => (row: AgentRunRow) => revealAgentRun(store.orm, row, true);
export const revealRuns = (store: Store) => (rows: AgentRunRow[]) => rows.map((r) => revealAgentRun(store.orm, r));

const who = (ctx: Context, p: { actor?: string }): Actor => (p.actor ? { ...ctx.who, actor: p.actor } : ctx.who);
const keychain = (encoded: string | undefined) => (encoded ? parseKeychainKey(encoded) : undefined);

type Handler<M extends keyof CryptoParams> = (store: Store, p: CryptoParams[M], ctx: Context) => Promise<unknown>;
type CryptoParams = {
  'crypto.status': Params<'crypto.status'>;
  'crypto.init': Params<'crypto.init'>;
  'crypto.unlock': Params<'crypto.unlock'>;
  'crypto.lock': Params<'crypto.lock'>;
  'crypto.changePassphrase': Params<'crypto.changePassphrase'>;
  'store.export': Params<'store.export'>;
  'projects.erase': Params<'projects.erase'>;
};

export const cryptoHandlers: { [M in keyof CryptoParams]: Handler<M> } = {
  'crypto.status': (store) => keyStatus(store.orm),
  'crypto.init': (store, p, ctx) => store.write((orm) => initKeys(orm, who(ctx, p), p.passphrase, keychain(p.keychainKey))),
  'crypto.unlock': (store, p, ctx) => store.write((orm) => unlock(orm, who(ctx, p), { passphrase: p.passphrase, keychainKey: keychain(p.keychainKey) })),
  'crypto.lock': async (store) => {
    lock(store.orm);
    return keyStatus(store.orm);
  },
  'crypto.changePassphrase': (store, p, ctx) => store.write((orm) => changePassphrase(orm, who(ctx, p), p.oldPassphrase, p.newPassphrase)),
  'store.export': (store, p) => store.read<unknown>((orm) => (p.format === 'markdown' ? exportMarkdown(orm, p.projectId) : exportJson(orm, p.projectId))),
  'projects.erase': (store, p, ctx) => eraseProject(store, who(ctx, p), p.id),
};
