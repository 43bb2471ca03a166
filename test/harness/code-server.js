// Start/stop a sandboxed code-server (real VS Code: workbench + server-side Node extension host) and drive it
// with Debian's headless chromium through playwright-core.
//
// Why the details:
// - detached (own process group): code-server spawns an extension host, agent host, file watcher...; killing
//   only the wrapper would orphan them, so stop() signals the whole group.
// - HOME and XDG_* point into a scratch folder: otherwise code-server, the extension host and chromium write
//   settings/caches into the real home directory of whoever runs the tests.
// - an empty --config file: code-server would otherwise create ~/.config/code-server/config.yaml with a password.
// - --vscode-option enable-smoke-test-driver: makes the workbench honour the `payload` URL parameter
//   (extensionDevelopmentPath / extensionTestsPath) and expose window.codeAutomationLog/Exit.
'use strict';

const fs = require('fs');
const os = require('os');
const net = require('net');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { NODE24, NODE_MODULES, CODE_SERVER_ENTRY, HARNESS_DIR, chromiumPath } = require('./ensure');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

/** URI of a local absolute path as seen by the workbench (files live on the "remote" = code-server side). */
function remoteUri(port, fsPath) {
  const p = path.resolve(fsPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${port}${p}`;
}

/**
 * @param {{ extensionsDir?: string, userDataDir?: string, port?: number, env?: Record<string,string|undefined>,
 *           smokeTestDriver?: boolean, logFile?: string }} [opts]
 * @returns {Promise<{ url: string, port: number, pid: number, tmp: string, sandboxEnv: Record<string,string>,
 *                     logFile: string, stop: (o?: { keepTmp?: boolean }) => Promise<void> }>}
 */
async function startCodeServer({ extensionsDir, userDataDir, port, env = {}, smokeTestDriver = true, logFile } = {}) {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not built; run: node ${path.join(HARNESS_DIR, 'ensure.js')}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cs-'));
  const home = path.join(tmp, 'home');
  const sandboxEnv = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: path.join(tmp, 'run'),
  };
  for (const d of Object.values(sandboxEnv)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const udd = path.resolve(userDataDir || path.join(tmp, 'user-data'));
  const exts = path.resolve(extensionsDir || path.join(tmp, 'extensions'));
  fs.mkdirSync(udd, { recursive: true });
  fs.mkdirSync(exts, { recursive: true });
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, '');
  port = port || (await freePort());
  logFile = logFile || path.join(tmp, 'code-server.log');

  const args = [CODE_SERVER_ENTRY,
    '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', udd, '--extensions-dir', exts,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : [])];
  const childEnv = { ...process.env, ...env, ...sandboxEnv };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k]; // env: { X: undefined } removes X
  // Variables that would confuse a nested VS Code / Node (e.g. when tests are started from a VS Code terminal).
  for (const k of ['ELECTRON_RUN_AS_NODE', 'VSCODE_IPC_HOOK_CLI', 'VSCODE_PID', 'VSCODE_CWD', 'NODE_OPTIONS']) delete childEnv[k];

  const out = fs.openSync(logFile, 'a');
  const child = spawn(NODE24, args, { env: childEnv, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.unref(); // never keep the caller's event loop alive by itself

  const pgid = child.pid;
  const groupAlive = () => {
    try { process.kill(-pgid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
  };
  let stopping;
  const stop = () => (stopping ||= (async () => {
    try { process.kill(-pgid, 'SIGTERM'); } catch {}
    for (let i = 0; i < 40 && groupAlive(); i++) await sleep(250);
    if (groupAlive()) { try { process.kill(-pgid, 'SIGKILL'); } catch {} }
  })());
  // Last resort if the caller exits without awaiting stop(): synchronous kill of the group.
  const onExit = () => { try { process.kill(-pgid, 'SIGKILL'); } catch {} };
  process.once('exit', onExit);

  for (let i = 0; !(await healthy(port)); i++) {
    if (exited || i > 240) {
      await stop();
      throw new Error(`code-server did not start on port ${port} (${exited ? 'it exited' : 'timeout'}). Log:\n` +
        (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : ''));
    }
    await sleep(250);
  }
  return {
    url: `http://127.0.0.1:${port}`, port, pid: child.pid, tmp, sandboxEnv, logFile,
    // stop() also removes the scratch folder (HOME, logs, default profile) unless keepTmp or CAIRN_KEEP_TMP=1.
    stop: async ({ keepTmp = !!process.env.CAIRN_KEEP_TMP } = {}) => {
      await stop();
      process.removeListener('exit', onExit);
      if (!keepTmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Headless Debian chromium via playwright-core (no browser download). */
async function launchChromium(sandboxEnv = {}) {
  const { chromium } = require(path.join(NODE_MODULES, 'playwright-core'));
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    env: { ...process.env, ...sandboxEnv },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

module.exports = { startCodeServer, launchChromium, remoteUri, freePort, healthy };
