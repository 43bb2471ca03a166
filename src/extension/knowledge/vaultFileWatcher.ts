// Tells the backend which vault files changed, as VS Code sees them: its file watcher on the vault folder (edits by
// any program, git checkouts, deletes) and saves of open documents. Paths are collected for a short window
// (counted from the first one, so a stream of saves cannot postpone indexing forever), then sent in one
// knowledge.indexPaths request; requests never overlap. The backend's own watcher may report the same files: its
// runs are queued with these, and the second finds the file unchanged (see src/store/knowledge/changedPaths.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IndexReport } from '../../store/knowledge/indexer';
import type { BackendClient } from '../backendClient';

const DEBOUNCE_MS = 50;
/** Hidden folders (.obsidian, .git, .trash) and node_modules are never notes, as the vault scan has it. */
const skipped = (rel: string) => rel.split('/').some((seg) => seg.startsWith('.') || seg === 'node_modules');

export class VaultFileWatcher implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private watchedVault: string | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly subscriptions: vscode.Disposable[];
  private readonly indexed = new vscode.EventEmitter<IndexReport>();
  /** After each batch the backend indexed (tests and benchmarks wait on it). */
  readonly onDidIndex = this.indexed.event;

  constructor(
    private readonly backend: BackendClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidSaveTextDocument((doc) => this.report(doc.uri, true)),
      backend.onDidRestart(() => this.watch()), // the vault setting may have changed
    ];
    this.watch();
  }

  /** (Re)creates the file watcher on the backend's vault folder, when it changed. */
  private watch(): void {
    const vault = this.backend.vault;
    if (vault === this.watchedVault) return;
    this.watcher?.dispose();
    this.watchedVault = vault;
    // '**' rather than '**/*.md': a deleted folder is reported as the folder, and a non-note file that appears or
    // goes away changes what links to it resolve to.
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(vault), '**'));
    w.onDidCreate((uri) => this.report(uri, false));
    w.onDidDelete((uri) => this.report(uri, false));
    w.onDidChange((uri) => this.report(uri, true));
    this.watcher = w;
  }

  private report(uri: vscode.Uri, contentOnly: boolean): void {
    if (uri.scheme !== 'file') return;
    const rel = path.relative(this.backend.vault, uri.fsPath).split(path.sep).join('/');
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || skipped(rel)) return;
    // A non-note file's new bytes do not change what links resolve to; its arrival or removal does.
    if (contentOnly && !/\.md$/i.test(rel)) return;
    this.pending.add(rel);
    this.timer ??= setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const paths = [...this.pending];
    this.pending.clear();
    if (!paths.length) return;
    this.running = this.running.then(() => this.send(paths));
  }

  private async send(paths: string[]): Promise<void> {
    try {
      const report = await this.backend.request<'knowledge.indexPaths', IndexReport>('knowledge.indexPaths', { paths });
      if (report.added || report.updated || report.removed) this.log.debug(`Vault: ${report.added} added, ${report.updated} updated, ${report.removed} removed in ${report.ms} ms`);
      for (const s of report.skipped) this.log.warn(`Index: skipped ${s.path}: ${s.reason}`);
      this.indexed.fire(report);
    } catch (err) {
      // A vault that does not exist yet is normal (nothing to index); anything else goes to the log.
      const code = (err as { code?: number }).code;
      if (code !== -32001) this.log.warn(`Indexing vault changes (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}) failed: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.indexed.dispose();
  }
}
