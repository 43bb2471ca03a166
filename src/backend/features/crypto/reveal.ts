// The reveal step every task and agent-run answer goes through: plaintext when the store is unlocked, a locked
// marker otherwise.
import { revealAgentRun, revealTask, SECRET_TASK_FIELDS } from '../../../store/crypto/fields';
import { heldKey } from '../../../store/crypto/keys';
import type { AgentRunRow, TaskRow } from '../../../store/schema';
import type { Store } from '../../../store/store';
import type { TreeTaskRow } from '../../../store/taskTree';

export const revealTaskRow =
  (store: Store, strict = false) =>
  <T extends TaskRow>(row: T) =>
    revealTask(store.orm, row, strict);
export const revealTasks = (store: Store) => (rows: TaskRow[]) => rows.map((r) => revealTask(store.orm, r));
/** A Projects tree task holds the title of its secret fields (not the description): that one is revealed, and every
 * encrypted field still named. */
export const revealTreeTask =
  (store: Store) =>
  <T extends TreeTaskRow>(row: T) => {
    const shown = revealTask(store.orm, { ...row, sealedFields: row.sealedFields.filter((f) => f === 'title') });
    const secret = SECRET_TASK_FIELDS.filter((f) => row.sealedFields.includes(f));
    if (!secret.length) return shown;
    // The fields the row leaves out are locked exactly when the store is (the tooltip names them, as the editor does).
    const lockedFields = heldKey(store.orm) ? shown.lockedFields : secret.filter((f) => f !== 'title' || shown.lockedFields?.includes('title'));
    return { ...shown, secretFields: secret, ...(lockedFields?.length ? { lockedFields } : {}) };
  };
export const revealRun = (store: Store) => (row: AgentRunRow) => revealAgentRun(store.orm, row, true);
export const revealRuns = (store: Store) => (rows: AgentRunRow[]) => rows.map((r) => revealAgentRun(store.orm, r));
