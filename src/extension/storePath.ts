import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultStoreDir } from '../store/location';

/** The store folder: setting cairn.storePath (absolute, ~/…, or relative to the first workspace folder), else the default. */
export function resolveStoreDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const setting = vscode.workspace.getConfiguration('cairn').get<string>('storePath')?.trim();
  if (!setting) return defaultStoreDir(folder);
  const expanded = setting === '~' || setting.startsWith('~/') ? path.join(os.homedir(), setting.slice(1)) : setting;
  return path.isAbsolute(expanded) ? expanded : path.resolve(folder ?? os.homedir(), expanded);
}
