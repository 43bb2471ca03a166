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

const path = require('path');
const { ROOT, WAIT, runUiTest } = require('./session.js');

runUiTest({ name: 'board', title: 'Cairn task board UI test', failureShot: 'board-failure.png', screenshots: 'board-dark.png, board-light.png, board-high-contrast.png' }, async (session) => {
  const { store, check, palette, setTheme, shot, cli } = session;
  let page;
  const ids = {};

  // The board's page is an iframe inside the workbench's webview iframe: found by the body the host marks.
  let frame;
  const findBoard = async () => (frame = await session.findFrame('body[data-app="taskBoard"]', 'task board'));
  const column = (status) => frame.locator(`section.column[data-status="${status}"]`);
  const card = (title) => frame.locator('.card[data-id]', { has: frame.locator('.title', { hasText: title }) }).first();
  const cardIn = (status, title) => column(status).locator('.card[data-id]', { has: frame.locator('.title', { hasText: title }) }).first();
  const statusOf = (id) => cli('task', 'show', id).status;
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

  await check('dist/ is built, the harness is ready and the CLI makes a store with a project of tasks', async () => {
    await session.prepare();
    cli('init');
    const project = cli('project', 'add', 'Website relaunch');
    const sprint = cli('sprint', 'add', '--project', project.id, 'Sprint 1');
    const add = (title, ...opts) => (ids[title] = cli('task', 'add', '--project', project.id, ...opts, title).id);
    add('Set up CI', '--sprint', sprint.id, '--assignee', 'carol', '--tag', 'infra');
    add('Design the landing page', '--sprint', sprint.id, '--assignee', 'alice', '--priority', 'high', '--tag', 'ui', '--tag', 'design');
    cli('task', 'update', ids['Design the landing page'], '--estimate', '120');
    for (const c of ['Hero section', 'Pricing table', 'Footer links']) cli('task', 'criteria', 'add', ids['Design the landing page'], c);
    cli('task', 'criteria', 'check', ids['Design the landing page'], '1');
    add('Implement sign-in', '--sprint', sprint.id, '--assignee', 'bob', '--priority', 'urgent', '--tag', 'auth');
    cli('task', 'depend', ids['Implement sign-in'], '--on', ids['Set up CI']);
    add('Write the launch checklist', '--priority', 'low');
    add('Draft the announcement', '--assignee', 'alice', '--tag', 'docs');
    cli('task', 'move', ids['Draft the announcement'], 'in_progress');
    add('Load-test the API', '--assignee', 'carol', '--priority', 'high', '--tag', 'infra');
    cli('task', 'update', ids['Load-test the API'], '--estimate', '240');
    cli('task', 'move', ids['Load-test the API'], 'in_progress');
    add('Migrate old accounts', '--assignee', 'bob', '--tag', 'auth');
    cli('task', 'move', ids['Migrate old accounts'], 'blocked');
    add('Choose a domain', '--assignee', 'alice');
    cli('task', 'move', ids['Choose a domain'], 'done');
    for (let i = 1; i <= 6; i++) add(`Backlog idea ${i}`, '--tag', 'later', '--priority', i % 3 === 0 ? 'low' : 'medium');
  });

  await check('code-server starts with the extension side-loaded and the workbench opens', async () => {
    await session.startServer();
    page = await session.openWorkbench();
    await session.waitForCairn();
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
    const newest = () => cli('log', '--limit', '1')[0].seq;
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
    await waitForStoreValue(() => cli('task', 'show', ids['Backlog idea 2']).rank, 0);
    if (newest() !== before + 1) throw new Error(`the move wrote ${newest() - before} events, not 1`);
    await cardIn('pending', 'Backlog idea 2').and(frame.locator('[aria-posinset="1"]')).waitFor({ timeout: WAIT });
    const focused = await frame.evaluate(() => document.activeElement?.closest('.card')?.textContent ?? '');
    if (!focused.includes('Backlog idea 2')) throw new Error(`focus is on "${focused}" after the drop`);
  });

  await check('mouse, within a column: dragging a card to just below the first one puts it there, in the store too (one row)', async () => {
    const newest = () => cli('log', '--limit', '1')[0].seq;
    const before = newest();
    const scroller = column('pending').locator('.scroller');
    // The gap below the first card: one card's slot (96 px) down from the top of the list, past its 8 px padding.
    await cardIn('pending', 'Backlog idea 5').dragTo(scroller, { targetPosition: { x: 60, y: 8 + 96 } });
    await cardIn('pending', 'Backlog idea 5').and(frame.locator('[aria-posinset="2"]')).waitFor({ timeout: WAIT });
    await waitForStoreValue(() => cli('task', 'show', ids['Backlog idea 5']).rank, 1024);
    if (newest() !== before + 1) throw new Error(`the move wrote ${newest() - before} events, not 1`);
  });

  await check('a stale move: the CLI changes a task while its card is held; the drop is refused, the card put back with the reason', async () => {
    const id = ids['Draft the announcement'];
    await cardIn('in_progress', 'Draft the announcement').click();
    await page.keyboard.press('Space');
    await frame.locator('#board-live', { hasText: 'Picked up "Draft the announcement"' }).waitFor({ timeout: WAIT });
    cli('task', 'update', id, '--title', 'Draft the announcement (edited in a terminal)');
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
    ids.added = cli('task', 'add', '--project', cli('project', 'list')[0].id, '--priority', 'urgent', 'Fix the broken signup link').id;
    await cardIn('pending', 'Fix the broken signup link').waitFor({ timeout: WAIT });
  });

  await check('quick "new task" in a column: +, type a title, Enter: the task is in the store in that column', async () => {
    await column('blocked').locator('vscode-button.add').click();
    const input = column('blocked').locator('.new-task vscode-textfield input');
    await input.waitFor({ timeout: WAIT });
    await input.fill('Waiting for legal review');
    await input.press('Enter');
    await cardIn('blocked', 'Waiting for legal review').waitFor({ timeout: WAIT });
    const created = cli('task', 'list', '--status', 'blocked').find((t) => t.title === 'Waiting for legal review');
    if (!created) throw new Error('the task is not in the store as blocked');
    await input.press('Escape');
  });

  await check('the text filter narrows the cards; a window reload brings the board back with its filter', async () => {
    const field = frame.locator('vscode-textfield[data-filter="text"] input');
    await field.click();
    await field.pressSequentially('broken', { delay: 40 });
    await frame.locator('.card[data-id]', { hasText: 'Design the landing page' }).waitFor({ state: 'detached', timeout: WAIT });
    await cardIn('pending', 'Fix the broken signup link').waitFor({ timeout: WAIT });
    await session.reloadWindow(); // the board's page state is saved with the workbench's editors
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

  await check('swimlanes by assignee (a toolbar choice): one band per assignee with its own columns; kept across a window reload; a card moves to another column of its lane, and into another lane (its assignee changes) by keyboard and mouse', async () => {
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
    if (cli('task', 'show', ids['Migrate old accounts']).assignee !== 'bob') throw new Error('the move changed the assignee');
    // Keyboard, into another lane: Alt+↓ takes the held card to the next lane's same column; the drop assigns it there.
    await lane('bob').locator('section.column[data-status="in_progress"] .card', { hasText: 'Migrate old accounts' }).click();
    await page.keyboard.press('Space');
    await frame.locator('#board-live', { hasText: 'Alt with up and down arrows a swimlane' }).waitFor({ timeout: WAIT });
    await page.keyboard.press('Alt+ArrowDown');
    await frame.locator('#board-live', { hasText: '"Migrate old accounts" over In progress of carol.' }).waitFor({ timeout: WAIT });
    await page.keyboard.press('Space');
    await lane('carol').locator('section.column[data-status="in_progress"] .card', { hasText: 'Migrate old accounts' }).waitFor({ timeout: WAIT });
    await waitForStoreValue(() => cli('task', 'show', ids['Migrate old accounts']).assignee, 'carol');
    // Mouse, into the next lane and another column: dropped on Unassigned's Pending, the task is unassigned and pending.
    const loadTest = lane('carol').locator('section.column[data-status="in_progress"] .card', { hasText: 'Load-test the API' });
    // Both in view first (Unassigned's header in the middle, carol's lane just above it): a drag does not scroll.
    const target = lane('').locator('section.column[data-status="pending"]');
    await target.locator('.column-header').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await loadTest.dragTo(target, { targetPosition: { x: 120, y: 60 } });
    await lane('').locator('section.column[data-status="pending"] .card', { hasText: 'Load-test the API' }).waitFor({ timeout: WAIT });
    await waitForStoreValue(() => cli('task', 'show', ids['Load-test the API']).assignee, null);
    await waitForStatus(ids['Load-test the API'], 'pending');
    // Put back as it was for the checks that follow.
    cli('task', 'assign', ids['Load-test the API'], 'carol');
    cli('task', 'move', ids['Load-test the API'], 'in_progress');
    await lane('carol').locator('section.column[data-status="in_progress"] .card', { hasText: 'Load-test the API' }).waitFor({ timeout: WAIT });
    // The choice is the page's state: a reload brings the lanes back.
    await session.reloadWindow();
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
});
