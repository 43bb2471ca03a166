// Retention: agent session messages older than cairn.retention.messagesDays days (0: kept forever) and memories past
// their expiry are removed when the store opens and once a day while VS Code is open. Each removal is an event
// (session.pruned, memory.expired), so backups take it as meant, not as a mass deletion.
import * as vscode from 'vscode';
import { BackendError, type BackendClient } from '../backendClient';
import { ErrorCodes } from '../../backend/protocol';

const DAY_MS = 86_400_000;

export interface RetentionResult {
  messages: number;
  memories: number;
}

/** The setting, read afresh each run: a number of days above 0, else 0 (keep). */
export function messagesDays(): number {
  const days = vscode.workspace.getConfiguration('cairn.retention').get<unknown>('messagesDays');
  return typeof days === 'number' && Number.isFinite(days) && days > 0 ? days : 0;
}

export class Retention implements vscode.Disposable {
  private readonly timer: NodeJS.Timeout;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly backend: BackendClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.timer = setInterval(() => void this.run(), DAY_MS);
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cairn.retention')) void this.run();
    });
  }

  /** Prunes now; failures are logged (a read-only or unopened store has nothing to prune here). */
  async run(): Promise<RetentionResult | undefined> {
    try {
      const days = messagesDays();
      const messages = days ? (await this.backend.request<'sessions.prune', { removed: number }>('sessions.prune', { olderThanDays: days })).removed : 0;
      const memories = (await this.backend.request<'memory.prune', { removed: number }>('memory.prune', {})).removed;
      if (messages || memories) this.log.info(`Retention: removed ${messages} session message(s) older than ${days} day(s) and ${memories} expired memor${memories === 1 ? 'y' : 'ies'}.`);
      return { messages, memories };
    } catch (err) {
      const readOnly = err instanceof BackendError && err.code === ErrorCodes.ReadOnly;
      this.log[readOnly ? 'info' : 'warn'](`Retention did not run: ${(err as Error).message}`);
      return undefined;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
  }
}
