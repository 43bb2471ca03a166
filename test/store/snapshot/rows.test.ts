// readTableLines lets SQLite write the backup's JSON lines; they must equal encodeRow's byte for byte, or a row
// would flip between two texts from one backup to the next (a full export reads lines, a patch encodes rows).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { Connection } from '../../../src/store/connection';
import { readTable, readTableLines, withReadSnapshots } from '../../../src/store/snapshot/rows';
import type { TableSpec } from '../../../src/store/snapshot/tables';
import { encodeRow, rowKey } from '../../../src/sync/layout';
import { cleanupTempDirs, tempDir } from '../../helpers';

const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }), // every code point, control characters and NUL included
  fc.constantFrom('', 'null', '"quoted"', 'back\\slash', 'line\nbreak\ttab\r\f\b', '\u2028\u2029\u007f', '{"a":1}', '😀 ünïcödé'),
);
const value = fc.oneof(
  text,
  fc.constant(null),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 53 - 1, -(2 ** 53 - 1)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), // beyond 2^53 too
  fc.double({ noNaN: true }), // reals, integral ones too (1.0)
  fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
);

describe('snapshot rows: lines built by SQLite', function () {
  let conn: Connection;
  before(async () => {
    conn = await Connection.open(path.join(tempDir(), 'lines.db'), { busyTimeoutMs: 1000, slowQueryMs: 60_000 });
  });
  after(async () => {
    await conn.close();
    cleanupTempDirs();
  });

  // Declared types decide which values SQLite keeps as they are (text affinity turns numbers into text, not blobs).
  const shapes = [
    { key: ['id'], types: ['', '', '', ''] },
    { key: ['a', 'b'], types: ['', '', '', '', ''] },
    { key: ['id'], types: ['text', 'text', 'integer', 'varchar(20)'] },
  ];
  for (const { key, types } of shapes) {
    it(`equal encodeRow's text and rowKey's key for any values (key ${key.join(', ')}; ${types.some(Boolean) ? `typed ${types.join(', ')}` : 'untyped'})`, async () => {
      const spec: TableSpec = { name: 't', key, columns: [...key, 'c "quoted"', "d'apostrophe", 'e'], omit: [], immutable: false };
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(value, value, value), { maxLength: 30 }), async (values) => {
          await conn.exec(`drop table if exists t; create table t (${spec.columns.map((c, i) => `"${c.replace(/"/g, '""')}" ${types[i]}`).join(', ')})`);
          let n = 0;
          for (const [c, d, e] of values) {
            const keys = key.length === 1 ? [`k${n++}`] : [`k${n}`, n++];
            const params = [...keys, c, d, e].map((v) => (typeof v === 'bigint' ? String(v) : v));
            // A bigint goes in as text and is cast back, so it is stored as the integer it is.
            const casts = [...keys, c, d, e].map((v) => (typeof v === 'bigint' ? 'cast(? as integer)' : '?'));
            await conn.run(`insert into t values (${casts.join(', ')})`, params as never);
          }
          const expected = (await readTable(conn, spec)).map((r) => `${rowKey(spec.key, r)}\n${encodeRow(spec.columns, r)}`).sort();
          const { lines, rows } = await readTableLines(conn, spec);
          const actual = [...lines.map((l) => `${l.key}\n${l.line}`), ...rows.map((r) => `${rowKey(spec.key, r)}\n${encodeRow(spec.columns, r)}`)].sort();
          assert.deepEqual(actual, expected);
        }),
        { numRuns: 80 },
      );
    });
  }

  it('leaves to the caller only the rows SQLite would write differently', async () => {
    const spec: TableSpec = { name: 't', key: ['id'], columns: ['id', 'v'], omit: [], immutable: false };
    await conn.exec(`drop table if exists t; create table t (id, v); insert into t values ('a', 'text'), ('b', 12), ('c', null), ('d', 1.5), ('e', x'00'), ('f', 9007199254740993)`);
    const { lines, rows } = await readTableLines(conn, spec);
    assert.deepEqual(lines.map((l) => l.key).sort(), ['a', 'b', 'c']);
    assert.deepEqual(rows.map((r) => r.id).sort(), ['d', 'e', 'f']);
  });

  it('reads a blob in a text column as a row too (json_object refuses it)', async () => {
    const spec: TableSpec = { name: 't', key: ['id'], columns: ['id', 'v', 'n'], omit: [], immutable: false };
    await conn.exec(`drop table if exists t; create table t (id text, v text, n integer); insert into t values ('a', 'text', 1), ('b', 12, 2), ('c', x'00ff', 3), ('d', null, 1.5)`);
    const { lines, rows } = await readTableLines(conn, spec);
    assert.deepEqual(lines.map((l) => l.line), ['{"id":"a","v":"text","n":1}', '{"id":"b","v":"12","n":2}']);
    assert.deepEqual(rows.map((r) => r.id).sort(), ['c', 'd']);
  });

  it('gives connections read side by side one snapshot, while another connection keeps committing', async () => {
    const file = path.join(tempDir(), 'snapshots.db');
    const writer = await Connection.open(file, { busyTimeoutMs: 5000, slowQueryMs: 60_000 });
    await writer.exec('pragma journal_mode = wal; create table t (n integer)');
    let writing = true;
    let commits = 0;
    const writes = (async () => {
      while (writing) {
        await writer.run('insert into t values (?)', [commits]);
        commits++;
      }
    })();
    try {
      for (let round = 0; round < 20; round++) {
        const counts = await withReadSnapshots(file, 3, async (conns) => {
          const seen: number[] = [];
          for (const conn of conns) {
            await new Promise((r) => setTimeout(r, 2)); // commits land meanwhile
            seen.push(Number((await conn.get<{ n: number }>('select count(*) as n from t'))!.n));
          }
          return seen;
        });
        assert.equal(new Set(counts).size, 1, `round ${round}: ${counts.join(', ')}`);
      }
      assert.ok(commits > 20, 'the writer committed while the snapshots were read');
    } finally {
      writing = false;
      await writes;
      await writer.close();
    }
  });
});
