// New Decision Record from several processes at the same instant: real `cairn note decision` processes started
// together, round after round, on one vault and store. Every record gets its own number, none is overwritten, and
// the numbers run on without gaps (each writer takes the folder's lock, reads the highest number, creates its file).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cliAsync, requireBuilt, storeAndVault } from '../helpers';

const ROUNDS = 12;
const WRITERS = 3;

describe('cairn note decision: concurrent writers never share a number', function () {
  this.timeout(180_000);
  before(requireBuilt);
  afterEach(cleanupTempDirs);

  it(`${WRITERS} processes at once, ${ROUNDS} rounds: distinct numbers, every record intact`, async () => {
    const { store, vault } = storeAndVault({ 'Home.md': '# Home\n' });
    assert.equal((await cliAsync(['--store', store, '--vault', vault, 'index', '--create'])).code, 0);
    const titles: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = Array.from({ length: WRITERS }, (_, w) => `Round ${round} writer ${w}`);
      titles.push(...batch);
      const results = await Promise.all(batch.map((t) => cliAsync(['--store', store, '--vault', vault, '--json', 'note', 'decision', t])));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
    }
    const dir = path.join(vault, 'decisions');
    const files = fs.readdirSync(dir).sort();
    assert.equal(files.length, titles.length, `one file per record: ${files.join(', ')}`);
    const numbers = files.map((f) => Number(/^(\d{4})-/.exec(f)![1]));
    assert.deepEqual(numbers, Array.from({ length: titles.length }, (_, i) => i + 1), 'every number once, no gap');
    // Each file holds its own number and title: none was written over by another writer.
    const heads = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n')[0]!);
    heads.forEach((h, i) => assert.match(h, new RegExp(`^# ${numbers[i]}\\. Round \\d+ writer \\d+$`)));
    assert.deepEqual(heads.map((h) => h.replace(/^# \d+\. /, '')).sort(), [...titles].sort());
  });
});
