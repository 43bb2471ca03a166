#!/usr/bin/env node
// UI test of the task editor: the real VS Code workbench (code-server + headless chromium, see
// test/harness/README.md) with Cairn side-loaded, the editor's webview driven as a person would, from the keyboard:
// open a task from the palette, change its title and estimate and save with Ctrl+S, check and reorder acceptance
// criteria (Space, Alt+↑), then edit while the CLI changes the same task (its other field is taken into the draft,
// the field changed on both sides is offered as a choice), reload the window with unsaved edits (they come back),
// and screenshots in a dark and a light theme. Every change is read back through the CLI.
//
// Run: `node test/ui/editor.js` (system node; builds dist/ when it is missing or older than src/).
// Output: one line per check, then `N passing` / `N failing` (mocha style); exit code 1 on any failure.
// Screenshots: test-results/editor-dark.png, editor-light.png (editor-failure.png on failure).
// Env: CAIRN_KEEP_TMP=1 keeps the temp workspace; SMOKE_TIMEOUT_MS limits each single wait (default 30000).
'use strict';

const fs = require('fs');
const path = require('path');
const { WAIT, runUiTest } = require('./session.js');

runUiTest({ name: 'editor', title: 'Cairn task editor UI test', failureShot: 'editor-failure.png', screenshots: 'editor-dark.png, editor-light.png, editor-conflict.png', actor: 'dana' }, async (session) => {
  const { ws, store, check, palette, setTheme, shot, cli } = session;
  let page;
  const ids = {};

  let frame;
  const findEditor = async () => (frame = await session.findFrame('body[data-app="taskEditor"] .editor:not([aria-busy])', 'task editor'));
  const show = (id) => cli('task', 'show', id);
  const waitForStore = async (what, id, test) => {
    const deadline = Date.now() + WAIT;
    for (;;) {
      const t = show(id);
      if (test(t)) return t;
      if (Date.now() > deadline) throw new Error(`the store never had ${what}: ${JSON.stringify(t).slice(0, 400)}`);
      await page.waitForTimeout(100);
    }
  };
  const active = () => frame.evaluate(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    const host = document.activeElement;
    return { id: host?.id ?? '', tag: host?.tagName.toLowerCase() ?? '', text: host?.textContent?.trim().slice(0, 80) ?? '', inner: el?.tagName.toLowerCase() ?? '' };
  });
  /** Tabs (keyboard only) until the element with this id has the focus. */
  const tabTo = async (id, limit = 40) => {
    for (let i = 0; i < limit; i++) {
      if ((await active()).id === id) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached #${id} (focus is on ${JSON.stringify(await active())})`);
  };
  const live = (text) => frame.locator('#editor-live', { hasText: text }).waitFor({ timeout: WAIT });
  /** Empties the focused field from the keyboard: End, then Backspace for each character. (Not Ctrl+A: VS Code runs
   *  a webview's select-all itself, a moment later, and it would select what is typed next.) */
  const clearField = async () => {
    const length = await frame.evaluate(() => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      return el && 'value' in el ? el.value.length : -1;
    });
    if (length < 0) throw new Error(`the focus is not in a field: ${JSON.stringify(await active())}`);
    await page.keyboard.press('End');
    for (let i = 0; i < length; i++) await page.keyboard.press('Backspace');
  };

  await check('dist/ is built, the harness is ready and the CLI makes a store: a task with criteria, a dependency, a note, an agent and a run', async () => {
    await session.prepare();
    cli('init');
    const project = cli('project', 'add', 'Website relaunch');
    const sprint = cli('sprint', 'add', '--project', project.id, 'Sprint 1');
    const add = (title, ...opts) => (ids[title] = cli('task', 'add', '--project', project.id, ...opts, title).id);
    add('Set up CI', '--assignee', 'carol', '--tag', 'infra');
    add(
      'Design the landing page',
      '--sprint', sprint.id,
      '--assignee', 'alice',
      '--priority', 'high',
      '--tag', 'ui',
      '--tag', 'design',
      '--estimate', '120',
      '--note', 'Landing page brief',
      '--description', 'The first page people see.\n\n- a **hero** section with the product\n- pricing, in a table\n- links to the [docs](https://example.com/docs)\n\n`npm run build` must stay under a minute.',
    );
    const id = ids['Design the landing page'];
    for (const c of ['Hero section', 'Pricing table', 'Footer links']) cli('task', 'criteria', 'add', id, c);
    cli('task', 'criteria', 'check', id, '1');
    cli('task', 'depend', id, '--on', ids['Set up CI']);
    cli('task', 'move', id, 'in_progress');
    cli('agent', 'run-log', '--agent', 'ui-builder', '--task', id, '--outcome', 'partial', '--duration-ms', '540000', '--tokens-in', '18200', '--tokens-out', '3400', '--quality', '0.7', '--notes', 'Drafted the hero section; pricing needs the numbers.');
    fs.mkdirSync(path.join(store, 'vault'), { recursive: true });
    fs.writeFileSync(path.join(store, 'vault', 'Landing page brief.md'), `# Landing page brief\n\nFor task ${id}: one page, fast, no tracking.\n`);
    cli('index');
    fs.mkdirSync(path.join(ws, '.claude', 'agents'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.claude', 'agents', 'ui-builder.md'), '---\nname: ui-builder\ndescription: Builds web pages from a brief\nmodel: sonnet\n---\nYou build pages.\n');
  });

  await check('code-server starts with the extension side-loaded and the workbench opens', async () => {
    await session.startServer();
    page = await session.openWorkbench();
    await session.waitForCairn();
  });

  await check('Cairn: Open Task from the palette: the editor shows the task, its criteria, dependency, note, run and history', async () => {
    await palette('Cairn: Open Task');
    const input = page.locator('.quick-input-widget input.input').first();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Design the landing page' }).first().waitFor({ timeout: WAIT });
    await input.pressSequentially('landing', { delay: 20 });
    await page.keyboard.press('Enter');
    await findEditor();
    const value = await frame.locator('vscode-textfield#title').evaluate((el) => el.value);
    if (value !== 'Design the landing page') throw new Error(`the title field holds "${value}"`);
    await frame.locator('.criterion', { hasText: 'Pricing table' }).waitFor({ timeout: WAIT });
    await frame.locator('.refs .ref', { hasText: 'Set up CI' }).waitFor({ timeout: WAIT });
    await frame.locator('.refs .ref', { hasText: 'Landing page brief' }).first().waitFor({ timeout: WAIT });
    await frame.locator('.run', { hasText: 'ui-builder' }).waitFor({ timeout: WAIT });
    await frame.locator('.history .event', { hasText: 'moved it to In progress' }).waitFor({ timeout: WAIT });
    const heading = await frame.locator('#criteria-heading').textContent();
    if (heading !== 'Acceptance criteria (1/3)') throw new Error(`the criteria heading reads "${heading}"`);
    await palette('View: Close Primary Side Bar');
    await findEditor();
  });

  await check('keyboard only: Tab to the title, retype it, Tab to the estimate, type 3h, Ctrl+S: the store has both', async () => {
    await frame.locator('body').focus().catch(() => undefined);
    await page.keyboard.press('Tab');
    await tabTo('title');
    await clearField();
    await page.keyboard.type('Design the landing page and pricing', { delay: 10 });
    await frame.locator('#save-state', { hasText: 'Unsaved: title' }).waitFor({ timeout: WAIT });
    await tabTo('estimate');
    await clearField();
    await page.keyboard.type('3h', { delay: 10 });
    await frame.locator('#estimate-hint', { hasText: '3h (180 minutes)' }).waitFor({ timeout: WAIT });
    await page.keyboard.press('Control+S');
    await waitForStore('the new title and estimate', ids['Design the landing page'], (t) => t.title === 'Design the landing page and pricing' && t.estimatedMinutes === 180);
    await frame.locator('#save-state', { hasText: /^Saved · version/ }).waitFor({ timeout: WAIT });
    await live('Saved.');
    await page.locator('.tab', { hasText: 'Design the landing page and pricing' }).first().waitFor({ timeout: WAIT });
  });

  await check('keyboard only: a criterion is checked with Space and moved up with Alt+↑ twice; focus stays on it; the store has the new order', async () => {
    const id = ids['Design the landing page'];
    await frame.locator('.criterion', { hasText: 'Footer links' }).focus();
    await page.keyboard.press('Space');
    await live('Checked "Footer links"');
    await waitForStore('Footer links checked', id, (t) => t.criteria[2].done === true);
    await frame.locator('.criterion[data-index="2"]', { hasText: 'Footer links' }).waitFor({ timeout: WAIT });
    await page.keyboard.press('Alt+ArrowUp');
    await live('Moved "Footer links" to position 2 of 3');
    await frame.locator('.criterion[data-index="1"]', { hasText: 'Footer links' }).waitFor({ timeout: WAIT });
    await page.keyboard.press('Alt+ArrowUp');
    await live('Moved "Footer links" to position 1 of 3');
    const t = await waitForStore('the criteria reordered', id, (x) => x.criteria[0].text === 'Footer links');
    const order = t.criteria.map((c) => `${c.text}${c.done ? ' ✓' : ''}`).join(', ');
    if (order !== 'Footer links ✓, Hero section ✓, Pricing table') throw new Error(`the store's criteria: ${order}`);
    const focused = await active();
    if (!focused.text.includes('Footer links')) throw new Error(`focus is on ${JSON.stringify(focused)}, not the moved item`);
    // Add one from the keyboard.
    await frame.locator('vscode-textfield#criterion-new input').focus();
    await page.keyboard.type('Works on a phone', { delay: 10 });
    await page.keyboard.press('Enter');
    await waitForStore('the added criterion', id, (x) => x.criteria.length === 4 && x.criteria[3].text === 'Works on a phone');
  });

  await check('a change made meanwhile: the CLI changes the priority and the title being edited; priority is taken, the title offered as a choice; Keep mine saves it', async () => {
    const id = ids['Design the landing page'];
    await frame.locator('vscode-textfield#title input').focus();
    await clearField();
    await page.keyboard.type('Landing page, pricing and footer', { delay: 10 });
    await frame.locator('#save-state', { hasText: 'Unsaved: title' }).waitFor({ timeout: WAIT });
    cli('task', 'update', id, '--priority', 'urgent', '--title', 'Landing page (renamed by Dana)');
    const banner = frame.locator('.banner');
    await banner.filter({ hasText: 'dana (CLI) changed priority meanwhile; taken into your edits' }).waitFor({ timeout: WAIT });
    const priority = await frame.locator('vscode-single-select#priority').evaluate((el) => el.value);
    if (priority !== 'urgent') throw new Error(`the priority field shows ${priority}`);
    const row = frame.locator('.conflict-row[data-conflict-field="title"]');
    await row.waitFor({ timeout: WAIT });
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    if (!text.includes('Yours: Landing page, pricing and footer') || !text.includes('Theirs: Landing page (renamed by Dana)')) throw new Error(`the choice reads "${text}"`);
    if (show(id).title !== 'Landing page (renamed by Dana)') throw new Error('the store lost the CLI title');
    await shot('editor-conflict.png');
    await row.locator('vscode-button[data-keep="mine"]').focus();
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached', timeout: WAIT });
    await page.keyboard.press('Control+S');
    await waitForStore('the kept title with the CLI priority', id, (t) => t.title === 'Landing page, pricing and footer' && t.priority === 'urgent');
  });

  await check('unsaved edits survive a window reload: the editor tab comes back with its draft, still unsaved', async () => {
    const id = ids['Design the landing page'];
    await frame.locator('vscode-textarea#description textarea').focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n\nDraft line kept across a reload.', { delay: 5 });
    await frame.locator('#save-state', { hasText: 'Unsaved: description' }).waitFor({ timeout: WAIT });
    await session.reloadWindow();
    await findEditor();
    await frame.locator('#save-state', { hasText: 'Unsaved: description' }).waitFor({ timeout: WAIT });
    const value = await frame.locator('vscode-textarea#description').evaluate((el) => el.value);
    if (!value.endsWith('Draft line kept across a reload.')) throw new Error(`after the reload the description ends "${value.slice(-60)}"`);
    if (show(id).description.includes('Draft line')) throw new Error('the draft was saved without Save');
    await frame.locator('#revert').click();
    await frame.locator('#save-state', { hasText: /^Saved · version/ }).waitFor({ timeout: WAIT });
  });

  await check('the description preview renders Markdown (headings, bold, links, code) from the keyboard', async () => {
    await frame.locator('vscode-button[data-mode="preview"]').focus();
    await page.keyboard.press('Enter');
    await frame.locator('#description-preview strong', { hasText: 'hero' }).waitFor({ timeout: WAIT });
    await frame.locator('#description-preview a[href="https://example.com/docs"]').waitFor({ timeout: WAIT });
    await frame.locator('#description-preview code', { hasText: 'npm run build' }).waitFor({ timeout: WAIT });
    await shot('editor-dark.png');
  });

  await check('light theme: the editor follows VS Code\'s colours (screenshot)', async () => {
    const background = () => frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await setTheme('Light Modern');
    await findEditor();
    const deadline = Date.now() + WAIT;
    while ((await background()) === dark) {
      if (Date.now() > deadline) throw new Error(`the editor's background stayed ${dark}`);
      await page.waitForTimeout(100);
    }
    await shot('editor-light.png');
  });
});
