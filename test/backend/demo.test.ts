// The demo of `npm start` (scripts/demo/createDemo.mjs), built into a temp folder by the same function start.mjs
// calls, then read back through the CLI as each of Cairn's views reads it: every view has true data to show.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decisionText } from '../../src/store/knowledge/newNotes';
import type { DemoLayout } from '../../scripts/demo/createDemo.mjs';
import { cleanupTempDirs, cliWith, requireBuilt, tempDir } from '../helpers';

interface Task { id: string; title: string; status: string; assignee: string | null; notes: string[]; dependsOn: string[]; criteria: { text: string; done: boolean }[] }
interface Link { path: string; kind: string; target: string }

const ASSIGNED_AGENTS = ['ci-agent', 'code-reviewer', 'coder', 'db-agent', 'designer', 'reporter', 'security-agent', 'test-writer', 'writer'];

describe('the npm start demo (scripts/demo/createDemo.mjs)', function () {
  this.timeout(180_000);
  let dir: string;
  let demo: DemoLayout;
  const { json } = cliWith(() => ['--store', demo.store, '--vault', demo.vault, '--agents', demo.agents]);
  let tasks: Task[];
  const task = (title: string) => tasks.find((t) => t.title === title) ?? assert.fail(`no task "${title}"`);

  before(async () => {
    requireBuilt();
    const { createDemo } = await import('../../scripts/demo/createDemo.mjs');
    dir = tempDir('cairn-demo-');
    demo = createDemo(dir);
    tasks = json('task', 'list');
  });
  after(cleanupTempDirs);

  it('is moved into place whole: the workspace and the remote, no scratch folder; a second run refuses', async () => {
    assert.deepEqual(fs.readdirSync(dir).sort(), ['backup-remote.git', 'workspace']);
    assert.deepEqual(fs.readdirSync(demo.workspace).sort(), ['.cairn', '.claude', '.vscode', 'README.md', 'notes']);
    const { createDemo } = await import('../../scripts/demo/createDemo.mjs');
    assert.throws(() => createDemo(dir), /workspace already exists: remove it to make the demo again/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['backup-remote.git', 'workspace']);
  });

  it('the workspace settings point the extension at the vault, the agents, the daily notes and the remote', () => {
    const settings = JSON.parse(fs.readFileSync(demo.settings, 'utf8'));
    const resolve = (p: string) => path.resolve(demo.workspace, p);
    assert.equal(resolve(settings['cairn.vaultPath']), demo.vault);
    assert.deepEqual(settings['cairn.agentPaths'].map(resolve), [demo.agents]);
    assert.equal(resolve(settings['cairn.backup.remote']), demo.remote);
    assert.ok(fs.existsSync(path.join(demo.vault, settings['cairn.templatesFolder'] ?? 'templates', `${settings['cairn.dailyNotes.template']}.md`)));
  });

  it('Projects: projects, sprints, tasks in every status, dependencies and acceptance criteria', () => {
    assert.deepEqual(json('project', 'list').map((p: { name: string }) => p.name).sort(), ['Agent playground', 'Mobile app', 'Website relaunch']);
    assert.ok(json('sprint', 'list').length >= 3);
    assert.deepEqual([...new Set(tasks.map((t) => t.status))].sort(), ['blocked', 'cancelled', 'done', 'in_progress', 'pending']);
    assert.deepEqual(task('Review sign-up PR').dependsOn, [task('Implement sign-up flow').id]);
    assert.deepEqual(task('Write launch announcement').dependsOn, [task('Review sign-up PR').id]);
    assert.deepEqual(task('Implement sign-up flow').criteria.map((c) => c.done), [true, false, false]);
    assert.ok(json('log', '--limit', '5').length > 0, 'the event log has the changes');
  });

  it('Knowledge and Links: notes with wikilinks, an embed, a front-matter note, a decision record, a daily note', () => {
    const notes: { path: string; title: string; aliases: string[] }[] = json('note', 'list').notes;
    assert.ok(notes.length >= 12, `${notes.length} notes`);
    assert.deepEqual(notes.find((n) => n.path === 'projects/Website relaunch.md')?.aliases, ['Relaunch', 'Website']);

    const signup: { backlinks: Link[]; outgoing: Link[] } = json('note', 'links', 'Sign-up flow');
    assert.ok(signup.backlinks.length >= 3);
    assert.ok(signup.outgoing.some((l) => l.kind === 'embed' && l.path === 'Email templates.md'));
    assert.ok(signup.outgoing.some((l) => l.kind === 'wikilink' && l.path === 'decisions/0001-use-e-mail-magic-links-for-sign-up.md'));

    // The shape Cairn: New Decision Record makes: the same headings, in order.
    const headings = (text: string) => text.split('\n').filter((l) => /^#+ /.test(l)).map((l) => l.replace(/^# \d+\. .*/, '# N. title'));
    const decision = fs.readFileSync(path.join(demo.vault, 'decisions', '0001-use-e-mail-magic-links-for-sign-up.md'), 'utf8');
    assert.deepEqual(headings(decision), headings(decisionText(1, 'x', new Date())));
    assert.match(decision, /^# 1\. Use e-mail magic links for sign-up\n\nDate: \d{4}-\d{2}-\d{2}\n/);

    // The day's daily note, where Open Daily Note (the settings' folder and format) finds it rather than making one.
    const [day, ...more] = fs.readdirSync(path.join(demo.vault, 'daily'));
    assert.deepEqual(more, []);
    const daily = json('note', 'daily', '--folder', 'daily', '--format', 'YYYY-MM-DD', '--date', day.replace(/\.md$/, ''));
    assert.deepEqual([daily.path, daily.created], [`daily/${day}`, false]);
    assert.ok(json('note', 'links', daily.path).outgoing.length >= 2);
  });

  it('Tags, Placeholders and Orphans: a nested tag, a link to a missing note, a note nothing links to', () => {
    const tags: { tag: string; parent: string | null; total: number }[] = json('tag', 'list');
    assert.equal(tags.find((t) => t.tag === 'project/mobile')?.parent, 'project');
    assert.ok((tags.find((t) => t.tag === 'project')?.total ?? 0) >= 3);
    assert.deepEqual(json('note', 'placeholders').map((p: { target: string }) => p.target), ['Launch checklist']);
    assert.deepEqual(json('note', 'orphans').notes.map((n: { path: string }) => n.path), ['Ideas.md']);
  });

  it('tasks and notes are linked both ways', () => {
    assert.deepEqual(task('Implement sign-up flow').notes, ['Sign-up flow.md', 'decisions/0001-use-e-mail-magic-links-for-sign-up.md']);
    const linked = json('note', 'tasks', 'Sign-up flow').tasks.map((t: { id: string }) => t.id).sort();
    assert.deepEqual(linked, [task('Implement sign-up flow').id, task('Review sign-up PR').id].sort());
  });

  it('Agents: a clean definition for every agent the tasks are assigned to, indexed where they are, with runs', () => {
    const agents: { name: string; path: string; category: string | null; diagnostics: Record<string, number>; runs: { count: number } }[] = json('agents', 'list');
    assert.deepEqual(agents.map((a) => a.name).sort(), ASSIGNED_AGENTS);
    const people = ['alice', 'bob'];
    for (const t of tasks) if (t.assignee && !people.includes(t.assignee)) assert.ok(ASSIGNED_AGENTS.includes(t.assignee), `${t.title}: ${t.assignee}`);
    for (const a of agents) {
      assert.deepEqual(a.diagnostics, { error: 0, warning: 0, info: 0 }, a.name);
      assert.ok(a.path.startsWith(demo.agents + path.sep), a.path);
    }
    assert.equal(agents.find((a) => a.name === 'code-reviewer')?.category, 'quality');

    const runs: { agentName: string; taskId: string; outcome: string; tokensIn: number; durationMs: number; qualityScore: number | null }[] = json('agents', 'runs');
    assert.ok(runs.length >= 6);
    assert.ok(runs.some((r) => r.outcome === 'failure'));
    assert.ok(runs.some((r) => r.outcome === 'success' && r.taskId === task('Set up CI pipeline').id && r.qualityScore !== null));
    assert.ok(runs.every((r) => r.tokensIn > 0 && r.durationMs > 0));
  });

  it('memories, agent sessions with messages and graph entities', () => {
    assert.ok(json('memory', 'list').length >= 4);
    const sessions: { id: string; agent: string; endedAt: string | null; messageCount: number }[] = json('session', 'list');
    const ended = sessions.find((s) => s.agent === 'coder' && s.endedAt) ?? assert.fail('no ended session of the coder');
    assert.equal(json('session', 'show', ended.id).messages.length, ended.messageCount);
    assert.ok(ended.messageCount >= 3);
    assert.ok(sessions.some((s) => !s.endedAt), 'an open session');
    const alice = json('graph', 'neighbours', 'alice');
    assert.deepEqual(alice.edges, [{ from: 'alice', to: 'Design system.md', relationType: 'maintains' }]);
  });

  it('Backup History: one backup, with the vault and the agents, and the remote set', () => {
    const history = json('history');
    assert.equal(history.entries.length, 1);
    assert.equal(history.entries[0].kind, 'backup');
    assert.ok(history.entries[0].changes.notes.added >= 12);
    assert.equal(history.entries[0].changes.agent_files.added, ASSIGNED_AGENTS.length);
    assert.equal(json('remote', 'show').url, demo.remote);
  });
});
