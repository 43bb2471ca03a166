// The note commands: New Note (from a template), Open Daily Note, New Decision Record and Rename Note. The backend
// makes the files (src/store/knowledge/newNotes.ts: never overwriting, indexed at once); Rename Note asks it for the
// link edits (notes.renamePlan) and applies them with the file rename as one WorkspaceEdit marked as needing
// confirmation, so VS Code shows it in the Refactor Preview first. Given arguments (tests, other extensions, key
// bindings) a command asks nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCodes } from '../../backend/protocol';
import type { NewNoteResult } from '../../store/knowledge/newNotes';
import { checkNoteName, checkVaultFolder } from '../../store/knowledge/noteFiles';
import type { RenamePlan } from '../../store/knowledge/rename';
import type { TemplateFile } from '../../store/knowledge/templates';
import { BackendError, type BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { vaultPathOf } from './providers';
import { renamesInProgress } from './renameParticipant';
import { isOptions, safeCommands } from '../safeCommand';

export interface NoteCommandDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

/** Settings of the note commands, read when a command runs (so a change applies at once). */
function settings() {
  const c = vscode.workspace.getConfiguration('cairn');
  const text = (key: string, fallback: string) => c.get<string>(key)?.trim() || fallback;
  return {
    templatesFolder: text('templatesFolder', 'templates'),
    dailyFolder: text('dailyNotes.folder', 'daily'),
    dailyFormat: text('dailyNotes.format', 'YYYY-MM-DD'),
    dailyTemplate: c.get<string>('dailyNotes.template')?.trim() || undefined,
    decisionsFolder: text('decisionsFolder', 'decisions'),
  };
}

/** Input-box validation with the store's own rules, so the box and the backend agree. */
function validateName(value: string): string | undefined {
  try {
    const slash = value.replace(/\\/g, '/').lastIndexOf('/');
    if (slash !== -1) checkVaultFolder(value.slice(0, slash), 'The folder');
    checkNoteName(slash === -1 ? value : value.slice(slash + 1));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function validateTitle(value: string): string | undefined {
  try {
    checkNoteName(value, 'The note title');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}


function optionalString(options: Record<string, unknown>, key: string, command: string): string | undefined {
  const v = options[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`${command}: ${key} must be a string.`);
  return v;
}

export function registerNoteCommands(d: NoteCommandDeps): vscode.Disposable[] {
  const { backend, messages, log } = d;
  const command = safeCommands(messages);
  const uriOf = (rel: string) => vscode.Uri.file(path.join(backend.vault, ...rel.split('/')));

  async function open(result: NewNoteResult): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(result.absPath));
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(end, end), preview: false });
  }

  /** The template picked (none: a blank note); without templates, nothing is asked and `why` says so. */
  async function pickTemplate(templatesFolder: string): Promise<{ template?: string; why?: string } | undefined> {
    type Item = vscode.QuickPickItem & { template?: string };
    const blank: Item = { label: '$(file) Blank note', description: 'no template' };
    let templates: TemplateFile[] = [];
    try {
      templates = await backend.request<'notes.templates', TemplateFile[]>('notes.templates', { templatesFolder });
    } catch (err) {
      if (!(err instanceof BackendError && err.code === ErrorCodes.NotFound)) throw err;
      return { why: `no templates folder "${templatesFolder}" in the vault (setting cairn.templatesFolder)` };
    }
    if (!templates.length) return { why: `no templates in "${templatesFolder}" yet` };
    const picked = await vscode.window.showQuickPick<Item>([blank, ...templates.map((t) => ({ label: `$(note) ${t.name}`, description: t.path, template: t.name }))], {
      title: 'Cairn: New Note',
      placeHolder: 'Pick a template',
    });
    return picked && { template: picked.template };
  }

  async function newNote(raw?: unknown): Promise<NewNoteResult | undefined> {
    if (raw !== undefined && !isOptions(raw)) throw new Error('New Note takes no argument, or { title, template?, folder? }.');
    const options = raw ?? {};
    const s = settings();
    let title = optionalString(options, 'title', 'New Note');
    let template = optionalString(options, 'template', 'New Note');
    const folder = optionalString(options, 'folder', 'New Note');
    if (title === undefined) {
      const picked = await pickTemplate(s.templatesFolder);
      if (!picked) return undefined;
      template = picked.template;
      const prompt = `The new note's title (its file name)${picked.why ? `; a blank note: ${picked.why}` : ''}`;
      title = await vscode.window.showInputBox({ title: 'Cairn: New Note', prompt, validateInput: validateTitle, ignoreFocusOut: true });
      if (title === undefined) return undefined;
    }
    const result = await backend.request<'notes.create', NewNoteResult>('notes.create', { title, template, templatesFolder: s.templatesFolder, folder });
    await open(result);
    return result;
  }

  async function openDailyNote(raw?: unknown): Promise<NewNoteResult | undefined> {
    if (raw !== undefined && !isOptions(raw)) throw new Error('Open Daily Note takes no argument, or { date: "YYYY-MM-DD" }.');
    const s = settings();
    const date = optionalString(raw ?? {}, 'date', 'Open Daily Note');
    const result = await backend.request<'notes.daily', NewNoteResult>('notes.daily', {
      date,
      folder: s.dailyFolder,
      format: s.dailyFormat,
      template: s.dailyTemplate,
      templatesFolder: s.templatesFolder,
    });
    await open(result);
    return result;
  }

  async function newDecision(raw?: unknown): Promise<NewNoteResult | undefined> {
    if (raw !== undefined && !isOptions(raw)) throw new Error('New Decision Record takes no argument, or { title }.');
    let title = optionalString(raw ?? {}, 'title', 'New Decision Record');
    if (title === undefined) {
      title = await vscode.window.showInputBox({
        title: 'Cairn: New Decision Record',
        prompt: 'What was decided (the record is numbered and named after it)',
        placeHolder: 'Use SQLite for the store',
        validateInput: (v) => (/[\p{L}\p{N}]/u.test(v) ? undefined : 'Type a title with letters or digits.'),
        ignoreFocusOut: true,
      });
      if (title === undefined) return undefined;
    }
    const result = await backend.request<'notes.createDecision', NewNoteResult>('notes.createDecision', { title, folder: settings().decisionsFolder });
    await open(result);
    return result;
  }

  /** Saves the vault's unsaved notes and re-indexes them, so the plan is made from what is on disk. */
  async function saveDirtyNotes(interactive: boolean): Promise<boolean> {
    const dirty = vscode.workspace.textDocuments.filter((doc) => doc.isDirty && vaultPathOf(backend.vault, doc.uri) !== undefined);
    if (!dirty.length) return true;
    if (interactive) {
      const choice = await vscode.window.showWarningMessage(`${dirty.length} note${dirty.length === 1 ? ' has' : 's have'} unsaved changes. Save before renaming, so their links are updated too?`, { modal: true }, 'Save and Rename');
      if (choice !== 'Save and Rename') return false;
    }
    for (const doc of dirty) if (!(await doc.save())) throw new Error(`Cannot save ${doc.uri.fsPath}; the note was not renamed.`);
    await backend.request('knowledge.indexPaths', { paths: dirty.map((doc) => doc.uri.fsPath) });
    return true;
  }

  /** The WorkspaceEdit of a plan: the link edits in `files` (default: all), then the file rename. */
  function workspaceEditOf(plan: RenamePlan, files: ReadonlySet<string> = new Set(plan.files)): vscode.WorkspaceEdit {
    const edit = new vscode.WorkspaceEdit();
    const links: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: false, label: 'Update links', description: `to ${plan.to}` };
    for (const e of plan.edits) if (files.has(e.path)) edit.replace(uriOf(e.path), new vscode.Range(e.line, e.character, e.endLine, e.endCharacter), e.newText, links);
    edit.renameFile(uriOf(plan.from), uriOf(plan.to), { overwrite: false }, { needsConfirmation: false, label: 'Rename note', description: `${plan.from} → ${plan.to}` });
    return edit;
  }

  /**
   * The notes whose links to update, confirmed by the user: every one ticked to start with, as VS Code's own renames
   * do (its Refactor Preview, which extensions can only open with every change unticked, would apply nothing when
   * accepted as shown). Undefined: cancelled.
   */
  async function confirmLinkUpdates(plan: RenamePlan): Promise<Set<string> | undefined> {
    if (plan.files.length === 0) return new Set();
    const counts = new Map<string, number>();
    for (const e of plan.edits) counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
    const items = plan.files.map((file) => ({ label: file, description: `${counts.get(file) ?? 0} link${counts.get(file) === 1 ? '' : 's'}`, picked: true, file }));
    const picked = await vscode.window.showQuickPick(items, {
      title: `Rename ${plan.from} → ${plan.to}`,
      placeHolder: 'Links to update in these notes (untick a note to leave its links as they are); Enter renames',
      canPickMany: true,
      ignoreFocusOut: true,
    });
    return picked && new Set(picked.map((item) => item.file));
  }

  async function renameNote(arg?: unknown): Promise<{ applied: boolean; plan: RenamePlan } | undefined> {
    // From the Explorer's context menu: (uri, selected uris). From code: ({ note?, newName?, preview? }).
    let options: Record<string, unknown> = {};
    let noteArg: vscode.Uri | string | undefined;
    if (arg instanceof vscode.Uri) noteArg = arg;
    else if (isOptions(arg)) {
      options = arg;
      noteArg = arg.note instanceof vscode.Uri ? arg.note : optionalString(arg, 'note', 'Rename Note');
    } else if (arg !== undefined) throw new Error('Rename Note takes no argument, a file, or { note, newName, preview }.');
    const uri = noteArg instanceof vscode.Uri ? noteArg : noteArg !== undefined ? (path.isAbsolute(noteArg) ? vscode.Uri.file(noteArg) : uriOf(noteArg)) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new Error('Open the note to rename first (or run Rename Note from its context menu in the Explorer).');
    const from = vaultPathOf(backend.vault, uri);
    if (!from || !/\.md$/i.test(from)) throw new Error(`${uri.fsPath} is not a note of the vault ${backend.vault} (setting cairn.vaultPath), so Cairn does not rename it.`);
    let newName = optionalString(options, 'newName', 'Rename Note');
    const interactive = newName === undefined;
    if (newName === undefined) {
      const current = path.posix.basename(from).replace(/\.md$/i, '');
      newName = await vscode.window.showInputBox({
        title: 'Cairn: Rename Note',
        prompt: `New name for ${from} (a folder/name moves it); every link to it is updated`,
        value: current,
        valueSelection: [0, current.length],
        validateInput: validateName,
        ignoreFocusOut: true,
      });
      if (newName === undefined || newName.trim() === current) return undefined;
    }
    if (!(await saveDirtyNotes(interactive))) return undefined;
    const plan = await backend.request<'notes.renamePlan', RenamePlan>('notes.renamePlan', { note: from, newName });
    const files = options.preview === false ? new Set(plan.files) : await confirmLinkUpdates(plan);
    if (!files) return undefined;
    const source = uriOf(plan.from).toString();
    renamesInProgress.add(source); // its links are in this edit: the rename participant stays out
    let applied: boolean;
    try {
      // Not marked isRefactoring: VS Code would then save the changed files itself, racing the save below.
      applied = await vscode.workspace.applyEdit(workspaceEditOf(plan, files));
    } finally {
      renamesInProgress.delete(source);
    }
    if (!applied) {
      void messages.warning(`Cairn: ${plan.from} was not renamed: VS Code did not apply the change (${plan.to} may exist already, or a note changed meanwhile). Try again.`);
      return { applied, plan };
    }
    // Edited notes stay open in the background with unsaved changes: save them, so the files and the index agree.
    const touched = new Set([...plan.files.filter((f) => f !== plan.from), plan.to].map((f) => uriOf(f).toString()));
    const unsaved: string[] = [];
    for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && touched.has(doc.uri.toString()) && !(await doc.save())) unsaved.push(doc.uri.fsPath);
    if (unsaved.length) void messages.warning(`Cairn: renamed ${plan.from} to ${plan.to}, but these notes with updated links could not be saved: ${unsaved.join(', ')}. Save them to keep the links.`);
    await backend.request('knowledge.indexPaths', { paths: [plan.from, plan.to, ...plan.files] });
    log.info(`Renamed ${plan.from} → ${plan.to}; ${plan.edits.length} links updated in ${plan.files.length} notes.`);
    return { applied, plan };
  }

  return [
    command('cairn.newNote', newNote),
    command('cairn.openDailyNote', openDailyNote),
    command('cairn.newDecision', newDecision),
    command('cairn.renameNote', renameNote),
  ];
}
