// drizzle-orm over our Connection through drizzle's sqlite-proxy driver (there is no native driver for
// @vscode/sqlite3). The proxy wants rows as arrays in column order, but node-sqlite3 only returns objects, whose
// keys collapse when a join selects two columns of the same name (both tables' `id`). Running each SELECT as
// `select * from (<query>)` makes SQLite rename the duplicates (`id`, `id:1`), so Object.values keeps every
// column in order.
import { drizzle, type SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';
import type { Connection } from './connection';
import * as schema from './schema';

export type Orm = SqliteRemoteDatabase<typeof schema>;

const SELECT = /^\s*(select|with)\b/i;

export function createOrm(conn: Connection): Orm {
  return drizzle(
    async (sql, params, method) => {
      const args = params as Parameters<Connection['all']>[1];
      if (method === 'run') {
        await conn.run(sql, args);
        return { rows: [] };
      }
      const query = SELECT.test(sql) ? `select * from (${sql})` : sql;
      if (method === 'get') {
        const row = await conn.get(query, args);
        return { rows: row ? Object.values(row) : (undefined as unknown as unknown[]) };
      }
      const rows = await conn.all(query, args);
      return { rows: rows.map((r) => Object.values(r)) };
    },
    { schema },
  );
}
