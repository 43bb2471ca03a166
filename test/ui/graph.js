#!/usr/bin/env node
// UI test of the knowledge graph: the real VS Code workbench (code-server + headless chromium, see
// test/harness/README.md) with Cairn side-loaded, on a generated vault of 1,000 notes with ~19 links each (then
// 10,000), driven as a person would: Cairn: Show Knowledge Graph from the palette (the page holds as many nodes and
// edges as the store counts), the keyboard alone (Tab through the controls to the search box, type, Enter opens the
// focused match), Show in Graph on the open note (its local graph), colour by folder and a reload (the graph comes
// back with its filters), screenshots in a dark and a light theme. Measures, from the page's own clock: the command
// to the first frame, the time to a stable layout (ForceAtlas2 in a web worker), and frame times while panning.
//
// Run: `node test/ui/graph.js` (system node; builds dist/ when it is missing or older than src/). GRAPH_UI_NOTES:
// the sizes, default "1000,10000".
// Output: one line per check, then `N passing` / `N failing` (mocha style); exit code 1 on any failure.
// Screenshots: test-results/graph-dark.png, graph-dark-local.png, graph-light.png, graph-light-local.png,
// graph-10000-dark.png (graph-failure.png on failure).
'use strict';

const fs = require('fs');
const path = require('path');
const { ROOT, WAIT, runUiTest } = require('./session.js');

const SIZES = (process.env.GRAPH_UI_NOTES || '1000,10000').split(',').map(Number);
const LINKS = 19;

/** A vault of `count` notes in 20 folders: each links to LINKS others (one in ten embedded), two tags each. */
function generateVault(dir, count) {
  fs.rmSync(dir, { recursive: true, force: true });
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < count; i++) {
    const folder = path.join(dir, `area-${i % 20}`);
    fs.mkdirSync(folder, { recursive: true });
    // Mostly near neighbours (clusters), some anywhere (bridges).
    const links = Array.from({ length: LINKS }, (_, k) => {
      const j = k < 14 ? (i + 1 + Math.floor(rand() * 60)) % count : Math.floor(rand() * count);
      return k % 10 === 9 ? `![[note-${j}]]` : `[[note-${j}]]`;
    });
    fs.writeFileSync(path.join(folder, `note-${i}.md`), `# Note ${i}\n\n${links.join(' ')}\n\n#topic-${i % 12} #size-${count}\n`);
  }
}

runUiTest({ name: 'graph', title: 'Cairn knowledge graph UI test', failureShot: 'graph-failure.png', screenshots: 'graph-dark.png, graph-dark-local.png, graph-light.png, graph-light-local.png, graph-10000-dark.png' }, async (session) => {
  const { store, check, palette, setTheme, shot, cli } = session;
  const vault = path.join(store, 'vault');
  let page;
  let frame;
  const figures = [];
  const findGraph = async () => (frame = await session.findFrame('body[data-app="knowledgeGraph"]', 'knowledge graph'));
  const data = (key) => frame.evaluate((k) => document.body.dataset[k] ?? null, key);
  /** Waits until the page has painted an answer newer than `after` and returns its seq. */
  const painted = async (after = 0, timeout = WAIT) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const seq = Number(await data('paintedSeq').catch(() => 0));
      if (seq > after && !(await frame.locator('main.graph-page[aria-busy]').count())) return seq;
      if (Date.now() > deadline) throw new Error('the graph was not painted');
      await page.waitForTimeout(100);
    }
  };
  const laidOut = async (seq, timeout) => {
    const deadline = Date.now() + timeout;
    while (Number(await data('laidOut')) !== seq) {
      if (Date.now() > deadline) throw new Error('the layout did not settle');
      await page.waitForTimeout(200);
    }
    return JSON.parse(await data('layout'));
  };
  /** The store's counts under the page's default filter (notes, entities, tasks, agents), read while the backend has it open. */
  const storeCounts = async () => {
    const { tsImport } = await import('tsx/esm/api');
    const [{ Store }, { graphView }] = await Promise.all([tsImport(path.join(ROOT, 'src', 'store', 'store.ts'), __filename), tsImport(path.join(ROOT, 'src', 'store', 'graph', 'view.ts'), __filename)]);
    const opened = await Store.open(store, { loadVec: false });
    try {
      const started = performance.now();
      const v = await graphView(opened, { mode: 'whole', limit: 1 });
      return { nodes: v.totalNodes, edges: v.totalEdges, viewMs: performance.now() - started };
    } finally {
      await opened.close();
    }
  };
  const panFrames = async () => {
    await frame.evaluate(() => window.postMessage({ type: 'measurePan', token: 'ui', frames: 60 }, '*'));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const f = await data('panFrames');
      if (f) return JSON.parse(f);
      if (Date.now() > deadline) throw new Error('no frame times');
      await page.waitForTimeout(200);
    }
  };
  const select = (key) => frame.locator(`vscode-single-select[data-filter="${key}"]`);
  const choose = async (key, option) => {
    await select(key).click();
    await frame.locator(`vscode-single-select[data-filter="${key}"] [role="option"]`, { hasText: option }).first().click();
  };
  /** Opens the graph afresh from the palette and measures it: command → first frame → stable layout. */
  const openAndMeasure = async (notes) => {
    await palette('View: Close All Editors');
    await page.waitForTimeout(500);
    const t0 = Date.now();
    await palette('Cairn: Show Knowledge Graph');
    await findGraph();
    const seq = await painted(0, 180_000);
    const firstFrame = Date.now() - t0;
    const want = await storeCounts();
    const got = { nodes: Number(await data('nodes')), edges: Number(await data('edges')) };
    if (got.nodes !== want.nodes || got.edges !== want.edges) throw new Error(`the page holds ${got.nodes} nodes and ${got.edges} edges; the store counts ${want.nodes} and ${want.edges}`);
    const layout = await laidOut(seq, 180_000);
    if (layout.layoutIn !== 'worker') throw new Error(`the layout ran in the ${layout.layoutIn}, not a web worker`);
    const stable = Date.now() - t0;
    const pan = await panFrames();
    figures.push({ notes, ...got, firstFrameMs: firstFrame, stableLayoutMs: stable, layoutMs: Math.round(layout.ms), iterations: layout.iterations, panP50: pan.p50, panP95: pan.p95, graphViewMs: Math.round(want.viewMs) });
    console.log(`      ${notes} notes: ${got.nodes} nodes, ${got.edges} edges; palette → first frame ${firstFrame} ms, → stable layout ${stable} ms (worker: ${Math.round(layout.ms)} ms, ${layout.iterations} iterations); pan frames p50 ${pan.p50.toFixed(1)} ms, p95 ${pan.p95.toFixed(1)} ms; graph.view ${Math.round(want.viewMs)} ms`);
    return seq;
  };

  await check(`dist/ is built, the harness is ready, and a ${SIZES[0]}-note vault with ${LINKS} links a note is indexed`, async () => {
    await session.prepare();
    cli('init');
    generateVault(vault, SIZES[0]);
    cli('--vault', vault, 'index', '--create');
  });

  await check('code-server starts with the extension side-loaded and the workbench opens', async () => {
    await session.startServer();
    page = await session.openWorkbench();
    await session.waitForCairn();
    await palette('View: Close Primary Side Bar');
  });

  await check(`Cairn: Show Knowledge Graph at ${SIZES[0]} notes: every node and edge of the store drawn, laid out in a web worker (measured)`, async () => {
    await openAndMeasure(SIZES[0]);
    await frame.locator('.legend .legend-entry', { hasText: 'Note' }).waitFor({ timeout: WAIT });
    await shot('graph-dark.png');
  });

  await check('keyboard alone: Tab through the controls to the search box, type, Enter opens the focused match', async () => {
    await select('mode').focus();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await frame.evaluate(() => document.activeElement?.getAttribute('data-filter') === 'search');
    }
    if (!reached) throw new Error('Tab never reached the search box');
    await page.keyboard.type('Note 42');
    await frame.locator('.match-info', { hasText: 'of' }).waitFor({ timeout: WAIT });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'note-42.md' }).waitFor({ timeout: WAIT });
  });

  await check('Show in Graph on the open note: its local graph, the note in the middle', async () => {
    // Escape in the search box clears it.
    await frame.locator('vscode-textfield[data-filter="search"]').click();
    await page.keyboard.press('Escape');
    await palette('Cairn: Show in Graph');
    await findGraph();
    const deadline = Date.now() + WAIT;
    while ((await data('center')) !== 'note:area-2/note-42.md') {
      if (Date.now() > deadline) throw new Error(`the graph is centred on "${await data('center')}"`);
      await page.waitForTimeout(200);
    }
    const seq = await painted(0);
    await laidOut(seq, 60_000);
    await shot('graph-dark-local.png');
  });

  await check('colour by folder, hide orphans, depth 2; reload the window: the graph comes back with them', async () => {
    await choose('colorBy', 'Folder');
    const before = Number(await data('paintedSeq'));
    await choose('depth', '2');
    await painted(before, 60_000);
    await session.reloadWindow();
    await session.waitForCairn();
    await findGraph();
    await painted(0, 60_000);
    const got = { colorBy: await select('colorBy').evaluate((el) => el.value), depth: await select('depth').evaluate((el) => el.value), mode: await select('mode').evaluate((el) => el.value) };
    if (got.colorBy !== 'folder' || got.depth !== '2' || got.mode !== 'local') throw new Error(`after the reload: ${JSON.stringify(got)}`);
    await frame.locator('.legend .legend-entry', { hasText: 'area-' }).first().waitFor({ timeout: WAIT });
  });

  await check('light theme: the graph and its legend in the theme\'s colours (screenshots)', async () => {
    await setTheme('Light Modern');
    await findGraph();
    await page.waitForTimeout(1000);
    await shot('graph-light-local.png');
    const before = Number(await data('paintedSeq'));
    await choose('mode', 'Whole store');
    await choose('colorBy', 'Kind');
    const seq = await painted(before, 60_000);
    await laidOut(seq, 120_000);
    await shot('graph-light.png');
    await setTheme('Dark Modern');
  });

  for (const notes of SIZES.slice(1)) {
    await check(`${notes} notes (${notes * LINKS} links): the graph drawn and laid out in a web worker (measured)`, async () => {
      generateVault(vault, notes);
      cli('--vault', vault, 'index');
      await openAndMeasure(notes);
      await shot(`graph-${notes}-dark.png`);
    });
  }

  console.log(`\n  figures: ${JSON.stringify(figures)}`);
});
