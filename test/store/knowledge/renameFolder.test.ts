// Renaming or moving a folder of the vault on real temp vaults: every link to a note or file under it is rewritten
// in the form it was written (path wikilinks, relative and vault-absolute Markdown links, embeds of images under it,
// front-matter properties), name-only links that still find their note are left alone, the moved notes' own
// relative links are fixed, the index follows, and a folder is never moved over or into another.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../../src/store/errors';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { noteLinksOf, placeholders } from '../../../src/store/knowledge/links';
import { planRename, renameNote } from '../../../src/store/knowledge/rename';
import type { Store } from '../../../src/store/store';
import { human, readTree, tempDir, useTempStore, writeTree } from '../../helpers';

const read = (vault: string, rel: string) => fs.readFileSync(path.join(vault, rel), 'utf8');

/** Every file of the vault with its text: to show that a refused rename wrote nothing. */
const contents = readTree;

const HOME = `---
related: ["[[projects/alpha/Plan]]", '[[Plan]]']
---
# Home

Path [[projects/alpha/Plan#Goals|the plan]], absolute [[/projects/alpha/Notes]], name only [[Plan]] and [[Notes]].
Markdown [plan](projects/alpha/Plan.md), [abs](/projects/alpha/Notes.md), ![diagram](projects/alpha/img/d.png).
Embed ![[projects/alpha/img/d.png]] and elsewhere [[Other]].
`;

const PLAN = `# Plan

## Goals

Sibling [notes](Notes.md), [[./Notes]], up [home](../../Home.md), [[../../Other]], image ![d](img/d.png).
`;

describe('knowledge: rename or move a folder', () => {
  let store: Store;
  let vault: string;
  useTempStore((s) => (store = s));

  beforeEach(async () => {
    vault = writeTree({
      'Home.md': HOME,
      'Other.md': '# Other\n',
      'projects/alpha/Plan.md': PLAN,
      'projects/alpha/Notes.md': '# Notes\n\nBack to [[Plan]] and [home](../../Home.md).\n',
      'projects/alpha/img/d.png': 'not really a png',
      'projects/beta/B.md': '# B\n\nSee [alpha plan](../alpha/Plan.md) and [[alpha/Plan]].\n',
    }, tempDir('cairn-vault-'));
    await indexVault(store, vault, human);
  });

  it('moves the folder and rewrites every link whose target moved, in its own form', async () => {
    const result = await renameNote(store, vault, human, 'projects/alpha/', '/archive/alpha-2024');
    assert.equal(result.folder, true);
    assert.equal(result.from, 'projects/alpha');
    assert.equal(result.to, 'archive/alpha-2024');
    assert.ok(!fs.existsSync(path.join(vault, 'projects/alpha')));
    assert.equal(read(vault, 'archive/alpha-2024/img/d.png'), 'not really a png');
    assert.equal(
      read(vault, 'Home.md'),
      `---
related: ["[[archive/alpha-2024/Plan]]", '[[Plan]]']
---
# Home

Path [[archive/alpha-2024/Plan#Goals|the plan]], absolute [[/archive/alpha-2024/Notes]], name only [[Plan]] and [[Notes]].
Markdown [plan](archive/alpha-2024/Plan.md), [abs](/archive/alpha-2024/Notes.md), ![diagram](archive/alpha-2024/img/d.png).
Embed ![[archive/alpha-2024/img/d.png]] and elsewhere [[Other]].
`,
    );
    // Inside the folder: links between its own notes and to its image still work as written; links out are fixed.
    assert.equal(read(vault, 'archive/alpha-2024/Plan.md'), PLAN);
    assert.equal(read(vault, 'archive/alpha-2024/Notes.md'), '# Notes\n\nBack to [[Plan]] and [home](../../Home.md).\n');
    assert.equal(read(vault, 'projects/beta/B.md'), '# B\n\nSee [alpha plan](../../archive/alpha-2024/Plan.md) and [[alpha-2024/Plan]].\n');
    assert.deepEqual(result.written.sort(), ['Home.md', 'projects/beta/B.md']);

    // The index follows: the moved notes under their new paths with every backlink, no placeholder made.
    const links = await noteLinksOf(store.orm, 'archive/alpha-2024/Plan.md');
    assert.deepEqual([...new Set(links.backlinks.map((b) => b.path))].sort(), ['Home.md', 'archive/alpha-2024/Notes.md', 'projects/beta/B.md']);
    assert.equal((await noteLinksOf(store.orm, 'Home.md')).outgoing.filter((l) => l.path === null).length, 0);
    assert.deepEqual(await placeholders(store.orm), []);
  });

  it('renaming a folder in place changes only the links that name its path', async () => {
    const moved = await renameNote(store, vault, human, 'projects/alpha', 'gamma');
    assert.equal(moved.to, 'projects/gamma');
    assert.match(read(vault, 'Home.md'), /^related: \["\[\[projects\/gamma\/Plan\]\]", '\[\[Plan\]\]'\]$/m);
    assert.match(read(vault, 'Home.md'), /name only \[\[Plan\]\] and \[\[Notes\]\]/);
    assert.equal(read(vault, 'projects/beta/B.md'), '# B\n\nSee [alpha plan](../gamma/Plan.md) and [[gamma/Plan]].\n');
    // The moved notes' relative links climb as many folders as before: nothing inside changes.
    assert.equal(read(vault, 'projects/gamma/Plan.md'), PLAN);
  });

  it('moving a folder deeper fixes the relative links of the notes in it', async () => {
    await renameNote(store, vault, human, 'projects/alpha/', 'projects/beta/alpha');
    assert.equal(read(vault, 'projects/beta/alpha/Plan.md'), PLAN.replace('(../../Home.md)', '(../../../Home.md)').replace('[[../../Other]]', '[[../../../Other]]'));
    assert.equal(read(vault, 'projects/beta/alpha/Notes.md'), '# Notes\n\nBack to [[Plan]] and [home](../../../Home.md).\n');
    assert.equal(read(vault, 'projects/beta/B.md'), '# B\n\nSee [alpha plan](alpha/Plan.md) and [[alpha/Plan]].\n');
  });

  it('a name-only link a moved note would capture is spelled out to keep its target', async () => {
    // Two notes named Plan in folders as deep: Home's [[Plan]] means the one with the shorter path, zz/yy/Plan.md.
    writeTree({ 'zz/yy/Plan.md': '# Another plan\n' }, vault);
    await indexVault(store, vault, human);
    const outgoing = async () => (await noteLinksOf(store.orm, 'Home.md')).outgoing.map((l) => `${l.line}:${l.target}→${l.path}`);
    const before = await outgoing();
    assert.ok(before.some((l) => l.endsWith(':Plan→zz/yy/Plan.md')));
    // Moved to the top level, alpha's Plan has fewer folders and would win: those links now spell out zz/yy/Plan.
    await renameNote(store, vault, human, 'projects/alpha/', '/alpha');
    const after = await outgoing();
    assert.deepEqual(
      after.map((l) => l.replace(/:.*→/, '→')),
      before.map((l) => l.replace(/:.*→/, '→').replace('→projects/alpha/', '→alpha/')),
    );
    assert.match(read(vault, 'Home.md'), /name only \[\[zz\/yy\/Plan\]\] and \[\[Notes\]\]/);
  });

  it('never moves a folder over or into another, nor into itself; writes nothing then', async () => {
    fs.mkdirSync(path.join(vault, 'empty'));
    const before = contents(vault);
    const refusals: [string, string, string, RegExp][] = [
      ['projects/alpha/', 'beta', 'conflict', /^projects\/beta already exists\. Choose another name; Cairn never moves a folder over another or into it\.$/],
      ['projects/alpha/', '/empty', 'conflict', /^empty already exists/],
      ['projects/alpha/', 'BETA', 'conflict', /^projects\/beta already exists/],
      ['projects/', 'projects/inner', 'invalid', /cannot be moved into itself/],
      ['projects/alpha/', 'alpha', 'invalid', /already has that name/],
      ['projects/alpha/', 'a:b', 'invalid', /is not a folder inside the vault/],
      ['nowhere/', 'x', 'not_found', /^nowhere\/ is not a folder of the vault\.$/],
    ];
    for (const [from, to, kind, message] of refusals) {
      const err = await renameNote(store, vault, human, from, to).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof StoreError, `${from} → ${to}: ${String(err)}`);
      assert.equal(err.kind, kind, `${from} → ${to}: ${err.message}`);
      assert.match(err.message, message);
    }
    assert.deepEqual(contents(vault), before);
  });

  it('a note wins over a folder of the same name; a trailing slash names the folder', async () => {
    writeTree({ 'projects/alpha.md': '# Alpha overview\n' }, vault);
    await indexVault(store, vault, human);
    assert.equal((await planRename(store, vault, 'projects/alpha', 'overview')).to, 'projects/overview.md');
    assert.equal((await planRename(store, vault, 'projects/alpha/', 'overview')).to, 'projects/overview');
  });
});
