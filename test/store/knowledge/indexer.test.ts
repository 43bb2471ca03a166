// The vault indexer on real Markdown trees on disk: a small vault written here (every bad input the issue
// names) and the Foam documentation vault in test/fixtures (written by other people).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../../src/store/errors';
import { listEvents } from '../../../src/store/events';
import { indexVault, type IndexReport } from '../../../src/store/knowledge/indexer';
import { noteLinksOf, placeholders } from '../../../src/store/knowledge/links';
import { searchPassages, searchText, toFtsQuery, unmark } from '../../../src/store/knowledge/search';
import { searchHybrid } from '../../../src/store/knowledge/semanticSearch';
import type { Store } from '../../../src/store/store';
import { FOAM_VAULT } from '../../fixtures';
import { human, useTempStore, tempDir, writeTree } from '../../helpers';

const FOAM = FOAM_VAULT;

const writeVault = (files: Record<string, string | Buffer>) => writeTree(files);

const paths = (hits: { path: string }[]) => hits.map((h) => h.path).sort();

describe('knowledge: vault indexer', () => {
  let store!: Store;
  useTempStore((s) => (store = s));

  const index = (vault: string, options = {}) => indexVault(store, vault, human, options);

  it('a wikilink naming a code file by its path is not a placeholder; a missing note with a dot in its name is', async () => {
    const vault = writeVault({ 'Home.md': 'See [[src/a.ts]], ![[lib/b.py]], [[Node.js]] and [[drafts/Plan]].\n' });
    await index(vault);
    assert.deepEqual((await placeholders(store.orm)).map((p) => p.target).sort(), ['Node.js', 'drafts/Plan']);
  });

  it('indexes notes, headings, links, tags and full text; resolves links by name anywhere in the vault', async () => {
    const vault = writeVault({
      'Home.md': '---\ntitle: Welcome home\naliases: [Start]\ntags: [hub]\n---\n# Home\nSee [[Ideas]] and [[projects/Roadmap|the roadmap]] and [[Missing note]].\n#inbox\n',
      'Ideas.md': '# Ideas\nA zeppelin-shaped thought. Back to [[home]] and [[Start]].\n',
      'projects/Roadmap.md': '# Roadmap\n## Q3\nShip the [storage](../Ideas.md) work. #project/cairn\n',
    });
    const r = await index(vault);
    assert.deepEqual([r.notes, r.added, r.updated, r.removed, r.unchanged], [3, 3, 0, 0, 0]);
    assert.deepEqual(r.links, { resolved: 5, unresolved: 1 });
    const home = await noteLinksOf(store.orm, 'Home.md');
    assert.equal(home.title, 'Welcome home');
    assert.deepEqual(home.backlinks.map((l) => [l.path, l.line]).sort(), [['Ideas.md', 2], ['Ideas.md', 2]]);
    assert.deepEqual(
      home.outgoing.map((l) => [l.target, l.path, l.line]),
      [
        ['Ideas', 'Ideas.md', 7],
        ['projects/Roadmap', 'projects/Roadmap.md', 7],
        ['Missing note', null, 7],
      ],
    );
    assert.deepEqual(await placeholders(store.orm), [{ target: 'Missing note', count: 1 }]);
    const hits = await searchText(store, 'zeppelin');
    assert.deepEqual(paths(hits), ['Ideas.md']);
    assert.match(hits[0]!.snippet, /zeppelin/);
    const [start, end] = hits[0]!.highlights[0]!;
    assert.equal(hits[0]!.snippet.slice(start, end).toLowerCase(), 'zeppelin');
    assert.deepEqual(paths(await searchText(store, 'ship', { tag: 'project' })), ['projects/Roadmap.md'], 'nested tags match their parent');
    assert.deepEqual(paths(await searchText(store, 'ship', { folder: 'projects' })), ['projects/Roadmap.md']);
    assert.deepEqual(await searchText(store, 'ship', { folder: 'elsewhere' }), []);
    const [missing] = await searchText(store, 'missing');
    assert.equal(missing!.path, 'Home.md');
    assert.doesNotMatch(missing!.snippet, /\[\[|\]\]|(^|\s)#\s/, `snippets read as text: ${missing!.snippet}`);
    assert.match(missing!.snippet, /See Ideas and the roadmap and Missing note\./);
    const [event] = await listEvents(store.orm, { aggregateType: 'vault', limit: 1, order: 'desc' });
    assert.equal(event!.type, 'vault.indexed');
  });

  it('a snippet from the top of a note leaves out its title, which the hit shows beside it; the highlights still mark the words', async () => {
    const vault = writeVault({
      'rockets/Saturn V.md': '# Saturn V\n\nA three-stage rocket.\nIts first stage burned kerosene and liquid oxygen.\n',
      'Launch.md': '---\ntitle: Launch day\n---\n# Countdown\n\nThe rocket lifted off at dawn.\n',
    });
    await index(vault);
    const mark = (hit: { snippet: string; highlights: [number, number][] }) => hit.highlights.map(([a, b]) => hit.snippet.slice(a, b).toLowerCase());
    const [text] = await searchText(store, 'kerosene');
    assert.equal(text!.title, 'Saturn V');
    assert.equal(text!.snippet, 'A three-stage rocket. Its first stage burned kerosene and liquid oxygen.');
    assert.deepEqual(mark(text!), ['kerosene']);
    const passage = (await searchPassages(store, 'three-stage rocket')).find((h) => h.path === 'rockets/Saturn V.md')!;
    assert.ok(passage.snippet.startsWith('A three-stage rocket.'), passage.snippet);
    assert.ok(mark(passage).includes('rocket'));
    const hybrid = (await searchHybrid(store, 'kerosene rocket')).find((h) => h.id === 'rockets/Saturn V.md')!;
    assert.ok(!hybrid.snippet!.startsWith('Saturn V'), hybrid.snippet);
    // A heading that is not the title stays: it is what the note says.
    const launch = (await searchText(store, 'dawn')).find((h) => h.path === 'Launch.md')!;
    assert.equal(launch.snippet, 'Countdown The rocket lifted off at dawn.');
    // unmark alone: the title and the heading path's mark go, a highlight inside the title goes with it.
    assert.deepEqual(unmark('\u0002Saturn\u0003 V › Stages\nThe \u0002first\u0003 stage', 'Saturn V'), { snippet: 'Stages The first stage', highlights: [[11, 16]] });
    assert.deepEqual(unmark('Saturn V › Saturn V › Stages\nThe first stage', 'Saturn V'), { snippet: 'Stages The first stage', highlights: [] }, 'the heading path of a note whose # heading is its title');
    assert.deepEqual(unmark('Saturn V', 'Saturn V'), { snippet: 'Saturn V', highlights: [] }, 'a snippet that is only the title keeps it');
    assert.deepEqual(unmark('…Saturn V again', 'Saturn V'), { snippet: '…Saturn V again', highlights: [] }, 'not from the top: kept');
  });

  it('a warm run reads nothing unchanged; an edit, a delete and a new note are picked up', async () => {
    const vault = writeVault({ 'a.md': '# A\nalpha words [[b]]\n', 'b.md': '# B\nbravo words\n', 'c.md': '# C\ncharlie [[d]]\n' });
    const fixed = new Date('2026-01-02T03:04:05Z'); // a whole-second mtime that utimes can restore exactly
    fs.utimesSync(path.join(vault, 'b.md'), fixed, fixed);
    await index(vault);
    const warm = await index(vault);
    assert.deepEqual([warm.added, warm.updated, warm.removed, warm.unchanged], [0, 0, 0, 3]);

    // Same size and mtime, different bytes: a warm run does not even read the file (it trusts size + mtime).
    fs.writeFileSync(path.join(vault, 'b.md'), '# B\nbravX words\n');
    fs.utimesSync(path.join(vault, 'b.md'), fixed, fixed);
    assert.equal((await index(vault)).unchanged, 3);
    assert.deepEqual(paths(await searchText(store, 'bravo')), ['b.md'], 'the old text is still indexed: the file was not read');

    // A real edit (mtime moves), a deletion and a new note that fills a placeholder.
    fs.writeFileSync(path.join(vault, 'a.md'), '# A\namended words [[b]]\n');
    fs.utimesSync(path.join(vault, 'a.md'), new Date(), new Date(Date.now() + 5000));
    fs.rmSync(path.join(vault, 'b.md'));
    fs.writeFileSync(path.join(vault, 'd.md'), '# D\ndelta\n');
    const r = await index(vault);
    assert.deepEqual([r.added, r.updated, r.removed, r.unchanged], [1, 1, 1, 1]);
    assert.deepEqual(await searchText(store, 'alpha'), []);
    assert.deepEqual(paths(await searchText(store, 'amended')), ['a.md']);
    assert.deepEqual(await searchText(store, 'bravo'), []);
    const a = await noteLinksOf(store.orm, 'a');
    assert.deepEqual(a.outgoing.map((l) => l.path), [null], 'the link to the deleted note is a placeholder now');
    const c = await noteLinksOf(store.orm, 'c');
    assert.deepEqual(c.outgoing.map((l) => l.path), ['d.md'], 'the new note resolves the old placeholder');
  });

  it('touching a file without changing it re-hashes but does not re-index it', async () => {
    const vault = writeVault({ 'a.md': '# A\ntext\n' });
    await index(vault);
    fs.utimesSync(path.join(vault, 'a.md'), new Date(), new Date(Date.now() + 10_000));
    const r = await index(vault);
    assert.deepEqual([r.updated, r.unchanged], [0, 1]);
    assert.equal((await index(vault)).unchanged, 1);
  });

  it('bad input: broken YAML, binary, too large, invalid UTF-8, empty, symlink loop, ../ links, names differing in case', async () => {
    const vault = writeVault({
      'broken-yaml.md': '---\ntitle: [unclosed\n---\n# Still indexed\nfindable pelican\n',
      'binary.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]),
      'big.md': '# Big\n' + 'x'.repeat(5000),
      'latin1.md': Buffer.concat([Buffer.from('# Caf'), Buffer.from([0xe9]), Buffer.from('\nlatin walrus\n')]),
      'empty.md': '',
      'escape.md': '# Escape\n[out](../../etc/passwd.md) and [[../outside]]\n',
      'Case.md': '# Upper\nupper ocelot\n',
      'sub/case.md': '# Lower\nlower ocelot\n',
    });
    fs.symlinkSync(vault, path.join(vault, 'sub', 'loop'));
    const r: IndexReport = await index(vault, { maxFileBytes: 1000 });
    const skippedReasons = Object.fromEntries(r.skipped.map((s) => [s.path, s.reason]));
    assert.match(skippedReasons['binary.md'] ?? '', /binary/);
    assert.match(skippedReasons['big.md'] ?? '', /larger than 1000 bytes/);
    assert.match(skippedReasons['sub/loop'] ?? '', /symlink loop/);
    assert.equal(r.notes, 6);
    assert.deepEqual(paths(await searchText(store, 'pelican')), ['broken-yaml.md']);
    const broken = await store.conn.get<{ diagnostics: string; front_matter: string | null }>("select diagnostics, front_matter from notes where path = 'broken-yaml.md'");
    assert.equal(broken!.front_matter, null);
    assert.ok(JSON.parse(broken!.diagnostics).length >= 1, 'a diagnostic for the broken YAML');
    assert.deepEqual(paths(await searchText(store, 'walrus')), ['latin1.md']);
    const latin = await store.conn.get<{ diagnostics: string }>("select diagnostics from notes where path = 'latin1.md'");
    assert.match(latin!.diagnostics, /not valid UTF-8/);
    const empty = await store.conn.get<{ title: string }>("select title from notes where path = 'empty.md'");
    assert.equal(empty!.title, 'empty');
    const escape = await noteLinksOf(store.orm, 'escape');
    assert.deepEqual(escape.outgoing.map((l) => l.path), [null, null], 'links climbing out of the vault never resolve');
    assert.deepEqual(paths(await searchText(store, 'ocelot')), ['Case.md', 'sub/case.md'], 'both notes whose names differ only in case are indexed');
  });

  it('a vault folder that does not exist is a clear error, and nothing is written', async () => {
    const missing = path.join(tempDir(), 'no-such-vault');
    await assert.rejects(index(missing), (err: unknown) => err instanceof StoreError && err.kind === 'not_found' && /does not exist/.test(err.message));
    assert.equal(fs.existsSync(missing), false);
  });

  it('full-text queries never fail on syntax, and the last word matches as a prefix', async () => {
    const vault = writeVault({ 'q.md': '# Q\nquantum "entanglement" AND (parentheses) NOT here\n' });
    await index(vault);
    for (const q of ['"', 'AND', '(', 'NOT here', 'a*b', '-x', 'quant', '"quantum entang']) await searchText(store, q);
    assert.deepEqual(paths(await searchText(store, 'quant')), ['q.md']);
    assert.equal(toFtsQuery('  '), null);
    assert.equal(toFtsQuery('foo bar'), '"foo" "bar"*');
    assert.equal(toFtsQuery('"exact phrase" x '), '"exact phrase" "x"');
  });

  it('indexes the Foam documentation vault as written by its authors', async () => {
    const count = (dir: string): number =>
      fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(path.join(dir, e.name)) : e.name.endsWith('.md') ? 1 : 0), 0);
    const r = await index(FOAM);
    assert.equal(r.notes, count(FOAM));
    assert.ok(r.links.resolved > 100, `resolved links: ${r.links.resolved}`);
    const hits = await searchText(store, 'wikilinks');
    assert.ok(hits.some((h) => h.path === 'user/features/wikilinks.md'), JSON.stringify(hits.map((h) => h.path)));
    const wikilinks = await noteLinksOf(store.orm, 'wikilinks');
    assert.ok(wikilinks.backlinks.length > 3, `backlinks of wikilinks.md: ${wikilinks.backlinks.length}`);
    const warm = await index(FOAM);
    assert.equal(warm.unchanged, r.notes);
  });
});
