// Links follow a note or a folder renamed or moved any other way too (the Explorer's Rename, drag and drop, another
// extension's WorkspaceEdit): VS Code asks file-operation participants for edits before it renames, and this one
// answers with the same link edits Rename Note makes (notes.renamePlan; for a folder, every link to a note or file
// under it), which VS Code applies together with the rename (after asking the user, who can preview them). Renames
// made by Rename Note itself already carry their edits and are skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RenamePlan } from '../../store/knowledge/rename';
import type { BackendClient } from '../backendClient';
import { vaultPathOf } from './providers';

/** Notes (URI strings) Rename Note is renaming right now: their edits are in its own WorkspaceEdit. */
export const renamesInProgress = new Set<string>();

export function registerRenameParticipant(backend: BackendClient, log: vscode.LogOutputChannel): vscode.Disposable {
  const uriOf = (rel: string) => vscode.Uri.file(path.join(backend.vault, ...rel.split('/')));

  async function linkEdits(files: readonly { oldUri: vscode.Uri; newUri: vscode.Uri }[]): Promise<vscode.WorkspaceEdit> {
    const edit = new vscode.WorkspaceEdit();
    for (const { oldUri, newUri } of files) {
      if (renamesInProgress.has(oldUri.toString())) continue;
      const from = vaultPathOf(backend.vault, oldUri);
      const to = vaultPathOf(backend.vault, newUri);
      if (!from || !to) continue;
      // Before the rename, the old path is still there to tell a folder from a file.
      const folder = oldUri.scheme === 'file' && fs.statSync(oldUri.fsPath, { throwIfNoEntry: false })?.isDirectory() === true;
      if (!folder && (!/\.md$/i.test(from) || !/\.md$/i.test(to))) continue;
      try {
        const params = folder ? { note: `${from}/`, newName: `/${to}` } : { note: from, newName: `/${to.replace(/\.md$/i, '')}` };
        const plan = await backend.request<'notes.renamePlan', RenamePlan>('notes.renamePlan', params);
        const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: false, label: 'Update links', description: `to ${plan.to}${folder ? '/' : ''}` };
        for (const e of plan.edits) edit.replace(uriOf(e.path), new vscode.Range(e.line, e.character, e.endLine, e.endCharacter), e.newText, metadata);
        log.info(`${from} → ${to}: ${plan.edits.length} links updated in ${plan.files.length} notes.`);
      } catch (err) {
        // Not indexed, an unusable name…: the rename goes ahead, its links are not updated, the log says why.
        log.warn(`Links to ${from} were not updated for its rename to ${to}: ${(err as Error).message}`);
      }
    }
    return edit;
  }

  return vscode.workspace.onWillRenameFiles((e) => e.waitUntil(linkEdits(e.files)));
}
