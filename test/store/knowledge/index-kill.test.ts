// An index run killed with SIGKILL part-way leaves a consistent store: every catalogued file has its note, full
// text and links, nothing is catalogued that was not written, and the next run finishes the job exactly.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { searchText } from '../../../src/store/knowledge/search';
import { Store } from '../../../src/store/store';
import { cleanupTempDirs, human, ROOT, tempDir } from '../../helpers';

const NOTES = 1500;

function makeVault(): string {
  const dir = tempDir('cairn-kill-vault-');
  for (let i = 0; i < NOTES; i++) {
    const folder = path.join(dir, `f${i % 15}`);
    fs.mkdirSync(folder, { recursive: true });
    const links = [1, 7, 31].map((k) => `[[n${(i + k) % NOTES}]]`).join(' ');
    fs.writeFileSync(path.join(folder, `n${i}.md`), `# Note ${i}\nword${i} shared text ${'lorem ipsum '.repeat(40)}\n${links} [[missing-${i % 5}]]\n#t${i % 9}\n`);
  }
  return dir;
}

async function consistency(store: Store) {
  const q = async (sql: string) => Number(Object.values((await store.conn.get(sql))!)[0]);
  return {
    integrity: (await store.conn.all<{ integrity_check: string }>('PRAGMA integrity_check')).map((r) => r.integrity_check).join(),
    catalogued: await q('select count(*) from vault_files'),
    notes: await q('select count(*) from notes'),
    fts: await q('select count(*) from notes_fts'),
    catalogueWithoutNote: await q('select count(*) from vault_files f where not exists (select 1 from notes n where n.path = f.path)'),
    noteWithoutCatalogue: await q('select count(*) from notes n where not exists (select 1 from vault_files f where f.path = n.path)'),
    noteWithoutText: await q('select count(*) from notes n where not exists (select 1 from notes_fts t where t.rowid = n.id)'),
    noteWithoutLinks: await q('select count(*) from notes n where not exists (select 1 from note_links l where l.note_id = n.id)'),
  };
}

describe('knowledge: an index run killed midway', function () {
  this.timeout(180_000);
  afterEach(cleanupTempDirs);

  for (const fraction of [0.2, 0.6]) {
    it(`killed after about ${fraction * 100}% of the notes: consistent, and the next run completes it exactly`, async () => {
      const vault = makeVault();
      const storeDir = path.join(tempDir(), 'store');
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'index-vault.ts'), storeDir, vault], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Watch progress from a second connection (WAL: readers do not block the writer), then kill.
      while (!out.includes('open')) await new Promise((r) => setTimeout(r, 20));
      const watcher = await Store.open(storeDir, { create: false });
      let seen = 0;
      try {
        for (;;) {
          seen = Number(Object.values((await watcher.conn.get('select count(*) from vault_files'))!)[0]);
          if (seen >= NOTES * fraction || out.includes('done')) break;
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await watcher.close();
      }
      child.kill('SIGKILL');
      await exited;
      assert.ok(!out.includes('done'), 'the run was killed before it finished (make the vault larger if this fails)');

      const store = await Store.open(storeDir, { create: false });
      try {
        const c = await consistency(store);
        assert.equal(c.integrity, 'ok');
        assert.ok(c.catalogued > 0 && c.catalogued < NOTES, `partly indexed: ${c.catalogued} of ${NOTES}`);
        assert.deepEqual(
          [c.catalogueWithoutNote, c.noteWithoutCatalogue, c.noteWithoutText, c.noteWithoutLinks],
          [0, 0, 0, 0],
          'every catalogued file has its note, text and links, and nothing else is there',
        );
        assert.equal(c.notes, c.catalogued);
        assert.equal(c.fts, c.notes);

        const resumed = await indexVault(store, vault, human);
        assert.equal(resumed.unchanged, c.catalogued, 'what was committed is not redone');
        assert.equal(resumed.added, NOTES - c.catalogued);
        const after = await consistency(store);
        assert.deepEqual([after.catalogued, after.notes, after.fts], [NOTES, NOTES, NOTES]);
        assert.deepEqual(resumed.links, { resolved: NOTES * 3, unresolved: NOTES });
        assert.equal((await searchText(store, `word${NOTES - 1}`))[0]?.path, `f${(NOTES - 1) % 15}/n${NOTES - 1}.md`);
        assert.equal((await indexVault(store, vault, human)).unchanged, NOTES);
      } finally {
        await store.close();
      }
    });
  }
});
