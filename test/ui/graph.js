#!/usr/bin/env node
// UI test of the knowledge graph: the real VS Code workbench (code-server + headless chromium, see
// test/harness/README.md) with Cairn side-loaded, on a generated vault of 1,000 notes with ~19 links each
// (test/ui/graphVault.js), driven as a person would: Cairn: Show Knowledge Graph from the palette (the page holds as many nodes and
// edges as the store counts), the keyboard alone (Tab through the controls to the search box, type, Enter opens the
// focused match), Show in Graph on the open note (its local graph), colour by folder and a reload (the graph comes
// back with its filters), hover a node (its card, its edges drawn), screenshots in a dark and a light theme. Prints,
// asserting none of them: the command to the first frame, the time to a stable layout (ForceAtlas2 in a web worker),
// and frame times while panning and zooming. The measurement at 10,000 notes, with memory, is
// bench/vscode-graph.bench.mjs (`npm run bench -- vscode-graph`).
//
// Run: `node test/ui/graph.js` (system node; builds dist/ when it is missing or older than src/). GRAPH_UI_NOTES:
// the sizes, default "1000" (more, e.g. "1000,10000", draws and measures each further size too).
// Output: one line per check, then `N passing` / `N failing` (mocha style); exit code 1 on any failure.
// Screenshots: test-results/graph-dark.png, graph-dark-hover.png, graph-dark-local.png, graph-light.png,
// graph-light-local.png (graph-<notes>-dark.png for further sizes; graph-failure.png on failure).
'use strict';

const path = require('path');
const { ROOT, WAIT, runUiTest } = require('./session.js');
const { LINKS, generateVault } = require('./graphVault.js');

const SIZES = (process.env.GRAPH_UI_NOTES || '1000').split(',').map(Number);

runUiTest({ name: 'graph', title: 'Cairn knowledge graph UI test', failureShot: 'graph-failure.png', screenshots: 'graph-dark.png, graph-dark-hover.png, graph-dark-local.png, graph-light.png, graph-light-local.png' }, async (session) => {
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
  /** The page's own frame times while it pans or zooms (measurePan). */
  const motionFrames = async (motion) => {
    const key = motion === 'zoom' ? 'zoomFrames' : 'panFrames';
    await frame.evaluate((k) => delete document.body.dataset[k], key);
    await frame.evaluate((m) => window.postMessage({ type: 'measurePan', token: 'ui', frames: 60, motion: m }, '*'), motion);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const f = await data(key);
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
    const pan = await motionFrames('pan');
    // The stop draws every edge again, a slice a frame past 12,000 of them, onto a canvas that keeps the earlier ones.
    if (!pan.stop) throw new Error('the page did not say when the edges were drawn again after the pan');
    const edgesDrawn = JSON.parse(await data('edgesDrawn'));
    if (got.edges > 12_000 && !(edgesDrawn.slices >= 2)) throw new Error(`${got.edges} edges were drawn in ${edgesDrawn.slices} slice(s), not a slice a frame`);
    const litPixels = await frame.evaluate(() => {
      const edges = document.querySelector('canvas.sigma-edges');
      const copy = document.createElement('canvas');
      [copy.width, copy.height] = [edges.width, edges.height];
      const ctx = copy.getContext('2d');
      ctx.drawImage(edges, 0, 0);
      const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
      let lit = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) lit++;
      return { lit, of: copy.width * copy.height };
    });
    // Thousands of edges over the picture: a canvas cleared after the last slice, or never drawn, shows next to none.
    if (got.edges && litPixels.lit < litPixels.of * 0.05) throw new Error(`after the pan the edges' canvas has ${litPixels.lit} of ${litPixels.of} pixels drawn`);
    const zoom = await motionFrames('zoom');
    figures.push({ notes, ...got, firstFrameMs: firstFrame, stableLayoutMs: stable, layoutMs: Math.round(layout.ms), iterations: layout.iterations, panP50: pan.p50, panP95: pan.p95, zoomP50: zoom.p50, zoomP95: zoom.p95, graphViewMs: Math.round(want.viewMs) });
    console.log(`      ${notes} notes: ${got.nodes} nodes, ${got.edges} edges; palette → first frame ${firstFrame} ms, → stable layout ${stable} ms (worker: ${Math.round(layout.ms)} ms, ${layout.iterations} iterations); pan frames p50 ${pan.p50.toFixed(1)} ms, p95 ${pan.p95.toFixed(1)} ms, the stop → every edge drawn ${Math.round(pan.stop.edgesMs)} ms in ${edgesDrawn.slices} slices (longest frame ${Math.round(pan.stop.longestFrameMs)} ms, ${(100 * litPixels.lit / litPixels.of).toFixed(0)}% of the canvas); zoom p50 ${zoom.p50.toFixed(1)} ms, p95 ${zoom.p95.toFixed(1)} ms; graph.view ${Math.round(want.viewMs)} ms`);
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

  await check('hover: the node under the mouse (the search centred its match) shows its card, its edges drawn', async () => {
    // The search's focused match sits in the middle of the canvas once the camera has moved to it.
    await page.waitForTimeout(800);
    const box = await frame.locator('#graph-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const card = frame.locator('.hover-card:not([hidden])');
    await card.waitFor({ timeout: WAIT });
    const text = await card.innerText();
    if (!/^Note \d+/.test(text) || !/connections?/.test(text)) throw new Error(`the hover card says "${text}"`);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'graph-dark-hover.png') });
    await page.mouse.move(box.x + 5, box.y + 5);
    await card.waitFor({ state: 'hidden', timeout: WAIT });
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
