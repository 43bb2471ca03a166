// Shared fixtures of the backup tests: a canonical dump of a store (every source-of-truth row in the text form's
// encoding and order), a populated store, and a vault of notes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProject } from '../../src/store/projects';
import { readTable, withReadSnapshot } from '../../src/store/snapshot/rows';
import { tableCatalog } from '../../src/store/snapshot/tables';
import { createSprint } from '../../src/store/sprints';
import type { Store } from '../../src/store/store';
import { createTask, updateTask } from '../../src/store/tasks';
import type { BackupEnv } from '../../src/sync/backup';
import { compareKeys, encodeRow, rowKey } from '../../src/sync/layout';
import { human } from '../helpers';

export type Dump = Record<string, string[]>;

/**
 * Every source-of-truth row, encoded and sorted as in the backup. A restore logs itself (backup.restored) and
 * re-indexes the restored vault (vault.indexed): those events are counted apart, not compared.
 */
export async function canonicalDump(store: Store): Promise<{ tables: Dump; restoreEvents: number }> {
  return withReadSnapshot(store.file, async (conn) => {
    const tables: Dump = {};
    let restoreEvents = 0;
    for (const spec of (await tableCatalog(conn)).source) {
      let rows = await readTable(conn, spec);
      if (spec.name === 'events') {
        restoreEvents = rows.filter((r) => r.aggregate_type === 'backup').length;
        rows = rows.filter((r) => r.aggregate_type !== 'backup' && r.aggregate_type !== 'vault');
      }
      tables[spec.name] = rows.map((r) => [rowKey(spec.key, r), encodeRow(spec.columns, r)] as const).sort((a, b) => compareKeys(a[0], b[0])).map(([, line]) => line);
    }
    return { tables, restoreEvents };
  });
}

export function envOf(store: Store, vaultDir: string, agentDirs: string[] = []): BackupEnv {
  return { store, vaultDir, agentDirs, who: human };
}

/** A store with projects, sprints and tasks (some in sprints, some subtasks, some with numbers set). */
export async function populate(store: Store, tasks: number): Promise<string[]> {
  const ids: string[] = [];
  await store.write(async (orm) => {
    const projects = [await createProject(orm, human, { name: 'Alpha' }), await createProject(orm, human, { name: 'Beta ✨' })];
    const sprint = await createSprint(orm, human, { projectId: projects[0]!.id, name: 'Sprint 1' });
    for (let i = 0; i < tasks; i++) {
      const t = await createTask(orm, human, {
        projectId: projects[i % 2]!.id,
        sprintId: i % 6 === 0 ? sprint.id : null,
        parentId: i % 10 === 9 ? ids[i - 2] : null,
        title: `Task ${i} ${'ünïcødé'.slice(0, i % 7)}`,
        description: i % 5 === 0 ? '' : `Line one of ${i}\nline "two"\t${'x'.repeat(i % 300)}`,
        tags: i % 4 === 0 ? ['a', 'b'] : [],
      });
      ids.push(t.id);
      if (i % 7 === 0) await updateTask(orm, human, t.id, t.version, { tokensIn: i * 11, qualityScore: (i % 10) / 10, status: 'done' });
    }
  });
  return ids;
}

export function writeVault(dir: string, notes: number): void {
  for (let i = 0; i < notes; i++) {
    const folder = path.join(dir, `f${i % 7}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `note ${i}.md`), `# Note ${i}\n\nSome text about [[note ${(i + 1) % notes}]] and #tag${i % 3}.\n${'lorem ipsum '.repeat(i % 50)}\n`);
  }
}

/** Every file under dir (relative path → content), for comparing folders. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}
