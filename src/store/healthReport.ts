// The store's health in lines of text: `cairn doctor` prints them, VS Code's Check Store shows them.
import type { StoreHealth } from './store';

export function healthLines(h: StoreHealth): string[] {
  return [
    `integrity       ${h.ok ? 'ok' : 'PROBLEMS: ' + h.integrity.join('; ')}`,
    `schema          ${h.schemaVersion} (this Cairn supports ${h.supportedSchemaVersion})`,
    `sqlite          ${h.sqliteVersion}, journal ${h.journalMode}`,
    `sqlite-vec      ${h.vecVersion ?? `not loaded (${h.vecError})`}`,
    `size            ${h.sizes.databaseBytes} bytes + ${h.sizes.walBytes} WAL (${h.sizes.freePages} free pages)`,
    `rows            ${Object.entries(h.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `slow queries    ${h.slowQueries.length ? `the slowest logged by any process (over ${h.slowQueryThresholdMs} ms here)` : `none logged (over ${h.slowQueryThresholdMs} ms here)`}`,
    ...h.slowQueries.map((q) => `  ${q.ms} ms  ${q.at.replace('T', ' ').slice(0, 19)}  ${q.source} (pid ${q.pid})  ${q.sql.replace(/\s+/g, ' ')}`),
  ];
}
