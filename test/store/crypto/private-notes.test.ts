// Notes marked `private: true` are indexed for finding and linking only: their words are not searchable and their
// content is nowhere in the database file (checked on its bytes), while an ordinary note beside them is.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { searchText } from '../../../src/store/knowledge/search';
import type { Store } from '../../../src/store/store';
import { human, tempDir, useTempStore } from '../../helpers';

describe('store: private notes in the index', () => {
  let store: Store;
  useTempStore((s) => (store = s));

  it('keeps path, title and link targets of a private note, and none of its words', async () => {
    const vault = tempDir('cairn-private-vault-');
    fs.writeFileSync(path.join(vault, 'diary.md'), '---\nprivate: true\ntags: [feelings]\n---\n# Diary\n\n## Xylophonic confessions\nI met [[public]] about quokkaberry plans. #secret-tag\n');
    fs.writeFileSync(path.join(vault, 'public.md'), '# Public\n\nThe quokkaberry roadmap, in the open. Links [[diary]].\n');
    await indexVault(store, vault, human);

    assert.deepEqual((await searchText(store, 'quokkaberry')).map((h) => h.path), ['public.md']);
    assert.deepEqual(await searchText(store, 'xylophonic'), []);
    const note = await store.conn.get<{ title: string; front_matter: string }>("select title, front_matter from notes where path = 'diary.md'");
    assert.deepEqual(note, { title: 'Diary', front_matter: '{"private":true}' });
    const links = await store.conn.all<{ target_path: string; context: string }>("select l.target_path, l.context from note_links l join notes n on n.id = l.note_id where n.path = 'diary.md'");
    assert.deepEqual(links, [{ target_path: 'public.md', context: '' }]);

    await store.conn.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(store.file);
    for (const word of ['Xylophonic', 'confessions', 'secret-tag', 'feelings', 'I met']) assert.equal(bytes.indexOf(Buffer.from(word)), -1, `"${word}" is not in the database`);
    assert.ok(bytes.indexOf(Buffer.from('in the open')) >= 0, 'the public note is (a control for the grep)');
  });
});
