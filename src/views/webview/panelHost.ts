// What the webview panels (board, editor, dashboard, knowledge graph) share: the page set into the panel, a checked message port,
// each message from the page handled with a failure answered as an error (and logged), store changes collected
// into one refresh per burst, and everything released when the panel closes.
import * as vscode from 'vscode';
import type * as z from 'zod/mini';
import type { StoreChanged } from '../../backend/protocol';
import type { BackendClient } from '../../extension/backendClient';
import { describeIssues } from './schemaParts';
import { CheckedPort, setPage, type PortOptions } from './webviewHost';

/** A burst of store changes (an agent's run, a sync) within this makes one refresh. */
const REFRESH_DELAY_MS = 100;

export interface PanelHostOptions<In extends z.ZodMiniType, Out extends z.ZodMiniType> {
  backend: BackendClient;
  log: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
  /** The webview app (dist/webviews/<app>.js and .css). */
  app: string;
  /** The page's <title>. */
  pageTitle: string;
  /** The page starts web workers from blob: URLs (html.ts's contentSecurityPolicy). */
  blobWorkers?: boolean;
  /** For messages to the user: "the task board". */
  name: string;
  /** For log lines: "Task board". */
  logName: string;
  incoming: In;
  outgoing: Out;
  maxMessageChars: number;
  /** A refused message in words; default: which field, what is wrong (describeIssues). */
  describe?: PortOptions<In, Out>['describe'];
  /** The message that tells the page something failed (it must pass `outgoing`); default `{ type: 'error', message }`. */
  error?: (message: string) => z.input<Out>;
}

const errorMessage = (message: string) => ({ type: 'error', message });

export abstract class WebviewPanelHost<In extends z.ZodMiniType, Out extends z.ZodMiniType> implements vscode.Disposable {
  readonly port: CheckedPort<In, Out>;
  private readonly errorOf: (message: string) => z.input<Out>;
  protected readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  protected isDisposed = false;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHostOptions<In, Out>,
  ) {
    this.errorOf = host.error ?? (errorMessage as (message: string) => z.input<Out>);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'cairn.svg');
    setPage(panel.webview, host.extensionUri, host.app, host.pageTitle, host.blobWorkers);
    this.port = new CheckedPort({
      webview: panel.webview,
      name: host.name,
      incoming: host.incoming,
      outgoing: host.outgoing,
      log: host.log,
      refusal: this.errorOf,
      maxMessageChars: host.maxMessageChars,
      describe: host.describe ?? describeIssues,
    });
    this.disposables.push(
      this.port,
      this.port.onMessage((m) => void this.dispatch(m)),
      host.backend.onDidChangeStore((change) => this.storeChanged(change)),
      host.backend.onDidRestart(() => this.storeChanged({ lastSeq: 0 })),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Answers one checked message from the page. */
  protected abstract handle(m: z.infer<In>): Promise<void>;

  /** The store changed (`aggregates` absent: anything may have, e.g. after a backend restart). */
  protected abstract storeChanged(change: StoreChanged): void;

  private async dispatch(m: z.infer<In>): Promise<void> {
    try {
      await this.handle(m);
    } catch (err) {
      const message = (err as Error).message;
      this.host.log.warn(`${this.host.logName}: ${(m as { type: string }).type} failed: ${message}`);
      await this.port.post(this.errorOf(message));
    }
  }

  /** Runs `refresh` once, shortly after the first of a burst of calls (not at all once the panel is closed). */
  protected refreshSoon(refresh: () => void): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (!this.isDisposed) refresh();
    }, REFRESH_DELAY_MS);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.refreshTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }
}
