// Markdown editing in the vault: the language features (completion, go-to-definition, hover) and the note commands
// (New Note, Open Daily Note, New Decision Record, Rename Note), and links that follow a note renamed in the
// Explorer. One registration for extension.ts.
import type * as vscode from 'vscode';
import { registerNoteCommands, type NoteCommandDeps } from './commands';
import { registerMarkdownProviders } from './providers';
import { registerRenameParticipant } from './renameParticipant';

export function registerMarkdownEditing(d: NoteCommandDeps): vscode.Disposable[] {
  return [...registerMarkdownProviders(d.backend), ...registerNoteCommands(d), registerRenameParticipant(d.backend, d.log)];
}
