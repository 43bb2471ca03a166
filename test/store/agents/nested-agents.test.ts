// Agent folders with sub-folders, built for real (and the VoltAgent collection, laid out in category folders): every
// agent file at any depth is indexed with its category (its sub-folder); hidden folders, links leading out of the
// folder, loops and folders too deep are passed over; an unreadable sub-folder is reported and the rest indexed;
// a name used twice in one folder's sub-folders is an error, across folders the precedence rule.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentCategory, listAgentFiles, MAX_AGENT_FOLDER_DEPTH } from '../../../src/store/agents/agentFiles';
import { agentDiagnostics, indexAgents, listAgents } from '../../../src/store/agents/indexer';
import type { Store } from '../../../src/store/store';
import { VOLTAGENT_AGENTS } from '../../fixtures';
import { human, tempDir, useTempStore, writeTree } from '../../helpers';

const agentMd = (name: string) => `---\nname: ${name}\ndescription: Use ${name} for its job.\n---\n\nYou are ${name}.\n`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('agents: folders with sub-folders', () => {
  let store!: Store;
  useTempStore((s) => (store = s));
  const index = (...dirs: string[]) => indexAgents(store, dirs, human);
  const listed = async () => (await listAgents(store.orm)).map((a) => [a.name, a.category]);

  it('indexes agents at every depth with their category; hidden folders and non-agent files are left out', async () => {
    const dir = writeTree(
      {
        'top.md': agentMd('top'),
        'review/reviewer.md': agentMd('reviewer'),
        'review/README.md': '# Review agents\n',
        'review/notes.txt': 'not an agent',
        'lang/ts/typescript-pro.md': agentMd('typescript-pro'),
        'lang/ts/deep/er/still.md': agentMd('still'),
        '.git/hooks/pre-commit.md': agentMd('hook'),
        '.claude-plugin/plugin.md': agentMd('plugin'),
      },
      tempDir('cairn-agents-'),
    );
    const r = await index(dir);
    assert.deepEqual([r.added, r.agents, r.dirs], [4, 4, [{ dir, exists: true, files: 4 }]]);
    assert.deepEqual(r.skipped, [{ path: path.join(dir, 'review', 'README.md'), reason: 'a README without front matter (describes the folder; not an agent)' }]);
    assert.deepEqual(await listed(), [
      ['reviewer', 'review'],
      ['still', 'lang/ts/deep/er'],
      ['top', null],
      ['typescript-pro', 'lang/ts'],
    ]);
    assert.equal(agentCategory(dir, path.join(dir, 'a', 'b', 'x.md')), 'a/b');
    assert.equal(agentCategory(dir, path.join(dir, 'x.md')), null);

    // Moving an agent into a category is a removal and an addition; the warm run reads nothing.
    fs.mkdirSync(path.join(dir, 'general'));
    fs.renameSync(path.join(dir, 'top.md'), path.join(dir, 'general', 'top.md'));
    const moved = await index(dir);
    assert.deepEqual([moved.added, moved.removed, moved.unchanged], [1, 1, 3]);
    assert.deepEqual((await listAgents(store.orm)).find((a) => a.name === 'top')!.category, 'general');
  });

  it(`a folder deeper than ${MAX_AGENT_FOLDER_DEPTH} levels is reported, not read`, async () => {
    const deep = Array.from({ length: MAX_AGENT_FOLDER_DEPTH + 1 }, (_, i) => `d${i + 1}`);
    const dir = writeTree({ [`${deep.slice(0, -1).join('/')}/ok.md`]: agentMd('ok'), [`${deep.join('/')}/too-deep.md`]: agentMd('too-deep') }, tempDir('cairn-agents-'));
    const r = await index(dir);
    assert.deepEqual(await listed(), [['ok', deep.slice(0, -1).join('/')]]);
    assert.deepEqual(r.skipped, [{ path: path.join(dir, ...deep), reason: `more than ${MAX_AGENT_FOLDER_DEPTH} folders deep in the agent folder: not read` }]);
  });

  it('a linked folder leading out of the agent folder is refused; one inside is read once, under its link or its name', async () => {
    const root = tempDir();
    const outside = writeTree({ 'stolen.md': agentMd('stolen'), 'nested/also.md': agentMd('also') }, path.join(root, 'outside'));
    const dir = writeTree({ 'team/lead.md': agentMd('lead') }, path.join(root, 'agents'));
    fs.symlinkSync(outside, path.join(dir, 'external'));
    fs.symlinkSync(path.join(dir, 'team'), path.join(dir, 'a-link-to-team')); // sorts before team: read through the link
    const r = await index(dir);
    assert.deepEqual(await listed(), [['lead', 'a-link-to-team']], 'nothing is read from outside, and team/lead.md only once');
    assert.deepEqual(r.skipped, [
      { path: path.join(dir, 'external'), reason: `a symbolic link to ${outside}, outside the agent folder: not read` },
      { path: path.join(dir, 'team'), reason: 'a folder already read through a symbolic link to it: not read again' },
    ]);
  });

  it('a loop of linked folders is cut: every agent is read once and the run ends', async () => {
    const dir = writeTree({ 'top.md': agentMd('top'), 'sub/inner.md': agentMd('inner') }, tempDir('cairn-agents-'));
    fs.symlinkSync('..', path.join(dir, 'sub', 'up')); // sub/up/sub/up/… back to the agent folder
    fs.symlinkSync('.', path.join(dir, 'sub', 'self'));
    const r = await index(dir);
    assert.deepEqual(await listed(), [['inner', 'sub'], ['top', null]]);
    assert.deepEqual(r.skipped.map((s) => path.relative(dir, s.path)).sort(), [path.join('sub', 'self'), path.join('sub', 'up')]);
    for (const s of r.skipped) assert.match(s.reason, /^a symbolic link to .*, a folder already read \(a loop, or a second way to it\): not read again$/);
    assert.equal(listAgentFiles(dir).files.length, 2);
  });

  it('an unreadable sub-folder is reported and every other agent is indexed', async () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755); // as root, the folder is listed as the user nobody (below), who must reach it
    const dir = writeTree({ 'a/first.md': agentMd('first'), 'locked/hidden-away.md': agentMd('hidden-away'), 'z/last.md': agentMd('last'), 'top.md': agentMd('top') }, path.join(root, 'agents'));
    for (const d of [dir, path.join(dir, 'a'), path.join(dir, 'z')]) fs.chmodSync(d, 0o755);
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    try {
      // Modes do not stop root: then the folders are listed with the effective user nobody. The listing is the
      // synchronous start of indexAgents (before its first await), so only it runs as nobody.
      const asNobody = process.getuid?.() === 0;
      let run: ReturnType<typeof index>;
      if (asNobody) process.seteuid!(65534);
      try {
        run = index(dir);
      } finally {
        if (asNobody) process.seteuid!(0);
      }
      const r = await run;
      assert.deepEqual(await listed(), [['first', 'a'], ['last', 'z'], ['top', null]]);
      assert.deepEqual(r.skipped, [{ path: path.join(dir, 'locked'), reason: 'cannot read the folder (EACCES)' }]);
      assert.deepEqual(r.dirs, [{ dir, exists: true, files: 3 }]);
    } finally {
      fs.chmodSync(path.join(dir, 'locked'), 0o755);
    }
  });

  it('a name used twice in the sub-folders of one folder is a duplicate-name error; across folders the first folder wins', async () => {
    const project = writeTree({ 'frontend/reviewer.md': agentMd('reviewer'), 'backend/reviewer.md': agentMd('reviewer'), 'writer.md': agentMd('writer') }, tempDir('cairn-agents-'));
    const user = writeTree({ 'misc/writer.md': agentMd('writer') }, tempDir('cairn-agents-'));
    await index(project, user);
    const lint = await agentDiagnostics(store.orm);
    const codes = (file: string) => lint.files.find((f) => f.path === file)!.diagnostics.map((d) => `${d.severity} ${d.code}`);
    assert.deepEqual(codes(path.join(project, 'frontend', 'reviewer.md')), ['error duplicate-name']);
    assert.deepEqual(codes(path.join(project, 'backend', 'reviewer.md')), ['error duplicate-name']);
    assert.match(lint.files.find((f) => f.path === path.join(project, 'backend', 'reviewer.md'))!.diagnostics[0]!.message, new RegExp(`also used by ${escape(path.join(project, 'frontend', 'reviewer.md'))}\\.`));
    assert.deepEqual(codes(path.join(project, 'writer.md')), ['info overrides-name']);
    assert.deepEqual(codes(path.join(user, 'misc', 'writer.md')), ['info shadowed-name']);
    assert.deepEqual(lint.counts, { error: 2, warning: 0, info: 2 });
    const list = await listAgents(store.orm);
    assert.deepEqual(list.map((a) => [a.name, a.category, a.shadowed]), [
      ['reviewer', 'backend', false],
      ['reviewer', 'frontend', false],
      ['writer', null, false],
      ['writer', 'misc', true],
    ]);

    // A folder given inside another: its files stay the outer (first) folder's, found once.
    const nested = await index(project, path.join(project, 'frontend'));
    assert.deepEqual(nested.dirs, [
      { dir: project, exists: true, files: 3 },
      { dir: path.join(project, 'frontend'), exists: true, files: 0 },
    ]);
    assert.equal((await listAgents(store.orm)).length, 3);
  });

  it('indexes the VoltAgent collection from its root: every agent of its category folders, with the category', async () => {
    const categories = fs.readdirSync(path.join(VOLTAGENT_AGENTS, 'categories')).sort();
    const expected = categories.flatMap((c) =>
      fs
        .readdirSync(path.join(VOLTAGENT_AGENTS, 'categories', c))
        .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
        .map((f) => path.join(VOLTAGENT_AGENTS, 'categories', c, f)),
    );
    assert.equal(categories.length, 10);
    assert.equal(expected.length, 158);
    const r = await index(VOLTAGENT_AGENTS);
    assert.deepEqual([r.agents, r.added, r.dirs[0]!.files], [158, 158, 158]);
    assert.deepEqual(
      r.skipped.map((s) => [path.relative(VOLTAGENT_AGENTS, s.path), s.reason]),
      categories.map((c) => [path.join('categories', c, 'README.md'), 'a README without front matter (describes the folder; not an agent)']),
      'only the category READMEs are passed over (the hidden .claude-plugin folders are not entered)',
    );
    const list = await listAgents(store.orm);
    assert.deepEqual(list.map((a) => a.path).sort(), expected.sort());
    assert.deepEqual([...new Set(list.map((a) => a.category))].sort(), categories.map((c) => `categories/${c}`));
    for (const a of list) assert.equal(a.category, `categories/${path.basename(path.dirname(a.path))}`);
    const marketer = list.find((a) => a.name === 'content-marketer')!;
    assert.deepEqual([marketer.category, marketer.model], ['categories/08-business-product', 'haiku']);

    const warm = await index(VOLTAGENT_AGENTS);
    assert.deepEqual([warm.added, warm.updated, warm.removed, warm.unchanged], [0, 0, 0, 158]);
  });
});
