#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }).
//
// Why: Electron VS Code cannot be downloaded or run here, but code-server (VS Code server + web workbench)
// can. test-electron spawns this file with the same arguments it would give `code`; we start code-server,
// open the workbench in headless chromium with a `payload` that carries extensionDevelopmentPath /
// extensionTestsPath (honoured thanks to --enable-smoke-test-driver), print what the extension host logs
// (mocha's reporter) and exit with the test run's exit code.
//
// Environment for the extension host: test-electron hands `extensionTestsEnv` to us as our own process
// environment, but the extension host is spawned by code-server, so we forward explicitly through the
// payload entry `extensionEnvironment`: every CAIRN_* variable plus the names listed in CAIRN_TEST_ENV_KEYS.
//
// Env: SHIM_TIMEOUT_MS (default 15 min), SHIM_VERBOSE=1 (do not filter workbench noise),
//      SHIM_FULL_LOG=<file> (everything incl. browser console), SHIM_KEEP_TMP=1 (keep code-server's
//      scratch folder and log; kept automatically after a timeout/crash), CHROMIUM.
'use strict';

const fs = require('fs');
const path = require('path');
const util = require('util');
const { ensureHarness, CODE_SERVER_DIR } = require('./ensure');

const argv = process.argv.slice(2);

if (argv.includes('--version') || argv.includes('-v')) {
  const pkg = JSON.parse(fs.readFileSync(path.join(CODE_SERVER_DIR, 'lib', 'vscode', 'package.json'), 'utf8'));
  console.log(`${pkg.version}\n${pkg.commit || 'code-server-shim'}\nx64`);
  process.exit(0);
}

// ---- arguments ------------------------------------------------------------------------------------------
// Flags of the `code` CLI that take a separate value; we must skip that value, not mistake it for the folder.
const VALUE_FLAGS = new Set(['log', 'locale', 'profile', 'sync', 'crash-reporter-directory', 'inspect-extensions',
  'inspect-brk-extensions', 'enable-proposed-api', 'category', 'install-extension', 'uninstall-extension']);
const opt = { dev: [], tests: undefined, udd: undefined, exts: undefined, folder: undefined };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
  if (!m) {
    if (!opt.folder) opt.folder = path.resolve(a);
    continue;
  }
  const [, k, inline] = m;
  const val = () => (inline !== undefined ? inline : argv[++i]);
  if (k === 'extensionDevelopmentPath') opt.dev.push(path.resolve(val()));
  else if (k === 'extensionTestsPath') opt.tests = path.resolve(val());
  else if (k === 'user-data-dir') opt.udd = path.resolve(val());
  else if (k === 'extensions-dir') opt.exts = path.resolve(val());
  else if (inline === undefined && VALUE_FLAGS.has(k)) i++;
  // everything else (--no-sandbox, --disable-updates, --skip-welcome, --disable-extensions, ...) is ignored
}

// ---- environment forwarded into the extension host --------------------------------------------------------
const forwardKeys = new Set((process.env.CAIRN_TEST_ENV_KEYS || '').split(',').map((s) => s.trim()).filter(Boolean));
for (const k of Object.keys(process.env)) if (k.startsWith('CAIRN_')) forwardKeys.add(k);
const extensionEnvironment = {};
for (const k of forwardKeys) if (process.env[k] !== undefined) extensionEnvironment[k] = process.env[k];

// Workbench (renderer) messages that codeAutomationLog mixes in with the extension host's console output.
const NOISE = /^(\[(AgentHost(:remote)?|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]|Canceled(: Canceled)*(\n|$)|Creating a socket|Resolv(ing|ed) connection token|Updating additional builtin|getaddrinfo ENOTFOUND|.*Timed out waiting for authentication provider)/;
const fullLog = process.env.SHIM_FULL_LOG ? fs.createWriteStream(process.env.SHIM_FULL_LOG) : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server; // code-server handle
let browser; // playwright browser
let cleaning;
let keepForDiagnosis = false;
async function cleanup() {
  return (cleaning ||= (async () => {
    await browser?.close().catch(() => {});
    // keep code-server's log and scratch folder when the session itself broke (timeout, crash, startup error)
    const keepTmp = !!(process.env.SHIM_KEEP_TMP || process.env.CAIRN_KEEP_TMP || keepForDiagnosis);
    await server?.stop({ keepTmp }).catch(() => {});
    if (server && keepTmp) console.error(`[code-shim] kept ${server.tmp} (code-server.log inside)`);
  })());
}
// test-electron sends SIGINT on Ctrl+C (and kills the tree on a second one). Always take code-server down.
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    console.error(`[code-shim] ${sig}: stopping code-server`);
    cleanup().finally(() => process.exit(code));
  });
}

async function main() {
  const t0 = Date.now();
  await ensureHarness({ log: (m) => console.error(m) });
  const { startCodeServer, launchChromium, remoteUri } = require('./code-server');

  // code-server itself must not carry the forwarded variables: the payload is the one channel, so a broken
  // channel shows up as a failing test rather than being masked by inheritance.
  const csEnv = {};
  for (const k of forwardKeys) csEnv[k] = undefined; // undefined = remove from the inherited environment
  server = await startCodeServer({ extensionsDir: opt.exts, userDataDir: opt.udd, env: csEnv, smokeTestDriver: true });
  const tReady = Date.now();

  browser = await launchChromium(server.sandboxEnv);
  const page = await browser.newPage();
  let finish;
  const finished = new Promise((r) => (finish = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(Array.isArray(args) ? args : [args]));
    fullLog?.write(`[${type}] ${line}\n`);
    if (process.env.SHIM_VERBOSE || !NOISE.test(line)) (type === 'error' ? process.stderr : process.stdout).write(line + '\n');
  });
  await page.exposeFunction('codeAutomationExit', (c) => finish(Number(c)));
  page.on('console', (m) => fullLog?.write(`[browser ${m.type()}] ${m.text()}\n`));
  page.on('crash', () => { console.error('[code-shim] workbench page crashed'); finish('crash'); });

  const payload = [
    ...opt.dev.map((d) => ['extensionDevelopmentPath', remoteUri(server.port, d)]),
    ...(opt.tests ? [['extensionTestsPath', remoteUri(server.port, opt.tests)]] : []),
    ['skipWelcome', 'true'],
    ...(Object.keys(extensionEnvironment).length ? [['extensionEnvironment', JSON.stringify(extensionEnvironment)]] : []),
  ];
  const target = !opt.folder ? 'ew=true'
    : opt.folder.endsWith('.code-workspace') ? `workspace=${encodeURIComponent(opt.folder)}`
    : `folder=${encodeURIComponent(opt.folder)}`;
  await page.goto(`${server.url}/?${target}&payload=${encodeURIComponent(JSON.stringify(payload))}`);

  const timeout = Number(process.env.SHIM_TIMEOUT_MS || 15 * 60 * 1000);
  let timer;
  const r = await Promise.race([finished, new Promise((res) => { timer = setTimeout(() => res('timeout'), timeout); })]);
  clearTimeout(timer);
  if (!Number.isInteger(r)) keepForDiagnosis = true;
  if (r === 'timeout') console.error(`[code-shim] timed out after ${timeout} ms (SHIM_TIMEOUT_MS); code-server log: ${server.logFile}`);
  const code = Number.isInteger(r) ? r : 1;
  console.error(`[code-shim] code-server ready in ${tReady - t0} ms; session ${Date.now() - t0} ms; exit code ${code}`);
  return code;
}

main().then(
  async (code) => { await cleanup(); process.exit(code); },
  async (e) => { console.error('[code-shim]', e && e.stack || e); keepForDiagnosis = true; await cleanup(); process.exit(1); });
