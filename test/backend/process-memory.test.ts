// How Cairn's processes hold memory (src/backend/processMemory.ts), checked in a fresh Node process each: V8 reads
// the young generation's flag when set at run time (the `cairn` command cannot be started with V8 flags).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../helpers';

/** The young generation's size (MiB) after a run that keeps ~60 MB of objects alive through many young collections. */
function youngGenerationAfterRun(hold: boolean): { startMiB: number; endMiB: number } {
  const script = `
    const v8 = require('node:v8');
    const memory = require(${JSON.stringify(path.join(ROOT, 'src', 'backend', 'processMemory.ts'))});
    const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    const startMiB = young();
    memory.boundHeapGrowth();
    if (${hold}) memory.holdYoungGeneration();
    const kept = [];
    for (let i = 0; i < 600_000; i++) kept.push({ i, text: 'note ' + i, links: [i, i + 1] });
    process.stdout.write(JSON.stringify({ startMiB, endMiB: young(), kept: kept.length }));`;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { startMiB: number; endMiB: number };
}

describe('process memory: the young generation', function () {
  this.timeout(60_000);

  it('held, it stays the size it started at while objects survive; left alone, V8 grows it', () => {
    const held = youngGenerationAfterRun(true);
    assert.ok(held.endMiB <= held.startMiB, `held: ${held.startMiB} → ${held.endMiB} MiB`);
    const grown = youngGenerationAfterRun(false);
    assert.ok(grown.endMiB > grown.startMiB * 2, `left alone: ${grown.startMiB} → ${grown.endMiB} MiB (so the check above can fail)`);
  });
});
