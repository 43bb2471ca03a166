// A worker thread that answers requests by id: the secret scan (scanWorker), the folder listing (walkWorker) and
// the mirror's copies (copyWorker).
// Its code is bundled beside this code (dist/NAME.js), or is the TypeScript source when running from src/ (tsx).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';

export type WorkerReply = { id: number; error?: string; code?: string };

/** A request the worker never answered: it stopped or failed (the work can be done again elsewhere), unlike an error it answered. */
export class WorkerLost extends Error {}

/** How long the backup's workers are kept idle (a backup every few minutes keeps them). */
export const IDLE_WORKER_MS = 60_000;

function workerCode(name: string): { file: string; execArgv?: string[] } | null {
  const built = path.join(__dirname, `${name}.js`);
  if (fs.existsSync(built)) return { file: built };
  const source = path.join(__dirname, `${name}.ts`);
  return fs.existsSync(source) ? { file: source, execArgv: ['--require', 'tsx/cjs'] } : null;
}

export class WorkerClient<Reply extends WorkerReply> {
  /** undefined: not started yet (or stopped: the next request starts one); null: none can start here. */
  private worker: Worker | null | undefined;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    /** Unref'd: an idle worker never keeps the process alive (one with a request under way does). */
    private readonly unrefWhenIdle = false,
    /** Stopped once idle this long (a backup every few minutes keeps it); by default kept until stop(). */
    private readonly idleStopMs?: number,
  ) {}

  /** Whether a worker runs (starting it if need be); false where none can (no code, no worker threads). */
  start(): boolean {
    if (this.worker !== undefined) return this.worker !== null;
    const code = workerCode(this.name);
    try {
      this.worker = code ? new Worker(code.file, code.execArgv ? { execArgv: code.execArgv } : {}) : null;
    } catch {
      this.worker = null;
    }
    const w = this.worker;
    if (!w) return false;
    if (this.unrefWhenIdle) w.unref();
    w.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!this.waiting.size) this.idle(w);
      // The error's code (ENOSPC, say) goes with it: callers explain some by their code.
      if (reply.error !== undefined) waiter?.reject(Object.assign(new Error(reply.error), reply.code ? { code: reply.code } : {}));
      else waiter?.resolve(reply);
    });
    w.on('error', (err) => this.failAll(w, new WorkerLost(`the ${this.name} worker failed: ${err.message}`)));
    w.on('exit', () => this.failAll(w, new WorkerLost(`the ${this.name} worker stopped`)));
    return true;
  }

  /** Sends a request (its id is added); rejects when the worker answers an error or dies. Call start() first. */
  request(message: object, transfer: readonly TransferListItem[] = []): Promise<Reply> {
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      if (!this.worker) return reject(new WorkerLost(`the ${this.name} worker is not running`)); // stopped since start()
      this.waiting.set(id, { resolve, reject });
      if (this.unrefWhenIdle) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  get busy(): boolean {
    return this.waiting.size > 0;
  }

  /** Stops the worker (a request still running in it is dropped); a later request starts a new one. */
  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  private idle(w: Worker): void {
    if (this.unrefWhenIdle) w.unref();
    if (this.idleStopMs === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker === w && !this.busy) this.stop();
    }, this.idleStopMs);
    this.idleTimer.unref();
  }

  private failAll(w: Worker, err: WorkerLost): void {
    if (this.worker === w) this.worker = undefined;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
