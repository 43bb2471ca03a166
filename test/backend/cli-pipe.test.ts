// `cairn … | head`: a reader that stops early closes the pipe under the CLI. That is not an error: the CLI stops
// writing, ends quietly (no EPIPE stack trace, no "Unhandled" line) with its usual exit code, 0.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Store } from '../../src/store/store';
import { populate } from '../sync/fixtures';
import { CLI, cleanupTempDirs, requireBuilt, tempDir } from '../helpers';

describe('cairn writing into a pipe that closes early', function () {
  this.timeout(120_000);
  before(() => requireBuilt());
  afterEach(() => cleanupTempDirs());

  it('--json task list of 3000 tasks | head -c 10: ten bytes, nothing on stderr, exit code 0', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await Store.open(dir);
    await populate(store, 3000); // ~2 MB of JSON: far more than a pipe holds, so the write meets the closed pipe
    await store.close();
    // bash for a real pipeline; PIPESTATUS[0] is the CLI's own exit code.
    const r = spawnSync('bash', ['-c', '"$1" "$2" --store "$3" --json task list | head -c 10; exit "${PIPESTATUS[0]}"', 'pipeline', process.execPath, CLI, dir], { encoding: 'utf8' });
    assert.equal(r.stdout, '[\n  {\n    ');
    assert.equal(r.stderr, '', 'no EPIPE stack trace');
    assert.equal(r.status, 0);
  });
});
