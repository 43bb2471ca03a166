// How a task's encrypted fields show in its tooltip: which are encrypted (so not searchable), and which could not be
// shown because the store is locked or the value failed its integrity check.
import type { Revealed } from '../store/crypto/fields';

export function encryptedRows(task: Revealed & { id: string }): string[] {
  if (!task.secretFields?.length) return [];
  const rows = [`| Encrypted | ${task.secretFields.join(', ')} — encrypted, not searchable |`];
  if (task.lockedFields?.length) rows.push(`| Locked | ${task.lockedFields.join(', ')}: run "Cairn: Unlock Encrypted Fields" |`);
  if (task.damagedFields?.length) rows.push(`| Damaged | ${task.damagedFields.join(', ')} failed its integrity check; restore from a backup |`);
  return rows;
}
