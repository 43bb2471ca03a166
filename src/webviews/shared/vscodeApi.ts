// The page's side of its host: VS Code's webview API, acquired once per page (acquireVsCodeApi may be called only
// once). Messages to the host (checked there), the host's messages checked before the page sees them, and the page's
// own state (vscode.setState), which comes back after a reload or when a hidden tab is shown again.
import type * as z from 'zod/mini';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let acquired: VsCodeApi | undefined;
const api = () => (acquired ??= acquireVsCodeApi());

export function postToHost(message: unknown): void {
  api().postMessage(message);
}

/** Hands `handle` each message from the host that passes `schema`; anything else is dropped with a console warning. */
export function onHostMessage<S extends z.ZodMiniType>(schema: S, page: string, handle: (m: z.infer<S>) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const parsed = schema.safeParse(e.data);
    if (parsed.success) handle(parsed.data);
    else console.warn(`Cairn ${page}: ignored a malformed message from the host`);
  });
}

/** The state the page saved last, if any and if it still passes `schema` (a state from an older page may not). */
export function savedState<S extends z.ZodMiniType>(schema: S): z.infer<S> | undefined {
  const parsed = schema.safeParse(api().getState());
  return parsed.success ? parsed.data : undefined;
}

export function saveState(state: unknown): void {
  api().setState(state);
}
