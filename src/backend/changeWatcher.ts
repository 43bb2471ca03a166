// Notices every change to the store, including commits by other processes (a CLI, another VS Code window, an
// agent): PRAGMA data_version moves when another connection commits; our own writes call check() directly.
// The event log's sequence number then says what changed.
import { listEvents } from '../store/events';
import type { Store } from '../store/store';
import type { StoreChanged } from './protocol';

const MAX_AGGREGATES = 500;

export class ChangeWatcher {
  private lastSeq = -1;
  private lastDataVersion = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly onChange: (change: StoreChanged) => void,
    private readonly pollMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      const dataVersion = await this.store.dataVersion();
      if (dataVersion === this.lastDataVersion) return;
      this.lastDataVersion = dataVersion;
      await this.check();
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Compares the newest event with the last one announced; one check at a time. */
  check(): Promise<void> {
    this.running = (this.running ?? Promise.resolve()).then(async () => {
      try {
        const lastSeq = await this.store.lastEventSeq();
        if (this.lastSeq === -1) {
          this.lastSeq = lastSeq; // the starting point: nothing to announce
          return;
        }
        if (lastSeq === this.lastSeq) return;
        const fresh = lastSeq > this.lastSeq ? await listEvents(this.store.orm, { afterSeq: this.lastSeq, limit: MAX_AGGREGATES + 1, order: 'asc' }) : [];
        const seen = new Map<string, { type: string; id: string }>();
        for (const e of fresh) seen.set(`${e.aggregateType}:${e.aggregateId}`, { type: e.aggregateType, id: e.aggregateId });
        this.lastSeq = lastSeq;
        // Too many to list, or the log went backwards (a restore): say only that something changed.
        const complete = fresh.length > 0 && fresh.length <= MAX_AGGREGATES;
        this.onChange(complete ? { lastSeq, aggregates: [...seen.values()] } : { lastSeq });
      } catch (err) {
        this.onError(err as Error);
      }
    });
    return this.running;
  }
}
