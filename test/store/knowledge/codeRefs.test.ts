// What a source file's code lenses ask the store (lookupCodeRefs), on a real vault inside a real workspace folder:
// wikilink names resolved by Obsidian's rules, task ids that are tasks, and the notes whose Markdown links point at
// the file (relative to the note, the workspace folder or the vault root).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCKED_TEXT } from '../../../src/store/crypto/fields';
import { initKeys, lock } from '../../../src/store/crypto/keys';
import { lookupCodeRefs } from '../../../src/store/knowledge/codeRefs';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { createProject } from '../../../src/store/projects';
import type { Store } from '../../../src/store/store';
import { createTask } from '../../../src/store/tasks';
import { human, tempDir, useTempStore } from '../../helpers';

function write(root: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), content);
}

describe('knowledge: lookups for code lenses', () => {
  let store!: Store;
  useTempStore((s) => (store = s));
  let workspace: string;
  let vault: string;

  beforeEach(async () => {
    workspace = tempDir('cairn-ws-');
    vault = path.join(workspace, 'docs', 'vault');
    write(workspace, 'src/a.ts', '// see [[Design]]\n');
    write(workspace, 'src/b/a.ts', '// another a.ts\n');
    write(vault, 'Design.md', '---\naliases: [Blueprint]\n---\n# Design\n\n## Storage Layer\n\nThe code: [a](../../src/a.ts).\n');
    write(vault, 'arch/Design.md', '# Deeper design\n');
    write(vault, 'arch/Overview.md', '# Overview\n\nSee [the module](src/a.ts) and [again](src/a.ts) and [other](src/b/a.ts).\n');
    write(vault, 'Rooted.md', '# Rooted\n\n[from the root](/src/a.ts)\n');
    write(vault, 'Elsewhere.md', '# Elsewhere\n\n[not this one](lib/a.ts) and [vault copy](code/a.ts)\n');
    write(vault, 'code/a.ts', '// a code file kept in the vault\n');
    await indexVault(store, vault, human);
  });

  it('resolves wikilink names like Obsidian (file name, folder path, alias, heading) and leaves unknown ones out', async () => {
    const r = await lookupCodeRefs(store, vault, { notes: ['Design', 'arch/Design', 'blueprint|the plan', 'Design#storage layer', 'Design#No such heading', 'Nowhere', ''] });
    assert.deepEqual(
      r.notes.map((n) => [n.name, n.path, n.title, n.line]),
      [
        ['Design', 'Design.md', 'Design', null],
        ['arch/Design', 'arch/Design.md', 'Deeper design', null],
        ['blueprint|the plan', 'Design.md', 'Design', null],
        ['Design#storage layer', 'Design.md', 'Design', 6],
        ['Design#No such heading', 'Design.md', 'Design', null],
      ],
    );
  });

  it('returns only the ids that are tasks, with title and status', async () => {
    const project = await store.write((orm) => createProject(orm, human, { name: 'P' }));
    const task = await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Wire it', status: 'blocked' }));
    const r = await lookupCodeRefs(store, vault, { taskIds: [task.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV', task.id] });
    assert.deepEqual(r.tasks, [{ id: task.id, title: 'Wire it', status: 'blocked' }]);
  });

  it('shows an encrypted task title decrypted while unlocked and as the locked marker when locked, never as ciphertext', async () => {
    await store.write((orm) => initKeys(orm, human, 'correct horse battery'));
    const project = await store.write((orm) => createProject(orm, human, { name: 'P' }));
    const task = await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Rotate the DB password', secretFields: ['title'] }));
    let r = await lookupCodeRefs(store, vault, { taskIds: [task.id] });
    assert.equal(r.tasks[0]!.title, 'Rotate the DB password');
    lock(store.orm);
    r = await lookupCodeRefs(store, vault, { taskIds: [task.id] });
    assert.equal(r.tasks[0]!.title, LOCKED_TEXT);
  });

  it('finds the notes that mention a file: relative to the note, the workspace folder or the vault root, one entry per note', async () => {
    const mentions = async (rel: string, ws: string | null = workspace) =>
      (await lookupCodeRefs(store, vault, { file: path.join(workspace, rel), workspaceFolder: ws ?? undefined })).fileMentions.map((m) => [m.path, m.line, m.target]);
    assert.deepEqual(await mentions('src/a.ts'), [
      ['Design.md', 8, '../../src/a.ts'],
      ['Rooted.md', 3, '/src/a.ts'],
      ['arch/Overview.md', 3, 'src/a.ts'],
    ]);
    assert.deepEqual(await mentions('src/b/a.ts'), [['arch/Overview.md', 3, 'src/b/a.ts']]);
    assert.deepEqual(await mentions('src/a.ts', null), [['Design.md', 8, '../../src/a.ts']], 'without a workspace folder, only what is relative to the note or the vault');
    assert.deepEqual(await mentions('docs/vault/code/a.ts'), [['Elsewhere.md', 3, 'code/a.ts']], 'a link that resolved to a vault file counts for that file');
    assert.deepEqual(await mentions('lib/a.ts'), [['Elsewhere.md', 3, 'lib/a.ts']], 'relative to the workspace folder');
    assert.deepEqual(await mentions('src/c.ts'), []);
    assert.deepEqual(await mentions('docs/vault/Design.md'), [], "a note's backlinks are not file mentions");
  });

  it('counts wikilinks and embeds that name the file by path, as Obsidian reads them', async () => {
    write(vault, 'wiki/Paths.md', '# Paths\n\nBy path [[src/a.ts]], embedded ![[src/a.ts#L3|lines]].\n');
    write(vault, 'wiki/Relative.md', '# Relative\n\nUp [[../../../src/a.ts]].\n');
    write(vault, 'wiki/Rooted.md', '# Rooted wiki\n\n[[/src/b/a.ts]]\n');
    write(vault, 'wiki/NotRelative.md', '# Not relative\n\nA wikilink is not relative to its note unless it says so: [[b/a.ts]].\n');
    write(vault, 'wiki/VaultFile.md', '# Vault file\n\n[[code/a.ts]]\n');
    write(vault, 'a.ts.md', '# A note named like a file\n');
    write(vault, 'wiki/ToNote.md', '# To a note\n\n[[a.ts]]\n');
    await indexVault(store, vault, human);
    const mentions = async (rel: string) => (await lookupCodeRefs(store, vault, { file: path.join(workspace, rel), workspaceFolder: workspace })).fileMentions.map((m) => [m.path, m.line, m.target]);
    assert.deepEqual(await mentions('src/a.ts'), [
      ['Design.md', 8, '../../src/a.ts'],
      ['Rooted.md', 3, '/src/a.ts'],
      ['arch/Overview.md', 3, 'src/a.ts'],
      ['wiki/Paths.md', 3, 'src/a.ts'],
      ['wiki/Relative.md', 3, '../../../src/a.ts'],
    ]);
    assert.deepEqual(await mentions('src/b/a.ts'), [['arch/Overview.md', 3, 'src/b/a.ts'], ['wiki/Rooted.md', 3, '/src/b/a.ts']]);
    assert.deepEqual(await mentions('docs/vault/code/a.ts'), [['Elsewhere.md', 3, 'code/a.ts'], ['wiki/VaultFile.md', 3, 'code/a.ts']]);
    assert.deepEqual(await mentions('a.ts'), [], 'a wikilink that resolved to a note names no code file');
  });
});
