// What the vault's tree views share: they cache what they fetched from the backend and, on a change of the
// store, forget it and redraw, folding a burst of changes into one redraw.
import * as vscode from 'vscode';

export abstract class CachedTreeProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  protected readonly emitter = new vscode.EventEmitter<T | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private refreshTimer: NodeJS.Timeout | undefined;

  /** Drops what the view has fetched, so the next getChildren asks the backend again. */
  protected abstract forget(): void;
  abstract getTreeItem(node: T): vscode.TreeItem;
  abstract getChildren(node?: T): Promise<T[]>;

  /** Forgets everything and redraws; a burst of changes is folded into one redraw. */
  refresh(debounceMs = 50): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.forget();
      this.emitter.fire(undefined);
    }, debounceMs);
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.emitter.dispose();
  }
}
