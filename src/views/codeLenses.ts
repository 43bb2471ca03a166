// Code lenses in source files: a comment naming a note (`[[Note]]`) gets "open the note", a comment holding a
// task id gets the task's title and status (click: reveal it in the Projects view), and the top of a file that
// vault notes link to gets "N notes mention this file" (click: pick one).
//
// Cost: the comment scan runs once per document version (cached by URI + version); a file over MAX_LINES lines or
// MAX_CHARS characters is skipped. The store is asked once per document and set of references, in one batched
// codeLens.lookup, reused across edits that leave the references as they were and dropped when the store changes.
// That lookup happens in provideCodeLenses, not resolveCodeLens: only it can tell which lenses mean something, and
// VS Code cannot drop a lens at resolve time (it would show an empty line or "!!MISSING: command!!"). What resolve
// does is build each lens's title and command, for the lenses in view only.
import * as vscode from 'vscode';
import type { CodeRefNote, CodeRefs, CodeRefsQuery, CodeRefTask, FileMention } from '../store/knowledge/codeRefs';
import { scanCommentRefs, type CommentRef } from './commentRefs';
import { STATUS_ICONS } from './taskPresentation';

export const MAX_LINES = 100_000;
export const MAX_CHARS = 5_000_000;

type LensData =
  | { kind: 'note'; note: CodeRefNote }
  | { kind: 'task'; task: CodeRefTask }
  | { kind: 'file'; mentions: FileMention[] };

export class CairnCodeLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly data: LensData,
  ) {
    super(range);
  }
}

export interface CodeLensDeps {
  lookup(query: CodeRefsQuery): Promise<CodeRefs>;
  enabled(doc: vscode.TextDocument): boolean;
  onError(err: Error): void;
}

interface Scan {
  version: number;
  /** null: too large to scan. */
  refs: CommentRef[] | null;
}

interface Lookup {
  /** The query, as JSON: a new version with the same references reuses the answer. */
  key: string;
  answer: Promise<CodeRefs>;
}

export const fileLensTitle = (n: number) => `$(references) ${n} note${n === 1 ? '' : 's'} mention${n === 1 ? 's' : ''} this file`;

export class CairnCodeLensProvider implements vscode.CodeLensProvider<CairnCodeLens>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly scans = new Map<string, Scan>();
  private readonly lookups = new Map<string, Lookup>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: CodeLensDeps) {}

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<CairnCodeLens[]> {
    if (doc.uri.scheme !== 'file' || !this.deps.enabled(doc)) return [];
    const refs = this.scan(doc);
    if (!refs) return [];
    let answer: CodeRefs;
    try {
      answer = await this.lookup(doc, refs);
    } catch (err) {
      this.deps.onError(err as Error);
      return [];
    }
    if (token.isCancellationRequested) return [];
    return lensesFor(refs, answer);
  }

  resolveCodeLens(lens: CairnCodeLens): CairnCodeLens {
    lens.command = this.commandOf(lens.data);
    return lens;
  }

  /** The store changed (or the setting): answers are stale; VS Code asks again for the visible editors. */
  refresh(debounceMs = 50): void {
    this.lookups.clear();
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.changed.fire(), debounceMs);
  }

  forget(uri: vscode.Uri): void {
    this.scans.delete(uri.toString());
    this.lookups.delete(uri.toString());
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.changed.dispose();
  }

  private scan(doc: vscode.TextDocument): CommentRef[] | null {
    const uri = doc.uri.toString();
    const cached = this.scans.get(uri);
    if (cached?.version === doc.version) return cached.refs;
    let refs: CommentRef[] | null = null;
    if (doc.lineCount <= MAX_LINES) {
      const text = doc.getText();
      if (text.length <= MAX_CHARS) refs = scanCommentRefs(text);
    }
    this.scans.set(uri, { version: doc.version, refs });
    return refs;
  }

  private lookup(doc: vscode.TextDocument, refs: CommentRef[]): Promise<CodeRefs> {
    const uri = doc.uri.toString();
    const unique = (kind: CommentRef['kind']) => [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.text))].sort();
    const query: CodeRefsQuery = {
      file: doc.uri.fsPath,
      workspaceFolder: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath,
      notes: unique('note'),
      taskIds: unique('task'),
    };
    const key = JSON.stringify(query);
    const cached = this.lookups.get(uri);
    if (cached?.key === key) return cached.answer;
    const answer = this.deps.lookup(query);
    this.lookups.set(uri, { key, answer });
    answer.catch(() => this.lookups.get(uri)?.answer === answer && this.lookups.delete(uri));
    return answer;
  }

  private commandOf(data: LensData): vscode.Command {
    switch (data.kind) {
      case 'note': {
        const { note } = data;
        return {
          title: `$(book) ${note.title}`,
          tooltip: `Open the note ${note.path}${note.line === null ? '' : ` at line ${note.line}`}`,
          command: 'cairn.openNoteAt',
          arguments: [note.path, ...(note.line === null ? [] : [note.line])],
        };
      }
      case 'task': {
        const { task } = data;
        const status = STATUS_ICONS[task.status];
        return {
          title: `$(${status.icon}) ${task.title} · ${status.label}`,
          tooltip: `Show task ${task.id} in the Projects view`,
          command: 'cairn.revealTask',
          arguments: [task.id],
        };
      }
      case 'file':
        return {
          title: fileLensTitle(data.mentions.length),
          tooltip: data.mentions.map((m) => m.path).join('\n'),
          command: 'cairn.showFileMentions',
          arguments: [data.mentions],
        };
    }
  }
}

/** The lenses that mean something: the file's mentions (if any), and each reference the store knows. */
function lensesFor(refs: CommentRef[], answer: CodeRefs): CairnCodeLens[] {
  const notes = new Map(answer.notes.map((n) => [n.name, n]));
  const tasks = new Map(answer.tasks.map((t) => [t.id, t]));
  const lenses: CairnCodeLens[] = [];
  if (answer.fileMentions.length) lenses.push(new CairnCodeLens(new vscode.Range(0, 0, 0, 0), { kind: 'file', mentions: answer.fileMentions }));
  for (const ref of refs) {
    const range = new vscode.Range(ref.line, ref.start, ref.line, ref.end);
    const note = ref.kind === 'note' ? notes.get(ref.text) : undefined;
    const task = ref.kind === 'task' ? tasks.get(ref.text) : undefined;
    if (note) lenses.push(new CairnCodeLens(range, { kind: 'note', note }));
    else if (task) lenses.push(new CairnCodeLens(range, { kind: 'task', task }));
  }
  return lenses;
}
