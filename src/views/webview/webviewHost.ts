// What every webview host shares: the panel options (scripts on, local files only from dist/webviews, no
// retainContextWhenHidden: a hidden board is dropped and rebuilt from its state, which costs less than keeping a
// page of thousands of cards alive), the page (html.ts, with a fresh nonce each time) and a message port that
// checks both directions with zod. A message from the page that fails its schema is logged and answered with an
// error; it never reaches the backend.
import * as vscode from 'vscode';
import type * as z from 'zod/mini';
import { newNonce, webviewHtml } from './html';

/** Where the webview bundles are (esbuild.mjs writes them; localResourceRoots allows nothing else). */
function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { ...webviewOptions(extensionUri), retainContextWhenHidden: false };
}

/** Sets the page of app `app` (dist/webviews/<app>.js and .css) into the webview, with a fresh nonce (`blobWorkers`:
 * html.ts's contentSecurityPolicy). */
export function setPage(webview: vscode.Webview, extensionUri: vscode.Uri, app: string, title: string, blobWorkers = false): void {
  const root = webviewRoot(extensionUri);
  const uri = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
  webview.options = webviewOptions(extensionUri);
  webview.html = webviewHtml({
    title,
    cspSource: webview.cspSource,
    nonce: newNonce(),
    script: uri(`${app}.js`),
    styles: [uri('codicon.css'), uri(`${app}.css`)],
    bodyAttributes: { 'data-app': app },
    blobWorkers,
  });
}

export interface PortOptions<In extends z.ZodMiniType, Out extends z.ZodMiniType> {
  webview: vscode.Webview;
  /** For log lines: "the task board". */
  name: string;
  incoming: In;
  outgoing: Out;
  log: vscode.LogOutputChannel;
  /** The answer to a refused message (it must pass `outgoing`). */
  refusal: (reason: string) => z.input<Out>;
  maxMessageChars: number;
  describe: (error: { issues: readonly { path: readonly PropertyKey[]; message: string; keys?: readonly string[] }[] }) => string;
}

/** A webview's messages, checked: `onMessage` sees only what passed `incoming`; `post` sends only what passes `outgoing`. */
export class CheckedPort<In extends z.ZodMiniType, Out extends z.ZodMiniType> implements vscode.Disposable {
  private readonly received = new vscode.EventEmitter<z.infer<In>>();
  private readonly posted = new vscode.EventEmitter<z.infer<Out>>();
  private readonly subscription: vscode.Disposable;
  readonly onMessage = this.received.event;
  /** Every message sent to the page (the integration tests and benchmarks watch these). */
  readonly onDidPost = this.posted.event;

  constructor(private readonly o: PortOptions<In, Out>) {
    this.subscription = o.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
  }

  /** Checks one raw message from the page (also the entry point tests use to post as a page would). */
  receive(raw: unknown): boolean {
    let size = 0;
    try {
      size = JSON.stringify(raw ?? null)?.length ?? 0;
    } catch {
      size = Infinity; // cyclic or otherwise not plain data
    }
    if (size > this.o.maxMessageChars) return this.refuse(`the message is over ${this.o.maxMessageChars} characters`);
    const parsed = this.o.incoming.safeParse(raw);
    if (!parsed.success) return this.refuse(this.o.describe(parsed.error));
    this.received.fire(parsed.data);
    return true;
  }

  private refuse(reason: string): false {
    this.o.log.warn(`Refused a message from ${this.o.name}: ${reason}`);
    void this.post(this.o.refusal(`Cairn refused a message from ${this.o.name}: ${reason}`));
    return false;
  }

  /** Sends a message (a hidden page is gone: then nothing is sent, and the page asks afresh when shown). */
  async post(message: z.input<Out>): Promise<boolean> {
    const checked = this.o.outgoing.parse(message) as z.infer<Out>;
    this.posted.fire(checked);
    return this.o.webview.postMessage(checked).then(
      (ok) => ok,
      () => false,
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.received.dispose();
    this.posted.dispose();
  }
}
