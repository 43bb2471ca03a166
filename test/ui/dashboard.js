#!/usr/bin/env node
// UI test of the dashboard: the real VS Code workbench (code-server + headless chromium, see test/harness/README.md)
// with Cairn side-loaded, the dashboard driven as a person would: open it from the palette on an empty store (a
// helpful empty state, not blank charts), fill the store while it is open (the charts come as the store changes),
// choose a project and a range in its toolbar, reload the window (the dashboard comes back with those filters), open a
// blocked task from its list by keyboard alone, and screenshots in a dark and a light theme (the charts drawn again
// in the new colours). The history is written through src/store with known times (test/extension/dashboardHistory.ts)
// as another machine's sync would bring it. Also measures the command to all charts painted.
//
// Run: `node test/ui/dashboard.js` (system node; builds dist/ when it is missing or older than src/).
// Output: one line per check, then `N passing` / `N failing` (mocha style); exit code 1 on any failure.
// Screenshots: test-results/dashboard-empty.png, dashboard-dark.png, dashboard-dark-lists.png, dashboard-light.png,
// dashboard-light-lists.png (dashboard-failure.png on failure).
'use strict';

const fs = require('fs');
const path = require('path');
const { ROOT, WAIT, runUiTest } = require('./session.js');

const addDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

runUiTest({ name: 'dashboard', title: 'Cairn dashboard UI test', failureShot: 'dashboard-failure.png', screenshots: 'dashboard-empty.png, dashboard-dark.png, dashboard-dark-lists.png, dashboard-light.png, dashboard-light-lists.png' }, async (session) => {
  const { store, check, palette, setTheme, shot, cli } = session;
  let page;
  let frame;
  let project;
  let history;
  const findDashboard = async () => (frame = await session.findFrame('body[data-app="dashboard"]', 'dashboard'));
  const painted = async () => {
    await frame.locator('body[data-painted-seq]').waitFor({ timeout: WAIT });
    await frame.locator('main.dashboard:not([aria-busy])').waitFor({ timeout: WAIT });
  };
  const select = (key) => frame.locator(`vscode-single-select[data-filter="${key}"]`);
  const choose = async (key, option) => {
    await select(key).click();
    await frame.locator(`vscode-single-select[data-filter="${key}"] [role="option"]`, { hasText: option }).first().click();
  };
  const drawn = (id) => frame.locator(`section.card[data-chart="${id}"]`).evaluate((el) => JSON.parse(el.dataset.drawn || 'null'));
  const scrollTo = (where) => frame.evaluate((w) => window.scrollTo(0, w === 'end' ? document.body.scrollHeight : 0), where);

  await check('dist/ is built, the harness is ready and the CLI makes an empty store', async () => {
    await session.prepare();
    cli('init');
  });

  await check('code-server starts with the extension side-loaded and the workbench opens', async () => {
    await session.startServer();
    page = await session.openWorkbench();
    await session.waitForCairn();
    await palette('View: Close Primary Side Bar');
  });

  await check('Cairn: Open Dashboard on an empty store shows what to do, not blank charts', async () => {
    await palette('Cairn: Open Dashboard');
    await findDashboard();
    await painted();
    await frame.locator('section.empty-state', { hasText: 'Nothing to chart yet' }).waitFor({ timeout: WAIT });
    await frame.locator('section.empty-state vscode-button[data-action="create-project"]').waitFor({ timeout: WAIT });
    if (await frame.locator('.grid').isVisible()) throw new Error('the charts are shown on an empty store');
    await shot('dashboard-empty.png');
  });

  await check('a history written meanwhile (another machine\'s sync) fills the open dashboard: every chart drawn, on canvas', async () => {
    const { tsImport } = await import('tsx/esm/api');
    const [{ Store }, { createProject }, { createSprint }, { recordAgentRun }, { indexVault }, seed] = await Promise.all([
      tsImport(path.join(ROOT, 'src', 'store', 'store.ts'), __filename),
      tsImport(path.join(ROOT, 'src', 'store', 'projects.ts'), __filename),
      tsImport(path.join(ROOT, 'src', 'store', 'sprints.ts'), __filename),
      tsImport(path.join(ROOT, 'src', 'store', 'agents', 'runs.ts'), __filename),
      tsImport(path.join(ROOT, 'src', 'store', 'knowledge', 'indexer.ts'), __filename),
      tsImport(path.join(ROOT, 'test', 'extension', 'dashboardHistory.ts'), __filename),
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const start = addDays(today, -7);
    const who = { actor: 'dana', source: 'cli' };
    const opened = await Store.open(store);
    let sprint;
    try {
      project = await opened.write((orm) => createProject(orm, who, { name: 'Website relaunch' }));
      sprint = await opened.write((orm) => createSprint(orm, who, { projectId: project.id, name: 'Sprint 12', startsOn: start, endsOn: addDays(today, 2) }));
    } finally {
      await opened.close();
    }
    history = seed.dashboardHistory({ projectId: project.id, sprintId: sprint.id, start });
    await seed.writeHistory(store, history, project.id);
    const vault = path.join(store, 'vault');
    fs.mkdirSync(vault, { recursive: true });
    const notes = { 'Architecture.md': '# Architecture\n', 'Release plan.md': 'See [[Architecture]].\n', 'Billing.md': '[[Architecture]] and [[Release plan]].\n', 'Search.md': '[[Architecture]]\n' };
    for (const [file, text] of Object.entries(notes)) fs.writeFileSync(path.join(vault, file), text);
    const again = await Store.open(store);
    try {
      const runs = [];
      for (let day = 0; day <= 7; day++) {
        runs.push({ agent: 'coder', day, outcome: day % 4 === 3 ? 'failure' : 'success', tokensIn: 1500 + 200 * day, tokensOut: 400 + 50 * day, qualityScore: 0.7 + (day % 3) / 10, durationMs: 60_000 * (1 + (day % 3)), errors: day % 4 === 3 ? 1 : 0 });
        if (day % 2 === 0) runs.push({ agent: 'reviewer', day, outcome: 'success', tokensIn: 800, tokensOut: 120, qualityScore: 0.9, durationMs: 30_000, errors: 0 });
        if (day >= 4) runs.push({ agent: 'planner', day, outcome: day === 6 ? 'partial' : 'success', tokensIn: 300, tokensOut: 90, durationMs: 20_000, errors: 0 });
      }
      const onTask = [history.tasks.A.id, history.tasks.F.id, history.tasks.G.id];
      for (const [i, r] of runs.entries()) {
        const { day, agent, ...measures } = r;
        await again.write((orm) => recordAgentRun(orm, { actor: agent, source: 'agent' }, { agent, taskId: onTask[i % 3], startedAt: `${addDays(start, day)}T${String(9 + (i % 8)).padStart(2, '0')}:00:00.000Z`, ...measures }));
      }
      await indexVault(again, vault, who, { embedder: null });
    } finally {
      await again.close();
    }
    await frame.locator('section.empty-state').waitFor({ state: 'hidden', timeout: WAIT });
    for (const id of ['burndown', 'throughput', 'cumulativeFlow', 'cycleTime', 'agentsOverTime', 'activity']) {
      await frame.locator(`section.card[data-chart="${id}"] canvas`).waitFor({ timeout: WAIT });
    }
    await frame.locator('section.card[data-chart="agents"] table tbody tr').first().waitFor({ timeout: WAIT });
    await frame.locator('section.card[data-chart="blocked"] button.row', { hasText: 'Migrate the billing tables' }).waitFor({ timeout: WAIT });
    await frame.locator('section.card[data-chart="mostLinkedNotes"] button.row', { hasText: 'Architecture' }).waitFor({ timeout: WAIT });
  });

  await check('measured: Cairn: Open Dashboard to every chart painted (a fresh panel)', async () => {
    await palette('View: Close All Editors');
    await frame.locator('body').waitFor({ state: 'detached', timeout: WAIT }).catch(() => undefined);
    const t0 = Date.now();
    await palette('Cairn: Open Dashboard');
    await findDashboard();
    await painted();
    await frame.locator('section.card[data-chart="burndown"] canvas').waitFor({ timeout: WAIT });
    const wall = Date.now() - t0;
    const own = await frame.evaluate(() => Number(document.body.dataset.paintedMs));
    console.log(`      palette → all charts painted: ${wall} ms (the page's own clock: navigation → painted ${own.toFixed(0)} ms)`);
  });

  await check('filters in the toolbar: the project and a 14-day range; the charts follow', async () => {
    await choose('project', 'Website relaunch');
    await frame.locator('.caption', { hasText: 'Website relaunch' }).waitFor({ timeout: WAIT });
    await choose('range', 'Last 14 days');
    const deadline = Date.now() + WAIT;
    while ((await drawn('throughput'))?.labels.length !== 14) {
      if (Date.now() > deadline) throw new Error('the throughput chart was not drawn over 14 days');
      await page.waitForTimeout(100);
    }
  });

  await check('reload the window: the dashboard comes back with its project and range', async () => {
    await session.reloadWindow();
    await session.waitForCairn();
    await findDashboard();
    await painted();
    const project_ = await select('project').evaluate((el) => el.value);
    const range = await select('range').evaluate((el) => el.value);
    if (project_ !== project.id || range !== '14') throw new Error(`after the reload the filters are project "${project_}", range "${range}"`);
    if ((await drawn('throughput')).labels.length !== 14) throw new Error('the charts were not drawn over the restored range');
    await frame.locator('.caption', { hasText: 'Website relaunch' }).waitFor({ timeout: WAIT });
  });

  await check('keyboard alone: Tab to a blocked task\'s row, Enter opens it in the task editor', async () => {
    const row = frame.locator('section.card[data-chart="blocked"] button.row').first();
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'Migrate the billing tables' }).waitFor({ timeout: WAIT });
    await page.locator('.tabs-container .tab', { hasText: 'Dashboard' }).first().click();
    await findDashboard();
    await painted();
  });

  await check('dark theme: screenshots of the charts and of the lists', async () => {
    await frame.locator('section.card[data-chart="burndown"] canvas').waitFor({ timeout: WAIT });
    await scrollTo('top');
    await shot('dashboard-dark.png');
    await scrollTo('end');
    await shot('dashboard-dark-lists.png');
    await scrollTo('top');
  });

  await check('light theme: the charts are drawn again in the theme\'s colours (screenshots)', async () => {
    const before = await frame.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-foreground').trim());
    await setTheme('Light Modern');
    await findDashboard();
    const deadline = Date.now() + WAIT;
    for (;;) {
      const now = await frame.evaluate(() => document.body.dataset.chartForeground || '');
      if (now && now !== before) break;
      if (Date.now() > deadline) throw new Error(`the charts kept the foreground ${before}`);
      await page.waitForTimeout(100);
    }
    await scrollTo('top');
    await shot('dashboard-light.png');
    await scrollTo('end');
    await shot('dashboard-light-lists.png');
  });
});
