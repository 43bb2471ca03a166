// indexPaths (a watcher's batch of changed paths) on real temp vaults. After every step the store must hold what a
// full indexVault of the same vault into a fresh store holds (notes, links and where they resolve, full text), and a
// later indexVault on the same store must find nothing to do (the catalog is right).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listEvents } from '../../../src/store/events';
import { indexPaths, indexVault } from '../../../src/store/knowledge/indexer';
import { noteLinksOf } from '../../../src/store/knowledge/links';
import { scanVault } from '../../../src/store/knowledge/scan';
import { searchText } from '../../../src/store/knowledge/search';
import type { Store } from '../../../src/store/store';
import { cleanupTempDirs, human, openTempStore, tempDir } from '../../helpers';

function write(vault: string, rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
  fs.writeFileSync(path.join(vault, rel), content);
}

/** Every note's outgoing links (target → resolved path), by note path. */
async function snapshot(store: Store, vault: string) {
  const out: Record<string, string[]> = {};
  for (const n of scanVault(vault).notes) {
    const links = await noteLinksOf(store.orm, n.path);
    out[links.path] = links.outgoing.map((l) => `${l.kind}:${l.target} -> ${l.path}`);
  }
  return out;
}

const found = async (store: Store, word: string) => (await searchText(store, word)).map((h) => h.path).sort();

describe('knowledge: indexPaths', () => {
  let store: Store;
  let vault: string;
  beforeEach(async () => {
    store = await openTempStore();
    vault = tempDir('cairn-vault-');
    write(vault, 'a.md', '# A\n\nLinks [[b]], [[c]], [[Delta]], [[Epsilon]] and ![[pic.png]].\n');
    write(vault, 'b.md', '# B\n\nalphaword here. Back to [[a]].\n');
    write(vault, 'd.md', '---\naliases: [Delta]\n---\n# D\n\nThe delta note.\n');
    write(vault, 'e.md', '# E\n\nSee [[Epsilon]] and [[d]].\n');
    write(vault, 'sub/s1.md', '# S1\n\nsubword one, [[a]].\n');
    write(vault, 'sub/s2.md', '# S2\n\nsubword two.\n');
    write(vault, '.obsidian/ignored.md', '# not a note\n');
    await indexVault(store, vault, human);
  });
  afterEach(async () => {
    await store.close();
    cleanupTempDirs();
  });

  /** The store equals a fresh full index, and a full index on it has nothing to do. */
  async function assertConsistent() {
    const fresh = await openTempStore();
    try {
      await indexVault(fresh, vault, human);
      assert.deepEqual(await snapshot(store, vault), await snapshot(fresh, vault));
    } finally {
      await fresh.close();
    }
    const again = await indexVault(store, vault, human);
    assert.deepEqual({ added: again.added, updated: again.updated, removed: again.removed }, { added: 0, updated: 0, removed: 0 });
  }

  it('re-indexes an edited note: searchable, one vault.indexed event', async () => {
    const before = (await listEvents(store.orm, { limit: 1000, order: 'asc' })).length;
    write(vault, 'b.md', '# B\n\nbetaword now, much longer than before. Back to [[a]] and [[e]].\n');
    const r = await indexPaths(store, vault, ['b.md'], human);
    assert.deepEqual({ added: r.added, updated: r.updated, removed: r.removed, unchanged: r.unchanged, notes: r.notes }, { added: 0, updated: 1, removed: 0, unchanged: 0, notes: 6 });
    assert.deepEqual(await found(store, 'betaword'), ['b.md']);
    assert.deepEqual(await found(store, 'alphaword'), []);
    const events = await listEvents(store.orm, { limit: 1000, order: 'asc' });
    assert.equal(events.length, before + 1);
    assert.equal(events.find((e) => e.type === 'vault.indexed' && (e.data as { updated: number }).updated === 1)?.aggregateType, 'vault');
    await assertConsistent();
  });

  it('keeps the links of an edit that adds no new link resolved as they were (no link index needed)', async () => {
    write(vault, 'a.md', '# A\n\nmoreword. Links [[b]], [[c]], [[Delta]], [[Epsilon]] and ![[pic.png]], [[b]] again.\n');
    const r = await indexPaths(store, vault, ['a.md'], human, { otherFiles: [] });
    assert.equal(r.updated, 1);
    assert.deepEqual(await found(store, 'moreword'), ['a.md']);
    const out = (await noteLinksOf(store.orm, 'a.md')).outgoing.map((l) => `${l.target} -> ${l.path}`);
    assert.deepEqual(out, ['b -> b.md', 'c -> null', 'Delta -> d.md', 'Epsilon -> null', 'pic.png -> null', 'b -> b.md']);
    await assertConsistent();
  });

  it('does nothing (and records no event) for a path whose size, mtime and bytes did not change', async () => {
    const before = (await listEvents(store.orm, { limit: 1000, order: 'asc' })).length;
    const r = await indexPaths(store, vault, ['b.md', 'sub/s1.md'], human);
    assert.deepEqual({ added: r.added, updated: r.updated, removed: r.removed, unchanged: r.unchanged }, { added: 0, updated: 0, removed: 0, unchanged: 2 });
    assert.equal((await listEvents(store.orm, { limit: 1000, order: 'asc' })).length, before);
  });

  it('adds a new note and fills the placeholders that named it', async () => {
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'c')?.path, null);
    write(vault, 'c.md', '# C\n\ngammaword.\n');
    const r = await indexPaths(store, vault, ['c.md'], human);
    assert.deepEqual({ added: r.added, updated: r.updated, removed: r.removed }, { added: 1, updated: 0, removed: 0 });
    assert.deepEqual(await found(store, 'gammaword'), ['c.md']);
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'c')?.path, 'c.md');
    await assertConsistent();
  });

  it('removes a deleted note and turns links to it into placeholders', async () => {
    fs.rmSync(path.join(vault, 'b.md'));
    const r = await indexPaths(store, vault, ['b.md'], human);
    assert.deepEqual({ added: r.added, updated: r.updated, removed: r.removed, notes: r.notes }, { added: 0, updated: 0, removed: 1, notes: 5 });
    assert.deepEqual(await found(store, 'alphaword'), []);
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'b')?.path, null);
    await assertConsistent();
  });

  it('handles a rename as a removal plus an addition', async () => {
    fs.mkdirSync(path.join(vault, 'moved'));
    fs.renameSync(path.join(vault, 'b.md'), path.join(vault, 'moved', 'b.md'));
    const r = await indexPaths(store, vault, ['b.md', 'moved/b.md'], human);
    assert.deepEqual({ added: r.added, removed: r.removed }, { added: 1, removed: 1 });
    assert.deepEqual(await found(store, 'alphaword'), ['moved/b.md']);
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'b')?.path, 'moved/b.md');
    await assertConsistent();
  });

  it('re-resolves other notes’ links when a note’s aliases change', async () => {
    const targetOf = async (note: string, target: string) => (await noteLinksOf(store.orm, note)).outgoing.find((l) => l.target === target)?.path;
    assert.equal(await targetOf('a.md', 'Delta'), 'd.md');
    assert.equal(await targetOf('e.md', 'Epsilon'), null);
    write(vault, 'd.md', '---\naliases: [Epsilon]\n---\n# D\n\nThe delta note, renamed alias.\n');
    const r = await indexPaths(store, vault, ['d.md'], human);
    assert.equal(r.updated, 1);
    assert.equal(await targetOf('a.md', 'Delta'), null);
    assert.equal(await targetOf('a.md', 'Epsilon'), 'd.md');
    assert.equal(await targetOf('e.md', 'Epsilon'), 'd.md');
    await assertConsistent();
  });

  it('treats a non-note file as a change of names (embeds resolve) and keeps existing embeds resolved', async () => {
    write(vault, 'pic.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await indexPaths(store, vault, ['pic.png'], human);
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'pic.png')?.path, 'pic.png');
    // An unrelated names change (a new note) must not lose the embed's target.
    write(vault, 'c.md', '# C\n');
    await indexPaths(store, vault, ['c.md'], human);
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'pic.png')?.path, 'pic.png');
    await assertConsistent();
    fs.rmSync(path.join(vault, 'pic.png'));
    await indexPaths(store, vault, ['pic.png'], human, { otherFiles: [] });
    assert.equal((await noteLinksOf(store.orm, 'a.md')).outgoing.find((l) => l.target === 'pic.png')?.path, null);
  });

  it('scans an added folder and removes every note under a removed one', async () => {
    write(vault, 'new/n1.md', '# N1\n\nnewword.\n');
    write(vault, 'new/deep/n2.md', '# N2\n\nnewword [[s1]].\n');
    let r = await indexPaths(store, vault, ['new'], human);
    assert.equal(r.added, 2);
    assert.deepEqual(await found(store, 'newword'), ['new/deep/n2.md', 'new/n1.md']);
    await assertConsistent();
    fs.rmSync(path.join(vault, 'sub'), { recursive: true });
    r = await indexPaths(store, vault, ['sub'], human);
    assert.equal(r.removed, 2);
    assert.deepEqual(await found(store, 'subword'), []);
    await assertConsistent();
  });

  it('ignores paths in dot-folders, node_modules or outside the vault', async () => {
    write(vault, '.obsidian/other.md', '# hidden\n\nhiddenword.\n');
    write(vault, 'node_modules/x.md', '# nm\n\nhiddenword.\n');
    const r = await indexPaths(store, vault, ['.obsidian/other.md', 'node_modules/x.md', '../outside.md', '/../../etc/passwd'], human);
    assert.deepEqual({ added: r.added, updated: r.updated, removed: r.removed, unchanged: r.unchanged }, { added: 0, updated: 0, removed: 0, unchanged: 0 });
    assert.deepEqual(await found(store, 'hiddenword'), []);
  });
});
