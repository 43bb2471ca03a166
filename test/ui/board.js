#!/usr/bin/env node
// UI test of the task board: the real VS Code workbench (code-server + headless chromium, see
// test/harness/README.md) with Cairn side-loaded, the board's webview driven as a person would: open it from the
// palette, read the cards, move one by keyboard alone (Space, →, Space) and one with the mouse (drag and drop),
// move cards within a column (Space, ↑, Space; and dragging between two cards), each one row in the store,
// hold a card while the CLI changes its task (the drop is refused as stale and the card is put back, with the
// reason), see a task the CLI adds appear, filter by text, reload the window (the board comes back with its
// filter), swimlanes by assignee (kept across a reload), and screenshots in a dark, a light and a high-contrast theme. Every change is read back through the CLI.
//
// Run: `node test/ui/board.js` (system node; builds dist/ when it is missing or older than src/).
// Output: one line per check, then `N passing` / `N failing` (mocha style); exit code 1 on any failure.
// Screenshots: test-results/board-dark.png, board-light.png, board-high-contrast.png (board-failure.png on failure).
// Env: CAIRN_KEEP_TMP=1 keeps the temp workspace; SMOKE_TIMEOUT_MS limits each single wait (default 30000).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, CLI, ensureBuilt, makeProfile, sideLoad, openWorkbench, findExtensionLogs } = require('./smoke.js');

const HARNESS = path.join(ROOT, 'test', 'harness');
const RESULTS = path.join(ROOT, 'test-results');
const WAIT = Number(process.env.SMOKE_TIMEOUT_MS || 30000);

function cli(store, ...args) {
  const r = spawnSync(process.execPath, [CLI, '--store', store, '--json', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

async function main() {
  const checks = [];
  let failed = false;
  let page;
  const check = async (name, fn) => {
    if (failed) {
      checks.push({ name, status: 'skipped' });
      console.log(`  - ${name} (skipped after an earlier failure)`);
      return;
    }
    const t0 = Date.now();
    try {
      await fn();
      checks.push({ name, status: 'passed' });
      console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed = true;
      checks.push({ name, status: 'failed' });
      const reason = String((err && err.message) || err).split('\n').filter(Boolean).slice(0, 4).join(' | ');
      console.log(`  ✗ ${name}: ${reason}`);
      await page?.screenshot({ path: path.join(RESULTS, 'board-failure.png') }).catch(() => {});
    }
  };

  fs.mkdirSync(RESULTS, { recursive: true });
  fs.rmSync(path.join(RESULTS, 'board-failure.png'), { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-board-'));
  const ws = path.join(tmp, 'workspace');
  const store = path.join(ws, '.cairn');
  fs.mkdirSync(ws);
  let server;
  let browser;
  let cleaning;
  const cleanup = () => (cleaning ||= (async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`  (kept ${tmp}${server ? ` and ${server.tmp}` : ''})`);
  })());
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { void cleanup().finally(() => process.exit(130)); });

  console.log('\n  Cairn task board UI test (code-server + headless chromium)\n');
  const userDataDir = makeProfile(path.join(tmp, 'user-data'));
  const ids = {};

  // The board's page is an iframe inside the workbench's webview iframe: found by the body the host marks.
  let frame;
  const findBoard = async () => {
    const deadline = Date.now() + WAIT;
    for (;;) {
      for (const f of page.frames()) {
        if (await f.locator('body[data-app="taskBoard"]').count().catch(() => 0)) return (frame = f);
      }
      if (Date.now() > deadline) throw new Error('no task board page among the frames');
      await page.waitForTimeout(200);
    }
  };
  const column = (status) => frame.locator(`section.column[data-status="${status}"]`);
  const card = (title) => frame.locator('.card[data-id]', { has: frame.locator('.title', { hasText: title }) }).first();
  const cardIn = (status, title) => column(status).locator('.card[data-id]', { has: frame.locator('.title', { hasText: title }) }).first();
  const statusOf = (id) => cli(store, 'task', 'show', id).status;
  const waitForStatus = async (id, status) => {
    const deadline = Date.now() + WAIT;
    while (statusOf(id) !== status) {
      if (Date.now() > deadline) throw new Error(`task ${id} is ${statusOf(id)} in the store, not ${status}`);
      await page.waitForTimeout(100);
    }
  };
  const waitForStoreValue = async (read, want) => {
    const deadline = Date.now() + WAIT;
    for (let got = read(); got !== want; got = read()) {
      if (Date.now() > deadline) throw new Error(`the store holds ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
      await page.waitForTimeout(100);
    }
  };
  const palette = async (command) => {
    await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined); // focus the workbench, not the webview
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input').first();
    await input.waitFor({ timeout: WAIT });
    await input.fill(`>${command}`);
    const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first();
    await entry.waitFor({ timeout: WAIT });
    await entry.click();
  };
  const setTheme = async (theme) => {
    await palette('Preferences: Color Theme');
    const input = page.locator('.quick-input-widget input.input').first();
    await input.fill(theme);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: WAIT });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: WAIT });
  };
  const shot = async (name) => {
    await page.mouse.move(1390, 10);
    await page.waitForTimeout(300); // let the theme's colours reach the webview
    await page.screenshot({ path: path.join(RESULTS, name) });
  };

  try {
    await check('dist/ is built, the harness is ready and the CLI makes a store with a project of tasks', async () => {
      ensureBuilt();
      const { ensureHarness } = require(path.join(HARNESS, 'ensure.js'));
      await ensureHarness();
      cli(store, 'init');
      const project = cli(store, 'project', 'add', 'Website relaunch');
      const sprint = cli(store, 'sprint', 'add', '--project', project.id, 'Sprint 1');
      const add = (title, ...opts) => (ids[title] = cli(store, 'task', 'add', '--project', project.id, ...opts, title).id);
      add('Set up CI', '--sprint', sprint.id, '--assignee', 'carol', '--tag', 'infra');
      add('Design the landing page', '--sprint', sprint.id, '--assignee', 'alice', '--priority', 'high', '--tag', 'ui', '--tag', 'design');
      cli(store, 'task', 'update', ids['Design the landing page'], '--estimate', '120');
      for (const c of ['Hero section', 'Pricing table', 'Footer links']) cli(store, 'task', 'criteria', 'add', ids['Design the landing page'], c);
      cli(store, 'task', 'criteria', 'check', ids['Design the landing page'], '1');
      add('Implement sign-in', '--sprint', sprint.id, '--assignee', 'bob', '--priority', 'urgent', '--tag', 'auth');
      cli(store, 'task', 'depend', ids['Implement sign-in'], '--on', ids['Set up CI']);
      add('Write the launch checklist', '--priority', 'low');
      add('Draft the announcement', '--assignee', 'alice', '--tag', 'docs');
      cli(store, 'task', 'move', ids['Draft the announcement'], 'in_progress');
      add('Load-test the API', '--assignee', 'carol', '--priority', 'high', '--tag', 'infra');
      cli(store, 'task', 'update', ids['Load-test the API'], '--estimate', '240');
      cli(store, 'task', 'move', ids['Load-test the API'], 'in_progress');
      add('Migrate old accounts', '--assignee', 'bob', '--tag', 'auth');
      cli(store, 'task', 'move', ids['Migrate old accounts'], 'blocked');
      add('Choose a domain', '--assignee', 'alice');
      cli(store, 'task', 'move', ids['Choose a domain'], 'done');
      for (let i = 1; i <= 6; i++) add(`Backlog idea ${i}`, '--tag', 'later', '--priority', i % 3 === 0 ? 'low' : 'medium');
    });

    await check('code-server starts with the extension side-loaded and the workbench opens', async () => {
      const { startCodeServer, launchChromium } = require(path.join(HARNESS, 'code-server.js'));
      server = await startCodeServer({ extensionsDir: sideLoad(path.join(tmp, 'extensions')), userDataDir, smokeTestDriver: false });
      browser = await launchChromium(server.sandboxEnv);
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await openWorkbench(page, server.url, ws);
      // Cairn is active once its status-bar item shows the open count.
      await page.locator('.part.statusbar .statusbar-item[id$="cairn.openTasks"]').waitFor({ timeout: 90000 });
    });

    await check('Cairn: Open Task Board opens the board: cards in their columns with assignee, priority, tags, estimate, criteria and the dependency badge', async () => {
      await palette('Cairn: Open Task Board');
      await findBoard();
      await cardIn('pending', 'Design the landing page').waitFor({ timeout: WAIT });
      for (const [status, title] of [['pending', 'Set up CI'], ['pending', 'Implement sign-in'], ['in_progress', 'Draft the announcement'], ['blocked', 'Migrate old accounts'], ['done', 'Choose a domain']]) {
        await cardIn(status, title).waitFor({ timeout: WAIT });
      }
      const design = cardIn('pending', 'Design the landing page');
      const text = (await design.innerText()).replace(/\s+/g, ' ');
      for (const part of ['High', 'alice', '2h', '1/3', '#ui', '#design']) if (!text.includes(part)) throw new Error(`the card reads "${text}", without "${part}"`);
      await cardIn('pending', 'Implement sign-in').locator('.waiting', { hasText: 'waits on 1' }).waitFor({ timeout: WAIT });
      const badge = (await column('pending').locator('.count').innerText()).trim();
      if (badge !== '10') throw new Error(`the Pending column counts ${badge}, not 10`);
      await palette('View: Close Primary Side Bar');
      await shot('board-dark.png');
    });

    await check('keyboard alone: focus a card, Space picks it up, → chooses In progress, Space drops it; announced, and the store has it', async () => {
      const c = cardIn('pending', 'Write the launch checklist');
      await c.click();
      await page.keyboard.press('Space');
      await frame.locator('#board-live', { hasText: 'Picked up "Write the launch checklist"' }).waitFor({ timeout: WAIT });
      await page.keyboard.press('ArrowRight');
      await frame.locator('#board-live', { hasText: 'over In progress' }).waitFor({ timeout: WAIT });
      await page.keyboard.press('Space');
      await frame.locator('#board-live', { hasText: 'Moved "Write the launch checklist" to In progress' }).waitFor({ timeout: WAIT });
      await cardIn('in_progress', 'Write the launch checklist').waitFor({ timeout: WAIT });
      await waitForStatus(ids['Write the launch checklist'], 'in_progress');
      const focused = await frame.evaluate(() => document.activeElement?.closest('.card')?.textContent ?? '');
      if (!focused.includes('Write the launch checklist')) throw new Error(`focus is on "${focused}" after the drop`);
      // Escape puts a held card back where it was.
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Escape');
      await frame.locator('#board-live', { hasText: 'Move cancelled' }).waitFor({ timeout: WAIT });
      if (statusOf(ids['Write the launch checklist']) !== 'in_progress') throw new Error('Escape moved the task');
    });

    await check('mouse: dragging a card onto the Done column moves it there, in the store too', async () => {
      await card('Set up CI').dragTo(column('done'));
      await cardIn('done', 'Set up CI').waitFor({ timeout: WAIT });
      await waitForStatus(ids['Set up CI'], 'done');
      // Its dependant waits on nothing now.
      await cardIn('pending', 'Implement sign-in').locator('.waiting').waitFor({ state: 'detached', timeout: WAIT });
    });

    await check('keyboard alone, within a column: Space picks a card up, ↑ three times, Space drops it first in Pending; the store wrote one row (its rank)', async () => {
      const newest = () => cli(store, 'log', '--limit', '1')[0].seq;
      const before = newest();
      const c = cardIn('pending', 'Backlog idea 2');
      await c.click();
      await page.keyboard.press('Space');
      await frame.locator('#board-live', { hasText: 'Picked up "Backlog idea 2" at position 4 of 8 in Pending' }).waitFor({ timeout: WAIT });
      for (const n of [3, 2, 1]) {
        await page.keyboard.press('ArrowUp');
        await frame.locator('#board-live', { hasText: `"Backlog idea 2" at position ${n} of 8 in Pending` }).waitFor({ timeout: WAIT });
      }
      await page.keyboard.press('Space');
      await frame.locator('#board-live', { hasText: 'Moved "Backlog idea 2" to position 1 of 8 in Pending' }).waitFor({ timeout: WAIT });
      await waitForStoreValue(() => cli(store, 'task', 'show', ids['Backlog idea 2']).rank, 0);
      if (newest() !== before + 1) throw new Error(`the move wrote ${newest() - before} events, not 1`);
      await cardIn('pending', 'Backlog idea 2').and(frame.locator('[aria-posinset="1"]')).waitFor({ timeout: WAIT });
      const focused = await frame.evaluate(() => document.activeElement?.closest('.card')?.textContent ?? '');
      if (!focused.includes('Backlog idea 2')) throw new Error(`focus is on "${focused}" after the drop`);
    });

    await check('mouse, within a column: dragging a card to just below the first one puts it there, in the store too (one row)', async () => {
      const newest = () => cli(store, 'log', '--limit', '1')[0].seq;
      const before = newest();
      const scroller = column('pending').locator('.scroller');
      // The gap below the first card: one card's slot (96 px) down from the top of the list, past its 8 px padding.
      await cardIn('pending', 'Backlog idea 5').dragTo(scroller, { targetPosition: { x: 60, y: 8 + 96 } });
      await cardIn('pending', 'Backlog idea 5').and(frame.locator('[aria-posinset="2"]')).waitFor({ timeout: WAIT });
      await waitForStoreValue(() => cli(store, 'task', 'show', ids['Backlog idea 5']).rank, 1024);
      if (newest() !== before + 1) throw new Error(`the move wrote ${newest() - before} events, not 1`);
    });

    await check('a stale move: the CLI changes a task while its card is held; the drop is refused, the card put back with the reason', async () => {
      const id = ids['Draft the announcement'];
      await cardIn('in_progress', 'Draft the announcement').click();
      await page.keyboard.press('Space');
      await frame.locator('#board-live', { hasText: 'Picked up "Draft the announcement"' }).waitFor({ timeout: WAIT });
      cli(store, 'task', 'update', id, '--title', 'Draft the announcement (edited in a terminal)');
      await page.waitForTimeout(500); // the store change reaches the board, which holds it back while a card is held
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Space');
      const banner = frame.locator('.banner[role="alert"]');
      await banner.filter({ hasText: 'was put back' }).waitFor({ timeout: WAIT });
      const text = await banner.innerText();
      if (!/changed by someone else/.test(text)) throw new Error(`the banner reads "${text}"`);
      await frame.locator('#board-live', { hasText: 'could not be moved' }).waitFor({ timeout: WAIT });
      await cardIn('in_progress', 'Draft the announcement (edited in a terminal)').waitFor({ timeout: WAIT });
      if (statusOf(id) !== 'in_progress') throw new Error(`the store moved the task to ${statusOf(id)}`);
      await banner.locator('vscode-button.dismiss').click();
      await banner.waitFor({ state: 'hidden', timeout: WAIT });
    });

    await check('a task the CLI adds appears on the open board, without a refresh', async () => {
      ids.added = cli(store, 'task', 'add', '--project', cli(store, 'project', 'list')[0].id, '--priority', 'urgent', 'Fix the broken signup link').id;
      await cardIn('pending', 'Fix the broken signup link').waitFor({ timeout: WAIT });
    });

    await check('quick "new task" in a column: +, type a title, Enter: the task is in the store in that column', async () => {
      await column('blocked').locator('vscode-button.add').click();
      const input = column('blocked').locator('.new-task vscode-textfield input');
      await input.waitFor({ timeout: WAIT });
      await input.fill('Waiting for legal review');
      await input.press('Enter');
      await cardIn('blocked', 'Waiting for legal review').waitFor({ timeout: WAIT });
      const created = cli(store, 'task', 'list', '--status', 'blocked').find((t) => t.title === 'Waiting for legal review');
      if (!created) throw new Error('the task is not in the store as blocked');
      await input.press('Escape');
    });

    await check('the text filter narrows the cards; a window reload brings the board back with its filter', async () => {
      const field = frame.locator('vscode-textfield[data-filter="text"] input');
      await field.click();
      await field.pressSequentially('broken', { delay: 40 });
      await frame.locator('.card[data-id]', { hasText: 'Design the landing page' }).waitFor({ state: 'detached', timeout: WAIT });
      await cardIn('pending', 'Fix the broken signup link').waitFor({ timeout: WAIT });
      // VS Code's own reload (as a user does it): the workbench saves its editors' state, the board's page state with
      // them, before it goes.
      await page.waitForTimeout(300);
      const reloaded = page.waitForEvent('load', { timeout: 90000 });
      await palette('Developer: Reload Window');
      await reloaded;
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90000 });
      await findBoard();
      await cardIn('pending', 'Fix the broken signup link').waitFor({ timeout: WAIT });
      const value = await frame.locator('vscode-textfield[data-filter="text"]').evaluate((el) => el.value);
      if (value !== 'broken') throw new Error(`after the reload the text filter is "${value}"`);
      const shown = await frame.locator('.card[data-id] .title').allInnerTexts();
      if (shown.length !== 1) throw new Error(`after the reload the board shows ${JSON.stringify(shown)}`);
      await frame.locator('vscode-textfield[data-filter="text"] input').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await cardIn('pending', 'Design the landing page').waitFor({ timeout: WAIT });
    });

    await check('swimlanes by assignee (a toolbar choice): one band per assignee with its own columns; kept across a window reload; a card moves within its lane', async () => {
      const lanes = frame.locator('vscode-single-select[data-filter="lanes"]');
      await lanes.click();
      await frame.locator('vscode-single-select[data-filter="lanes"] [role="option"]', { hasText: 'By assignee' }).click();
      const lane = (name) => frame.locator(`section.lane[data-lane="a:${name}"]`);
      await lane('alice').locator('section.column[data-status="pending"] .card', { hasText: 'Design the landing page' }).waitFor({ timeout: WAIT });
      await lane('carol').locator('section.column[data-status="in_progress"] .card', { hasText: 'Load-test the API' }).waitFor({ timeout: WAIT });
      await lane('').locator('.lane-header', { hasText: 'Unassigned' }).waitFor({ timeout: WAIT });
      const names = await frame.locator('section.lane .lane-header h2').allInnerTexts();
      if (names[names.length - 1] !== 'Unassigned' || names.indexOf('alice') > names.indexOf('bob')) throw new Error(`the lanes read ${JSON.stringify(names)}`);
      await shot('board-lanes.png');
      // Keyboard: a move to another column stays in the card's lane (its assignee is kept).
      const card = lane('bob').locator('section.column[data-status="blocked"] .card', { hasText: 'Migrate old accounts' });
      await card.click();
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Space');
      await lane('bob').locator('section.column[data-status="in_progress"] .card', { hasText: 'Migrate old accounts' }).waitFor({ timeout: WAIT });
      await waitForStatus(ids['Migrate old accounts'], 'in_progress');
      if (cli(store, 'task', 'show', ids['Migrate old accounts']).assignee !== 'bob') throw new Error('the move changed the assignee');
      // The choice is the page's state: a reload brings the lanes back.
      await page.waitForTimeout(300);
      const reloaded = page.waitForEvent('load', { timeout: 90000 });
      await palette('Developer: Reload Window');
      await reloaded;
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 90000 });
      await findBoard();
      await frame.locator('section.lane[data-lane="a:alice"]').waitFor({ timeout: WAIT });
      const value = await frame.locator('vscode-single-select[data-filter="lanes"]').evaluate((el) => el.value);
      if (value !== 'assignee') throw new Error(`after the reload the swimlanes choice is "${value}"`);
      await frame.locator('vscode-single-select[data-filter="lanes"]').click();
      await frame.locator('vscode-single-select[data-filter="lanes"] [role="option"]', { hasText: 'None' }).click();
      await frame.locator('section.lane').first().waitFor({ state: 'detached', timeout: WAIT });
      await cardIn('in_progress', 'Migrate old accounts').waitFor({ timeout: WAIT });
    });

    await check('10,000 tasks: the column draws only the cards in view and reads the rest by pages as it scrolls', async () => {
      // Written through src/store in one transaction by this process while the board is open, as another program would.
      const { tsImport } = await import('tsx/esm/api');
      const src = (p) => tsImport(path.join(ROOT, 'src', 'store', p), __filename);
      const [{ Store }, { createProject }, { createTask }] = await Promise.all([src('store.ts'), src('projects.ts'), src('tasks.ts')]);
      const opened = await Store.open(store);
      try {
        await opened.write(async (orm) => {
          const who = { actor: 'seeder', source: 'cli' };
          const project = await createProject(orm, who, { name: 'Big backlog' });
          for (let i = 1; i <= 10_000; i++) await createTask(orm, who, { projectId: project.id, title: `Backlog ${String(i).padStart(5, '0')}` });
        });
      } finally {
        await opened.close();
      }
      await frame.locator('vscode-single-select[data-filter="project"]').click();
      await frame.locator('vscode-single-select[data-filter="project"] [role="option"]', { hasText: 'Big backlog' }).click();
      const pending = column('pending');
      await pending.locator('.count', { hasText: /^10000$/ }).waitFor({ timeout: WAIT });
      await cardIn('pending', 'Backlog 00001').waitFor({ timeout: WAIT });
      const drawn = async () => pending.locator('.card').count();
      if ((await drawn()) > 30) throw new Error(`the column drew ${await drawn()} cards for a screenful`);
      await pending.locator('.scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await cardIn('pending', 'Backlog 10000').waitFor({ timeout: WAIT });
      await pending.locator('.scroller').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
      await cardIn('pending', 'Backlog 05000').waitFor({ timeout: WAIT });
      if ((await drawn()) > 30) throw new Error(`the column drew ${await drawn()} cards after scrolling`);
      await frame.locator('vscode-single-select[data-filter="project"]').click();
      await frame.locator('vscode-single-select[data-filter="project"] [role="option"]', { hasText: 'All projects' }).click();
      await pending.locator('.count', { hasText: /^10009$/ }).waitFor({ timeout: WAIT });
      await pending.locator('.scroller').evaluate((el) => (el.scrollTop = 0));
    });

    await check('light and high-contrast themes: the board follows VS Code\'s colours (screenshots)', async () => {
      const background = () => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const dark = await background();
      await setTheme('Light Modern');
      await findBoard();
      const deadline = Date.now() + WAIT;
      while ((await background()) === dark) {
        if (Date.now() > deadline) throw new Error(`the board's background stayed ${dark}`);
        await page.waitForTimeout(100);
      }
      await cardIn('pending', 'Design the landing page').click();
      await shot('board-light.png');
      await setTheme('Dark High Contrast');
      await findBoard();
      await shot('board-high-contrast.png');
    });
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
  if (!failed) console.log(`\n  screenshots: ${path.relative(process.cwd(), RESULTS) || '.'}/board-dark.png, board-light.png, board-high-contrast.png`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err && err.stack) || err);
    console.log('\n  0 passing\n  1 failing');
    process.exit(1);
  },
);
