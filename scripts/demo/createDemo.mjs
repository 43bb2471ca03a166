// The demo of `npm start`: a workspace whose store shows everything Cairn does, made through the built CLI
// (dist/cli.js), as a user or an agent would make it. Shared by scripts/start.mjs and test/backend/demo.test.ts.
//
// <dir>/workspace            the folder VS Code opens
//   .cairn/                  the store: projects, sprints, tasks (dependencies, acceptance criteria, linked notes),
//                            memories, agent runs, an agent session, graph entities and relations, the index of the
//                            vault and of the agents, and one backup (its repository is .cairn/backup)
//   notes/                   the vault (scripts/demo/vault, plus today's daily note from scripts/demo/daily.md)
//   .claude/agents/          the agents the demo tasks are assigned to (scripts/demo/agents)
//   .vscode/settings.json    the cairn.* settings that point the extension at them
// <dir>/backup-remote.git    a bare repository: the backup remote (Cairn: Sync Now pushes there)
//
// The workspace is made in a scratch folder beside it and moved into place at the end; a failed run removes the
// scratch folder and the remote, so it leaves no half-made demo behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, '..', '..', 'dist', 'cli.js');
const VAULT_FIXTURES = path.join(HERE, 'vault');
const AGENT_FIXTURES = path.join(HERE, 'agents');
const DAILY_FIXTURE = path.join(HERE, 'daily.md');

/** Where the parts of a demo made in `dir` are (the same names in the scratch folder and in place). */
export function demoLayout(dir) {
  const workspace = path.join(dir, 'workspace');
  return {
    workspace,
    store: path.join(workspace, '.cairn'),
    vault: path.join(workspace, 'notes'),
    agents: path.join(workspace, '.claude', 'agents'),
    settings: path.join(workspace, '.vscode', 'settings.json'),
    remote: path.join(dir, 'backup-remote.git'),
  };
}

/** The workspace settings: what the extension reads to find the vault, the agents and the backup remote. */
function workspaceSettings() {
  return {
    'cairn.vaultPath': 'notes',
    'cairn.agentPaths': ['.claude/agents'],
    'cairn.dailyNotes.folder': 'daily',
    'cairn.dailyNotes.format': 'YYYY-MM-DD',
    'cairn.dailyNotes.template': 'daily',
    'cairn.decisionsFolder': 'decisions',
    'cairn.userName': 'alice',
    // Relative to the workspace folder, as the extension resolves it: <dir>/backup-remote.git.
    'cairn.backup.remote': '../backup-remote.git',
  };
}

/** The local date as the daily note's file name (format YYYY-MM-DD) and heading. */
function today(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return {
    file: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`,
    heading: `${days[now.getDay()]} ${now.getDate()} ${months[now.getMonth()]} ${now.getFullYear()}`,
  };
}

/** A CLI runner for one workspace: the built CLI with its store, vault and agent folder; returns the parsed --json. */
function cliFor(parts) {
  return (...argv) => {
    const last = argv.at(-1);
    const input = last && typeof last === 'object' ? (argv.pop(), last.input) : undefined;
    const r = spawnSync(
      process.execPath,
      [CLI, '--store', parts.store, '--vault', parts.vault, '--agents', parts.agents, '--json', '--actor', 'demo', ...argv],
      { encoding: 'utf8', input },
    );
    if (r.status !== 0) throw new Error(`cairn ${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim()}`);
    return JSON.parse(r.stdout);
  };
}

function git(...argv) {
  const r = spawnSync('git', argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim()}`);
}

/** The files: the vault, today's daily note, the agents, the settings, a README. */
function writeFiles(parts) {
  fs.cpSync(VAULT_FIXTURES, parts.vault, { recursive: true });
  const day = today();
  fs.mkdirSync(path.join(parts.vault, 'daily'), { recursive: true });
  fs.writeFileSync(path.join(parts.vault, 'daily', `${day.file}.md`), `# ${day.heading}\n\n${fs.readFileSync(DAILY_FIXTURE, 'utf8')}`);
  fs.cpSync(AGENT_FIXTURES, parts.agents, { recursive: true });
  fs.mkdirSync(path.dirname(parts.settings), { recursive: true });
  fs.writeFileSync(parts.settings, `${JSON.stringify(workspaceSettings(), null, 2)}\n`);
  fs.writeFileSync(path.join(parts.workspace, 'README.md'),
    '# Cairn demo workspace\n\nThe store is in `.cairn/`, the notes in `notes/`, the agents in `.claude/agents/`. ' +
    'Try the CLI beside VS Code (from the repository):\n\n' +
    '    node dist/cli.js --store .demo/workspace/.cairn task list\n' +
    '    node dist/cli.js --store .demo/workspace/.cairn --vault .demo/workspace/notes note placeholders\n');
}

/** Projects, sprints, tasks, dependencies, criteria, memories: the work model. Returns the tasks other steps use. */
function addWork(cairn) {
  const project = (name, description) => cairn('project', 'add', '--description', description, name);
  const sprint = (p, name, goal, dates = []) => cairn('sprint', 'add', '--project', p.id, '--goal', goal, ...dates, name);
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const task = (p, title, { sprint: s, parent, assignee, priority, status, tags = [] } = {}) => {
    const t = cairn('task', 'add', '--project', p.id,
      ...(s ? ['--sprint', s.id] : []), ...(parent ? ['--parent', parent.id] : []),
      ...(assignee ? ['--assignee', assignee] : []), ...(priority ? ['--priority', priority] : []),
      ...tags.flatMap((tag) => ['--tag', tag]), title);
    if (status && status !== 'pending') cairn('task', 'move', t.id, status);
    return t;
  };

  const web = project('Website relaunch', 'New marketing site and sign-up flow.');
  const s1 = sprint(web, 'Sprint 1 · Foundations', 'Design system, CI, hosting', ['--starts', day(-21), '--ends', day(-8)]);
  const s2 = sprint(web, 'Sprint 2 · Launch', 'Content, sign-up, go-live', ['--starts', day(-7), '--ends', day(7)]);
  // Sprint 2 is under way; Sprint 1 is over (Close Sprint offers to move what was left; here nothing is).
  cairn('sprint', 'start', s2.id);
  // Done by its agent with the run that did it (task done records the run), as an agent does through MCP.
  const ci = task(web, 'Set up CI pipeline', { sprint: s1, assignee: 'ci-agent', tags: ['infra'] });
  const tokens = task(web, 'Design tokens and typography', { sprint: s1, assignee: 'alice', status: 'done' });
  const signup = task(web, 'Implement sign-up flow', { sprint: s2, assignee: 'coder', priority: 'high', status: 'in_progress' });
  const verify = task(web, 'Email verification', { sprint: s2, parent: signup, assignee: 'coder', status: 'in_progress' });
  const rateLimit = task(web, 'Rate-limit the sign-up endpoint', { sprint: s2, parent: signup, assignee: 'security-agent' });
  const review = task(web, 'Review sign-up PR', { sprint: s2, assignee: 'code-reviewer', priority: 'urgent' });
  const migrate = task(web, 'Migrate legacy accounts', { sprint: s2, assignee: 'db-agent', status: 'blocked' });
  const announce = task(web, 'Write launch announcement', { assignee: 'writer' });
  // The work model agents use (task next / claim / done, or the MCP tools): what waits for what, and when it is done.
  cairn('task', 'depend', review.id, '--on', signup.id);
  cairn('task', 'depend', announce.id, '--on', review.id);
  for (const c of ['Form checks the e-mail address', 'Confirmation e-mail sent', 'Works without JavaScript']) cairn('task', 'criteria', 'add', signup.id, c);
  cairn('task', 'criteria', 'check', signup.id, '1');
  for (const c of ['At most 5 attempts per address per hour', 'At most 30 attempts per IP per hour']) cairn('task', 'criteria', 'add', rateLimit.id, c);
  // Memory that lasts across agent sessions (cairn memory recall, or the MCP recall tool).
  cairn('memory', 'add', '--type', 'decision', '--importance', '0.9', '--project', web.id, 'Sign-up uses e-mail magic links, no passwords stored');
  cairn('memory', 'add', '--type', 'preference', '--importance', '0.6', 'Commit messages in the imperative mood, under 72 characters');
  cairn('memory', 'add', '--type', 'fact', '--project', web.id, 'Staging runs at staging.example.test behind basic auth');
  task(web, 'Old landing page A/B test', { status: 'cancelled' });

  const mobile = project('Mobile app', 'iOS and Android client.');
  const beta = sprint(mobile, 'Beta', 'TestFlight and Play internal track');
  const offline = task(mobile, 'Offline sync', { sprint: beta, assignee: 'bob', priority: 'high', status: 'in_progress' });
  const push = task(mobile, 'Push notifications', { sprint: beta, assignee: 'test-writer' });
  task(mobile, 'Crash reporting', { sprint: beta, status: 'done' });
  const screenshots = task(mobile, 'App store screenshots', { assignee: 'designer' });
  cairn('task', 'depend', push.id, '--on', offline.id);

  const agents = project('Agent playground', 'Tasks handed to coding agents.');
  const cliTests = task(agents, 'Add tests for the CLI parser', { assignee: 'test-writer', status: 'in_progress' });
  task(agents, 'Refactor the change watcher', { assignee: 'coder', status: 'blocked' });
  const report = task(agents, 'Summarise last week\'s events', { assignee: 'reporter' });
  task(agents, 'Triage new issues', { priority: 'low' });

  return { web, mobile, s1, ci, tokens, signup, verify, rateLimit, review, migrate, announce, offline, push, screenshots, cliTests, report };
}

/** What the agents did: runs with tokens, time, quality and outcome (one failure), and one session with messages. */
function addAgentWork(cairn, t) {
  const done = (task, agent, ms, tokensIn, tokensOut, quality, summary) =>
    cairn('task', 'done', task.id, '--agent', agent, '--duration-ms', String(ms), '--tokens-in', String(tokensIn),
      '--tokens-out', String(tokensOut), '--quality', String(quality), '--summary', summary);
  done(t.ci, 'ci-agent', 412_000, 38_200, 6_900, 0.92, 'Lint, unit tests, build and deploy to staging on every merge to main.');
  cairn('sprint', 'close', t.s1.id); // all of it done: nothing left to move
  done(t.report, 'reporter', 95_000, 51_400, 2_300, 0.85, 'Weekly report: 6 tasks done, 2 blocked (legacy accounts, change watcher).');

  const run = (agent, task, ms, tokensIn, tokensOut, { quality, errors, outcome = 'success', notes } = {}) =>
    cairn('agents', 'run-log', '--agent', agent, '--task', task.id, '--duration-ms', String(ms),
      '--tokens-in', String(tokensIn), '--tokens-out', String(tokensOut), '--outcome', outcome,
      ...(quality !== undefined ? ['--quality', String(quality)] : []), ...(errors ? ['--errors', String(errors)] : []),
      ...(notes ? ['--notes', notes] : []));
  run('coder', t.signup, 1_260_000, 184_000, 22_500, { quality: 0.8, outcome: 'partial', notes: 'Form and validation done; the confirmation e-mail is next.' });
  run('coder', t.verify, 540_000, 73_100, 8_800, { quality: 0.3, errors: 2, outcome: 'failure', notes: 'The SMTP sandbox refused the connection (port 2525 closed); no e-mail was sent.' });
  run('coder', t.verify, 380_000, 52_700, 6_100, { quality: 0.75, outcome: 'partial', notes: 'Retried on the sandbox\'s new port: the e-mail is sent; the link expiry is left.' });
  run('db-agent', t.migrate, 300_000, 96_000, 4_200, { quality: 0.6, errors: 1, outcome: 'failure', notes: '412 legacy accounts share an e-mail address with another; stopped before changing anything.' });
  run('test-writer', t.cliTests, 720_000, 88_300, 14_900, { quality: 0.7, outcome: 'partial', notes: '23 tests written, 2 of them fail on quoted arguments.' });
  run('designer', t.screenshots, 240_000, 12_000, 3_100, { outcome: 'cancelled', notes: 'Waiting for the final app icon.' });

  // A finished session of the coder on the sign-up flow, its summary kept as a memory of the project.
  const session = cairn('session', 'start', '--agent', 'coder', '--task', t.signup.id);
  const messages = [
    { role: 'user', content: 'Implement the sign-up form of the sign-up flow task; the acceptance criteria are on the task.' },
    { role: 'assistant', content: 'Reading the task, its criteria and the "Sign-up flow" note first.', tokens: 1_850, toolCalls: [{ name: 'get_task', arguments: { id: t.signup.id } }, { name: 'Read', arguments: { file_path: 'notes/Sign-up flow.md' } }] },
    { role: 'tool', content: 'Sign-up flow: e-mail address, magic link, rate-limited endpoint; fields follow the design system.', tokens: 420 },
    { role: 'assistant', content: 'The form validates the address in the browser and on the server; criterion 1 is met and checked.', tokens: 2_300, toolCalls: [{ name: 'check_criterion', arguments: { id: t.signup.id, item: 1 } }] },
  ];
  cairn('session', 'log', session.id, '--jsonl', '-', { input: messages.map((m) => JSON.stringify(m)).join('\n') });
  cairn('session', 'end', session.id, '--summary', 'Sign-up form done and validated; the confirmation e-mail and the no-JavaScript path are left.', '--remember', '--memory-type', 'context', '--importance', '0.7');
  // One still open: the test-writer at work.
  const open = cairn('session', 'start', '--agent', 'test-writer', '--task', t.cliTests.id);
  cairn('session', 'log', open.id, '--role', 'assistant', '--tokens', '960', 'Two tests fail on quoted arguments: the parser splits "a b" into two words. Looking at the tokenizer.');
}

/** Knowledge: index the vault, link tasks to notes, and a few graph entities and relations beside the notes. */
function addKnowledge(cairn, t) {
  cairn('index');
  const link = (task, ...notes) => notes.forEach((note) => cairn('task', 'link', task.id, note));
  link(t.signup, 'Sign-up flow', 'decisions/0001-use-e-mail-magic-links-for-sign-up.md');
  link(t.verify, 'Email templates');
  link(t.review, 'Sign-up flow');
  link(t.tokens, 'Design system');
  link(t.ci, 'Hosting');
  link(t.offline, 'Offline sync');
  link(t.screenshots, 'Design system');

  cairn('graph', 'add-entity', '--type', 'person', '--observation', 'Owns the design system and the sign-up UX', 'alice');
  cairn('graph', 'add-entity', '--type', 'person', '--observation', 'Builds the mobile app; works on offline sync', 'bob');
  cairn('graph', 'add-entity', '--type', 'service', '--observation', 'Sends the sign-up e-mails', '--observation', 'Sandbox SMTP port is 587', 'Postmark');
  cairn('graph', 'add-entity', '--type', 'environment', '--observation', 'staging.example.test, behind basic auth', 'Staging');
  cairn('graph', 'observe', 'Staging', 'Deployed by CI on every merge to main');
  cairn('graph', 'relate', 'alice', 'maintains', 'Design system.md');
  cairn('graph', 'relate', 'bob', 'works_on', 'Offline sync.md');
  cairn('graph', 'relate', 'Sign-up flow.md', 'sends_email_through', 'Postmark');
  cairn('graph', 'relate', 'Hosting.md', 'describes', 'Staging');
}

/**
 * Makes the demo in `dir` (created if missing): `dir/workspace` and `dir/backup-remote.git`, neither of which may
 * exist yet. `log` reports progress. Returns the layout (demoLayout) of what was made.
 */
export function createDemo(dir, { log = () => {} } = {}) {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first.`);
  const target = demoLayout(path.resolve(dir));
  for (const p of [target.workspace, target.remote]) {
    if (fs.existsSync(p)) throw new Error(`${p} already exists: remove it to make the demo again.`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(dir, '.demo-'));
  let remoteMade = false;
  try {
    const parts = demoLayout(scratch);
    const cairn = cliFor(parts);
    fs.mkdirSync(parts.workspace);
    writeFiles(parts);
    cairn('init');
    log('projects, sprints, tasks and memories');
    const tasks = addWork(cairn);
    log('agent runs and sessions');
    addAgentWork(cairn, tasks);
    log('the vault, task ↔ note links and the graph');
    addKnowledge(cairn, tasks);
    cairn('agents', 'list');

    log('one backup, with its remote');
    git('init', '--quiet', '--bare', '--initial-branch=main', target.remote);
    remoteMade = true;
    // The same remote the extension sets from cairn.backup.remote (it finds it already set).
    cairn('remote', 'set', target.remote);
    cairn('backup');
    fs.renameSync(parts.workspace, target.workspace);
  } catch (err) {
    if (remoteMade) fs.rmSync(target.remote, { recursive: true, force: true });
    throw err;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  // The agents' index holds each file's path: index them again where they now are (the extension does so too).
  cliFor(target)('agents', 'list');
  return target;
}
