#!/usr/bin/env node
// `npm run package`: builds the production bundle and packs cairn-linux-x64-<version>.vsix in the repository root.
//
// The .vsix is platform-specific because it carries native code. esbuild bundles our TypeScript and every
// pure-JS dependency into dist/; only the modules esbuild leaves external ship as node_modules:
// @vscode/sqlite3 (lib/ + build/Release/vscode-sqlite3.node), sqlite-vec and sqlite-vec-linux-x64 (vec0.so).
// vsce lists the production dependency tree (never dev dependencies) and .vscodeignore, a whitelist, keeps
// only those files plus dist/*.js, drizzle/ (the migrations, read at run time), media/, package.json, README,
// LICENSE/CHANGELOG when present. (Plain `vsce package --no-dependencies` would leave out node_modules
// entirely, and the extension could not open SQLite.)
//
// After packing, the listing is checked (required files present, nothing else from node_modules, no sources,
// no source maps) and dist/ is rebuilt as the development bundle again.
//
// Options:
//   --verify        also install the .vsix into a fresh code-server extensions dir (`--install-extension`, run
//                   with the harness's Node 24) and check in the real workbench that Cairn activates from the
//                   installed copy, loads sqlite-vec, and the Projects view shows a store made by the packaged CLI.
//                   Screenshot: test-results/vsix.png.
//   --keep-production-build   leave dist/ as the minified production bundle.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TARGET = 'linux-x64';
const VSIX = path.join(ROOT, `${PKG.name}-${TARGET}-${PKG.version}.vsix`);
const args = new Set(process.argv.slice(2));
const log = (m) => console.log(`[package] ${m}`);

function run(cmd, argv, opts = {}) {
  log(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r;
}

/** Entries of the zip (file paths only). */
function listZip(file) {
  const r = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unzip -Z1 ${file} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l && !l.endsWith('/'));
}

/** Checks what the .vsix holds; throws listing every problem. */
function checkListing(entries) {
  const problems = [];
  const has = (p) => entries.includes(`extension/${p}`);
  const required = [
    'package.json',
    'dist/extension.js',
    'dist/backend.js',
    'dist/cli.js',
    'dist/cliMain.js',
    // The backup's worker threads (src/sync): without them it works on, on one thread.
    'dist/scanWorker.js',
    'dist/walkWorker.js',
    'dist/copyWorker.js',
    'dist/webviews/taskBoard.js',
    'dist/webviews/taskBoard.css',
    'dist/webviews/codicon.css',
    'dist/webviews/codicon.ttf',
    'drizzle/meta/_journal.json',
    ...fs.readdirSync(path.join(ROOT, 'drizzle')).filter((f) => f.endsWith('.sql')).map((f) => `drizzle/${f}`),
    ...fs.readdirSync(path.join(ROOT, 'media')).map((f) => `media/${f}`),
    'node_modules/@vscode/sqlite3/package.json',
    'node_modules/@vscode/sqlite3/lib/sqlite3.js',
    'node_modules/@vscode/sqlite3/lib/sqlite3-binding.js',
    'node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node',
    'node_modules/sqlite-vec/package.json',
    'node_modules/sqlite-vec/index.cjs',
    'node_modules/sqlite-vec-linux-x64/package.json',
    'node_modules/sqlite-vec-linux-x64/vec0.so',
  ];
  for (const f of required) if (!has(f)) problems.push(`missing ${f}`);
  // vsce stores these under its own names (readme.md, changelog.md, LICENSE.txt): compare by stem, any case.
  const stems = new Set(entries.map((e) => e.replace(/^extension\//, '').replace(/\.(md|txt)$/i, '').toLowerCase()));
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt']) {
    if (fs.existsSync(path.join(ROOT, f)) && !stems.has(f.replace(/\.(md|txt)$/i, '').toLowerCase())) problems.push(`missing ${f}`);
  }

  const allowedModules = [
    /^node_modules\/@vscode\/sqlite3\/(package\.json|LICENSE|lib\/[^/]+\.js|build\/Release\/vscode-sqlite3\.node)$/,
    /^node_modules\/sqlite-vec\//,
    /^node_modules\/sqlite-vec-linux-x64\//,
  ];
  for (const e of entries) {
    if (!e.startsWith('extension/')) continue; // extension.vsixmanifest, [Content_Types].xml
    const p = e.slice('extension/'.length);
    if (p.startsWith('node_modules/') && !allowedModules.some((re) => re.test(p))) problems.push(`unexpected module file ${p}`);
    if (/^(src|test|bench|scripts|out|\.demo|test-results)\//.test(p)) problems.push(`source or scratch file ${p}`);
    if (p.endsWith('.map')) problems.push(`source map ${p}`);
  }
  if (problems.length) throw new Error(`the .vsix is not right:\n  ${problems.join('\n  ')}`);
}

/** Installs the .vsix into a fresh code-server and checks, in the workbench, that the installed copy works. */
async function verify() {
  const { ensureHarness, NODE24, CODE_SERVER_ENTRY } = require(path.join(ROOT, 'test', 'harness', 'ensure.js'));
  await ensureHarness({ log });
  const { startCodeServer, launchChromium } = require(path.join(ROOT, 'test', 'harness', 'code-server.js'));
  const { makeProfile, openWorkbench, widenSideBar, findExtensionLogs, EXTENSION_FOLDER } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-vsix-'));
  const home = path.join(tmp, 'home');
  const extensionsDir = path.join(tmp, 'extensions');
  const userDataDir = makeProfile(path.join(tmp, 'user-data'));
  const ws = path.join(tmp, 'workspace');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(ws);
  let server;
  let browser;
  try {
    // 1. install, the way a user would (code-server's own CLI, under its Node 24)
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share') };
    run(NODE24, [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', VSIX], { env });
    const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith(EXTENSION_FOLDER));
    if (!installed) throw new Error(`nothing named ${EXTENSION_FOLDER}* in ${extensionsDir}: ${fs.readdirSync(extensionsDir).join(', ')}`);
    const extDir = path.join(extensionsDir, installed);
    log(`installed as ${installed}`);

    // 2. a store made by the packaged CLI (system Node, the shipped node_modules)
    const store = path.join(ws, '.cairn');
    const cli = (...a) => {
      const r = spawnSync(process.execPath, [path.join(extDir, 'dist', 'cli.js'), '--store', store, '--json', ...a], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`packaged cli ${a.join(' ')} failed: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    cli('init');
    const project = cli('project', 'add', 'Packaged project');
    const sprint = cli('sprint', 'add', '--project', project.id, 'Release sprint');
    const t = cli('task', 'add', '--project', project.id, '--sprint', sprint.id, '--assignee', 'packager', 'Ship the vsix');
    cli('task', 'move', t.id, 'in_progress');
    cli('task', 'add', '--project', project.id, 'Write release notes');
    const health = spawnSync(process.execPath, [path.join(extDir, 'dist', 'cli.js'), '--store', store, 'doctor'], { encoding: 'utf8' });
    if (!/sqlite-vec\s+v\d/.test(health.stdout)) throw new Error(`packaged CLI: sqlite-vec did not load:\n${health.stdout}${health.stderr}`);

    // 3. the workbench: activation from the installed copy, the Projects view, the status bar
    server = await startCodeServer({ extensionsDir, userDataDir, smokeTestDriver: false });
    browser = await launchChromium(server.sandboxEnv);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openWorkbench(page, server.url, ws);
    await page.locator('.part.activitybar .action-label[aria-label="Cairn"]').click({ timeout: 60000 });
    await widenSideBar(page, 470);
    const row = (text) => page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: text }) }).first();
    await row('Packaged project').waitFor({ timeout: 30000 });
    await row('Packaged project').locator('.monaco-tl-twistie').click();
    await row('Release sprint').locator('.monaco-tl-twistie').click();
    await row('Ship the vsix').locator('.codicon-play-circle').waitFor({ timeout: 30000 });
    await row('Write release notes').waitFor({ timeout: 30000 });
    await page.locator('.part.statusbar .statusbar-item[id$="cairn.openTasks"]', { hasText: '2 open' }).waitFor({ timeout: 30000 });
    await page.mouse.move(900, 600);
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'vsix.png') });

    const logText = findExtensionLogs(userDataDir).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const activated = /Cairn activated in ([\d.]+) ms/.exec(logText);
    if (!activated) throw new Error(`no "Cairn activated" line in the extension log:\n${logText}`);
    if (!logText.includes(path.join(extDir, 'dist', 'backend.js'))) throw new Error(`the backend did not start from the installed copy ${extDir}:\n${logText}`);
    if (!/"vecVersion":"v\d/.test(logText)) throw new Error(`the backend did not load sqlite-vec:\n${logText}`);
    log(`verified: installed ${installed}, activated in ${activated[1]} ms, sqlite-vec loaded, Projects view and status bar OK (test-results/vsix.png)`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  run(process.execPath, ['esbuild.mjs', '--production']);
  // Source maps of an earlier development build would sit beside the new bundle; .vscodeignore leaves them
  // out anyway, but a stale map beside a minified file only confuses.
  for (const f of fs.readdirSync(path.join(ROOT, 'dist'))) if (f.endsWith('.map')) fs.rmSync(path.join(ROOT, 'dist', f));
  fs.rmSync(VSIX, { force: true });
  const hasLicense = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => fs.existsSync(path.join(ROOT, f)));
  try {
    run('npx', ['--no-install', 'vsce', 'package', '--target', TARGET, '--out', VSIX,
      '--allow-missing-repository', // package.json names no repository yet
      '--no-rewrite-relative-links', // README's relative image links stay relative: they resolve inside the extension
      ...(hasLicense ? [] : ['--skip-license'])]);
  } finally {
    if (!args.has('--keep-production-build')) run(process.execPath, ['esbuild.mjs']); // back to the development bundle
  }

  const entries = listZip(VSIX);
  checkListing(entries);
  const sizes = spawnSync('unzip', ['-l', VSIX], { encoding: 'utf8' }).stdout.trim().split('\n').pop();
  log(`${path.basename(VSIX)}: ${(fs.statSync(VSIX).size / 1048576).toFixed(1)} MB, ${entries.length} files (${sizes.trim()})`);
  log('listing OK: dist/, drizzle/, media/, package.json, README, @vscode/sqlite3 (lib + .node), sqlite-vec, sqlite-vec-linux-x64; no dev dependencies, sources or maps');
  if (args.has('--verify')) await verify();
}

main().catch((err) => {
  console.error(`[package] ${err?.message ?? err}`);
  process.exit(1);
});
