// The vault as lists (notes by folder and tag, folders, tags, orphans) over real temp vaults indexed into real
// stores, and the queued indexing of watcher-reported paths. A generated vault cross-checks the folder counts and
// paging against the files on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listEvents } from '../../../src/store/events';
import { countNotes, listFolders, listNotes, listOrphans, listTags, normalizeFolder } from '../../../src/store/knowledge/catalog';
import { indexChangedPaths, vaultRelative } from '../../../src/store/knowledge/changedPaths';
import { indexVault } from '../../../src/store/knowledge/indexer';
import type { Store } from '../../../src/store/store';
import { cleanupTempDirs, human, openTempStore, tempDir } from '../../helpers';

function write(vault: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
  fs.writeFileSync(path.join(vault, rel), content);
}

const paths = (page: { notes: { path: string }[] }) => page.notes.map((n) => n.path);

describe('knowledge: catalog (notes, folders, tags, orphans)', () => {
  let store: Store;
  let vault: string;
  beforeEach(async () => {
    store = await openTempStore();
    vault = tempDir('cairn-vault-');
    write(vault, 'Home.md', '---\naliases: [Start, Index]\ntags: [project/alpha]\n---\n# Home\n\nSee [[Ideas]] and [[Missing note]]. #Project/Beta\n');
    write(vault, 'ideas.md', '# Ideas\n\nBack [[Home]]. #project\n');
    write(vault, 'lonely.md', '# Lonely\n\nLinks only to itself [[lonely]] and an image ![[pic.png]] and [[Nowhere]]. #project/alpha\n');
    write(vault, 'pic.png', 'not really a png');
    write(vault, 'a/b/deep.md', '# Deep\n\n#PROJECT/alpha/x\n');
    write(vault, 'a/b/Deeper.md', '# Deeper\n\n[[deep]]\n');
    write(vault, 'a/top.md', '# Top\n');
    write(vault, 'a-b/x.md', '# X in a-b\n'); // '-' sorts before '/': must not leak into folder "a"
    write(vault, 'zz/100%_done.md', '# Percent\n');
    await indexVault(store, vault, human);
  });
  afterEach(async () => {
    await store.close();
    cleanupTempDirs();
  });

  it('lists every note with title, aliases, tags, folder, mtime and size, sorted by path case-insensitively', async () => {
    const page = await listNotes(store);
    assert.equal(page.total, 8);
    assert.deepEqual(paths(page), ['a-b/x.md', 'a/b/deep.md', 'a/b/Deeper.md', 'a/top.md', 'Home.md', 'ideas.md', 'lonely.md', 'zz/100%_done.md']);
    const home = page.notes.find((n) => n.path === 'Home.md')!;
    assert.equal(home.title, 'Home');
    assert.deepEqual(home.aliases, ['Start', 'Index']);
    assert.deepEqual([...home.tags].sort(), ['Project/Beta', 'project/alpha']);
    assert.equal(home.folder, '');
    assert.equal(home.mtimeMs, fs.statSync(path.join(vault, 'Home.md')).mtimeMs);
    assert.equal(home.size, fs.statSync(path.join(vault, 'Home.md')).size);
    assert.equal(page.notes.find((n) => n.path === 'a/b/deep.md')!.folder, 'a/b');
    assert.equal(await countNotes(store), 8);
  });

  it('lists the notes directly in a folder, or under it with recursive, never a sibling that shares the prefix', async () => {
    assert.deepEqual(paths(await listNotes(store, { folder: '' })), ['Home.md', 'ideas.md', 'lonely.md']);
    assert.deepEqual(paths(await listNotes(store, { folder: 'a' })), ['a/top.md']);
    assert.deepEqual(paths(await listNotes(store, { folder: './a/' })), ['a/top.md']);
    assert.deepEqual(paths(await listNotes(store, { folder: 'a', recursive: true })), ['a/b/deep.md', 'a/b/Deeper.md', 'a/top.md']);
    assert.deepEqual(paths(await listNotes(store, { folder: 'a\\b' })), ['a/b/deep.md', 'a/b/Deeper.md']);
    assert.deepEqual(paths(await listNotes(store, { folder: 'zz' })), ['zz/100%_done.md']);
    assert.equal((await listNotes(store, { folder: 'A' })).total, 0, 'folders match as the file system spells them');
    assert.equal((await listNotes(store, { folder: 'nope' })).total, 0);
  });

  it('pages with offset and limit and reports the total', async () => {
    const all = paths(await listNotes(store));
    const seen: string[] = [];
    for (let offset = 0; ; ) {
      const page = await listNotes(store, { offset, limit: 3 });
      assert.equal(page.total, 8);
      assert.equal(page.offset, offset);
      assert.ok(page.notes.length <= 3);
      seen.push(...paths(page));
      offset += page.notes.length;
      if (offset >= page.total) break;
    }
    assert.deepEqual(seen, all);
    assert.deepEqual(await listNotes(store, { offset: 100 }), { total: 8, offset: 100, notes: [] });
  });

  it('filters by exact tag, case-insensitively, with or without #', async () => {
    assert.deepEqual(paths(await listNotes(store, { tag: 'Project/Alpha' })), ['Home.md', 'lonely.md']);
    assert.deepEqual(paths(await listNotes(store, { tag: '#project' })), ['ideas.md']);
    assert.deepEqual(paths(await listNotes(store, { tag: 'project/alpha/x', folder: 'a/b' })), ['a/b/deep.md']);
    assert.equal((await listNotes(store, { tag: 'proj' })).total, 0);
  });

  it('lists folders with direct and total counts, all of them or the children of one', async () => {
    const all = await listFolders(store);
    assert.deepEqual(
      all.map((f) => [f.path, f.notes, f.total, f.folders]),
      [
        ['', 3, 8, 3],
        ['a', 1, 3, 1],
        ['a-b', 1, 1, 0],
        ['a/b', 2, 2, 0],
        ['zz', 1, 1, 0],
      ],
    );
    assert.deepEqual((await listFolders(store, '')).map((f) => f.name), ['a', 'a-b', 'zz']);
    assert.deepEqual((await listFolders(store, 'a')).map((f) => f.path), ['a/b']);
    assert.deepEqual(await listFolders(store, 'a/b'), []);
  });

  it('lists tags with exact and nested counts, parents of nested tags included, one spelling per tag', async () => {
    const tags = await listTags(store);
    assert.deepEqual(
      tags.map((t) => [t.tag, t.name, t.parent, t.count, t.total]),
      [
        ['project', 'project', null, 1, 4],
        ['project/alpha', 'alpha', 'project', 2, 3],
        ['PROJECT/alpha/x', 'x', 'project/alpha', 1, 1], // spelled as its only note spells it
        ['Project/Beta', 'Beta', 'project', 1, 1],
      ],
    );
  });

  it('lists orphans: no link to another note and none from one (self-links, images and placeholders do not count)', async () => {
    const page = await listOrphans(store);
    assert.deepEqual(paths(page), ['a-b/x.md', 'a/top.md', 'lonely.md', 'zz/100%_done.md']);
    assert.equal(page.total, 4);
    assert.deepEqual(paths(await listOrphans(store, { offset: 1, limit: 2 })), ['a/top.md', 'lonely.md']);
    // A link to it from elsewhere, once indexed, makes it no orphan.
    write(vault, 'a/top.md', '# Top\n\n[[lonely]]\n');
    await indexChangedPaths(store, vault, ['a/top.md'], human);
    assert.deepEqual(paths(await listOrphans(store)), ['a-b/x.md', 'zz/100%_done.md']);
  });

  it('an empty vault lists nothing', async () => {
    const empty = await openTempStore();
    try {
      assert.deepEqual(await listNotes(empty), { total: 0, offset: 0, notes: [] });
      assert.deepEqual(await listFolders(empty), [{ path: '', name: '', notes: 0, total: 0, folders: 0 }]);
      assert.deepEqual(await listTags(empty), []);
      assert.deepEqual(await listOrphans(empty), { total: 0, offset: 0, notes: [] });
    } finally {
      await empty.close();
    }
  });

  it('normalizes folder arguments', () => {
    assert.equal(normalizeFolder(''), '');
    assert.equal(normalizeFolder('.'), '');
    assert.equal(normalizeFolder('/a/b/'), 'a/b');
    assert.equal(normalizeFolder('./a//b'), 'a/b');
    assert.equal(normalizeFolder('a\\b'), 'a/b');
  });
});

describe('knowledge: indexChangedPaths (watcher batches)', () => {
  let store: Store;
  let vault: string;
  beforeEach(async () => {
    store = await openTempStore();
    vault = tempDir('cairn-vault-');
    write(vault, 'one.md', '# One\n\n[[two]]\n');
    write(vault, 'two.md', '# Two\n');
    await indexVault(store, vault, human);
  });
  afterEach(async () => {
    await store.close();
    cleanupTempDirs();
  });

  it('takes absolute paths and vault-relative ones, and ignores paths outside the vault', async () => {
    assert.equal(vaultRelative(vault, path.join(vault, 'sub', 'x.md')), 'sub/x.md');
    assert.equal(vaultRelative(vault, 'sub/x.md'), 'sub/x.md');
    assert.equal(vaultRelative(vault, vault), null);
    assert.equal(vaultRelative(vault, path.join(vault, '..', 'elsewhere.md')), null);
    assert.equal(vaultRelative(vault, '../elsewhere.md'), null);
    assert.equal(vaultRelative(vault, '/etc/passwd'), null);

    write(vault, 'three.md', '# Three\n\n#fresh\n');
    const report = await indexChangedPaths(store, vault, [path.join(vault, 'three.md'), '/etc/hosts', '../x.md'], human);
    assert.equal(report.added, 1);
    assert.deepEqual(paths(await listNotes(store, { tag: 'fresh' })), ['three.md']);
  });

  it('the same save reported twice at once is indexed once: the second run reads and writes nothing', async () => {
    write(vault, 'two.md', '# Two, edited\n\n[[one]]\n');
    const before = (await listEvents(store.orm, { limit: 1000, order: 'asc' })).length;
    const [first, second] = await Promise.all([
      indexChangedPaths(store, vault, [path.join(vault, 'two.md')], human),
      indexChangedPaths(store, vault, ['two.md'], human),
    ]);
    assert.equal(first.updated, 1);
    assert.equal(second.updated, 0);
    assert.equal(second.unchanged, 1);
    const events = await listEvents(store.orm, { limit: 1000, order: 'asc' });
    assert.equal(events.length, before + 1, 'one vault.indexed event, not two');
    assert.deepEqual(paths(await listOrphans(store)), []);
  });

  it('a failed run does not block the next one', async () => {
    const missing = path.join(tempDir(), 'gone');
    await assert.rejects(indexChangedPaths(store, missing, ['x.md'], human), /does not exist/);
    write(vault, 'four.md', '# Four\n');
    assert.equal((await indexChangedPaths(store, vault, ['four.md'], human)).added, 1);
  });
});

describe('knowledge: catalog on a generated vault', () => {
  let store: Store;
  let vault: string;
  before(async () => {
    store = await openTempStore();
    vault = tempDir('cairn-vault-');
    // 3 top folders × 4 subfolders × 25 notes, plus 10 at the top.
    for (let i = 0; i < 10; i++) write(vault, `top-${i}.md`, `# Top ${i}\n#level/top\n`);
    for (let f = 0; f < 3; f++)
      for (let s = 0; s < 4; s++) for (let n = 0; n < 25; n++) write(vault, `f${f}/s${s}/note-${n}.md`, `# N ${f}.${s}.${n}\n#level/deep/f${f}\n[[note-${(n + 1) % 25}]]\n`);
    await indexVault(store, vault, human);
  });
  after(async () => {
    await store.close();
    cleanupTempDirs();
  });

  it('folder counts match the files on disk and paging a folder visits each of its notes once', async () => {
    const folders = await listFolders(store);
    for (const f of folders) {
      const dir = path.join(vault, f.path);
      const direct = fs.readdirSync(dir).filter((n) => n.endsWith('.md')).length;
      assert.equal(f.notes, direct, `direct notes of "${f.path}"`);
      const recursive = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.md')).length;
      assert.equal(f.total, recursive, `all notes under "${f.path}"`);
    }
    const seen = new Set<string>();
    for (let offset = 0; ; ) {
      const page = await listNotes(store, { folder: 'f1', recursive: true, offset, limit: 7 });
      for (const n of page.notes) {
        assert.ok(!seen.has(n.path), `${n.path} twice`);
        seen.add(n.path);
      }
      offset += page.notes.length;
      if (offset >= page.total) break;
    }
    assert.equal(seen.size, 100);
    const tags = new Map((await listTags(store)).map((t) => [t.tag, t]));
    assert.equal(tags.get('level')!.total, 310);
    assert.equal(tags.get('level/deep')!.total, 300);
    assert.equal(tags.get('level/deep')!.count, 0);
    assert.equal(tags.get('level/deep/f2')!.count, 100);
  });
});
