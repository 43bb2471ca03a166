// Parameter schemas of the backup methods (backup.*), spread into protocol.ts's `methods`.
import { z } from 'zod';
import { pathParam } from './pathParam';

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

const ref = z.string({ error: 'ref must be a commit (see backup.history)' }).trim().min(1, 'ref must not be empty').max(200);

export const backupMethods = {
  'backup.run': z.strictObject({ full: z.boolean().optional(), allowMassDelete, ...backupSettings }),
  'backup.restore': z.strictObject({ ref, dryRun: z.boolean().optional(), includeErased: z.boolean({ error: 'includeErased must be true or false' }).optional(), ...backupSettings }),
  'backup.history': z.strictObject({ limit: z.number().int().min(1).max(10_000).optional(), repo: backupSettings.repo }),
  'backup.remote.set': z.strictObject({ url: z.string({ error: 'url must be a string' }).trim().min(1, 'url must not be empty').max(4096), check: z.boolean().optional(), repo: backupSettings.repo }),
  'backup.remote.get': z.strictObject({ check: z.boolean().optional(), repo: backupSettings.repo }),
  'backup.remote.remove': z.strictObject({ repo: backupSettings.repo }),
} as const;

/** Notification sent while a backup or restore runs (phase, and done/total where known). */
export const BACKUP_PROGRESS = 'backup.progress';
