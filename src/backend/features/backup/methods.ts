// Backups to a git repository: run one, restore one, list them, and the repository's remote.
import { z } from 'zod';
import type { Store } from '../../../store/store';
import { repoDirOf, runBackup, type BackupEnv, type BackupSettings } from '../../../sync/backup';
import { backupChanges, backupItem } from '../../../sync/backupDiff';
import { backupHistory } from '../../../sync/history';
import { getRemote, removeRemote, setRemote } from '../../../sync/remote';
import { runRestore } from '../../../sync/restore';
import type { Context } from '../../methods';
import { pathParam } from '../../pathParam';
import { BACKUP_PROGRESS } from '../../protocol';
import { method } from '../define';

/** The backup settings a client passes with each call (the extension: from its settings; the CLI: from flags). */
export const backupSettings = {
  repo: pathParam(z.string().trim().min(1, 'repo must not be empty').max(4096), 'repo').optional(),
  includeVault: z.boolean().optional(),
  includeAgents: z.boolean().optional(),
  exclude: z.array(z.string().min(1).max(1000), { error: 'exclude must be a list of glob patterns' }).max(1000).optional(),
  allow: z.array(z.string().min(1).max(2000), { error: 'allow must be a list of finding fingerprints' }).max(1000).optional(),
  privateNotes: z.enum(['auto', 'exclude', 'include'], { error: 'privateNotes must be auto, exclude or include' }).optional(),
};

/** Commit (backup.run) or apply (sync.run) the removal of many rows that no logged deletion explains. */
export const allowMassDelete = z.boolean({ error: 'allowMassDelete must be true or false' }).optional();

export const settingsOf = (p: BackupSettings): BackupSettings => ({
  repo: p.repo,
  includeVault: p.includeVault,
  includeAgents: p.includeAgents,
  exclude: p.exclude,
  allow: p.allow,
  privateNotes: p.privateNotes,
});

export const envOf = (store: Store, ctx: Context): BackupEnv => ({ store, vaultDir: ctx.vaultDir, agentDirs: ctx.agentDirs, who: ctx.who });

const ref = z.string({ error: 'ref must be a commit (see backup.history)' }).trim().min(1, 'ref must not be empty').max(200);
const onProgress = (ctx: Context) => (progress: unknown) => ctx.notify?.(BACKUP_PROGRESS, progress);

export const backupMethods = {
  'backup.run': method({
    doc: 'Commits the store, the vault and the agent files to the backup repository (only what changed).',
    result: 'BackupResult',
    // Writes the backup repository (not the store): offered to no read-only client.
    writes: true,
    params: () => z.strictObject({ full: z.boolean().optional(), allowMassDelete, ...backupSettings }),
    // Cancellable ($/cancelRequest) until its commit.
    handler: (store, p, ctx) => runBackup({ ...envOf(store, ctx), onProgress: onProgress(ctx), signal: ctx.signal }, settingsOf(p), { full: p.full, allowMassDelete: p.allowMassDelete }),
  }),
  'backup.restore': method({
    doc: 'Brings the store, vault and agent files back to a backup; the event log keeps every event and records the restore.',
    result: 'RestoreResult',
    writes: true,
    params: () => z.strictObject({ ref, dryRun: z.boolean().optional(), includeErased: z.boolean({ error: 'includeErased must be true or false' }).optional(), ...backupSettings }),
    // Not cancellable: its own backups must not stop half-way.
    handler: (store, p, ctx) => runRestore({ ...envOf(store, ctx), onProgress: onProgress(ctx) }, settingsOf(p), p.ref, { dryRun: p.dryRun, includeErased: p.includeErased }),
  }),
  'backup.history': method({
    doc: 'The backups, newest first.',
    result: 'BackupCommit[]',
    params: () => z.strictObject({ limit: z.number().int().min(1).max(10_000).optional(), repo: backupSettings.repo }),
    handler: (store, p) => backupHistory(repoDirOf(store, p), p.limit ?? 50),
  }),
  'backup.changes': method({
    doc: 'What one backup changed against the one before it: rows per table (the fields of a changed row) and files.',
    result: 'BackupChanges',
    params: () => z.strictObject({ ref, limit: z.number().int().min(1).max(10_000).optional(), repo: backupSettings.repo }),
    handler: (store, p) => backupChanges(repoDirOf(store, p), p.ref, p.limit ?? 500),
  }),
  'backup.item': method({
    doc: "A row (table and key; as JSON, a field per line) or a file (its backup path, files/…) as it was in a backup; null where it did not exist.",
    result: 'string | null',
    params: () => z
      .strictObject({
        ref,
        table: z.string({ error: 'table must be a string' }).regex(/^[a-z_]+$/, 'table must be a table name').optional(),
        key: z.string({ error: 'key must be a string' }).min(1).max(2000).optional(),
        path: z.string({ error: 'path must be a string' }).min(1).max(4096).optional(),
        repo: backupSettings.repo,
      })
      .refine((p) => (p.path === undefined) === (p.table !== undefined && p.key !== undefined) && (p.table === undefined) === (p.key === undefined), { message: 'give either table and key (a row) or path (a file)' }),
    handler: (store, p) => backupItem(repoDirOf(store, p), p.ref, p.path !== undefined ? { path: p.path } : { table: p.table!, key: p.key! }),
  }),
  'backup.remote.set': method({
    doc: "Sets the backup repository's remote (checked unless told not to).",
    result: 'RemoteInfo',
    // Writes the backup repository (not the store): offered to no read-only client.
    writes: true,
    params: () => z.strictObject({ url: z.string({ error: 'url must be a string' }).trim().min(1, 'url must not be empty').max(4096), check: z.boolean().optional(), repo: backupSettings.repo }),
    handler: (store, p) => setRemote(repoDirOf(store, p), p.url, p.check ?? true),
  }),
  'backup.remote.get': method({
    doc: "The backup repository's remote, checked if asked.",
    result: 'RemoteInfo',
    params: () => z.strictObject({ check: z.boolean().optional(), repo: backupSettings.repo }),
    handler: (store, p) => getRemote(repoDirOf(store, p), p.check ?? false),
  }),
  'backup.remote.remove': method({
    doc: "Removes the backup repository's remote.",
    result: 'RemoteInfo',
    // Writes the backup repository (not the store): offered to no read-only client.
    writes: true,
    params: () => z.strictObject({ repo: backupSettings.repo }),
    handler: (store, p) => removeRemote(repoDirOf(store, p)),
  }),
};
