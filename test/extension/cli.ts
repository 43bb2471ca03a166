// The built CLI run from an integration test as a person in a terminal would, against the extension's store.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Runs `cairn --store <store> --json <args>` (the extension's dist/cli.js, under the extension host's own Node)
 * and returns its parsed output; a non-zero exit fails the test with the CLI's stderr. `env` adds to the
 * environment (e.g. CAIRN_ACTOR).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller reads the JSON its command prints
export function runCli(extensionPath: string, store: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): any {
  const r = spawnSync(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), '--store', store, '--json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...env },
  });
  assert.equal(r.status, 0, `cairn ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
