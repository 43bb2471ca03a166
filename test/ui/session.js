// One UI test run against the real VS Code workbench (code-server + headless chromium, see test/harness/README.md),
// shared by test/ui/smoke.js, board.js and editor.js: a fresh workspace and store in a temp folder, checks that
// stop at the first failure (mocha-style output, a screenshot and the extension's log on failure), the CLI, the
// workbench with Cairn side-loaded, and the palette/theme/reload/screenshot steps a person would take.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, CLI, ensureBuilt, makeProfile, sideLoad, openWorkbench, findExtensionLogs } = require('./smoke.js');

const HARNESS = path.join(ROOT, 'test', 'harness');
const RESULTS = path.join(ROOT, 'test-results');
const WAIT = Number(process.env.SMOKE_TIMEOUT_MS || 30000);

/** Runs the built CLI against a store (as `actor` when given); returns its parsed JSON output. */
function runCli(store, args, { actor } = {}) {
  const env = actor ? { ...process.env, CAIRN_ACTOR: actor } : process.env;
  const r = spawnSync(process.execPath, [CLI, '--store', store, '--json', ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/**
 * Runs `body(session)` as one UI test and exits with 0 (all checks passed) or 1.
 * name: temp-folder prefix and failure screenshot (`<failureShot>`); title: the heading line;
 * screenshots: the list printed after a passing run; actor: CAIRN_ACTOR for the CLI calls.
 */
function runUiTest(options, body) {
  run(options, body).then(
    (code) => process.exit(code),
    (err) => {
      console.error((err && err.stack) || err);
      console.log('\n  0 passing\n  1 failing');
      process.exit(1);
    },
  );
}

async function run({ name, title, failureShot, screenshots, actor }, body) {
  const checks = [];
  let failed = false;
  let server;
  let browser;
  let page;

  fs.mkdirSync(RESULTS, { recursive: true });
  fs.rmSync(path.join(RESULTS, failureShot), { force: true }); // from an earlier failed run
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `cairn-${name}-`));
  const ws = path.join(tmp, 'workspace');
  const store = path.join(ws, '.cairn');
  fs.mkdirSync(ws);
  let cleaning;
  const cleanup = () => (cleaning ||= (async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`  (kept ${tmp}${server ? ` and ${server.tmp}` : ''})`);
  })());
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { void cleanup().finally(() => process.exit(130)); });

  console.log(`\n  ${title} (code-server + headless chromium)\n`);
  const userDataDir = makeProfile(path.join(tmp, 'user-data'));

  const check = async (checkName, fn) => {
    if (failed) {
      checks.push({ name: checkName, status: 'skipped' });
      console.log(`  - ${checkName} (skipped after an earlier failure)`);
      return;
    }
    const t0 = Date.now();
    try {
      await fn();
      checks.push({ name: checkName, status: 'passed' });
      console.log(`  ✓ ${checkName} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed = true;
      checks.push({ name: checkName, status: 'failed' });
      const reason = String((err && err.message) || err).split('\n').filter(Boolean).slice(0, 4).join(' | ');
      console.log(`  ✗ ${checkName}: ${reason}`);
      await page?.screenshot({ path: path.join(RESULTS, failureShot) }).catch(() => {});
    }
  };

  /** Runs the command from the palette (the workbench focused first, not a webview), clicking its own entry:
   *  Enter would run the first row, which may be another with the same words. */
  const palette = async (command) => {
    await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input').first();
    await input.waitFor({ timeout: WAIT });
    await input.fill(`>${command}`);
    const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first();
    await entry.waitFor({ timeout: WAIT });
    await entry.click();
  };

  const session = {
    tmp,
    ws,
    store,
    userDataDir,
    check,
    palette,
    /** The workbench page, once openWorkbench has run. */
    get page() { return page; },
    cli: (...args) => runCli(store, args, { actor }),

    /** Builds dist/ when it is out of date and readies the harness (code-server, chromium). */
    async prepare() {
      ensureBuilt();
      const { ensureHarness } = require(path.join(HARNESS, 'ensure.js'));
      await ensureHarness();
    },
    /** Starts code-server with only Cairn side-loaded. */
    async startServer() {
      const { startCodeServer } = require(path.join(HARNESS, 'code-server.js'));
      server = await startCodeServer({ extensionsDir: sideLoad(path.join(tmp, 'extensions')), userDataDir, smokeTestDriver: false });
    },
    /** Opens the workspace in headless chromium; returns the page. */
    async openWorkbench() {
      const { launchChromium } = require(path.join(HARNESS, 'code-server.js'));
      browser = await launchChromium(server.sandboxEnv);
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await openWorkbench(page, server.url, ws);
      return page;
    },
    /** Waits until Cairn is active: its status-bar item shows the open count. */
    async waitForCairn() {
      await page.locator('.part.statusbar .statusbar-item[id$="cairn.openTasks"]').waitFor({ timeout: 90000 });
    },
    /** The frame (a webview's page, nested in the workbench's iframe) holding `selector`, polled for. */
    async findFrame(selector, what) {
      const deadline = Date.now() + WAIT;
      for (;;) {
        for (const f of page.frames()) {
          if (await f.locator(selector).count().catch(() => 0)) return f;
        }
        if (Date.now() > deadline) throw new Error(`no ${what} page among the frames`);
        await page.waitForTimeout(200);
      }
    },
    /** VS Code's own reload, as a user does it: the workbench saves its editors' state (webview state with
     *  them) before it goes. */
    async reloadWindow() {
      await page.waitForTimeout(300);
      const reloaded = page.waitForEvent('load', { timeout: 90000 });
      await palette('Developer: Reload Window');
      await reloaded;
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90000 });
    },
    async setTheme(theme) {
      await palette('Preferences: Color Theme');
      const input = page.locator('.quick-input-widget input.input').first();
      await input.fill(theme);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: WAIT });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: WAIT });
    },
    /** Screenshot to test-results/<file>, the mouse out of the way. */
    async shot(file) {
      await page.mouse.move(1390, 10);
      await page.waitForTimeout(300); // let the theme's colours reach the webview
      await page.screenshot({ path: path.join(RESULTS, file) });
    },
  };

  try {
    await body(session);
  } finally {
    if (failed && server) {
      for (const f of findExtensionLogs(userDataDir)) {
        console.log(`\n  --- ${path.relative(userDataDir, f)} (last lines) ---`);
        console.log(fs.readFileSync(f, 'utf8').split('\n').slice(-25).map((l) => '  ' + l).join('\n'));
      }
    }
    await cleanup();
  }

  const n = (s) => checks.filter((c) => c.status === s).length;
  console.log(`\n  ${n('passed')} passing`);
  console.log(`  ${n('failed')} failing`);
  if (n('skipped')) console.log(`  ${n('skipped')} pending`);
  if (!failed) console.log(`\n  screenshots: ${path.relative(process.cwd(), RESULTS) || '.'}/${screenshots}`);
  return failed ? 1 : 0;
}

module.exports = { ROOT, RESULTS, WAIT, runUiTest };
