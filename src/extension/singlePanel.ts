// One panel of a kind per window (the task board, the dashboard, the knowledge graph): a new one replaces the one
// before, the panel VS Code brings back after a window reload is adopted the same way, and the window's end closes it.
import * as vscode from 'vscode';

interface Panel {
  readonly panel: Pick<vscode.WebviewPanel, 'reveal'>;
  dispose(): void;
  readonly onDidDispose: vscode.Event<void>;
}

export class SinglePanel<P extends Panel> implements vscode.Disposable {
  private panel: P | undefined;

  get current(): P | undefined {
    return this.panel;
  }

  adopt(panel: P): P {
    this.panel?.dispose();
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    return panel;
  }

  /** The open panel, shown with `filter` when one is given (else brought to the front); or a new one, made by `make`. */
  show<F>(filter: F | undefined, showFilter: (current: P, filter: F) => void, make: () => P): P {
    const current = this.panel;
    if (!current) return this.adopt(make());
    if (filter !== undefined) showFilter(current, filter);
    else current.panel.reveal();
    return current;
  }

  /** Restores the panel of `viewType` after a reload: the page keeps its own state (getState), so only its host is made again. */
  restoreOn(viewType: string, make: (panel: vscode.WebviewPanel) => P): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel) => {
        this.adopt(make(panel));
      },
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
