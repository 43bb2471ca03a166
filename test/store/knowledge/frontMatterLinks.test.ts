// Wikilinks in front-matter properties: read as links (indexed, with their file line), and rewritten by a rename
// inside their YAML value only — the quoting kept (a `'` doubled in single quotes), the rest of the YAML
// byte for byte as written (comments, order, spacing, other values).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { noteLinksOf, placeholders } from '../../../src/store/knowledge/links';
import { frontMatterLinksOf, parseNote } from '../../../src/store/knowledge/markdown';
import { renameNote } from '../../../src/store/knowledge/rename';
import type { Store } from '../../../src/store/store';
import { human, useTempStore, writeTree } from '../../helpers';

const FRONT = `---
title: Weekly   # a comment stays
related: "[[Old Name]]"
sources:
  - '[[Old Name#Context|why]]'
  - "[[Other]]"
  - plain text then ![[Old Name]] inline
nested:
  deeper: { see: "[[ Old Name ]]" }
unquoted: [[Old Name]]
count: 3
---
# Weekly

Body [[Old Name]].
`;

describe('knowledge: links in front-matter properties', () => {
  it('are read as links, before the body, with their line; an unquoted [[x]] is a YAML list, not a link', () => {
    const links = parseNote(FRONT, 'Weekly.md').links.map((l) => [l.kind, l.target, l.heading ?? null, l.alias ?? null, l.line]);
    assert.deepEqual(links, [
      ['wikilink', 'Old Name', null, null, 3],
      ['wikilink', 'Old Name', 'Context', 'why', 5],
      ['wikilink', 'Other', null, null, 6],
      ['embed', 'Old Name', null, null, 7],
      ['wikilink', 'Old Name', null, null, 9],
      ['wikilink', 'Old Name', null, null, 15],
    ]);
    assert.deepEqual(
      frontMatterLinksOf(FRONT).map((l) => [l.property, l.style, FRONT.split('\n')[l.line - 1]!.slice(l.character, l.endCharacter)]),
      [
        ['related', 'double', 'Old Name'],
        ['sources', 'single', 'Old Name'],
        ['sources', 'double', 'Other'],
        ['sources', 'plain', 'Old Name'],
        ['nested', 'double', 'Old Name'],
      ],
    );
  });

  it('none from broken YAML, and the same lines with CRLF and a BOM', () => {
    assert.deepEqual(parseNote('---\nrelated: "[[A]]\n---\n', 'x.md').links, []);
    const crlf = `\ufeff${FRONT.replace(/\n/g, '\r\n')}`;
    assert.deepEqual(parseNote(crlf, 'Weekly.md').links.map((l) => l.line), [3, 5, 6, 7, 9, 15]);
    assert.deepEqual(frontMatterLinksOf(crlf).map((l) => [l.line, l.character]), frontMatterLinksOf(FRONT).map((l) => [l.line, l.character]));
  });

  describe('in a vault', () => {
    let store: Store;
    useTempStore((s) => (store = s));

    it('are indexed as backlinks and placeholders, and a rename rewrites only their targets', async () => {
      const vault = writeTree({ 'Weekly.md': FRONT, 'Old Name.md': '# Old\n\n## Context\n', 'Other.md': '# Other\n', 'quotes.md': "---\nsee: '[[Old Name]]'\nmissing: \"[[Nobody]]\"\n---\n" });
      await indexVault(store, vault, human);
      const back = (await noteLinksOf(store.orm, 'Old Name.md')).backlinks.map((b) => `${b.path}:${b.line}`);
      assert.deepEqual(back, ['Weekly.md:3', 'Weekly.md:5', 'Weekly.md:7', 'Weekly.md:9', 'Weekly.md:15', 'quotes.md:2']);
      assert.deepEqual(await placeholders(store.orm), [{ target: 'Nobody', count: 1 }]);

      await renameNote(store, vault, human, 'Old Name.md', "Bob's Plan");
      assert.equal(
        fs.readFileSync(path.join(vault, 'Weekly.md'), 'utf8'),
        FRONT.replace('"[[Old Name]]"', `"[[Bob's Plan]]"`)
          .replace("'[[Old Name#Context|why]]'", "'[[Bob''s Plan#Context|why]]'")
          .replace('![[Old Name]] inline', "![[Bob's Plan]] inline")
          .replace('"[[ Old Name ]]"', `"[[ Bob's Plan ]]"`)
          .replace('Body [[Old Name]]', "Body [[Bob's Plan]]"),
      );
      assert.equal(fs.readFileSync(path.join(vault, 'quotes.md'), 'utf8'), "---\nsee: '[[Bob''s Plan]]'\nmissing: \"[[Nobody]]\"\n---\n");
      // What the YAML says afterwards is the new name, and the index agrees.
      assert.deepEqual(parseNote(fs.readFileSync(path.join(vault, 'quotes.md'), 'utf8'), 'quotes.md').frontMatter, { see: "[[Bob's Plan]]", missing: '[[Nobody]]' });
      const after = (await noteLinksOf(store.orm, "Bob's Plan.md")).backlinks.map((b) => `${b.path}:${b.line}`);
      assert.deepEqual(after, back);
    });

    it("a store indexed before they counted re-reads every note once (the migration resets the catalog)", async () => {
      const vault = writeTree({ 'Weekly.md': FRONT, 'Old Name.md': '# Old\n' });
      await indexVault(store, vault, human);
      assert.equal((await indexVault(store, vault, human)).updated, 0, 'a warm run reads nothing');
      await store.conn.exec(fs.readFileSync(path.join(__dirname, '../../../drizzle/0012_reparse_front_matter_links.sql'), 'utf8'));
      const again = await indexVault(store, vault, human);
      assert.equal(again.updated, 2);
      assert.equal((await indexVault(store, vault, human)).updated, 0, 'and only once');
    });
  });
});
