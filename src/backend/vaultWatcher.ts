// Watches the knowledge vault folder (chokidar) and re-indexes what changed, so an edit made in any editor is
// searchable a moment later without a knowledge.index call. Events are collected for a short window (debounceMs,
// counted from the first event, so a stream of saves cannot postpone indexing forever), then indexPaths runs once
// on the batch; runs never overlap. Dot-folders (.obsidian, .git, .trash) and node_modules are ignored, as the
// full scan ignores them. A failed run is logged and the watcher goes on; the next full index catches up.
// A vault folder that does not exist yet is looked for once a second (one stat); when it appears it is watched
// and indexed whole, so a vault created after the backend started (cairn index --create, a git clone) is live.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Actor } from '../store/events';
import { indexChangedPaths } from '../store/knowledge/changedPaths';
import { indexVault, type IndexReport } from '../store/knowledge/indexer';
import { isNotePath, scanVault } from '../store/knowledge/scan';
import type { Store } from '../store/store';

export interface VaultWatcherOptions {
  store: Store;
  vaultDir: string;
  who: Actor;
  /** How long to collect events before indexing them (ms). */
  debounceMs?: number;
  /** How often to look for a vault folder that does not exist yet (ms). */
  appearPollMs?: number;
  /** After each run that added, updated or removed notes. */
  onIndexed?: (report: IndexReport) => void;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

const skippedSegment = (seg: string) => seg.startsWith('.') || seg === 'node_modules';

export class VaultWatcher {
  private readonly vault: string;
  private readonly debounceMs: number;
  private watcher: FSWatcher | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The vault's non-note files, kept current from the events (rebuilt by a scan after a folder moves). */
  private otherFiles: Set<string> | undefined;
  private closed = false;
  private appearTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: VaultWatcherOptions) {
    this.vault = path.resolve(opts.vaultDir);
    this.debounceMs = opts.debounceMs ?? 10; // a save is one or two events within a few ms; a checkout's burst spans batches
  }

  /** True while the vault folder does not exist and the watcher waits for it. */
  get waiting(): boolean {
    return this.appearTimer !== undefined;
  }

  /**
   * Resolves once the watcher is ready (its initial walk of the folder is done; nothing is indexed for it), or at
   * once when the folder does not exist yet: it is then watched (and indexed) when it appears.
   */
  async start(): Promise<void> {
    if (this.vaultExists()) return this.watchVault();
    this.appearTimer = setInterval(() => void this.checkAppeared(), this.opts.appearPollMs ?? 1000);
    this.appearTimer.unref();
  }

  private vaultExists(): boolean {
    try {
      return fs.statSync(this.vault, { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      return false;
    }
  }

  private async checkAppeared(): Promise<void> {
    if (!this.vaultExists() || this.closed || !this.appearTimer) return;
    clearInterval(this.appearTimer);
    this.appearTimer = undefined;
    try {
      await this.watchVault();
      this.log('info', `The vault ${this.vault} appeared; watching it for changes`);
    } catch (err) {
      this.log('warn', `Cannot watch the vault ${this.vault}: ${(err as Error).message}`);
    }
    // What it already holds (created with files in it, or filled before the watch was ready).
    this.running = this.running.then(() => this.runFull());
  }

  private async watchVault(): Promise<void> {
    const w = watch(this.vault, {
      ignoreInitial: true,
      awaitWriteFinish: false,
      // A linked folder may lead anywhere (`notes -> /`): never watched through the link. Links that stay inside the
      // vault are watched where they lead; what is read follows the vault's rules (scan.ts).
      followSymlinks: false,
      // Relative to the vault: the vault itself may sit inside a dot-folder (<store>/.cairn/vault).
      ignored: (p: string) => this.relOf(p).split('/').some(skippedSegment),
    });
    this.watcher = w;
    w.on('all', (event, p) => this.onEvent(event, p));
    w.on('error', (err) => this.log('warn', `Watching the vault ${this.vault} failed: ${(err as Error).message ?? err}`));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.appearTimer);
    this.appearTimer = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.watcher?.close();
    await this.running;
  }

  /** Resolves when no batch is waiting or running (for tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.timer || this.pending.size) await new Promise((r) => setTimeout(r, this.debounceMs));
    await this.running;
  }

  private relOf(p: string): string {
    const rel = path.relative(this.vault, p);
    return rel.split(path.sep).join('/');
  }

  private onEvent(event: string, p: string): void {
    const rel = this.relOf(p);
    if (!rel || rel.startsWith('../')) return;
    const note = isNotePath(rel);
    if (event === 'addDir' || event === 'unlinkDir') this.otherFiles = undefined; // rescan the names before the next run
    else if (!note && event === 'add') this.otherFiles?.add(rel);
    else if (!note && event === 'unlink') this.otherFiles?.delete(rel);
    else if (!note && event === 'change') return; // an image's bytes do not change what links resolve to
    this.pending.add(rel);
    this.timer ??= setTimeout(() => this.flush(), this.debounceMs);
  }

  private flush(): void {
    this.timer = undefined;
    const paths = [...this.pending];
    this.pending.clear();
    if (!paths.length || this.closed) return;
    this.running = this.running.then(() => this.run(paths));
  }

  private async run(paths: string[]): Promise<void> {
    if (this.closed) return;
    try {
      this.otherFiles ??= new Set(scanVault(this.vault).otherFiles);
      const report = await indexChangedPaths(this.opts.store, this.vault, paths, this.opts.who, {
        otherFiles: [...this.otherFiles],
        log: (m) => this.log('info', m),
      });
      this.reportRun(report);
    } catch (err) {
      this.log('error', `Indexing vault changes (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}) failed: ${(err as Error).message}`);
    }
  }

  private async runFull(): Promise<void> {
    if (this.closed) return;
    try {
      this.reportRun(await indexVault(this.opts.store, this.vault, this.opts.who, { log: (m) => this.log('info', m) }));
    } catch (err) {
      this.log('error', `Indexing the vault ${this.vault} failed: ${(err as Error).message}`);
    }
  }

  private reportRun(report: IndexReport): void {
    if (report.added || report.updated || report.removed) {
      this.log('debug', `Vault: ${report.added} added, ${report.updated} updated, ${report.removed} removed in ${report.ms} ms`);
      this.opts.onIndexed?.(report);
    }
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }
}
