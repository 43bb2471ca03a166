// Shared test fixtures: real store folders on disk (removed after each test), the built CLI and backend.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

export async function openTempStore(options: StoreOptions = {}): Promise<Store> {
  return Store.open(path.join(tempDir(), 'store'), options);
}

/** Fails fast with a clear message when dist/ is missing (run `npm run build`). */
export function requireBuilt(): void {
  for (const f of [CLI, BACKEND]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first`);
}

/** Runs the built CLI synchronously. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
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
