// The agent indexer on real agent folders on disk: incremental runs (a warm run reads nothing unchanged), names
// shared across folders (project before user), broken files kept with their diagnostics, and recorded runs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentDiagnostics, defaultAgentDirs, indexAgents, listAgents, type AgentIndexReport } from '../../../src/store/agents/indexer';
import { listAgentRuns, recordAgentRun } from '../../../src/store/agents/runs';
import { listEvents } from '../../../src/store/events';
import { createProject } from '../../../src/store/projects';
import { agents } from '../../../src/store/schema';
import type { Store } from '../../../src/store/store';
import { createTask, deleteTask } from '../../../src/store/tasks';
import { human, useTempStore, tempDir } from '../../helpers';

const agentMd = (name: string, description = `Use ${name} for its job.`, extra = '') =>
  `---\nname: ${name}\ndescription: ${description}\ntools: Read, Grep\nmodel: sonnet\n${extra}---\n\nYou are ${name}.\n`;

function writeFolder(files: Record<string, string>): string {
  const dir = tempDir('cairn-agents-');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

const counts = (r: AgentIndexReport) => [r.added, r.updated, r.removed, r.unchanged];

describe('agents: indexer', () => {
  let store!: Store;
  useTempStore((s) => (store = s));

  const index = (...dirs: string[]) => indexAgents(store, dirs, human);
  const row = async (file: string) => (await store.orm.select().from(agents)).find((r) => r.path === file);
  const indexEvents = async () => (await listEvents(store.orm, { aggregateType: 'agents', limit: 100, order: 'asc' })).filter((e) => e.type === 'agents.indexed');

  it('indexes every *.md of a folder and its sub-folders with its fields, and logs one agents.indexed event', async () => {
    const dir = writeFolder({ 'reviewer.md': agentMd('reviewer', 'Reviews code.', 'color: blue\nmaxTurns: 5\n'), 'tester.md': agentMd('tester'), 'notes.txt': 'not an agent' });
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.writeFileSync(path.join(dir, 'nested', 'deep.md'), agentMd('deep'));
    const r = await index(dir, path.join(dir, 'missing'));
    assert.deepEqual(counts(r), [3, 0, 0, 0]);
    assert.deepEqual(r.dirs, [
      { dir, exists: true, files: 3 },
      { dir: path.join(dir, 'missing'), exists: false, files: 0 },
    ]);
    const reviewer = (await row(path.join(dir, 'reviewer.md')))!;
    assert.equal(reviewer.name, 'reviewer');
    assert.equal(reviewer.description, 'Reviews code.');
    assert.deepEqual(reviewer.tools, ['Read', 'Grep']);
    assert.equal(reviewer.model, 'sonnet');
    assert.equal(reviewer.color, 'blue');
    assert.deepEqual(reviewer.extra, { maxTurns: 5 });
    assert.equal(reviewer.body, '\nYou are reviewer.\n');
    assert.deepEqual(reviewer.diagnostics, []);
    assert.match(reviewer.hash, /^[0-9a-f]{64}$/);
    const events = await indexEvents();
    assert.equal(events.length, 1);
    assert.deepEqual([events[0]!.data.added, events[0]!.data.agents], [3, 3]);
    assert.deepEqual((await listAgents(store.orm)).map((a) => [a.name, a.category]), [['deep', 'nested'], ['reviewer', null], ['tester', null]]);
  });

  it('a warm run reads nothing unchanged and logs nothing; an edit, a delete and a new file are picked up', async () => {
    const dir = writeFolder({ 'a.md': agentMd('alpha'), 'b.md': agentMd('bravo'), 'c.md': agentMd('charlie') });
    const fixed = new Date('2026-01-02T03:04:05Z'); // a whole-second mtime that utimes restores exactly
    fs.utimesSync(path.join(dir, 'b.md'), fixed, fixed);
    await index(dir);
    assert.deepEqual(counts(await index(dir)), [0, 0, 0, 3]);
    assert.equal((await indexEvents()).length, 1, 'a run that changed nothing logs no event');

    // Same size and mtime, different bytes: the warm run trusts size + mtime and does not read the file.
    fs.writeFileSync(path.join(dir, 'b.md'), agentMd('bravX'));
    fs.utimesSync(path.join(dir, 'b.md'), fixed, fixed);
    assert.deepEqual(counts(await index(dir)), [0, 0, 0, 3]);
    assert.equal((await row(path.join(dir, 'b.md')))!.name, 'bravo', 'the old name is still stored: the file was not read');

    // Touched but identical: re-hashed, not re-parsed.
    fs.utimesSync(path.join(dir, 'c.md'), new Date(), new Date(Date.now() + 10_000));
    assert.deepEqual(counts(await index(dir)), [0, 0, 0, 3]);
    assert.equal((await row(path.join(dir, 'c.md')))!.mtimeMs, fs.statSync(path.join(dir, 'c.md')).mtimeMs, 'the new mtime is remembered');

    // A real edit (mtime moves), a deletion and a new file.
    fs.writeFileSync(path.join(dir, 'a.md'), agentMd('alpha', 'Amended description.'));
    fs.utimesSync(path.join(dir, 'a.md'), new Date(), new Date(Date.now() + 5000));
    fs.rmSync(path.join(dir, 'c.md'));
    fs.writeFileSync(path.join(dir, 'd.md'), agentMd('delta'));
    assert.deepEqual(counts(await index(dir)), [1, 1, 1, 1]);
    assert.equal((await row(path.join(dir, 'a.md')))!.description, 'Amended description.');
    assert.equal(await row(path.join(dir, 'c.md')), undefined);
    assert.deepEqual((await listAgents(store.orm)).map((a) => a.name), ['alpha', 'bravo', 'delta']);
    assert.equal((await indexEvents()).length, 2);

    // A folder that is no longer indexed takes its rows with it.
    assert.deepEqual(counts(await index()), [0, 0, 3, 0]);
    assert.deepEqual(await listAgents(store.orm), []);
  });

  it('the same name in two folders: the first folder (project) overrides the second (user), as info on both', async () => {
    const project = writeFolder({ 'reviewer.md': agentMd('reviewer', 'Project reviewer.'), 'tester.md': agentMd('tester') });
    const user = writeFolder({ 'reviewer.md': agentMd('reviewer', 'My personal reviewer.'), 'mine.md': agentMd('mine') });
    await index(project, user);
    const lint = await agentDiagnostics(store.orm);
    const of = (file: string) => lint.files.find((f) => f.path === file)!.diagnostics;
    assert.deepEqual(of(path.join(project, 'reviewer.md')).map((d) => [d.line, d.severity, d.code]), [[2, 'info', 'overrides-name']]);
    assert.deepEqual(of(path.join(user, 'reviewer.md')).map((d) => [d.line, d.severity, d.code]), [[2, 'info', 'shadowed-name']]);
    assert.match(of(path.join(user, 'reviewer.md'))[0]!.message, new RegExp(`defined in ${project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(lint.counts, { error: 0, warning: 0, info: 2 });
    const list = await listAgents(store.orm);
    assert.deepEqual(
      list.map((a) => [a.name, a.description, a.shadowed]),
      [
        ['mine', 'Use mine for its job.', false],
        ['reviewer', 'Project reviewer.', false],
        ['reviewer', 'My personal reviewer.', true],
        ['tester', 'Use tester for its job.', false],
      ],
    );

    // Reversed precedence flips the diagnostics without re-reading a file.
    const reversed = await index(user, project);
    assert.deepEqual(counts(reversed), [0, 0, 0, 4]);
    const flipped = await agentDiagnostics(store.orm);
    assert.equal(flipped.files.find((f) => f.path === path.join(project, 'reviewer.md'))!.diagnostics[0]!.code, 'shadowed-name');

    // Within one folder the same name is an error (lintAgents' duplicate-name); removing the copy clears it.
    fs.writeFileSync(path.join(project, 'reviewer-copy.md'), agentMd('reviewer'));
    await index(project, user);
    const dup = await agentDiagnostics(store.orm);
    const codesOf = (file: string) => dup.files.find((f) => f.path === file)!.diagnostics.map((d) => `${d.severity} ${d.code}`).sort();
    assert.deepEqual(codesOf(path.join(project, 'reviewer.md')), ['error duplicate-name', 'info overrides-name']);
    assert.deepEqual(codesOf(path.join(project, 'reviewer-copy.md')), ['error duplicate-name', 'info name-file-mismatch', 'info overrides-name']);
    fs.rmSync(path.join(project, 'reviewer-copy.md'));
    fs.rmSync(path.join(user, 'reviewer.md'));
    await index(project, user);
    assert.deepEqual((await agentDiagnostics(store.orm)).counts, { error: 0, warning: 0, info: 0 }, 'the unchanged project file lost its cross-file diagnostics');
  });

  it('a broken agent is indexed with its diagnostics; a README without front matter is skipped, one with it is an agent', async () => {
    const dir = writeFolder({
      'broken.md': '---\nname: broken\ndescription: Fixes: things: fast\n---\nBody.\n',
      'nofront.md': 'Just some prose.\n',
      'README.md': '# My agents\n\nA collection.\n',
    });
    const r = await index(dir);
    assert.deepEqual(counts(r), [2, 0, 0, 0]);
    assert.deepEqual(r.skipped.map((s) => path.basename(s.path)), ['README.md']);
    assert.equal(r.diagnostics.error, 2);
    const broken = (await row(path.join(dir, 'broken.md')))!;
    assert.equal(broken.name, null);
    assert.deepEqual(broken.diagnostics.map((d) => [d.line, d.severity, d.code]), [[3, 'error', 'bad-yaml']]);
    assert.match(broken.diagnostics[0]!.message, /Wrap the value in double quotes/);
    assert.deepEqual((await row(path.join(dir, 'nofront.md')))!.diagnostics.map((d) => d.code), ['no-front-matter']);

    fs.writeFileSync(path.join(dir, 'README.md'), agentMd('readme-agent'));
    fs.writeFileSync(path.join(dir, 'broken.md'), '---\nname: broken\ndescription: "Fixes: things: fast"\n---\nBody.\n');
    fs.utimesSync(path.join(dir, 'broken.md'), new Date(), new Date(Date.now() + 5000));
    const again = await index(dir);
    assert.deepEqual(counts(again), [1, 1, 0, 1]);
    assert.equal((await row(path.join(dir, 'broken.md')))!.name, 'broken');
    assert.deepEqual((await row(path.join(dir, 'broken.md')))!.diagnostics, []);
    assert.equal((await row(path.join(dir, 'README.md')))!.name, 'readme-agent');
  });

  it('records runs (task checked, set null when the task goes), with metrics and task counts per agent', async () => {
    const dir = writeFolder({ 'reviewer.md': agentMd('reviewer'), 'idle.md': agentMd('idle') });
    await index(dir);
    const project = await store.write((orm) => createProject(orm, human, { name: 'P' }));
    const t1 = await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'one', assignee: 'reviewer' }));
    await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'two', assignee: 'reviewer', status: 'done' }));
    await assert.rejects(
      store.write((orm) => recordAgentRun(orm, human, { agent: 'reviewer', taskId: 'NOPE', outcome: 'success' })),
      /No task with id NOPE/,
    );
    const run1 = await store.write((orm) => recordAgentRun(orm, human, { agent: 'reviewer', taskId: t1.id, durationMs: 1500, tokensIn: 100, tokensOut: 40, qualityScore: 0.9, outcome: 'success' }));
    await store.write((orm) => recordAgentRun(orm, human, { agent: 'reviewer', tokensIn: 10, qualityScore: 0.5, errors: 2, outcome: 'failure', notes: 'timed out' }));
    await store.write((orm) => recordAgentRun(orm, human, { agent: 'ghost', outcome: 'cancelled' }));
    assert.equal(run1.startedAt, new Date(Date.parse(run1.createdAt) - 1500).toISOString());

    const list = await listAgents(store.orm);
    const reviewer = list.find((a) => a.name === 'reviewer')!;
    assert.deepEqual(reviewer.tasks, { total: 2, open: 1, byStatus: { pending: 1, done: 1 } });
    assert.deepEqual(
      [reviewer.runs.count, reviewer.runs.tokensIn, reviewer.runs.tokensOut, reviewer.runs.totalTokens, reviewer.runs.meanQuality, reviewer.runs.failures, reviewer.runs.errors, reviewer.runs.totalDurationMs],
      [2, 110, 40, 150, 0.7, 1, 2, 1500],
    );
    assert.equal(list.find((a) => a.name === 'idle')!.runs.count, 0);

    assert.deepEqual((await listAgentRuns(store.orm, { agent: 'reviewer' })).map((r) => r.outcome), ['failure', 'success'], 'newest first');
    assert.deepEqual((await listAgentRuns(store.orm, { taskId: t1.id })).map((r) => r.id), [run1.id]);
    assert.equal((await listAgentRuns(store.orm, { limit: 1 })).length, 1);
    const recorded = (await listEvents(store.orm, { aggregateType: 'agents', limit: 10, order: 'asc' })).filter((e) => e.type === 'agent_run.recorded');
    assert.equal(recorded.length, 3);

    await store.write((orm) => deleteTask(orm, human, t1.id, undefined));
    assert.equal((await listAgentRuns(store.orm, { agent: 'reviewer' }))[1]!.taskId, null, 'the run outlives its task');
  });

  it('defaults to the project folder, then the user folder', () => {
    assert.deepEqual(defaultAgentDirs('/work/p', '/home/u'), [path.join('/work/p', '.claude', 'agents'), path.join('/home/u', '.claude', 'agents')]);
  });
});
