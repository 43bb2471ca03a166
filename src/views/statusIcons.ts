// No vscode import: the Projects view's filter (tested in plain Node) shares these too.
import type { TaskStatus } from '../store/schema';

/** Codicon and theme colour for each task status; shared by the tree and the quick picks. */
export const STATUS_ICONS: Record<TaskStatus, { icon: string; color?: string; label: string }> = {
  pending: { icon: 'circle-large-outline', label: 'Pending' },
  in_progress: { icon: 'play-circle', color: 'charts.blue', label: 'In progress' },
  blocked: { icon: 'error', color: 'charts.red', label: 'Blocked' },
  done: { icon: 'pass-filled', color: 'charts.green', label: 'Done' },
  cancelled: { icon: 'circle-slash', color: 'disabledForeground', label: 'Cancelled' },
};
