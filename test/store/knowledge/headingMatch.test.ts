// Hybrid search's headings ranking (headingMatch.ts) on a real store and vault: notes by how their title, path and
// headings match a question's words one by one in the GloVe table, with no word of the question in them.
import * as assert from 'node:assert/strict';
import { MIN_WORD_SIMILARITY, rankByHeadings } from '../../../src/store/knowledge/headingMatch';
import { indexVault } from '../../../src/store/knowledge/indexer';
import type { SearchHit } from '../../../src/store/knowledge/search';
import { searchHybrid } from '../../../src/store/knowledge/semanticSearch';
import type { Store } from '../../../src/store/store';
import { human, tempDir, useTempStore, writeTree } from '../../helpers';

const VAULT = {
  'garage/Automobiles.md': '# Automobiles\n\nWhat we keep in the garage.\n\n## Refuelling\n\nThe station on the corner.\n',
  'kitchen/Baking.md': '# Baking\n\nNotes from the weekend.\n\n## Kneading dough\n\nTen minutes by hand.\n',
  'music/Guitar.md': '# Guitar\n\nChords I am learning.\n',
};

const candidate = (id: string, kind: SearchHit['kind'] = 'note'): SearchHit => ({ kind, id, path: kind === 'note' ? id : undefined, title: id.replace(/^.*\/|\.md$/g, ''), score: 0, snippet: '', highlights: [] });
const ALL = Object.keys(VAULT).map((p) => candidate(p));

describe('knowledge: hybrid search ranks notes by their titles and headings, word by word', function () {
  this.timeout(60_000);
  let store!: Store;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    const vault = tempDir();
    writeTree(VAULT, vault);
    await indexVault(store, vault, human);
  });

  it('a question finds the note whose title or heading means what its words mean, none of them shared', async () => {
    const cars = await rankByHeadings(store, 'my car needs petrol', ALL);
    assert.equal(cars[0]!.id, 'garage/Automobiles.md');
    const bread = await rankByHeadings(store, 'how long to knead bread', ALL);
    assert.equal(bread[0]!.id, 'kitchen/Baking.md', 'by its heading "Kneading dough"');
    for (const hits of [cars, bread]) {
      assert.ok(hits.every((h) => h.score >= 0 && h.score <= 1), JSON.stringify(hits.map((h) => h.score)));
      assert.ok(hits.every((h, i) => i === 0 || h.score <= hits[i - 1]!.score), 'best first');
    }
    assert.ok(MIN_WORD_SIMILARITY > 0 && MIN_WORD_SIMILARITY < 1);
  });

  it('ranks only the notes among the candidates, each once, and nothing for a question of unknown words', async () => {
    const hits = await rankByHeadings(store, 'my car needs petrol', [candidate('music/Guitar.md'), candidate('task-1', 'task'), candidate('music/Guitar.md'), candidate('garage/Automobiles.md')]);
    assert.deepEqual(hits.map((h) => h.id).sort(), ['garage/Automobiles.md', 'music/Guitar.md']);
    assert.deepEqual(await rankByHeadings(store, 'zzqx qqzv', ALL), []);
    assert.deepEqual(await rankByHeadings(store, 'car', []), []);
  });

  it('hybrid search fuses the headings ranking: the note whose heading answers scores above the three rankings\' 1', async () => {
    const hits = await searchHybrid(store, 'how long to knead bread', { limit: 3, floor: false });
    assert.equal(hits[0]!.path, 'kitchen/Baking.md');
    assert.ok(hits[0]!.score > 1, String(hits[0]!.score));
  });
});
