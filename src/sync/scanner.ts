// Runs a backup's secret scans while the backup goes on: a scan starts as soon as what it reads is written (the
// shards after the export, the copies after the mirror). A large scan (a first backup reads everything; secretlint's
// rules are then its costliest step) runs in a worker thread, beside the export, the mirror and git; a small one
// runs on this thread, where starting a worker would cost more than it saves. Findings are the same either way.
import { Worker } from 'node:worker_threads';
import type { WrittenShard } from './exporter';
import { runScanJob, scanJob, type ScanJob } from './scan';
import type { SecretFinding } from './secrets';
import { workerCode } from './walk';

/** Scans of more characters than this go to the worker. */
const WORKER_MIN_CHARS = 8 << 20;

export interface ScanRequest {
  id: number;
  repo: string;
  job: ScanJob;
  allow: readonly string[];
}

export type ScanReply = { id: number; findings: SecretFinding[] } | { id: number; error: string };

export class Scanner {
  /** undefined: not started yet; null: none (could not start, or closed): scans run here. */
  private worker: Worker | null | undefined;
  private readonly scans: Promise<SecretFinding[]>[] = [];
  private readonly waiting = new Map<number, { resolve: (f: SecretFinding[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(
    private readonly repo: string,
    private readonly allow: readonly string[],
  ) {}

  /** Scans the new lines of these shards. */
  shards(shards: readonly WrittenShard[]): void {
    let chars = 0;
    for (const s of shards) for (const i of s.freshLines) chars += s.lines[i]!.length;
    this.add(scanJob(shards, []), chars);
  }

  /** Scans these files of the working tree (`bytes`: their sizes, to choose where). */
  files(files: readonly string[], bytes: (rel: string) => number): void {
    this.add(scanJob([], files), files.reduce((n, f) => n + bytes(f), 0));
  }

  /** Every finding of every scan; the worker is stopped. */
  async findings(): Promise<SecretFinding[]> {
    try {
      return (await Promise.all(this.scans)).flat();
    } finally {
      this.close();
    }
  }

  /** Stops the worker (a scan still running in it is dropped). */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  private add(job: ScanJob, chars: number): void {
    if (!job.shards.length && !job.files.length) return;
    const here = () => runScanJob(this.repo, job, this.allow);
    // A worker that fails (cannot start, dies) leaves its scans to this thread.
    const scan = chars >= WORKER_MIN_CHARS && this.startWorker() ? this.inWorker(job).catch(here) : here();
    scan.catch(() => undefined); // thrown by findings(), not as an unhandled rejection meanwhile
    this.scans.push(scan);
  }

  private startWorker(): boolean {
    if (this.worker !== undefined) return this.worker !== null;
    const code = workerCode('scanWorker');
    try {
      this.worker = code ? new Worker(code.file, code.execArgv ? { execArgv: code.execArgv } : {}) : null;
    } catch {
      this.worker = null; // a runtime without worker threads: scans run here
    }
    this.worker?.on('message', (reply: ScanReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.findings);
    });
    this.worker?.on('error', (err) => this.failAll(err));
    this.worker?.on('exit', () => this.failAll(new Error('the secret-scan worker stopped')));
    return this.worker !== null;
  }

  private inWorker(job: ScanJob): Promise<SecretFinding[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage({ id, repo: this.repo, job, allow: this.allow } satisfies ScanRequest);
    });
  }

  private failAll(err: Error): void {
    this.worker = null;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
