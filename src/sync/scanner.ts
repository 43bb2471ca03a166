// Runs a backup's secret scans while the backup goes on: a scan starts as soon as what it reads is written (the
// shards after the export, the copies after the mirror). A large scan (a first backup reads everything; secretlint's
// rules are then its costliest step) runs in a worker thread, beside the export, the mirror and git; a small one
// runs on this thread, where starting a worker would cost more than it saves. Findings are the same either way.
import type { WrittenShard } from './exporter';
import { runScanJob, scanJob, type ScanJob } from './scan';
import type { SecretFinding } from './secrets';
import { WorkerClient } from './workerClient';

/** Scans of more characters than this go to the worker. */
const WORKER_MIN_CHARS = 8 << 20;

export interface ScanRequest {
  id: number;
  repo: string;
  job: ScanJob;
  allow: readonly string[];
}

export type ScanReply = { id: number; findings: SecretFinding[] };

export class Scanner {
  /** Started for the first large scan; stopped with the backup's findings (or when closed). */
  private readonly worker = new WorkerClient<ScanReply>('scanWorker');
  private closed = false;
  private readonly scans: Promise<SecretFinding[]>[] = [];

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
    this.closed = true;
    this.worker.stop();
  }

  private add(job: ScanJob, chars: number): void {
    if (!job.shards.length && !job.files.length) return;
    const here = () => runScanJob(this.repo, job, this.allow);
    // A worker that fails (cannot start, dies) leaves its scans to this thread.
    const scan = chars >= WORKER_MIN_CHARS && !this.closed && this.worker.start() ? this.inWorker(job).catch(here) : here();
    scan.catch(() => undefined); // thrown by findings(), not as an unhandled rejection meanwhile
    this.scans.push(scan);
  }

  private inWorker(job: ScanJob): Promise<SecretFinding[]> {
    return this.worker.request({ repo: this.repo, job, allow: this.allow } satisfies Omit<ScanRequest, 'id'>).then((r) => r.findings);
  }
}
