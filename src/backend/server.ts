// The backend's JSON-RPC 2.0 server over a pair of streams (stdio in production), with LSP-style
// Content-Length framing (read by framing.ts, which survives bad frames; written by vscode-jsonrpc). Every method
// goes through methods.invoke; every change to the store, whoever made it, is announced with a store.changed
// notification.
import {
  createMessageConnection,
  ResponseError,
  StreamMessageWriter,
  type CancellationToken,
  type Message,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { ChangeWatcher } from './changeWatcher';
import { FrameReader, type FrameDecoder } from './framing';
import { invoke, isMethod, isWrite, type Context } from './methods';
import { LOG, STORE_CHANGED, type LogMessage, type StoreChanged } from './protocol';

const PARSE_ERROR = '$/cairn/parseError';
const INVALID_REQUEST = '$/cairn/invalidRequest';
const BAD_FRAME = '$/cairn/badFrame';

/**
 * Turns what the reader got into messages. Instead of failing the stream on a bad frame, bad JSON or a message that
 * is not a JSON-RPC request, it hands the connection a private notification, so the server can answer with the
 * standard error (-32700 / -32600, id null or the message's id) and go on serving.
 */
const tolerantDecoder: FrameDecoder = {
  badFrame: (reason) => ({ jsonrpc: '2.0', method: BAD_FRAME, params: { reason } }) as Message,
  notJson: (reason) => ({ jsonrpc: '2.0', method: PARSE_ERROR, params: { reason } }) as Message,
  message(value: unknown): Message {
    const m = value as Record<string, unknown> | null;
    const isObject = typeof m === 'object' && m !== null && !Array.isArray(m);
    const id = isObject && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : null;
    if (!isObject || m.jsonrpc !== '2.0') {
      return { jsonrpc: '2.0', method: INVALID_REQUEST, params: { id, reason: 'a message must be a JSON object with "jsonrpc": "2.0"' } } as Message;
    }
    const isResponse = 'result' in m || 'error' in m;
    if (!isResponse && typeof m.method !== 'string') {
      return { jsonrpc: '2.0', method: INVALID_REQUEST, params: { id, reason: 'a request needs a string "method"' } } as Message;
    }
    if (!isResponse && !('id' in m) && isMethod(m.method as string)) {
      // A notification naming a request method would run a change nobody can see the outcome of: refuse it.
      return {
        jsonrpc: '2.0',
        method: INVALID_REQUEST,
        params: { id: null, reason: `"${m.method}" is a request and needs an "id" (a number or string); it was not run` },
      } as Message;
    }
    if ('id' in m && id === null && !isResponse) {
      return { jsonrpc: '2.0', method: INVALID_REQUEST, params: { id: null, reason: '"id" must be a number or a string' } } as Message;
    }
    return m as unknown as Message;
  },
};

export interface ServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  ctx: Context;
  /** How often to look for changes made by other processes (ms). */
  pollMs?: number;
  log?: (level: LogMessage['level'], message: string) => void;
}

export interface RunningServer {
  connection: MessageConnection;
  /** Resolves when the client closes the connection. */
  closed: Promise<void>;
  /** Announces changes made in this process outside a request (the vault watcher's indexing) now, not at the next poll. */
  checkChanges(): Promise<void>;
  dispose(): void;
}

export function startServer(opts: ServerOptions): RunningServer {
  const writer = new StreamMessageWriter(opts.output);
  const reader = new FrameReader(opts.input, tolerantDecoder);
  const connection = createMessageConnection(reader, writer);
  const log = (level: LogMessage['level'], message: string) => {
    opts.log?.(level, message);
    void connection.sendNotification(LOG, { level, message } satisfies LogMessage).catch(() => undefined);
  };
  const sendError = (id: string | number | null, code: number, message: string) =>
    writer.write({ jsonrpc: '2.0', id, error: { code, message } } as Message).catch(() => undefined);

  connection.onNotification(PARSE_ERROR, (p: { reason: string }) => {
    log('warn', `Received a message that is not valid JSON (${p.reason})`);
    void sendError(null, -32700, `Parse error: the message is not valid JSON (${p.reason}).`);
  });
  connection.onNotification(BAD_FRAME, (p: { reason: string }) => {
    log('warn', `Received a bad frame: ${p.reason}; skipped to the next header`);
    void sendError(null, -32700, `Parse error: ${p.reason}. Everything up to the next "Content-Length: N" header was skipped.`);
  });
  connection.onNotification(INVALID_REQUEST, (p: { id: string | number | null; reason: string }) => {
    log('warn', `Received an invalid request: ${p.reason}`);
    void sendError(p.id, -32600, `Invalid Request: ${p.reason}.`);
  });
  connection.onNotification((method: string) => log('debug', `Ignored notification ${method}`));

  const watcher = opts.ctx.store
    ? new ChangeWatcher(opts.ctx.store, (change: StoreChanged) => void connection.sendNotification(STORE_CHANGED, change).catch(() => undefined), opts.pollMs ?? 200, (e) =>
        log('error', `Watching the store for changes failed: ${e.message}`),
      )
    : undefined;

  opts.ctx.notify = (method, params) => void connection.sendNotification(method, params).catch(() => undefined);

  connection.onRequest(async (method: string, params: unknown, token: CancellationToken) => {
    const cancel = new AbortController();
    if (token.isCancellationRequested) cancel.abort(); // cancelled before it started
    const cancelled = token.onCancellationRequested(() => cancel.abort());
    try {
      const result = await invoke(opts.ctx, method, params, cancel.signal);
      // Our own writes are announced at once rather than at the next poll.
      if (isWrite(method)) void watcher?.check();
      return result ?? null;
    } catch (err) {
      const e = err as { code: number; message: string; data?: unknown; detail?: string };
      log(e.code === -32603 ? 'error' : 'info', `${method} failed: ${e.message}`);
      if (e.detail) opts.log?.('error', `${method}: ${e.detail}`); // this machine's stderr only, never to the client
      return new ResponseError(e.code, e.message, e.data);
    } finally {
      cancelled.dispose();
    }
  });
  connection.onError(([error]) => log('warn', `Connection error: ${error.message}`));

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  connection.onClose(() => resolveClosed());
  connection.listen();
  watcher?.start();
  return {
    connection,
    closed,
    checkChanges: () => watcher?.check() ?? Promise.resolve(),
    dispose: () => {
      watcher?.stop();
      connection.dispose();
    },
  };
}
