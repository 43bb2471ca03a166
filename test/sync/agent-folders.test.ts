// Agent folders that only one machine has: files/agents/<slug>/ prefixes one machine mirrors and the other does
// not. Through a real bare remote: a backup or sync on B never deletes A's agent files under a prefix B does not
// mirror (and so never makes a later sync delete them on A), and a sync never deletes B's own agent files
// because A's tree lacks B's prefix.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexAgents, listAgents } from '../../src/store/agents/indexer';
import { runBackup } from '../../src/sync/backup';
import { agentFolderSlug } from '../../src/sync/files';
import { runRestore } from '../../src/sync/restore';
import { runSync } from '../../src/sync/sync';
import { human, tempDir } from '../helpers';
import { bareRemote, clone, closeClones, git, readTree, writeVault, type Clone } from './fixtures';

const prefixOf = (m: Clone) => `files/agents/${agentFolderSlug(m.agents, m.dir)}/`;
const filesUnder = (repo: string, prefix: string) => git(repo, 'ls-tree', '-r', '--name-only', 'HEAD', '--', prefix).split('\n').filter(Boolean).sort();

describe('sync: agent folders only one machine has', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  async function twoMachines(bOptions: { includeAgents?: boolean } = {}) {
    const root = tempDir();
    const bare = bareRemote(root);
    const a = await clone(root, 'a', bare, { 'reviewer.md': '---\nname: reviewer\ndescription: reviews\n---\nA reviews.\n', 'nested/planner.md': '---\nname: planner\ndescription: plans\n---\n' });
    const b = await clone(root, 'b', bare, { 'tester.md': '---\nname: tester\ndescription: tests\n---\nB tests.\n' });
    assert.notEqual(prefixOf(a), prefixOf(b), 'the two machines mirror different prefixes');
    writeVault(a.vault, 2);
    return { bare, a, b, bSettings: bOptions };
  }

  it("B's backups and syncs keep A's agent files, A's syncs keep B's, and neither machine loses a local file", async () => {
    const { bare, a, b, bSettings } = await twoMachines();
    const aFiles = readTree(a.agents);
    const bFiles = readTree(b.agents);

    assert.equal((await runSync(a.env, {})).status, 'pushed');
    assert.equal((await runSync(b.env, bSettings)).status, 'merged', "B merges A's history with its own");
    // B's backups after the merge: A's prefix is in B's tree, but B does not mirror it.
    await runBackup(b.env, bSettings);
    await runBackup(b.env, { ...bSettings });
    fs.writeFileSync(path.join(b.agents, 'tester.md'), '---\nname: tester\ndescription: tests more\n---\n');
    await runBackup(b.env, bSettings, { full: true });
    assert.deepEqual(filesUnder(b.repo, prefixOf(a)), Object.keys(aFiles).map((r) => prefixOf(a) + r).sort(), "B's commits still hold A's agent files");
    assert.ok(['pushed', 'up_to_date'].includes((await runSync(b.env, bSettings)).status));
    // A takes B's commits: A's own agent files must survive, and B's prefix is kept in A's backups too.
    const ra = await runSync(a.env, {});
    assert.equal(ra.status, 'fast_forward');
    assert.deepEqual(readTree(a.agents), aFiles, "A's agent folder is untouched");
    await runBackup(a.env, {}, { full: true });
    assert.ok(['pushed', 'up_to_date'].includes((await runSync(a.env, {})).status));
    assert.ok(['fast_forward', 'up_to_date'].includes((await runSync(b.env, bSettings)).status));
    assert.deepEqual(readTree(b.agents), { ...bFiles, 'tester.md': '---\nname: tester\ndescription: tests more\n---\n' }, "B's agent folder is untouched");

    // The remote holds both prefixes, and each machine's HEAD verifies as a backup (manifest lists every file).
    const main = git(bare, 'rev-parse', 'main');
    assert.deepEqual(git(bare, 'ls-tree', '-r', '--name-only', main, '--', 'files/agents').split('\n').sort(), [...Object.keys(aFiles).map((r) => prefixOf(a) + r), prefixOf(b) + 'tester.md'].sort());
    for (const m of [a, b]) {
      const plan = await runRestore(m.env, {}, 'HEAD', { dryRun: true });
      assert.equal(plan.files.removed, 0, 'restoring HEAD removes no local file');
    }
  });

  it('a machine that backs up no agent folders (includeAgents off) keeps the other machine\'s agent files in every commit', async () => {
    const { a, b } = await twoMachines();
    const off = { includeAgents: false };
    const aFiles = readTree(a.agents);
    await runSync(a.env, {});
    await runSync(b.env, off);
    await runBackup(b.env, off, { full: true });
    fs.writeFileSync(path.join(b.vault, 'from b.md'), 'B\n');
    await runSync(b.env, off);
    assert.deepEqual(filesUnder(b.repo, prefixOf(a)), Object.keys(aFiles).map((r) => prefixOf(a) + r).sort());
    assert.equal((await runSync(a.env, {})).status, 'fast_forward');
    assert.deepEqual(readTree(a.agents), aFiles, "A's agent folder is untouched");
    assert.ok(fs.existsSync(path.join(a.vault, 'from b.md')), "B's note arrived");
  });
});

describe('backup: agent folders with sub-folders', function () {
  this.timeout(120_000);
  afterEach(closeClones);

  const agentMd = (name: string) => `---\nname: ${name}\ndescription: Use ${name}.\n---\nYou are ${name}.\n`;

  it('the backup holds every agent the index reads, nested ones included, with the folder\'s other files; a nested agent survives backup → delete → restore in its sub-folder', async () => {
    const root = tempDir();
    const agentFiles = {
      'top.md': agentMd('top'),
      'quality/tester.md': agentMd('tester'),
      'quality/security/auditor.md': agentMd('auditor'),
      'quality/README.md': '# Quality agents\n', // no front matter: describes the folder, no agent
      'quality/notes.txt': 'not an agent\n',
      '.claude-plugin/plugin.json': '{}\n',
      '.claude-plugin/hidden.md': agentMd('hidden'),
      LICENSE: 'MIT\n',
    };
    const a = await clone(root, 'a', null, agentFiles);
    const prefix = prefixOf(a);
    await indexAgents(a.store, [a.agents], human);
    const indexed = (await listAgents(a.store.orm)).map((x) => path.relative(a.agents, x.path).split(path.sep).join('/')).sort();
    assert.deepEqual(indexed, ['quality/security/auditor.md', 'quality/tester.md', 'top.md']);

    const backup = await runBackup(a.env, {});
    assert.equal(backup.status, 'committed');
    const held = filesUnder(a.repo, prefix);
    for (const rel of indexed) assert.ok(held.includes(prefix + rel), `the backup holds the indexed agent ${rel}: ${JSON.stringify(held)}`);
    for (const rel of ['quality/README.md', 'quality/notes.txt', 'LICENSE']) assert.ok(held.includes(prefix + rel), `the backup keeps ${rel}, as it always did`);
    assert.deepEqual(backup.warnings, []);

    // The nested agents are deleted (their folder with them); the files that are no agents stay.
    fs.rmSync(path.join(a.agents, 'quality', 'security'), { recursive: true });
    fs.rmSync(path.join(a.agents, 'quality', 'tester.md'));
    await indexAgents(a.store, [a.agents], human);
    assert.deepEqual((await listAgents(a.store.orm)).map((x) => x.name), ['top']);

    const dry = await runRestore(a.env, {}, backup.commit!, { dryRun: true });
    assert.deepEqual(dry.files.samples, { added: [`${prefix}quality/security/auditor.md`, `${prefix}quality/tester.md`], removed: [], changed: [] }, 'files no backup holds are never removed');
    const done = await runRestore(a.env, {}, backup.commit!);
    assert.deepEqual(readTree(a.agents), agentFiles, 'every file is back where it was, in its sub-folder; nothing else changed');
    assert.deepEqual(
      (await listAgents(a.store.orm)).map((x) => [x.name, x.category]),
      [
        ['auditor', 'quality/security'],
        ['tester', 'quality'],
        ['top', null],
      ],
      'the restore indexed them again, with their category',
    );
    assert.deepEqual(filesUnder(a.repo, prefix), held, "the restore's own backup holds the same files again");
    assert.ok(done.restoreCommit);
  });
});
