// Values read from the store that hybrid search would otherwise read again at every query (which embedder, which
// notes a filter leaves out), kept per store until anything is written: by this connection (total_changes()) or
// by another one (PRAGMA data_version). One small query tells.
import type { Store } from '../store';

interface Memo {
  writes: string;
  values: Map<string, Promise<unknown>>;
}

const memos = new WeakMap<Store, Memo>();

/** What identifies the database's state as this connection sees it: it changes with every write, from any connection. */
export async function writesKey(conn: Store['conn']): Promise<string> {
  const row = await conn.get<{ changes: number; version: number }>('select total_changes() as changes, (select data_version from pragma_data_version) as version');
  return `${row?.changes}/${row?.version}`;
}

/** compute()'s value for this key, computed again once the store was written to. */
export async function untilWrite<T>(store: Store, key: string, compute: () => Promise<T>): Promise<T> {
  const writes = await writesKey(store.conn);
  let memo = memos.get(store);
  if (!memo || memo.writes !== writes) memos.set(store, (memo = { writes, values: new Map() }));
  let value = memo.values.get(key) as Promise<T> | undefined;
  if (!value) {
    value = compute();
    memo.values.set(key, value);
    value.catch(() => memo!.values.delete(key)); // a failure is not kept
  }
  return value;
}
