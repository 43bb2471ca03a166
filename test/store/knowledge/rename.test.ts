// Renaming a note on real temp vaults: every link form that points at it is rewritten (wikilinks with heading,
// block and alias kept, embeds, path forms, Markdown links, angle brackets, reference definitions), links by alias,
// in code and to other notes are left alone, nothing is ever overwritten, and bad names change nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../../src/store/errors';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { noteLinksOf, placeholders } from '../../../src/store/knowledge/links';
import { planRename, renameNote } from '../../../src/store/knowledge/rename';
import type { Store } from '../../../src/store/store';
import { human, readTree, tempDir, useTempStore } from '../../helpers';

function write(vault: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
  fs.writeFileSync(path.join(vault, rel), content);
}
const read = (vault: string, rel: string) => fs.readFileSync(path.join(vault, rel), 'utf8');

/** Every file of the vault with its text: to show that a refused rename wrote nothing. */
const contents = readTree;

const OLD = `---
aliases: [Oldie]
---
# Old Note

## Section One

A paragraph. ^blk1

Self links: [[#Section One]] and [[Old Note#Section One]].
`;

const A = `# A

Plain [[Old Note]], heading [[Old Note#Section One]], block [[Old Note#^blk1]], alias [[Old Note|shown text]], both [[Old Note#Section One|s]].
Embeds ![[Old Note]] and ![[Old Note#Section One]].
Path form [[notes/Old Note]], with extension [[Old Note.md]], other case [[old note]].

| table | [[Old Note\\|alias in a table]] |
|---|---|

By alias [[Oldie]] stays; another note [[Other]] stays.
Markdown [text](notes/Old%20Note.md), [heading](notes/Old%20Note.md#Section%20One "title"), [angle](<notes/Old Note.md>), ![image alt](notes/Old%20Note.md).
Inline code \`[[Old Note]]\` stays, and so does this:

\`\`\`
[[Old Note]] in a fence
\`\`\`

- a list item with [[Old Note]]
> a quote with [[Old Note]]

A reference [ref][r1].

[r1]: notes/Old%20Note.md
`;

const A_AFTER = `# A

Plain [[New Name]], heading [[New Name#Section One]], block [[New Name#^blk1]], alias [[New Name|shown text]], both [[New Name#Section One|s]].
Embeds ![[New Name]] and ![[New Name#Section One]].
Path form [[notes/New Name]], with extension [[New Name.md]], other case [[New Name]].

| table | [[New Name\\|alias in a table]] |
|---|---|

By alias [[Oldie]] stays; another note [[Other]] stays.
Markdown [text](notes/New%20Name.md), [heading](notes/New%20Name.md#Section%20One "title"), [angle](<notes/New Name.md>), ![image alt](notes/New%20Name.md).
Inline code \`[[Old Note]]\` stays, and so does this:

\`\`\`
[[Old Note]] in a fence
\`\`\`

- a list item with [[New Name]]
> a quote with [[New Name]]

A reference [ref][r1].

[r1]: notes/New%20Name.md
`;

describe('knowledge: rename a note', () => {
  let store: Store;
  let vault: string;
  useTempStore((s) => (store = s));

  beforeEach(async () => {
    vault = tempDir('cairn-vault-');
    write(vault, 'notes/Old Note.md', OLD);
    write(vault, 'A.md', A);
    write(vault, 'deep/er/B.md', '# B\n\nUp [up](../../notes/Old%20Note.md), shortest [short](Old%20Note.md), wiki [[Old Note]].\n');
    write(vault, 'crlf.md', '\ufeff# CRLF\r\n\r\nFirst [[Old Note]] then [[Old Note#Section One|x]].\r\n');
    write(vault, 'Other.md', '# Other\n\nNothing about the old one.\n');
    await indexVault(store, vault, human);
  });

  it('plans without writing: every edit names its file, position and the text it replaces', async () => {
    const before = contents(vault);
    const plan = await planRename(store, vault, 'notes/Old Note.md', 'New Name');
    assert.deepEqual(contents(vault), before, 'planning writes nothing');
    assert.equal(plan.from, 'notes/Old Note.md');
    assert.equal(plan.to, 'notes/New Name.md');
    assert.deepEqual(plan.files, ['A.md', 'crlf.md', 'deep/er/B.md', 'notes/Old Note.md']);
    for (const e of plan.edits) {
      const text = read(vault, e.path).replace(/^\ufeff/, '');
      const line = text.split('\n')[e.line]!;
      assert.equal(e.line, e.endLine);
      assert.equal(line.slice(e.character, e.endCharacter), e.oldText, `${e.path}:${e.line + 1}`);
    }
    assert.equal(plan.edits.filter((e) => e.path === "A.md").length, 18);
    // The BOM is not part of the text editors show: positions on line 1 of a file with one do not count it.
    assert.deepEqual(plan.edits.filter((e) => e.path === 'crlf.md').map((e) => [e.line, e.character, e.oldText]), [[2, 8, "Old Note"], [2, 26, "Old Note"]]);
  });

  it('rewrites every form of link to the note, keeps heading, block, alias and form, leaves the rest', async () => {
    const result = await renameNote(store, vault, human, 'notes/Old Note.md', 'New Name');
    assert.ok(!fs.existsSync(path.join(vault, 'notes/Old Note.md')));
    assert.equal(read(vault, 'notes/New Name.md'), OLD.replace('[[Old Note#Section One]]', '[[New Name#Section One]]'));
    assert.equal(read(vault, 'A.md'), A_AFTER);
    assert.equal(read(vault, 'deep/er/B.md'), '# B\n\nUp [up](../../notes/New%20Name.md), shortest [short](New%20Name.md), wiki [[New Name]].\n');
    assert.equal(read(vault, 'crlf.md'), '\ufeff# CRLF\r\n\r\nFirst [[New Name]] then [[New Name#Section One|x]].\r\n');
    assert.equal(read(vault, 'Other.md'), '# Other\n\nNothing about the old one.\n');
    assert.deepEqual(result.written.sort(), ['A.md', 'crlf.md', 'deep/er/B.md', 'notes/New Name.md']);

    // The index follows: the same backlinks under the new name, no placeholder left by the rename.
    const links = await noteLinksOf(store.orm, 'notes/New Name.md');
    assert.deepEqual([...new Set(links.backlinks.map((l) => l.path))].sort(), ['A.md', 'crlf.md', 'deep/er/B.md']);
    assert.deepEqual(await placeholders(store.orm), []);
  });

  it('writes the shortest link that still resolves to the note when the new name is ambiguous', async () => {
    write(vault, 'aaa/New Name.md', '# Another note of that name\n');
    write(vault, 'Linker.md', '# Linker\n\nTo the other one: [[New Name]].\n');
    await indexVault(store, vault, human);
    await renameNote(store, vault, human, 'notes/Old Note.md', 'New Name');
    // From the top level, [[New Name]] means aaa/New Name.md (fewest folders, then first by path): spell out the folder.
    assert.match(read(vault, 'A.md'), /^Plain \[\[notes\/New Name\]\], heading \[\[notes\/New Name#Section One\]\]/m);
    assert.equal(read(vault, 'Linker.md'), '# Linker\n\nTo the other one: [[New Name]].\n', 'a link to the other note stays');
    // Inside notes/, the note in the same folder wins: the bare name is enough.
    assert.match(read(vault, 'notes/New Name.md'), /\[\[New Name#Section One\]\]/);
  });

  it('a link the new name would capture is rewritten to keep its target', async () => {
    write(vault, 'notes/Sibling.md', '# Sibling\n\nTo the top-level one: [[Fresh]].\n');
    write(vault, 'x/Fresh.md', '# The existing Fresh\n');
    await indexVault(store, vault, human);
    await renameNote(store, vault, human, 'notes/Old Note.md', 'Fresh');
    // notes/Fresh.md is now in Sibling's own folder, which would win: the link names the other one's folder.
    assert.equal(read(vault, 'notes/Sibling.md'), '# Sibling\n\nTo the top-level one: [[x/Fresh]].\n');
    const links = await noteLinksOf(store.orm, 'notes/Sibling.md');
    assert.deepEqual(links.outgoing.map((l) => l.path), ['x/Fresh.md']);
  });

  it('moves a note to another folder and fixes its own relative links', async () => {
    write(vault, 'notes/Old Note.md', `${OLD}\nSibling: [s](./Sibling.md), up: [a](../A.md), wiki [[Sibling]].\n`);
    write(vault, 'notes/Sibling.md', '# Sibling\n');
    await indexVault(store, vault, human);
    const r = await renameNote(store, vault, human, 'Old Note', 'archive/2026/Old Note');
    assert.equal(r.to, 'archive/2026/Old Note.md');
    assert.match(read(vault, 'archive/2026/Old Note.md'), /Sibling: \[s\]\(\.\.\/\.\.\/notes\/Sibling\.md\), up: \[a\]\(\.\.\/\.\.\/A\.md\), wiki \[\[Sibling\]\]\./);
    assert.match(read(vault, 'A.md'), /Path form \[\[Old Note\]\], with extension \[\[Old Note\.md\]\]/);
    assert.match(read(vault, 'A.md'), /Markdown \[text\]\(archive\/2026\/Old%20Note\.md\)/);
    assert.match(read(vault, 'deep/er/B.md'), /Up \[up\]\(\.\.\/\.\.\/archive\/2026\/Old%20Note\.md\), shortest \[short\]\(Old%20Note\.md\)/);
    assert.deepEqual(await placeholders(store.orm), []);
  });

  it('never overwrites an existing note (any case of its name) and writes nothing', async () => {
    write(vault, 'notes/taken.md', '# Taken\n');
    await indexVault(store, vault, human);
    const before = contents(vault);
    for (const name of ['taken', 'Taken', 'TAKEN.md']) {
      await assert.rejects(renameNote(store, vault, human, 'notes/Old Note.md', name), (err: StoreError) => {
        assert.equal(err.kind, 'conflict');
        assert.match(err.message, /notes\/taken\.md already exists\. Choose another name; Cairn never overwrites a note\./);
        return true;
      });
    }
    assert.deepEqual(contents(vault), before);
  });

  it('refuses bad names, unknown notes and paths outside the vault with clear messages, writing nothing', async () => {
    const before = contents(vault);
    const cases: [string, string, string, RegExp][] = [
      ['notes/Old Note.md', 'a:b', 'invalid', /contains ":", which cannot be in a note name/],
      ['notes/Old Note.md', 'Heading#1', 'invalid', /contains "#"/],
      ['notes/Old Note.md', '   ', 'invalid', /is empty/],
      ['notes/Old Note.md', '.hidden', 'invalid', /starts with a dot/],
      ['notes/Old Note.md', '../../outside/X', 'invalid', /is not a folder inside the vault/],
      ['notes/Old Note.md', 'Old Note', 'invalid', /already has that name/],
      ['No Such Note', 'X', 'not_found', /No note has the path, file name or title "No Such Note"/],
      [path.join(path.dirname(vault), 'elsewhere.md'), 'X', 'invalid', /is not inside the vault/],
    ];
    for (const [note, name, kind, message] of cases) {
      await assert.rejects(renameNote(store, vault, human, note, name), (err: StoreError) => {
        assert.ok(err instanceof StoreError, `${name}: ${String(err)}`);
        assert.equal(err.kind, kind, name);
        assert.match(err.message, message);
        return true;
      });
    }
    assert.deepEqual(contents(vault), before);
  });

  it('a change of case alone is a rename', async () => {
    await renameNote(store, vault, human, 'notes/Old Note.md', 'old note');
    assert.ok(fs.existsSync(path.join(vault, 'notes/old note.md')));
    assert.deepEqual(fs.readdirSync(path.join(vault, 'notes')), ['old note.md']);
    // [[Old Note]] still resolves (names compare case-insensitively), so links stay as they are.
    assert.equal(read(vault, 'A.md'), A);
  });
});
