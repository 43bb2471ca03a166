// Shared test fixtures: real store folders on disk (removed after each test), the built CLI and backend.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as sqlite3 from '@vscode/sqlite3';
import { StoreError, type StoreErrorKind } from '../src/store/errors';
import { Store, type StoreOptions } from '../src/store/store';
import type { Actor } from '../src/store/events';

export const ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const BACKEND = path.join(ROOT, 'dist', 'backend.js');

export const human: Actor = { actor: 'tester', source: 'cli' };

const made: string[] = [];

/** A fresh empty folder under the OS temp dir, removed by cleanupTempDirs(). */
export function tempDir(prefix = 'cairn-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (vault-relative path → content) under `dir` (a fresh temp folder by default); returns `dir`. */
export function writeTree(files: Record<string, string | Buffer>, dir = tempDir('cairn-vault-')): string {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
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

/** A not-yet-created store folder and a vault holding `files`, both removed by cleanupTempDirs(). */
export function storeAndVault(files: Record<string, string>): { store: string; vault: string } {
  const vault = path.join(tempDir(), 'vault');
  fs.mkdirSync(vault, { recursive: true });
  return { store: path.join(tempDir(), 'store'), vault: writeTree(files, vault) };
}

export async function openTempStore(options: StoreOptions = {}): Promise<Store> {
  return Store.open(path.join(tempDir(), 'store'), options);
}

/** Gives each test of the suite a fresh store on disk (handed to `bind`), closed and removed after the test. */
export function useTempStore(bind: (store: Store) => void, options: StoreOptions = {}): void {
  let opened: Store | undefined;
  beforeEach(async () => {
    opened = await openTempStore(options);
    bind(opened);
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    cleanupTempDirs();
  });
}

/** Checks that `p` fails with the store's own error of this kind and message. */
export async function rejectsWith(p: Promise<unknown>, kind: StoreErrorKind, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: StoreError) => {
    assert.ok(err instanceof StoreError, String(err));
    assert.equal(err.kind, kind);
    assert.match(err.message, message);
    return true;
  });
}

/** Fails fast with a clear message when dist/ is missing (run `npm run build`). */
export function requireBuilt(): void {
  for (const f of [CLI, BACKEND]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first`);
}

/** Runs the built CLI synchronously (`as`: as another user, which needs root). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}, as?: { uid: number; gid: number }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [as ? path.join(builtForOtherUsers(), 'cli.js') : CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, ...as });
}

/**
 * The CLI with fixed leading arguments (read at each call, e.g. `--store` of the current test's store): `run` gives
 * the raw result, `ok` its standard output (a non-zero exit fails the test), `json` the parsed `--json` output.
 */
export function cliWith(leading: () => string[], env: NodeJS.ProcessEnv = {}) {
  const run = (args: string[], more: NodeJS.ProcessEnv = {}) => cli([...leading(), ...args], { ...env, ...more });
  const ok = (...args: string[]): string => {
    const r = run(args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller reads the JSON its command prints
  const json = (...args: string[]): any => JSON.parse(ok('--json', ...args));
  return { run, ok, json };
}

let sharedDist: string | undefined;
/**
 * dist/ where any user can run it: a copy of dist/ and its native packages in a world-readable temp folder.
 * A checkout may sit below a folder only its owner can enter (a clone in `mktemp -d`), which another user (nobody,
 * for the tests that need modes to bind) cannot reach.
 */
function builtForOtherUsers(): string {
  if (sharedDist) return sharedDist;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-'));
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  for (const pkg of ['@vscode/sqlite3', 'node-addon-api', 'sqlite-vec', 'sqlite-vec-linux-x64']) {
    const from = path.join(ROOT, 'node_modules', pkg);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, 'node_modules', pkg), { recursive: true });
  }
  fs.cpSync(path.join(ROOT, 'drizzle'), path.join(dir, 'drizzle'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), fs.readFileSync(path.join(ROOT, 'package.json')));
  for (const p of [dir, ...walk(dir)]) fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : fs.statSync(p).mode | 0o444);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return (sharedDist = path.join(dir, 'dist'));
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

/**
 * Runs a shell script with a tmpfs of `sizeKiB` mounted at `mnt`, for a full disk that is real. The mount lives in a
 * private mount namespace of an unprivileged user namespace (`unshare -rm`), so any user can make it, and it vanishes
 * with the script. `$NODE` and `$CLI` run the built CLI; `env` adds variables. A machine that allows no user
 * namespaces fails the test with unshare's own message, never skips it.
 */
export function withSmallDisk(mnt: string, sizeKiB: number, script: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync('unshare', ['-rm', 'sh', '-ec', `mount -t tmpfs -o size=${sizeKiB}k tmpfs "$MNT"\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, MNT: mnt, NODE: process.execPath, CLI, ...env },
  });
}

/** Runs the built CLI asynchronously (for concurrent writers). */
export function cliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running dist/backend.js with a JSON-RPC client, recording its notifications. */
export interface Backend {
  child: ChildProcessWithoutNullStreams;
  rpc: MessageConnection;
  changes: { lastSeq: number; aggregates?: { type: string; id: string }[] }[];
  logs: { level: string; message: string }[];
  stop(): Promise<void>;
}

/** Starts dist/backend.js on the store (`as`: as another user, which needs root). */
export function startBackend(store: string, args: string[] = [], as?: { uid: number; gid: number }): Backend {
  const child = spawn(process.execPath, [as ? path.join(builtForOtherUsers(), 'backend.js') : BACKEND, '--store', store, '--poll-ms', '50', ...args], { ...as });
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const changes: Backend['changes'] = [];
  const logs: Backend['logs'] = [];
  rpc.onNotification('store.changed', (c) => changes.push(c));
  rpc.onNotification('log', (m) => logs.push(m));
  rpc.listen();
  return {
    child,
    rpc,
    changes,
    logs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        rpc.dispose();
        child.stdin.end();
      }),
  };
}

function rawAll<T>(file: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all(sql, (e, rows) => db.close(() => (e ? reject(e) : resolve(rows as T[]))));
    });
  });
}

/**
 * Overwrites the tasks table's root page with random bytes (its first byte made an invalid page type, so the damage
 * is certain), as a disk fault would. The store must be closed (its WAL checkpointed into the file).
 */
export async function damageTasks(file: string): Promise<void> {
  const [{ page_size: pageSize }] = await rawAll<{ page_size: number }>(file, 'PRAGMA page_size');
  const [{ rootpage }] = await rawAll<{ rootpage: number }>(file, `select rootpage from sqlite_master where name = 'tasks'`);
  assert.ok(rootpage > 1);
  assert.equal(fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0, false, 'the WAL was checkpointed');
  const junk = crypto.randomBytes(pageSize);
  junk[0] = 0x01;
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, junk, 0, pageSize, (rootpage - 1) * pageSize);
  fs.closeSync(fd);
}
