// The cairn.backup.* settings, read afresh for each request so a change applies to the next backup without a
// restart, and turned into the backup methods' parameters (src/backend/features/backup/methods.ts).
import * as vscode from 'vscode';
import { resolveFolderSetting } from '../storePath';

export type PrivateNotesPolicy = 'auto' | 'exclude' | 'include';

/** What every backup.* request carries. */
export interface BackupParams {
  repo?: string;
  includeVault: boolean;
  includeAgents: boolean;
  exclude: string[];
  allow: string[];
  privateNotes: PrivateNotesPolicy;
}

export interface Schedule {
  /** Minutes between automatic backups; 0 = off. */
  intervalMinutes: number;
  /** Minutes without a change after which changes are backed up; 0 = off. */
  idleMinutes: number;
  onShutdown: boolean;
}

const config = () => vscode.workspace.getConfiguration('cairn.backup');

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()) : []);

const minutes = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/** The backup repository folder, or undefined for the backend's default (`<store>/backup`). */
export function backupRepository(): string | undefined {
  const setting = config().get<string>('repository')?.trim();
  return setting ? resolveFolderSetting(setting) : undefined;
}

export function backupParams(): BackupParams {
  const c = config();
  const policy = c.get<string>('privateNotes');
  return {
    repo: backupRepository(),
    includeVault: c.get<boolean>('includeVault') ?? true,
    includeAgents: c.get<boolean>('includeAgents') ?? true,
    exclude: strings(c.get('exclude')),
    allow: strings(c.get('allow')),
    privateNotes: policy === 'exclude' || policy === 'include' ? policy : 'auto',
  };
}

export function schedule(): Schedule {
  const c = config();
  return { intervalMinutes: minutes(c.get('intervalMinutes')), idleMinutes: minutes(c.get('idleMinutes')), onShutdown: c.get<boolean>('onShutdown') ?? false };
}

/** The remote setting (empty: none configured in the settings). */
export function remoteSetting(): string {
  return config().get<string>('remote')?.trim() ?? '';
}

/** Clears the remote setting wherever it is set (else the next sync would set the remote again from it). */
export async function clearRemoteSetting(): Promise<void> {
  const set = config().inspect<string>('remote');
  if (set?.workspaceFolderValue !== undefined) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) await vscode.workspace.getConfiguration('cairn.backup', folder.uri).update('remote', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
  }
  if (set?.workspaceValue !== undefined) await config().update('remote', undefined, vscode.ConfigurationTarget.Workspace);
  if (set?.globalValue !== undefined) await config().update('remote', undefined, vscode.ConfigurationTarget.Global);
}

/** Saves the remote in the workspace settings when a folder is open, else in the user settings. */
export function saveRemoteSetting(url: string): Thenable<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  return config().update('remote', url, target);
}
