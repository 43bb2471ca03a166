#!/usr/bin/env node
// `npm start`: try Cairn in a real VS Code with a demo store.
//
// 1. Builds dist/ when it is missing or older than src/.
// 2. Creates a demo workspace .demo/workspace with a store (.cairn) holding a few projects, sprints and tasks in
//    various statuses, through the built CLI. Only when that store does not exist yet: your changes survive a
//    restart. Delete .demo/ to start over.
// 3. If a `code` command is on PATH: `code --extensionDevelopmentPath=<repo> .demo/workspace` and exit.
//    Otherwise: the test harness's code-server (real VS Code in the browser, built on first use) on 127.0.0.1,
//    port $PORT or 8080 (a free port if that one is taken), with Cairn side-loaded. It prints the URL to open and
//    runs until Ctrl+C.
//
// Options: --code-server (always use code-server, even when `code` is on PATH), --reset-demo (recreate the
// demo store). Env: PORT, CHROMIUM (only for the harness check).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { ensureBuilt, makeProfile, sideLoad, CLI } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));

const DEMO = path.join(ROOT, '.demo');
const WORKSPACE = path.join(DEMO, 'workspace');
const STORE = path.join(WORKSPACE, '.cairn');
const args = new Set(process.argv.slice(2));
const log = (m) => console.log(`[cairn] ${m}`);

/** Runs the built CLI on `store`; returns the parsed --json output. */
function cairn(store, ...argv) {
  const r = spawnSync(process.execPath, [CLI, '--store', store, '--json', '--actor', 'demo', ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cairn ${argv.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** The demo data. Built in a scratch folder and moved into place, so a half-made store is never left behind. */
function createDemoStore() {
  const scratch = fs.mkdtempSync(path.join(DEMO, '.store-'));
  const store = path.join(scratch, '.cairn');
  try {
    cairn(store, 'init');
    const project = (name, description) => cairn(store, 'project', 'add', '--description', description, name);
    const sprint = (p, name, goal) => cairn(store, 'sprint', 'add', '--project', p.id, '--goal', goal, name);
    const task = (p, title, { sprint: s, parent, assignee, priority, status, tags = [] } = {}) => {
      const t = cairn(store, 'task', 'add', '--project', p.id,
        ...(s ? ['--sprint', s.id] : []), ...(parent ? ['--parent', parent.id] : []),
        ...(assignee ? ['--assignee', assignee] : []), ...(priority ? ['--priority', priority] : []),
        ...tags.flatMap((tag) => ['--tag', tag]), title);
      if (status && status !== 'pending') cairn(store, 'task', 'move', t.id, status);
      return t;
    };

    const web = project('Website relaunch', 'New marketing site and sign-up flow.');
    const s1 = sprint(web, 'Sprint 1 · Foundations', 'Design system, CI, hosting');
    const s2 = sprint(web, 'Sprint 2 · Launch', 'Content, sign-up, go-live');
    task(web, 'Set up CI pipeline', { sprint: s1, assignee: 'ci-agent', status: 'done', tags: ['infra'] });
    task(web, 'Design tokens and typography', { sprint: s1, assignee: 'alice', status: 'done' });
    const signup = task(web, 'Implement sign-up flow', { sprint: s2, assignee: 'coder', priority: 'high', status: 'in_progress' });
    task(web, 'Email verification', { sprint: s2, parent: signup, assignee: 'coder', status: 'in_progress' });
    task(web, 'Rate-limit the sign-up endpoint', { sprint: s2, parent: signup, assignee: 'security-agent' });
    const review = task(web, 'Review sign-up PR', { sprint: s2, assignee: 'code-reviewer', priority: 'urgent' });
    task(web, 'Migrate legacy accounts', { sprint: s2, assignee: 'db-agent', status: 'blocked' });
    const announce = task(web, 'Write launch announcement', { assignee: 'writer' });
    // The work model agents use (task next / claim / done, or the MCP tools): what waits for what, and when it is done.
    cairn(store, 'task', 'depend', review.id, '--on', signup.id);
    cairn(store, 'task', 'depend', announce.id, '--on', review.id);
    for (const c of ['Form validates e-mail and password', 'Confirmation e-mail sent', 'Works without JavaScript']) cairn(store, 'task', 'criteria', 'add', signup.id, c);
    cairn(store, 'task', 'criteria', 'check', signup.id, '1');
    // Memory that lasts across agent sessions (cairn memory recall, or the MCP recall tool).
    cairn(store, 'memory', 'add', '--type', 'decision', '--importance', '0.9', '--project', web.id, 'Sign-up uses e-mail magic links, no passwords stored');
    cairn(store, 'memory', 'add', '--type', 'preference', '--importance', '0.6', 'Commit messages in the imperative mood, under 72 characters');
    cairn(store, 'memory', 'add', '--type', 'fact', '--project', web.id, 'Staging runs at staging.example.test behind basic auth');
    task(web, 'Old landing page A/B test', { status: 'cancelled' });

    const mobile = project('Mobile app', 'iOS and Android client.');
    const beta = sprint(mobile, 'Beta', 'TestFlight and Play internal track');
    task(mobile, 'Offline sync', { sprint: beta, assignee: 'bob', priority: 'high', status: 'in_progress' });
    task(mobile, 'Push notifications', { sprint: beta, assignee: 'test-writer' });
    task(mobile, 'Crash reporting', { sprint: beta, status: 'done' });
    task(mobile, 'App store screenshots', { assignee: 'designer' });

    const agents = project('Agent playground', 'Tasks handed to coding agents.');
    task(agents, 'Add tests for the CLI parser', { assignee: 'test-writer', status: 'in_progress' });
    task(agents, 'Refactor the change watcher', { assignee: 'coder', status: 'blocked' });
    task(agents, 'Summarise last week\'s events', { assignee: 'reporter', status: 'done' });
    task(agents, 'Triage new issues', { priority: 'low' });

    fs.mkdirSync(WORKSPACE, { recursive: true });
    fs.renameSync(store, STORE);
    fs.writeFileSync(path.join(WORKSPACE, 'README.md'),
      '# Cairn demo workspace\n\nThe store is in `.cairn/`. Try the CLI beside VS Code:\n\n' +
      '    node dist/cli.js --store .demo/workspace/.cairn task list\n');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function main() {
  ensureBuilt({ log });
  fs.mkdirSync(DEMO, { recursive: true });
  if (args.has('--reset-demo')) fs.rmSync(STORE, { recursive: true, force: true });
  if (!fs.existsSync(path.join(STORE, 'cairn.db'))) {
    log(`creating the demo store in ${path.relative(ROOT, STORE)}`);
    createDemoStore();
  } else {
    log(`using the existing demo store in ${path.relative(ROOT, STORE)} (--reset-demo recreates it)`);
  }

  if (!args.has('--code-server') && onPath('code')) {
    log(`opening VS Code: code --extensionDevelopmentPath=${ROOT} ${WORKSPACE}`);
    const r = spawnSync('code', [`--extensionDevelopmentPath=${ROOT}`, WORKSPACE], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }

  const { ensureHarness } = require(path.join(ROOT, 'test', 'harness', 'ensure.js'));
  await ensureHarness({ log });
  const { startCodeServer, healthy } = require(path.join(ROOT, 'test', 'harness', 'code-server.js'));

  let port = Number(process.env.PORT) || 8080;
  if (!(await portFree(port))) {
    const taken = port;
    port = 0;
    log(`port ${taken} is in use; using a free port instead`);
  }
  // A persistent profile (your layout and settings survive restarts) and a fresh extensions dir with only Cairn.
  const userDataDir = path.join(DEMO, 'user-data');
  if (!fs.existsSync(path.join(userDataDir, 'User', 'settings.json'))) makeProfile(userDataDir);
  const extensionsDir = path.join(DEMO, 'extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  sideLoad(extensionsDir, ROOT);
  const server = await startCodeServer({ extensionsDir, userDataDir, port: port || undefined, smokeTestDriver: false });

  let stopping;
  const stop = (code) => (stopping ||= (async () => {
    log('stopping code-server');
    await server.stop().catch(() => {});
    process.exit(code);
  })());
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));

  const folder = WORKSPACE.split(path.sep).map(encodeURIComponent).join('/');
  console.log(`\n  Cairn is running in VS Code (code-server at ${server.url}).\n`);
  console.log(`  Open:  ${server.url}/?folder=${folder}\n`);
  console.log(`  Store: ${STORE}`);
  console.log(`  CLI:   node dist/cli.js --store ${path.relative(process.cwd(), STORE) || STORE} task list`);
  console.log(`  Log:   ${server.logFile}`);
  console.log('\n  Press Ctrl+C to stop.\n');

  // Stay up until Ctrl+C; leave if code-server goes away by itself.
  let misses = 0;
  setInterval(async () => {
    misses = (await healthy(server.port)) ? 0 : misses + 1;
    if (misses >= 3) {
      log(`code-server stopped answering; see ${server.logFile}`);
      void stop(1);
    }
  }, 5000);
}

main().catch((err) => {
  console.error(`[cairn] ${err?.stack ?? err}`);
  process.exit(1);
});
