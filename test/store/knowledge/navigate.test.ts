// Following links from an editor (notes.resolve) on a real temp vault: the target note and the line of a heading
// or block, by the store's Obsidian rules (aliases, paths, Markdown links), the hover preview, and what does not
// resolve.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../../src/store/errors';
import { indexPaths, indexVault } from '../../../src/store/knowledge/indexer';
import { resolveForEditor } from '../../../src/store/knowledge/navigate';
import type { Store } from '../../../src/store/store';
import { human, tempDir, useTempStore } from '../../helpers';

function write(vault: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
  fs.writeFileSync(path.join(vault, rel), content);
}

const TARGET = `---
aliases: [The Target]
---
# Target Note

Intro line.

## Set-up & Use

Step one.
Step two.

### Detail

Deep.

## Other

A block paragraph
that ends here. ^blk-1
`;

describe('knowledge: resolve a link for the editor', () => {
  let store: Store;
  let vault: string;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    vault = tempDir('cairn-vault-');
    write(vault, 'notes/Target.md', TARGET);
    write(vault, 'From.md', '# From\n');
    write(vault, 'img/pic.png', 'not really a png');
    await indexVault(store, vault, human);
  });

  it('a wikilink: the note, its title, headings and blocks, and the start of the note as preview', async () => {
    const r = (await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Target'))!;
    assert.equal(r.path, 'notes/Target.md');
    assert.equal(r.title, 'Target Note');
    assert.equal(r.line, 4, 'the first line after the front matter');
    assert.deepEqual(r.headings.map((h) => [h.level, h.text, h.line]), [[1, 'Target Note', 4], [2, 'Set-up & Use', 8], [3, 'Detail', 13], [2, 'Other', 17]]);
    assert.deepEqual(r.blocks, [{ id: 'blk-1', line: 20 }]);
    assert.match(r.preview, /^# Target Note\n\nIntro line\.\n\n## Set-up & Use/);
  });

  it('a heading (case and punctuation ignored, Obsidian heading paths, Markdown slugs): its line and section', async () => {
    for (const [kind, text] of [['wikilink', 'Target#set-up & use'], ['wikilink', 'Target#Target Note#Set-up & Use|shown'], ['embed', 'The Target#Set-up  Use'], ['markdown', 'notes/Target.md#set-up--use']] as const) {
      const r = (await resolveForEditor(store, vault, path.join(vault, 'From.md'), kind, text))!;
      assert.equal(r.line, 8, `${kind} ${text}`);
      assert.equal(r.missingAnchor, false);
      assert.equal(r.preview, '## Set-up & Use\n\nStep one.\nStep two.\n\n### Detail\n\nDeep.', `${kind} ${text}`);
    }
  });

  it('a block: the line of its id, the paragraph as preview; a missing anchor says so', async () => {
    const r = (await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Target#^blk-1'))!;
    assert.equal(r.line, 20);
    assert.match(r.preview, /^A block paragraph\nthat ends here\. \^blk-1/);
    const missing = (await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Target#No such heading'))!;
    assert.deepEqual([missing.path, missing.line, missing.missingAnchor], ['notes/Target.md', 1, true]);
  });

  it('follows the index: a note indexed after a first lookup is found, a removed one no longer', async () => {
    assert.equal(await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Newcomer'), null);
    write(vault, 'Newcomer.md', '# Newcomer\n');
    await indexPaths(store, vault, ['Newcomer.md'], human);
    assert.equal((await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Newcomer'))?.path, 'Newcomer.md');
    fs.rmSync(path.join(vault, 'notes', 'Target.md'));
    await indexPaths(store, vault, ['notes/Target.md'], human);
    assert.equal(await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Target'), null);
  });

  it('attachments resolve to the file; placeholders and links out of the vault to nothing; bad input is refused', async () => {
    const pic = (await resolveForEditor(store, vault, 'From.md', 'embed', 'pic.png'))!;
    assert.deepEqual([pic.path, pic.isNote], ['img/pic.png', false]);
    assert.equal(await resolveForEditor(store, vault, 'From.md', 'wikilink', 'Nowhere'), null);
    assert.equal(await resolveForEditor(store, vault, 'From.md', 'markdown', '../outside.md'), null);
    await assert.rejects(resolveForEditor(store, vault, '/etc/passwd', 'wikilink', 'Target'), (e: StoreError) => e.kind === 'invalid' && /is not inside the vault/.test(e.message));
    await assert.rejects(resolveForEditor(store, vault, 'From.md', 'wikilink', '|alias only'), (e: StoreError) => e.kind === 'invalid' && /is not a link to a note/.test(e.message));
    await assert.rejects(resolveForEditor(store, vault, 'From.md', 'markdown', 'https://example.org/Target.md'), (e: StoreError) => e.kind === 'invalid');
  });
});
