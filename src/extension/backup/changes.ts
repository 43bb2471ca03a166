// A backup's change opened side by side, as GitLens opens a commit's file: the row (field by field) or the file as
// the backup before had it, against this backup's. Both sides are read from the backup repository
// (backup.item) through a read-only `cairn-backup:` document; a side that did not exist is empty.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatDate, type ChangeTarget } from '../../views/backupHistoryTree';
import type { BackendClient } from '../backendClient';
import { backupRepository } from './settings';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

const SCHEME = 'cairn-backup';
const NONE = 'none'; // the side before the first backup

function sideUri(commit: string | null, item: ChangeTarget['item']): vscode.Uri {
  // The path ends in the row's or file's name (the editor tab's title, and its language by extension).
  const name = 'path' in item ? item.path : `${item.table}/${encodeURIComponent(item.key)}.json`;
  const query = new URLSearchParams('path' in item ? { path: item.path } : { table: item.table, key: item.key }).toString();
  return vscode.Uri.from({ scheme: SCHEME, path: `/${commit ?? NONE}/${name}`, query });
}

export function registerBackupChanges(backend: BackendClient, messages: Messages): vscode.Disposable[] {
  const command = safeCommands(messages);
  const documents: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const commit = uri.path.split('/')[1];
      if (!commit || commit === NONE) return '';
      const q = new URLSearchParams(uri.query);
      const item = q.has('path') ? { path: q.get('path')! } : { table: q.get('table') ?? '', key: q.get('key') ?? '' };
      return (await backend.request<'backup.item', string | null>('backup.item', { ref: commit, ...item, repo: backupRepository() })) ?? '';
    },
  };

  return [
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    command('cairn.openBackupChange', async (target?: unknown) => {
      const t = target as ChangeTarget | undefined;
      if (!t || typeof t.commit !== 'string' || !t.item || typeof t.item !== 'object') throw new Error('Open Backup Change is opened from a change listed under a backup in the Backup History view.');
      const name = 'path' in t.item ? path.posix.basename(t.item.path) : `${t.item.table.replace(/_/g, ' ')} ${t.item.label ? `“${t.item.label}”` : t.item.key}`;
      const title = `${name} (${t.parent ? 'backup before' : 'nothing'} ↔ backup of ${formatDate(t.date)})`;
      await vscode.commands.executeCommand('vscode.diff', sideUri(t.parent, t.item), sideUri(t.commit, t.item), title, { preview: true });
      return title;
    }),
  ];
}
