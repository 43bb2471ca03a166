import * as vscode from 'vscode';
import type { TaskStatus } from '../store/schema';
import { STATUS_ICONS } from './statusIcons';

export { STATUS_ICONS };


export function statusIcon(status: TaskStatus): vscode.ThemeIcon {
  const s = STATUS_ICONS[status];
  return new vscode.ThemeIcon(s.icon, s.color ? new vscode.ThemeColor(s.color) : undefined);
}
