// buildDatabase (a restore's scratch database) without the indexes that serve reads by other columns than a key:
// the rows and the checks are the same, the keys and unique indexes stay (the diff and the swap look rows up by
// them, foreign keys and UNIQUE need them), and every index stays when migrations run after the load.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Connection } from '../../../src/store/connection';
import { createProject } from '../../../src/store/projects';
import { findMigrationsDir, shippedSchemaVersion } from '../../../src/store/migrate';
import { buildDatabase } from '../../../src/store/snapshot/load';
import { readTable } from '../../../src/store/snapshot/rows';
import { tableCatalog } from '../../../src/store/snapshot/tables';
import { Store } from '../../../src/store/store';
import { createTask } from '../../../src/store/tasks';
import { cleanupTempDirs, human, tempDir } from '../../helpers';

type Tables = Map<string, { columns: string[]; rows: unknown[][] }>;

/** Every source table's rows of a small store. */
async function storeRows(): Promise<Tables> {
  const store = await Store.open(path.join(tempDir(), 'store'));
  try {
    await store.write(async (orm) => {
      const p = await createProject(orm, human, { name: 'Alpha' });
      for (let i = 0; i < 20; i++) await createTask(orm, human, { projectId: p.id, title: `Task ${i}`, tags: i % 2 ? ['odd'] : [] });
    });
    const out: Tables = new Map();
    for (const spec of (await tableCatalog(store.conn)).source) {
      const rows = await readTable(store.conn, spec);
      out.set(spec.name, { columns: spec.columns, rows: rows.map((r) => spec.columns.map((c) => r[c])) });
    }
    return out;
  } finally {
    await store.close();
  }
}

/** The built file's indexes (of source tables and derived ones alike), by whether they are unique. */
async function indexes(file: string): Promise<{ unique: string[]; other: string[] }> {
  const conn = await Connection.open(file, { busyTimeoutMs: 1000, slowQueryMs: 60_000 });
  try {
    const rows = await conn.all<{ name: string; unique: number }>(
      `select m.name, i."unique" as "unique" from sqlite_master m join pragma_index_list(m.tbl_name) i on i.name = m.name where m.type = 'index' order by m.name`,
    );
    return { unique: rows.filter((r) => r.unique).map((r) => r.name), other: rows.filter((r) => !r.unique).map((r) => r.name) };
  } finally {
    await conn.close();
  }
}

describe('snapshot build: a scratch database without column indexes', function () {
  this.timeout(60_000);
  afterEach(cleanupTempDirs);
  const migrationsDir = findMigrationsDir();
  const shipped = shippedSchemaVersion(migrationsDir);
  const build = async (rows: Tables, opts: { schemaVersion?: number; columnIndexes?: boolean }) => {
    const file = path.join(tempDir(), 'restore.db');
    const built = await buildDatabase({ file, migrationsDir, schemaVersion: opts.schemaVersion ?? shipped, tables: rows, columnIndexes: opts.columnIndexes });
    return { file, built };
  };

  it('keeps keys and unique indexes, drops the others, and holds the same rows under the same checks', async () => {
    const rows = await storeRows();
    const full = await build(await storeRows(), {});
    const lean = await build(rows, { columnIndexes: false });
    assert.deepEqual(lean.built, full.built);
    assert.equal(lean.built.counts.tasks, 20);
    const [all, kept] = [await indexes(full.file), await indexes(lean.file)];
    assert.deepEqual(kept.unique, all.unique);
    assert.ok(all.unique.includes('events_id_unique') && all.unique.some((n) => n.startsWith('sqlite_autoindex_tasks')));
    assert.deepEqual(kept.other, []);
    assert.ok(all.other.includes('tasks_project_id_idx'), 'a store has column indexes to drop');
  });

  it('keeps every index when migrations follow the load (a backup of an older schema)', async () => {
    // The last migration adds indexes only: the rows of the version before it have the same columns.
    const older = await build(await storeRows(), { schemaVersion: shipped - 1, columnIndexes: false });
    const current = await build(await storeRows(), {});
    assert.equal(older.built.schemaVersion, shipped);
    assert.deepEqual(await indexes(older.file), await indexes(current.file));
  });
});
