#!/usr/bin/env node
// `npm start`: try Cairn in a real VS Code with a demo store.
//
// 1. Builds dist/ when it is missing or older than src/.
// 2. Creates a demo workspace .demo/workspace (scripts/demo/createDemo.mjs): a store (.cairn) with projects, sprints,
//    tasks, dependencies, criteria, memories, agent runs, sessions, a graph and one backup; a small vault (notes/);
//    agent definitions (.claude/agents/); the settings that point Cairn at them; a backup remote
//    (.demo/backup-remote.git). Only when that store does not exist yet: your changes survive a restart.
//    --reset-demo (or deleting .demo/) starts over.
// 3. If a `code` command is on PATH: `code --extensionDevelopmentPath=<repo> .demo/workspace` and exit.
//    Otherwise: the test harness's code-server (real VS Code in the browser, built on first use) on 127.0.0.1,
//    port $PORT or 8080 (a free port if that one is taken), with Cairn side-loaded. It prints the URL to open and
//    runs until Ctrl+C.
//
// Options: --code-server (always use code-server, even when `code` is on PATH), --reset-demo (recreate the
// demo workspace and its backup remote). Env: PORT, CHROMIUM (only for the harness check).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createDemo, demoLayout } from './demo/createDemo.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { ensureBuilt, makeProfile, sideLoad } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));

const DEMO = path.join(ROOT, '.demo');
const { workspace: WORKSPACE, store: STORE, remote: REMOTE } = demoLayout(DEMO);
const args = new Set(process.argv.slice(2));
const log = (m) => console.log(`[cairn] ${m}`);

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
  if (args.has('--reset-demo') || !fs.existsSync(path.join(STORE, 'cairn.db'))) {
    // The workspace and its remote belong together: a new store gets new ones (an older demo's are replaced).
    for (const p of [WORKSPACE, REMOTE]) fs.rmSync(p, { recursive: true, force: true });
    log(`creating the demo workspace in ${path.relative(ROOT, WORKSPACE)}`);
    createDemo(DEMO, { log: (m) => log(`  ${m}`) });
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
