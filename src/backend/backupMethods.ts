// The backup methods' handlers (backup.*), spread into methods.ts's handler table.
import type { z } from 'zod';
import type { Store } from '../store/store';
import { repoDirOf, runBackup, type BackupEnv, type BackupSettings } from '../sync/backup';
import { backupHistory } from '../sync/history';
import { getRemote, removeRemote, setRemote } from '../sync/remote';
import { runRestore } from '../sync/restore';
import { BACKUP_PROGRESS, type backupMethods } from './backupProtocol';
import type { Context } from './methods';

type BackupMethods = typeof backupMethods;
type Handlers = { [M in keyof BackupMethods]: (store: Store, p: z.infer<BackupMethods[M]>, ctx: Context) => Promise<unknown> };

const settingsOf = (p: BackupSettings): BackupSettings => ({
  repo: p.repo,
  includeVault: p.includeVault,
  includeAgents: p.includeAgents,
  exclude: p.exclude,
  allow: p.allow,
  privateNotes: p.privateNotes,
});

const envOf = (store: Store, ctx: Context): BackupEnv => ({
  store,
  vaultDir: ctx.vaultDir,
  agentDirs: ctx.agentDirs,
  who: ctx.who,
  onProgress: (progress) => ctx.notify?.(BACKUP_PROGRESS, progress),
});

export const backupHandlers: Handlers = {
  // Cancellable ($/cancelRequest) until its commit; a restore is not (its own backups must not stop half-way).
  'backup.run': (store, p, ctx) => runBackup({ ...envOf(store, ctx), signal: ctx.signal }, settingsOf(p), { full: p.full, allowMassDelete: p.allowMassDelete }),
  'backup.restore': (store, p, ctx) => runRestore(envOf(store, ctx), settingsOf(p), p.ref, { dryRun: p.dryRun, includeErased: p.includeErased }),
  'backup.history': (store, p) => backupHistory(repoDirOf(store, p), p.limit ?? 50),
  'backup.remote.set': (store, p) => setRemote(repoDirOf(store, p), p.url, p.check ?? true),
  'backup.remote.get': (store, p) => getRemote(repoDirOf(store, p), p.check ?? false),
  'backup.remote.remove': (store, p) => removeRemote(repoDirOf(store, p)),
};
