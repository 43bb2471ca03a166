// The performance monitor's slow-query log on real stores and real processes: each process's slow statements go
// into the store (with its name and pid), every other process sees them (cairn doctor, store.health), the log keeps
// the newest 500, and it is never backed up.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { createProject } from '../../src/store/projects';
import { DERIVED_TABLES } from '../../src/store/snapshot/tables';
import { Store } from '../../src/store/store';
import { cleanupTempDirs, cliWith, human, requireBuilt, tempDir } from '../helpers';

describe('slow-query log (performance monitor)', () => {
  let dir: string;
  beforeEach(() => (dir = path.join(tempDir(), 'store')));
  afterEach(cleanupTempDirs);

  it('a process logs its slow statements into the store; another process reads them with their source and pid', async () => {
    // A threshold of a microsecond: every statement is slow.
    const writer = await Store.open(dir, { slowQueryMs: 0.001, processName: 'writer' });
    await writer.write((orm) => createProject(orm, human, { name: 'Timed' }));
    await writer.close();
    const reader = await Store.open(dir, { processName: 'reader' });
    try {
      const h = await reader.health();
      assert.ok(h.slowQueries.length > 0, 'the writer\'s statements are there');
      assert.ok(h.slowQueries.every((q) => q.source === 'writer' && q.pid === process.pid && /^\d{4}-\d\d-\d\dT/.test(q.at)));
      assert.ok(h.slowQueries.some((q) => /insert into "projects"/i.test(q.sql)), h.slowQueries.map((q) => q.sql).join('\n'));
      assert.ok(!h.slowQueries.some((q) => /slow_queries/.test(q.sql)), 'the log\'s own inserts are not logged');
      const ms = h.slowQueries.map((q) => q.ms);
      assert.deepEqual(ms, [...ms].sort((a, b) => b - a), 'slowest first');
    } finally {
      await reader.close();
    }
  });

  it('keeps the newest 500; it is machine-local, never backed up', async () => {
    const store = await Store.open(dir, { slowQueryMs: 0.001, processName: 'busy' });
    try {
      for (let i = 0; i < 30; i++) await store.write((orm) => createProject(orm, human, { name: `P${i}` }));
      await store.health(); // flushes
      const { n } = (await store.conn.get<{ n: number }>('select count(*) as n from slow_queries'))!;
      assert.ok(n > 0 && n <= 500, `${n} rows`);
      for (let i = 0; i < 30; i++) await store.write((orm) => createProject(orm, human, { name: `Q${i}` }));
      await store.health();
      const after = (await store.conn.get<{ n: number; lo: number; hi: number }>('select count(*) as n, min(id) as lo, max(id) as hi from slow_queries'))!;
      assert.ok(after.n <= 500 && after.hi - after.lo < 500, JSON.stringify(after));
    } finally {
      await store.close();
    }
    assert.ok(DERIVED_TABLES.has('slow_queries'));
  });

  describe('through the CLI', () => {
    before(requireBuilt);
    const { ok, json } = cliWith(() => ['--store', dir]);

    it('cairn doctor shows what another cairn process found slow, with where it came from', () => {
      ok('init');
      const run = cliWith(() => ['--store', dir], { CAIRN_SLOW_QUERY_MS: '0.001' });
      run.ok('project', 'add', 'Slow');
      const shown = ok('doctor');
      assert.match(shown, /^slow queries {4}the slowest logged by any process/m);
      assert.match(shown, /^ {2}[\d.]+ ms {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}cli \(pid \d+\) {2}/m);
      const h = json('doctor');
      assert.ok(h.slowQueries.some((q: { source: string }) => q.source === 'cli'));
    });
  });
});
