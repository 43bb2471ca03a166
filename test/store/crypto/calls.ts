// What the encryption tests share: stores opened on a folder and called through the same `invoke` the RPC server and
// the CLI use, and the check of a refused call.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { invoke, MethodError, type Context } from '../../../src/backend/methods';
import { Store } from '../../../src/store/store';
import { human } from '../../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Call = (method: string, params?: object) => Promise<any>;
export type Revealed<T> = T & { secretFields?: string[]; lockedFields?: string[]; damagedFields?: string[] };
export const PASS = 'correct horse battery';

/** Every store opened by openCaller, oldest first; the tests close them. */
export const opened: Store[] = [];

/** Opens the store in `dir` and returns a caller of its methods. */
export async function openCaller(dir: string): Promise<Call> {
  const store = await Store.open(dir);
  opened.push(store);
  const ctx: Context = { store, who: human, vaultDir: path.join(dir, 'vault'), agentDirs: [] };
  return (method, params = {}) => invoke(ctx, method, params);
}

/** The error a call was refused with, checked for its code and message. */
export async function rejects(p: Promise<unknown>, code: number, message: RegExp): Promise<MethodError> {
  const err = await p.then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MethodError, String(err));
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  return err;
}
