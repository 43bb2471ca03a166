#!/usr/bin/env node
// UI smoke test: the real VS Code workbench (code-server + headless chromium, see test/harness/README.md) with
// Cairn side-loaded, clicked through as a person would: activity bar → welcome view → Create Project → context
// menu → command palette → changes made by the CLI showing up without a refresh → status bar.
//
// Run: `node test/ui/smoke.js` (system node; builds dist/ when it is missing or older than src/).
// Output: one line per check (`  ✓ name` / `  ✗ name: reason`), then `N passing` / `N failing` (mocha style);
// exit code 1 on any failure. Screenshots go to test-results/ (01-welcome.png … 06-search.png, plus
// failure.png when a check fails).
// Env: CAIRN_KEEP_TMP=1 keeps the temp workspace and code-server's scratch folder; CHROMIUM as in the harness;
//      SMOKE_TIMEOUT_MS: limit for each single wait (default 30000).
//
// The helpers at the bottom (ensureBuilt, makeProfile, sideLoad, openWorkbench) are exported for
// scripts/start.mjs and bench/vscode-paint.bench.mjs, which drive the same kind of session.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const EXTENSION_FOLDER = `${PKG.publisher}.${PKG.name}-${PKG.version}`; // cairn.cairn-0.1.0
const WAIT = Number(process.env.SMOKE_TIMEOUT_MS || 30000);

// ---- helpers shared with scripts/start.mjs and bench/vscode-paint.bench.mjs ------------------------------------------

/** Newest modification time (ms) of the files a build reads. */
function newestSource() {
  let newest = 0;
  const walk = (p) => {
    let st;
    try { st = fs.statSync(p); } catch { return; }
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) walk(path.join(p, f));
    else if (/\.(ts|mjs|json)$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'esbuild.mjs', 'package.json', 'tsconfig.json']) walk(path.join(ROOT, p));
  return newest;
}

/** Builds dist/ with `node esbuild.mjs [args]` when a bundle is missing or older than its sources. */
function ensureBuilt({ force = false, args = [], log = (m) => console.error(`[cairn] ${m}`) } = {}) {
  const outputs = ['extension.js', 'backend.js', 'cli.js'].map((f) => path.join(ROOT, 'dist', f));
  const oldest = Math.min(...outputs.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  if (!force && oldest > 0 && oldest >= newestSource()) return false;
  log(`building dist/ (node esbuild.mjs ${args.join(' ')})`.trim());
  const r = spawnSync(process.execPath, ['esbuild.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`node esbuild.mjs failed (exit ${r.status ?? r.signal})`);
  return true;
}

/** Workbench settings for a quiet, reproducible profile: no welcome page, no chat panel, no update checks. */
const WORKBENCH_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'files.exclude': { '**/.cairn': false },
};

/** Creates a user-data dir with WORKBENCH_SETTINGS (plus `extra`) and returns its path. */
function makeProfile(dir, extra = {}) {
  fs.mkdirSync(path.join(dir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'User', 'settings.json'), JSON.stringify({ ...WORKBENCH_SETTINGS, ...extra }, null, 2));
  return dir;
}

/**
 * A fresh extensions dir holding only `cairn.cairn-<version>` → extensionPath (a symlink). No extensions.json
 * may be there: code-server would then load only the extensions listed in it.
 */
function sideLoad(extensionsDir, extensionPath = ROOT) {
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
  const link = path.join(extensionsDir, EXTENSION_FOLDER);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(extensionPath, link, 'dir');
  return extensionsDir;
}

/** Opens `folder` in the workbench and waits for it to be there. */
async function openWorkbench(page, baseUrl, folder) {
  await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90000 });
}

/** Drags the sash between side bar and editor so the side bar is `width` px wide (best effort, for screenshots). */
async function widenSideBar(page, width = 480) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/** The extension's own log files (LogOutputChannel "Cairn") under a code-server user-data dir. */
function findExtensionLogs(userDataDir) {
  const found = [];
  const walk = (d, depth) => {
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 6) walk(p, depth + 1);
      else if (e.isFile() && /Cairn\.log$/.test(e.name)) found.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'), 0);
  return found;
}

module.exports = { ROOT, CLI, EXTENSION_FOLDER, WORKBENCH_SETTINGS, ensureBuilt, makeProfile, sideLoad, openWorkbench, widenSideBar, findExtensionLogs };

// ---- the test -------------------------------------------------------------------------------------------------

/** The smoke test; session.js is required here, not at the top, because it reads the helpers above. */
function main() {
  const { runUiTest } = require('./session.js');
  runUiTest({ name: 'smoke', title: 'Cairn UI smoke test', failureShot: 'failure.png', screenshots: '01-welcome.png … 06-search.png' }, async (session) => {
    const { ws, store, check, cli } = session;
    fs.writeFileSync(path.join(ws, 'README.md'), '# Smoke test workspace\n');
    let page;
    const projectName = 'Website relaunch';
    const sprintName = 'Sprint 1';
    const paletteTask = 'Write the launch checklist';
    let projectId;
    let sprintId;
    let cliTask;

    // Locators, all scoped to the side bar where the Projects view lives.
    const sidebar = () => page.locator('.part.sidebar');
    const row = (text) => sidebar().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: text }) }).first();
    const quickInput = () => page.locator('.quick-input-widget input.input').first();
    // Expands a tree row. The row is looked up afresh on every try: a store.changed refresh may redraw the tree
    // between the click and the check, and an element handle taken before it would be stale.
    const expand = async (text) => {
      const deadline = Date.now() + WAIT;
      for (;;) {
        const r = row(text);
        await r.waitFor({ timeout: WAIT });
        if ((await r.getAttribute('aria-expanded').catch(() => null)) === 'true') return;
        if (Date.now() > deadline) throw new Error(`the row "${text}" did not expand`);
        await r.locator('.monaco-tl-twistie').click().catch(() => undefined);
        await page.waitForTimeout(200);
      }
    };
    /** Waits for a quick input with this placeholder, types the value and presses Enter. */
    const answer = async (placeholder, value) => {
      const input = page.locator(`.quick-input-widget input[placeholder="${placeholder}"]`);
      await input.waitFor({ timeout: WAIT });
      await input.fill(value);
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: WAIT });
    };

    await check('dist/ is built and the harness is ready', () => session.prepare());

    await check('code-server starts with the extension side-loaded', () => session.startServer());

    await check('the workbench opens the workspace in chromium', async () => {
      page = await session.openWorkbench();
      await page.locator('.part.sidebar .monaco-list-row', { hasText: 'README.md' }).first().waitFor({ timeout: WAIT });
    });

    await check('clicking the Cairn activity-bar icon opens the Projects view', async () => {
      const icon = page.locator('.part.activitybar .action-label[aria-label="Cairn"]');
      await icon.waitFor({ timeout: WAIT });
      await icon.click();
      // With one view in the container the side bar title reads "Cairn: Projects"; with more, a pane header "Projects".
      await sidebar().locator('.title-label, .pane-header .title', { hasText: 'Projects' }).first().waitFor({ timeout: WAIT });
      await widenSideBar(page, 470); // room for the descriptions in the screenshots
    });

    await check('an empty store shows the welcome text and a "Create Project" button', async () => {
      const welcome = sidebar().locator('.welcome-view-content');
      await welcome.getByText('No projects yet', { exact: false }).waitFor({ timeout: WAIT });
      await welcome.getByRole('button', { name: 'Create Project' }).waitFor({ timeout: WAIT });
      if (!fs.existsSync(path.join(store, 'cairn.db'))) throw new Error(`the store was not created at ${store}`);
      await page.screenshot({ path: path.join(RESULTS, '01-welcome.png') });
    });

    await check('"Create Project" asks for a name and the project appears in the tree', async () => {
      await sidebar().locator('.welcome-view-content').getByRole('button', { name: 'Create Project' }).click();
      await answer('e.g. Website relaunch', projectName);
      await row(projectName).waitFor({ timeout: WAIT });
      const projects = cli('project', 'list');
      if (projects.length !== 1 || projects[0].name !== projectName) throw new Error(`store holds ${JSON.stringify(projects.map((p) => p.name))}`);
      projectId = projects[0].id;
      await page.screenshot({ path: path.join(RESULTS, '02-project-created.png') });
    });

    await check('context menu on the project → Create Sprint adds a sprint', async () => {
      await row(projectName).click({ button: 'right' });
      const item = page.getByRole('menuitem', { name: 'Create Sprint' });
      await item.waitFor({ timeout: WAIT });
      // VS Code's menu items start listening for mouseup only 100 ms after the menu opens (so the right-click's
      // own mouseup cannot pick an item): a click within that window is ignored.
      await page.waitForTimeout(150);
      await item.click();
      await answer('e.g. Sprint 1', sprintName);
      await expand(projectName);
      await row(sprintName).waitFor({ timeout: WAIT });
      const sprints = cli('sprint', 'list', '--project', projectId);
      if (sprints.length !== 1 || sprints[0].name !== sprintName) throw new Error(`store holds sprints ${JSON.stringify(sprints.map((s) => s.name))}`);
      sprintId = sprints[0].id;
    });

    await check('with a row selected, the "+" in the view\'s title bar creates a project (VS Code passes the row)', async () => {
      await row(sprintName).click();
      await sidebar().locator('.action-label[aria-label="Create Project"]').first().click();
      await answer('e.g. Website relaunch', 'Second project');
      await row('Second project').waitFor({ timeout: WAIT });
      const names = cli('project', 'list').map((p) => p.name).sort();
      if (names.join() !== ['Second project', projectName].sort().join()) throw new Error(`store holds ${JSON.stringify(names)}`);
    });

    await check('command palette lists the Cairn commands', async () => {
      await page.keyboard.press('F1');
      await quickInput().waitFor({ timeout: WAIT });
      await quickInput().fill('>Cairn: ');
      const list = page.locator('.quick-input-widget .monaco-list-row');
      await list.filter({ hasText: 'Cairn: ' }).first().waitFor({ timeout: WAIT });
      await page.screenshot({ path: path.join(RESULTS, '05-palette.png') });
      // The palette draws only the rows in view (there are more Cairn commands than fit), so look each one up.
      for (const title of ['Create Project', 'Create Sprint', 'Create Task', 'Set Task Status', 'Assign Task', 'Rename', 'Delete', 'Refresh', 'Open Store Folder', 'Show Log', 'Back Up Now', 'Sync Now', 'New Note']) {
        await quickInput().fill(`>Cairn: ${title}`);
        await list.filter({ hasText: `Cairn: ${title}` }).first().waitFor({ timeout: WAIT });
      }
    });

    await check('Cairn: Create Task from the palette (pick project, type title) adds the task', async () => {
      await quickInput().fill('>Cairn: Create Task');
      const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Cairn: Create Task' }).first();
      await entry.waitFor({ timeout: WAIT });
      await entry.click();
      const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: projectName }).first();
      await page.locator('.quick-input-widget input[placeholder="Project for the new task"]').waitFor({ timeout: WAIT });
      await pick.waitFor({ timeout: WAIT });
      await pick.click();
      await answer('What needs doing?', paletteTask);
      await row(paletteTask).waitFor({ timeout: WAIT });
      const tasks = cli('task', 'list', '--project', projectId);
      if (!tasks.some((t) => t.title === paletteTask)) throw new Error('the task is not in the store');
    });

    await check('tasks added by the CLI appear without a refresh (store.changed)', async () => {
      const add = (title, ...opts) => cli('task', 'add', '--project', projectId, ...opts, title);
      cliTask = add('Implement sign-in', '--sprint', sprintId, '--assignee', 'coder', '--priority', 'high');
      const done = add('Set up CI', '--sprint', sprintId, '--assignee', 'coder');
      cli('task', 'move', done.id, 'done');
      const blocked = add('Migrate old accounts', '--sprint', sprintId, '--assignee', 'db-agent');
      cli('task', 'move', blocked.id, 'blocked');
      add('Draft the announcement', '--assignee', 'writer');
      await expand(sprintName);
      for (const t of ['Implement sign-in', 'Set up CI', 'Migrate old accounts', 'Draft the announcement']) await row(t).waitFor({ timeout: WAIT });
    });

    await check('task rows show status icons and "@assignee" descriptions', async () => {
      const expectations = [
        ['Implement sign-in', 'circle-large-outline', '@coder · high'],
        ['Set up CI', 'pass-filled', '@coder'],
        ['Migrate old accounts', 'error', '@db-agent'],
        ['Draft the announcement', 'circle-large-outline', '@writer'],
      ];
      for (const [title, icon, description] of expectations) {
        const r = row(title);
        await r.locator(`.codicon-${icon}`).waitFor({ timeout: WAIT });
        const d = (await r.locator('.label-description').first().textContent())?.trim();
        if (d !== description) throw new Error(`"${title}" shows description "${d}", expected "${description}"`);
      }
      await page.locator('.part.sidebar .monaco-list-row').first().hover(); // no tooltip over the rows
      await page.mouse.move(700, 450);
      await page.screenshot({ path: path.join(RESULTS, '03-tree-with-tasks.png') });
    });

    await check('CLI task move in_progress + assign reviewer update the row without a refresh', async () => {
      cli('task', 'move', cliTask.id, 'in_progress');
      cli('task', 'assign', cliTask.id, 'reviewer');
      const r = row('Implement sign-in');
      await r.locator('.codicon-play-circle').waitFor({ timeout: WAIT });
      await r.locator('.label-description', { hasText: '@reviewer' }).waitFor({ timeout: WAIT });
      const label = await r.getAttribute('aria-label');
      if (!/In progress, assigned to reviewer/.test(label || '')) throw new Error(`row aria-label is "${label}"`);
      await page.screenshot({ path: path.join(RESULTS, '04-cli-change.png') });
    });

    await check('the project row and the status bar show the open count', async () => {
      const counts = cli('task', 'list', '--project', projectId);
      const open = counts.filter((t) => ['pending', 'in_progress', 'blocked'].includes(t.status)).length;
      if (open !== 4) throw new Error(`expected 4 open tasks in the store, found ${open}`);
      await row(projectName).locator('.label-description', { hasText: `${open} open · ${counts.length} tasks` }).waitFor({ timeout: WAIT });
      const item = page.locator('.part.statusbar .statusbar-item[id$="cairn.openTasks"]');
      await item.filter({ hasText: `${open} open` }).waitFor({ timeout: WAIT });
    });

    await check('Cairn: Search Knowledge finds notes as you type, highlights the match and opens the note there', async () => {
      const vault = path.join(store, 'vault');
      fs.mkdirSync(path.join(vault, 'rockets'), { recursive: true });
      fs.writeFileSync(path.join(vault, 'Apollo.md'), '# Apollo Program\n\nThe lunar module landed. See [[Saturn V]].\n');
      fs.writeFileSync(path.join(vault, 'rockets', 'Saturn V.md'), '# Saturn V\n\nA three-stage rocket.\nIts first stage burned kerosene and liquid oxygen.\n');
      const report = cli('index');
      if (report.notes !== 2) throw new Error(`cairn index found ${report.notes} notes`);
      await page.keyboard.press('F1');
      await quickInput().fill('>Cairn: Search Knowledge');
      const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Cairn: Search Knowledge' }).first();
      await entry.waitFor({ timeout: WAIT });
      await entry.click();
      const input = page.locator('.quick-input-widget input[placeholder^="Words or"]');
      await input.waitFor({ timeout: WAIT });
      await input.pressSequentially('kerosene', { delay: 30 });
      const hit = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Saturn V' }).first();
      await hit.waitFor({ timeout: WAIT });
      const text = (await hit.textContent()) || '';
      if (!text.includes('rockets/Saturn V.md') || !text.includes('burned kerosene')) throw new Error(`the item reads "${text}"`);
      await hit.locator('.highlight', { hasText: /kerosene/i }).first().waitFor({ timeout: WAIT });
      await page.screenshot({ path: path.join(RESULTS, '06-search.png') });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: 'Saturn V.md' }).first().waitFor({ timeout: WAIT });
      await page.locator('.part.statusbar', { hasText: /Ln 4, Col \d+/ }).waitFor({ timeout: WAIT });
    });
  });
}

if (require.main === module) main();
