// Applies the SQL migrations that drizzle-kit generated (drizzle/), all in one transaction, after copying the
// database aside. The schema version is PRAGMA user_version = number of migrations applied; a store written by a
// newer Cairn (a higher version than we ship) is refused, never downgraded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Migrator from 'drizzle-orm/migrator';
import type { Connection } from './connection';
import { StoreError } from './errors';

const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface MigrationResult {
  from: number;
  to: number;
  backupFile?: string;
}

/** Finds the shipped drizzle/ folder: beside dist/ when bundled, at the repository root in development. */
export function findMigrationsDir(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'drizzle');
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`Cairn's migrations folder (drizzle/) was not found above ${start}; the installation is incomplete.`);
  }
}

/**
 * How many migrations this build ships: the entries of drizzle-kit's journal, which readMigrationFiles follows. Only
 * the journal is read: the SQL files (read and hashed) are needed only when migrating, and every open asks this.
 */
export function shippedSchemaVersion(migrationsDir: string): number {
  const journal = path.join(migrationsDir, 'meta', '_journal.json');
  try {
    return (JSON.parse(fs.readFileSync(journal, 'utf8')) as { entries: unknown[] }).entries.length;
  } catch (err) {
    throw new Error(`Cairn's migrations journal ${journal} cannot be read (${(err as Error).message}); the installation is incomplete.`);
  }
}

export async function schemaVersion(conn: Connection): Promise<number> {
  const row = await conn.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

/** Refuses a database that is not ours (has tables but no Cairn schema version) or is newer than this build. */
export async function checkCompatible(conn: Connection, migrationsDir: string): Promise<number> {
  const version = await schemaVersion(conn);
  const shipped = shippedSchemaVersion(migrationsDir);
  if (version > shipped) {
    throw new StoreError(
      'schema_too_new',
      `The store ${conn.file} was written by a newer Cairn (schema version ${version}; this Cairn knows up to ${shipped}). Update Cairn to open it; nothing was changed.`,
      { storeVersion: version, supportedVersion: shipped },
    );
  }
  if (version > 0) {
    // user_version alone could be another app's: a Cairn store also has our bookkeeping and event tables.
    const ours = await conn.get<{ n: number }>(`select count(*) as n from sqlite_master where type = 'table' and name in ('${MIGRATIONS_TABLE}', 'events')`);
    if ((ours?.n ?? 0) < 2) {
      throw new StoreError(
        'store_unavailable',
        `${conn.file} is a SQLite database but not a Cairn store (schema version ${version}, but no Cairn tables). Cairn left it untouched; choose another store path.`,
      );
    }
  }
  if (version === 0) {
    const tables = await conn.get<{ n: number }>(`select count(*) as n from sqlite_master where type = 'table' and name <> '${MIGRATIONS_TABLE}'`);
    if ((tables?.n ?? 0) > 0) {
      throw new StoreError(
        'store_unavailable',
        `${conn.file} is a SQLite database but not a Cairn store (it has tables and no Cairn schema version). Cairn left it untouched; choose another store path.`,
      );
    }
  }
  return version;
}

/** targetVersion (default: all shipped) stops early: a restore builds an older backup's database, then migrates it. */
export async function migrate(conn: Connection, migrationsDir: string, backupDir: string, targetVersion?: number): Promise<MigrationResult> {
  const from = await checkCompatible(conn, migrationsDir);
  if (from >= Math.min(shippedSchemaVersion(migrationsDir), targetVersion ?? Infinity)) return { from, to: from };
  // Loaded only to migrate (it loads node:crypto, to hash each file): every other open has counted the journal.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readMigrationFiles } = require('drizzle-orm/migrator') as typeof Migrator;
  const migrations = readMigrationFiles({ migrationsFolder: migrationsDir }).slice(0, targetVersion);

  let backupFile: string | undefined;
  if (from > 0) {
    // A copy taken before anything changes, so a failed or regretted upgrade can be undone by hand.
    fs.mkdirSync(backupDir, { recursive: true });
    backupFile = path.join(backupDir, `cairn-v${from}-before-migration-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
    await conn.run('VACUUM INTO ?', [backupFile]);
  }

  await conn.transaction(async () => {
    // Re-check inside the write lock: another process may have migrated meanwhile.
    const current = await schemaVersion(conn);
    await conn.run(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, created_at NUMERIC)`);
    for (const [i, migration] of migrations.entries()) {
      if (i < current) continue;
      for (const statement of migration.sql) if (statement.trim()) await conn.exec(statement);
      await conn.run(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES (?, ?)`, [migration.hash, migration.folderMillis]);
    }
    await conn.exec(`PRAGMA user_version = ${migrations.length}`);
  });
  return { from, to: migrations.length, backupFile };
}
