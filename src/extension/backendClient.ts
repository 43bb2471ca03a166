// Starts the backend process with VS Code's own runtime (process.execPath with ELECTRON_RUN_AS_NODE=1 works in
// desktop VS Code and in a remote/server extension host alike), talks JSON-RPC to it, and restarts it if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { PROCESS_MEMORY_ENV } from '../backend/processMemory';
import { LOG, STORE_CHANGED, type LogMessage, type MethodName, type ParamsInput, type StoreChanged } from '../backend/protocol';

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export class BackendError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export class BackendClient implements vscode.Disposable {
  private process: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private ready: Promise<MessageConnection> | undefined;
  private disposed = false;
  private restarts: number[] = [];
  private stderrTail: string[] = [];
  private readonly changed = new vscode.EventEmitter<StoreChanged>();
  private readonly restarted = new vscode.EventEmitter<void>();
  private readonly notified = new vscode.EventEmitter<{ method: string; params: unknown }>();
  /** Fires when the store changed, by this window or any other process. */
  readonly onDidChangeStore = this.changed.event;
  /** Fires after the backend was restarted (views should reload everything). */
  readonly onDidRestart = this.restarted.event;
  /** Fires for the backend's other notifications (e.g. backup.progress). */
  readonly onDidNotify = this.notified.event;

  constructor(
    private readonly backendPath: string,
    private storeDir: string,
    private vaultDir: string,
    private agentDirs: string[],
    private readonly log: vscode.LogOutputChannel,
    private readonly notifyCrash: (message: string) => void,
  ) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get store(): string {
    return this.storeDir;
  }

  /** The knowledge vault folder the backend indexes (passed as --vault). */
  get vault(): string {
    return this.vaultDir;
  }

  start(): Promise<MessageConnection> {
    if (!this.ready) this.ready = this.spawn();
    return this.ready;
  }

  /** The agent folders the backend indexes (passed as --agents, in precedence order). */
  get agents(): readonly string[] {
    return this.agentDirs;
  }

  /** Points the backend at other folders (a setting changed): stop the old process, start a new one. */
  async switchStore(storeDir: string, vaultDir: string, agentDirs: string[]): Promise<void> {
    this.storeDir = storeDir;
    this.vaultDir = vaultDir;
    this.agentDirs = agentDirs;
    this.stop();
    await this.start();
    this.restarted.fire();
  }

  /** Sends a request; cancelling `token` sends $/cancelRequest (the backup and sync stop at their next safe point). */
  async request<M extends MethodName, R = unknown>(method: M, params: ParamsInput<M>, token?: vscode.CancellationToken): Promise<R> {
    const connection = await this.start();
    try {
      return await (token ? connection.sendRequest<R>(method, params, token) : connection.sendRequest<R>(method, params));
    } catch (err) {
      if (err instanceof ResponseError) throw new BackendError(err.code, err.message, err.data);
      throw new BackendError(-32603, `The Cairn backend did not answer ${method}: ${(err as Error).message}`);
    }
  }

  private spawn(): Promise<MessageConnection> {
    const args = [this.backendPath, '--store', this.storeDir, '--vault', this.vaultDir, ...this.agentDirs.flatMap((d) => ['--agents', d]), '--source', 'extension'];
    this.log.info(`Starting backend: ${process.execPath} ${args.join(' ')}`);
    const child = spawn(process.execPath, args, {
      env: { ...PROCESS_MEMORY_ENV, ...process.env, ELECTRON_RUN_AS_NODE: '1' }, // a variable the user set wins
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.process = child;
    this.stderrTail = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      // The backend's log lines also arrive as `log` notifications; stderr is kept for crash reports.
      this.stderrTail.push(...chunk.split('\n').filter(Boolean));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 30));
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.onNotification(STORE_CHANGED, (change: StoreChanged) => this.changed.fire(change));
    connection.onNotification(LOG, (m: LogMessage) => this.log[m.level](m.message));
    connection.onNotification((method: string, params: unknown) => this.notified.fire({ method, params }));
    connection.listen();
    this.connection = connection;
    child.on('error', (err) => this.log.error(`Backend process error: ${err.message}`));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    return Promise.resolve(connection);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.process) return; // an old process we stopped on purpose
    this.connection?.dispose();
    this.connection = undefined;
    this.process = undefined;
    this.ready = undefined;
    if (this.disposed) return;
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    this.log.error(`Backend ${how}. Last output:\n${this.stderrTail.join('\n')}`);
    const now = Date.now();
    this.restarts = [...this.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS) {
      this.notifyCrash(`Cairn's backend ${how} ${MAX_RESTARTS} times within a minute; it will not be restarted. See the log for details, then run "Cairn: Refresh" to try again.`);
      return;
    }
    this.notifyCrash(`Cairn's backend ${how} and was restarted.`);
    void this.start().then(() => this.restarted.fire());
  }

  /** A new backend process (the caller reloads the views): it opens the store again, e.g. after a restore. */
  async restart(): Promise<void> {
    this.stop();
    this.restarts = [];
    await this.start();
  }

  /** Restarts a backend that gave up after too many crashes. */
  async ensureRunning(): Promise<void> {
    if (!this.process) {
      this.restarts = [];
      await this.start();
      this.restarted.fire();
    }
  }

  private stop(): void {
    const child = this.process;
    this.process = undefined;
    this.ready = undefined;
    this.connection?.dispose();
    this.connection = undefined;
    child?.stdin?.end();
    child?.kill();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.changed.dispose();
    this.restarted.dispose();
    this.notified.dispose();
  }
}
