// The reveal step every task and agent-run answer goes through: plaintext when the store is unlocked, a locked
// marker otherwise.
import { revealAgentRun, revealTask } from '../../../store/crypto/fields';
import type { AgentRunRow, TaskRow } from '../../../store/schema';
import type { Store } from '../../../store/store';

export const revealTaskRow =
  (store: Store, strict = false) =>
  <T extends TaskRow>(row: T) =>
    revealTask(store.orm, row, strict);
export const revealTasks = (store: Store) => (rows: TaskRow[]) => rows.map((r) => revealTask(store.orm, r));
export const revealRun = (store: Store) => (row: AgentRunRow) => revealAgentRun(store.orm, row, true);
export const revealRuns = (store: Store) => (rows: AgentRunRow[]) => rows.map((r) => revealAgentRun(store.orm, r));
