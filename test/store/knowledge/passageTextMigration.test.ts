// drizzle/0024_note_passage_text on a real store file: a store written before it (passages holding their text twice,
// links with long context lines) is upgraded by Store.open, keeps every passage's text and its full-text index, and
// goes on being indexed; and what the indexer writes now (one copy of the text, link context cut around the link).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '../../../src/store/connection';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { LINK_CONTEXT_CHARS, linkContext } from '../../../src/store/knowledge/linkContext';
import { noteLinksOf } from '../../../src/store/knowledge/links';
import { findMigrationsDir, migrate } from '../../../src/store/migrate';
import { Store } from '../../../src/store/store';
import { cleanupTempDirs, human, tempDir, writeTree } from '../../helpers';

const MIGRATION = '0024_note_passage_text';

/** The migrations before this one: how many a store written before it has applied. */
function versionBefore(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(findMigrationsDir(), 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === MIGRATION);
  assert.ok(at > 0, `${MIGRATION} is in the journal`);
  return at;
}

interface OldPassage {
  seq: number;
  text: string;
  embedText: string;
}

// As the indexer wrote them before: embed_text = title › headings, a newline, the text; a title-only passage; the
// whole-note row (no text). Titles with a character outside the BMP and with a newline (front matter may hold one).
const OLD: { path: string; title: string; passages: OldPassage[] }[] = [
  {
    path: 'Rocks.md',
    title: 'Rocks 🪨 and stones',
    passages: [
      { seq: 0, text: 'Granite is an igneous rock.', embedText: 'Rocks 🪨 and stones › Kinds\nGranite is an igneous rock.' },
      { seq: 1, text: 'Basalt 🌋 cools fast.\n\nIt is dark.', embedText: 'Rocks 🪨 and stones › Kinds › Volcanic\nBasalt 🌋 cools fast.\n\nIt is dark.' },
      { seq: -1, text: '', embedText: '' },
    ],
  },
  {
    path: 'Two lines.md',
    title: 'First line\nsecond line',
    passages: [
      { seq: 0, text: 'Limestone forms under the sea.', embedText: 'First line\nsecond line\nLimestone forms under the sea.' },
      { seq: -1, text: '', embedText: '' },
    ],
  },
  { path: 'Only a title.md', title: 'Only a title', passages: [{ seq: 0, text: '', embedText: 'Only a title' }, { seq: -1, text: '', embedText: '' }] },
];

describe(`migration ${MIGRATION} (a store with passages and links, upgraded)`, () => {
  after(cleanupTempDirs);

  it('keeps every passage text, its full-text index and the links; new passages store their text once', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'cairn.db');
    const conn = await Connection.open(file, { busyTimeoutMs: 5000, slowQueryMs: 10_000 });
    await conn.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;');
    await migrate(conn, findMigrationsDir(), path.join(dir, 'backups'), versionBefore());
    const longLine = `${'word '.repeat(120)}see [[Rocks]] for more ${'after '.repeat(40)}`.trim();
    await conn.transaction(async () => {
      for (const n of OLD) {
        const row = await conn.get<{ id: number }>(
          `insert into notes (path, name_key, title, front_matter, aliases, diagnostics, size, updated_at) values (?, ?, ?, null, '[]', '[]', 10, '2026-01-01T00:00:00.000Z') returning id`,
          [n.path, n.path.toLowerCase().replace(/\.md$/, ''), n.title],
        );
        for (const [i, p] of n.passages.entries()) {
          await conn.run(`insert into note_chunks (note_id, seq, headings, line, text, embed_text, hash) values (?, ?, '[]', 1, ?, ?, ?)`, [row!.id, p.seq, p.text, p.embedText, `${n.path}-${i}`]);
        }
        await conn.run(`insert into note_links (note_id, kind, target, line, context, target_path) values (?, 'wikilink', 'Rocks', 1, ?, 'Rocks.md')`, [row!.id, longLine]);
      }
    });
    assert.equal((await conn.get<{ n: number }>(`select count(*) as n from note_passages_fts where note_passages_fts match 'limestone'`))!.n, 1);
    await conn.close();

    const store = await Store.open(dir);
    try {
      assert.equal(store.migration.from, versionBefore());
      assert.ok(store.migration.backupFile, 'the store was copied aside before the upgrade');
      const columns = (await store.conn.all<{ name: string; hidden: number }>(`select name, hidden from pragma_table_xinfo('note_chunks')`)).map((c) => `${c.name}${c.hidden ? ' (generated)' : ''}`);
      assert.ok(columns.includes('text (generated)') && columns.includes('text_at'), columns.join(', '));
      const rows = await store.conn.all<{ path: string; seq: number; text: string; embedText: string }>(
        `select n.path, c.seq, c.text, c.embed_text as embedText from note_chunks c join notes n on n.id = c.note_id order by c.id`,
      );
      assert.deepEqual(
        rows,
        OLD.flatMap((n) => n.passages.map((p) => ({ path: n.path, seq: p.seq, text: p.text, embedText: p.embedText }))),
      );
      // The passages' full-text index is intact, and follows deletes (its triggers read embed_text).
      const match = (q: string) => store.conn.all<{ id: number }>(`select rowid as id from note_passages_fts where note_passages_fts match ?`, [q]);
      assert.equal((await match('granite')).length, 1);
      assert.deepEqual(await store.conn.all(`insert into note_passages_fts (note_passages_fts, rank) values ('integrity-check', 1)`), []);
      // Old links keep their context as it was (only new writes are cut).
      assert.equal((await store.conn.get<{ c: string }>(`select context as c from note_links limit 1`))!.c, longLine);

      // Indexing goes on: the vault's notes replace the old rows, their passages readable as before.
      const vault = writeTree({
        'Rocks.md': `# Rocks 🪨\n\n## Kinds\n\nGranite is an igneous rock, see [[Two lines]].\n\n${longLine}\n`,
        'Two lines.md': '---\ntitle: "First line\\nsecond line"\n---\nLimestone forms under the sea.\n',
        'Only a title.md': '',
      });
      const report = await indexVault(store, vault, human, { embedder: null });
      assert.equal(report.notes, 3);
      const passages = await store.conn.all<{ path: string; text: string; embedText: string; textAt: number }>(
        `select n.path, c.text, c.embed_text as embedText, c.text_at as textAt from note_chunks c join notes n on n.id = c.note_id where c.seq >= 0 order by n.path, c.seq`,
      );
      for (const p of passages) assert.ok(p.embedText.endsWith(p.text), JSON.stringify(p));
      const rocks = passages.filter((p) => p.path === 'Rocks.md').map((p) => p.text);
      assert.ok(rocks.some((t) => t.startsWith('Granite is an igneous rock')), JSON.stringify(rocks));
      assert.equal(passages.find((p) => p.path === 'Two lines.md')!.text, 'Limestone forms under the sea.');
      assert.equal(passages.find((p) => p.path === 'Only a title.md')!.text, '');
      assert.equal((await match('limestone')).length, 1);
      assert.deepEqual(await store.conn.all(`insert into note_passages_fts (note_passages_fts, rank) values ('integrity-check', 1)`), []);

      // The long line's link keeps a window around the link, not the whole line.
      const own = (await noteLinksOf(store.orm, 'Rocks.md')).outgoing;
      assert.deepEqual(own.map((l) => l.target).sort(), ['Rocks', 'Two lines']);
      const cut = own.find((l) => l.target === 'Rocks')!.context;
      assert.ok(cut.length <= LINK_CONTEXT_CHARS + 2, cut);
      assert.match(cut, /^….*see \[\[Rocks\]\] for more.*…$/);
    } finally {
      await store.close();
    }
  });

  it('linkContext: a short line whole; a long one cut at word ends around its link', () => {
    assert.equal(linkContext('see [[A]] here', { target: 'A' }), 'see [[A]] here');
    const line = `${'alpha '.repeat(50)}[[Target note|the alias]] ${'omega '.repeat(50)}`.trim();
    const cut = linkContext(line, { target: 'Target note', alias: 'the alias' });
    assert.ok(cut.includes('[[Target note|the alias]]'), cut);
    assert.ok(cut.length <= LINK_CONTEXT_CHARS + 2, cut);
    assert.match(cut, /^…alpha .* omega…$/);
    // A link at the start keeps the start; one whose text is not found keeps the start too.
    assert.match(linkContext(`[[A]] ${'x '.repeat(200)}`, { target: 'A' }), /^\[\[A\]\] x/);
    assert.match(linkContext(`${'y '.repeat(200)}`, { target: 'missing' }), /^y y/);
  });
});
