// The agent commands as a user runs them: cairn [--agents DIR]… agent list / lint / run-log / runs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VOLTAGENT_AGENTS } from '../fixtures';
import { cleanupTempDirs, cli, requireBuilt, tempDir } from '../helpers';

const VOLTAGENT_CORE = path.join(VOLTAGENT_AGENTS, 'categories', '01-core-development');

const agentMd = (name: string, description = `Use ${name} for its job.`) => `---\nname: ${name}\ndescription: ${description}\ntools: Read, Grep\nmodel: haiku\n---\nYou are ${name}.\n`;

describe('cairn agent list / lint / run-log / runs (CLI)', function () {
  this.timeout(30_000); // each step spawns the CLI; also under `mocha --no-config`
  let store: string;
  let project: string;
  let user: string;
  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir(), 'store');
    project = tempDir('cairn-project-agents-');
    user = tempDir('cairn-user-agents-');
    fs.writeFileSync(path.join(project, 'reviewer.md'), agentMd('reviewer', 'Project reviewer.'));
    fs.writeFileSync(path.join(project, 'writer.md'), agentMd('writer'));
    fs.writeFileSync(path.join(user, 'reviewer.md'), agentMd('reviewer', 'Personal reviewer.'));
  });
  afterEach(cleanupTempDirs);

  const run = (...args: string[]) => cli(['--store', store, '--agents', project, '--agents', user, ...args]);

  it('lists agents from every folder, the shadowed one marked, with task counts and run metrics', () => {
    assert.equal(cli(['--store', store, 'init']).status, 0);
    const projectId = JSON.parse(cli(['--store', store, '--json', 'project', 'add', 'P']).stdout).id;
    const task = JSON.parse(cli(['--store', store, '--json', 'task', 'add', '--project', projectId, '--assignee', 'writer', 'Draft']).stdout);
    const text = run('agent', 'list');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^3 agents in .*\(2\), .*\(1\)\n/);
    assert.match(text.stdout, /reviewer \(shadowed\)/);
    assert.equal(run('agent', 'run-log', '--agent', 'writer', '--task', task.id, '--tokens-in', '1200', '--tokens-out', '300', '--quality', '0.75', '--duration-ms', '4000', '--outcome', 'success').status, 0);
    assert.equal(run('agent', 'run-log', '--agent', 'writer', '--errors', '3', '--outcome', 'failure', '--notes', 'gave up').status, 0);

    const list = JSON.parse(run('--json', 'agent', 'list').stdout);
    assert.deepEqual(
      list.map((a: { name: string; shadowed: boolean; path: string }) => [a.name, a.shadowed, path.dirname(a.path)]),
      [
        ['reviewer', false, project],
        ['reviewer', true, user],
        ['writer', false, project],
      ],
    );
    const writer = list[2];
    assert.deepEqual(writer.tasks, { total: 1, open: 1, byStatus: { pending: 1 } });
    assert.deepEqual([writer.runs.count, writer.runs.totalTokens, writer.runs.meanQuality, writer.runs.failures, writer.runs.errors], [2, 1500, 0.75, 1, 3]);
    assert.deepEqual([writer.model, writer.tools], ['haiku', ['Read', 'Grep']]);
  });

  it('lint prints file:line: severity code message, and exits 1 on an error', () => {
    const clean = run('agent', 'lint');
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, new RegExp(`^${escape(path.join(project, 'reviewer.md'))}:2: info overrides-name `, 'm'));
    assert.match(clean.stdout, new RegExp(`^${escape(path.join(user, 'reviewer.md'))}:2: info shadowed-name `, 'm'));
    assert.match(clean.stdout, /3 agent files in .*: 0 errors, 0 warnings, 2 info$/m);

    fs.writeFileSync(path.join(project, 'broken.md'), '---\nname: broken\ndescription: Fixes: things\n---\nBody.\n');
    const broken = run('agent', 'lint');
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, new RegExp(`^${escape(path.join(project, 'broken.md'))}:3: error bad-yaml Line 3 is not valid YAML`, 'm'));
    const json = run('--json', 'agent', 'lint');
    assert.equal(json.status, 1);
    const r = JSON.parse(json.stdout);
    assert.deepEqual(r.counts, { error: 1, warning: 0, info: 2 });
    assert.equal(r.files.length, 4);
  });

  it('run-log and runs: recorded, filtered, newest first; bad input is a usage error, an unknown task a failure', () => {
    const noStore = run('agent', 'run-log', '--agent', 'reviewer', '--outcome', 'success');
    assert.equal(noStore.status, 1);
    assert.match(noStore.stderr, /^cairn: There is no Cairn store at .*init"\.\n$/);
    assert.equal(cli(['--store', store, 'init']).status, 0);
    const first = run('--json', 'agent', 'run-log', '--agent', 'reviewer', '--outcome', 'partial', '--quality', '0.5');
    assert.equal(first.status, 0, first.stderr);
    const r1 = JSON.parse(first.stdout);
    assert.deepEqual([r1.agentName, r1.outcome, r1.qualityScore, r1.errors, r1.taskId], ['reviewer', 'partial', 0.5, 0, null]);
    assert.match(run('agent', 'run-log', '--agent', 'writer', '--outcome', 'cancelled').stdout, /^Recorded run [0-9A-Z]{26} {2}writer {2}cancelled\n$/);

    const all = JSON.parse(run('--json', 'agent', 'runs').stdout);
    assert.deepEqual(all.map((x: { agentName: string }) => x.agentName), ['writer', 'reviewer']);
    assert.deepEqual(JSON.parse(run('--json', 'agent', 'runs', '--agent', 'reviewer').stdout).map((x: { id: string }) => x.id), [r1.id]);
    assert.match(run('agent', 'runs', '--agent', 'reviewer').stdout, /AGENT +OUTCOME[\s\S]*reviewer +partial +0\.50/);
    assert.match(run('agent', 'runs', '--agent', 'nobody').stdout, /^\(no runs\)$/m);

    const badQuality = run('agent', 'run-log', '--agent', 'reviewer', '--outcome', 'success', '--quality', '1.5');
    assert.equal(badQuality.status, 2);
    assert.equal(badQuality.stderr, 'cairn: "1.5" is not a number between 0 and 1 (see cairn --help)\n');
    const badOutcome = run('agent', 'run-log', '--agent', 'reviewer', '--outcome', 'great');
    assert.equal(badOutcome.status, 2);
    assert.match(badOutcome.stderr, /^cairn: .*Allowed choices are success, failure, partial, cancelled/);
    const noOutcome = run('agent', 'run-log', '--agent', 'reviewer');
    assert.equal(noOutcome.status, 2);
    assert.match(noOutcome.stderr, /--outcome/);
    const negative = run('agent', 'run-log', '--agent', 'reviewer', '--outcome', 'success', '--tokens-in', '-4');
    assert.equal(negative.status, 2);
    const unknownTask = run('agent', 'run-log', '--agent', 'reviewer', '--outcome', 'success', '--task', 'NOPE');
    assert.equal(unknownTask.status, 1);
    assert.equal(unknownTask.stderr, 'cairn: No task with id NOPE.\n');
    assert.equal(JSON.parse(run('--json', 'agent', 'runs').stdout).length, 2, 'nothing was recorded by the failed calls');
  });

  it('indexes the VoltAgent core-development collection as an --agents folder', () => {
    const files = fs.readdirSync(VOLTAGENT_CORE).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md');
    const list = cli(['--store', store, '--agents', VOLTAGENT_CORE, '--json', 'agent', 'list']);
    assert.equal(list.status, 0, list.stderr);
    const agents = JSON.parse(list.stdout) as { name: string | null; description: string | null; path: string }[];
    assert.equal(agents.length, files.length);
    for (const a of agents) {
      assert.ok(a.name, `${a.path} has a name`);
      assert.ok(a.description, `${a.path} has a description`);
    }
    const lint = cli(['--store', store, '--agents', VOLTAGENT_CORE, 'agent', 'lint']);
    assert.ok(lint.status === 0 || lint.status === 1, lint.stderr);
    assert.match(lint.stdout, /README\.md: skipped: a README without front matter/);
    assert.match(lint.stdout, new RegExp(`${files.length} agent files in ${escape(VOLTAGENT_CORE)} \\(${files.length}\\)`));
    for (const line of lint.stdout.trim().split('\n').slice(0, -2)) assert.match(line, /^\/.+\.md:\d+: (error|warning|info) [a-z-]+ \S/);
  });

  it('indexes the whole VoltAgent collection from its root: each agent with its category, in the table and the JSON', () => {
    const list = cli(['--store', store, '--agents', VOLTAGENT_AGENTS, '--json', 'agent', 'list']);
    assert.equal(list.status, 0, list.stderr);
    const agents = JSON.parse(list.stdout) as { name: string | null; category: string | null; path: string }[];
    assert.equal(agents.length, 158);
    for (const a of agents) assert.equal(a.category, path.relative(VOLTAGENT_AGENTS, path.dirname(a.path)));
    assert.equal(agents.find((a) => a.name === 'content-marketer')!.category, 'categories/08-business-product');
    const text = cli(['--store', store, '--agents', VOLTAGENT_AGENTS, 'agent', 'list']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^158 agents in /);
    assert.match(text.stdout, /^NAME +CATEGORY +MODEL +TASKS OPEN\/ALL/m);
    assert.match(text.stdout, /^content-marketer +categories\/08-business-product +haiku +0\/0 .* content-marketer\.md$/m);
    // Agents at the top of a folder have no category: the column is left empty.
    assert.match(run('agent', 'list').stdout, /^writer {2,}haiku +0\/0 /m);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
