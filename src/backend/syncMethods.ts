// The sync methods' handlers (sync.run, conflicts.*), spread into methods.ts's handler table.
import type { z } from 'zod';
import type { Store } from '../store/store';
import type { BackupEnv, BackupSettings } from '../sync/backup';
import { conflictList, resolveConflict } from '../sync/resolve';
import { runSync } from '../sync/sync';
import { SYNC_PROGRESS, type syncMethods } from './syncProtocol';
import type { Context } from './methods';

type SyncMethods = typeof syncMethods;
type Handlers = { [M in keyof SyncMethods]: (store: Store, p: z.infer<SyncMethods[M]>, ctx: Context) => Promise<unknown> };

const envOf = (store: Store, ctx: Context): BackupEnv => ({ store, vaultDir: ctx.vaultDir, agentDirs: ctx.agentDirs, who: ctx.who });
const settingsOf = (p: BackupSettings): BackupSettings => ({ repo: p.repo, includeVault: p.includeVault, includeAgents: p.includeAgents, exclude: p.exclude, allow: p.allow, privateNotes: p.privateNotes });

export const syncHandlers: Handlers = {
  'sync.run': (store, p, ctx) => runSync({ ...envOf(store, ctx), signal: ctx.signal, onSyncProgress: (progress) => ctx.notify?.(SYNC_PROGRESS, progress) }, { ...settingsOf(p), maxAttempts: p.maxAttempts, allowPrivateHistory: p.allowPrivateHistory, freshHistory: p.freshHistory, allowMassDelete: p.allowMassDelete }),
  'conflicts.list': (store, p, ctx) => conflictList(envOf(store, ctx), {}, p.status ?? 'open', p.limit ?? 500),
  'conflicts.resolve': (store, p, ctx) => resolveConflict(envOf(store, ctx), {}, p.id, p.choice, p.value),
};
