import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultStoreDir } from '../store/location';

/** A folder setting: absolute, ~/…, or relative to the first workspace folder (the home folder when none is open). */
export function resolveFolderSetting(setting: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const expanded = setting === '~' || setting.startsWith('~/') ? path.join(os.homedir(), setting.slice(1)) : setting;
  return path.isAbsolute(expanded) ? expanded : path.resolve(folder ?? os.homedir(), expanded);
}

/** The store folder: setting cairn.storePath (absolute, ~/…, or relative to the first workspace folder), else the default. */
export function resolveStoreDir(): string {
  const setting = vscode.workspace.getConfiguration('cairn').get<string>('storePath')?.trim();
  if (!setting) return defaultStoreDir(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  return resolveFolderSetting(setting);
}

/** The knowledge vault folder: setting cairn.vaultPath (same forms as cairn.storePath), else `<store>/vault`. */
export function resolveVaultDir(storeDir: string = resolveStoreDir()): string {
  const setting = vscode.workspace.getConfiguration('cairn').get<string>('vaultPath')?.trim();
  if (!setting) return path.join(storeDir, 'vault');
  return resolveFolderSetting(setting);
}

/**
 * The folders of Claude Code agent files, in precedence order: setting cairn.agentPaths, else the workspace's
 * `.claude/agents` and the user's `~/.claude/agents` (as Claude Code itself reads them).
 */
export function resolveAgentDirs(): string[] {
  const setting = vscode.workspace.getConfiguration('cairn').get<string[]>('agentPaths') ?? [];
  const configured = setting.map((s) => (typeof s === 'string' ? s.trim() : '')).filter(Boolean);
  if (configured.length) return configured.map(resolveFolderSetting);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return [...(folder ? [path.join(folder, '.claude', 'agents')] : []), path.join(os.homedir(), '.claude', 'agents')];
}
