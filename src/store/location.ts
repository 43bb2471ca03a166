// Where stores live. Kept free of the database modules so the extension can resolve a path without loading SQLite.
import * as os from 'node:os';
import * as path from 'node:path';

export const DB_FILE = 'cairn.db';

/** The store folder used when nothing else is configured: `.cairn` in the workspace, else ~/.cairn. */
export function defaultStoreDir(workspaceFolder?: string): string {
  return workspaceFolder ? path.join(workspaceFolder, '.cairn') : path.join(os.homedir(), '.cairn');
}
