#!/usr/bin/env node
// The knowledge graph in the real VS Code at 1,000 and 10,000 notes (~19 links each: ~18,000 and ~180,000 edges),
// against the same page with nothing to draw (0 notes) in the same run: frame times while panning and zooming, while
// the layout runs, the time to the first frame and to a stable layout, the webview's memory, and graph.view.
//
// The real VS Code is the test harness's code-server driven by headless chromium (no GPU here: WebGL is SwiftShader's,
// and every changed WebGL canvas is read back on the CPU each frame), Cairn side-loaded from this checkout. The vaults
// are test/ui/graphVault.js's (the UI test's), indexed once by the CLI. Each (size, build) is opened REPEATS times in
// a fresh code-server, profile and browser, interleaved.
//
// Per run: the workbench settled, the side bar closed; memory measured; the palette's "Cairn: Show Knowledge Graph"
// clicked (t0) → the page painted its first graph (body[data-painted-seq]: two animation frames after the graph was
// drawn) → the layout still (data-laid-out); meanwhile every animation frame of the page is timed (frames while the
// layout runs: the longest is how long the page froze). Then the page's own measurePan: 60 frames of camera moves as a
// drag makes them (pan), then as a wheel does (zoom in and out, ×0.35–×2.8), each frame's time from
// requestAnimationFrame. Then memory again.
//
// Memory: code-server serves webviews from the workbench's origin, so the webview's frames live in the workbench's
// renderer process and V8 isolate (checked: one renderer for the tab, frames share performance.memory), and WebGL's
// buffers and canvases live in the GPU process (SwiftShader). So the webview's memory is a difference, taken after a
// forced garbage collection (CDP HeapProfiler.collectGarbage) each time: the renderer's JS heap (CDP
// Performance.getMetrics JSHeapUsedSize), the renderer process's and the GPU process's resident and proportional set
// sizes (/proc/<pid>/status VmRSS, smaps_rollup Pss), with the graph shown minus the same before it was opened. The
// renderer is found as the process whose CPU time grows while the page spins (CDP SystemInfo.getProcessInfo). The
// baseline is the same figure at 0 notes: the graph's page open with nothing to draw, i.e. an empty webview with the
// graph's code loaded.
//
// graph.view: the whole store as the panel reads it (pages of 20,000 nodes), in-process through src/store (the
// backend's handler minus the transport), REPEATS times.
//
// BENCH_BASELINE_EXTENSION: another build of the extension (a folder with package.json and dist/, e.g. the previous
// commit's: `git archive HEAD | tar -x -C /tmp/before`, node_modules linked, `node esbuild.mjs`) measured in the same
// runs, interleaved, as "baseline"; then every row's baseline is that build's figure.
//
// Run: `node bench/vscode-graph.bench.mjs` or `npm run bench -- vscode-graph`. Writes bench/results/vscode-graph.json
// (and $CAIRN_BENCH_OUT when set, scripts/bench.mjs's convention: a `summary` of { metric, value, baseline, ratio,
// unit }). Env: BENCH_SIZES (0,1000,10000), BENCH_REPEATS (2), BENCH_BASELINE_EXTENSION, BENCH_WAIT_MS (180000),
// CAIRN_KEEP_TMP=1, CHROMIUM.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readyHarness, makeBenchWorkspace, median, round, settle, sleep } from './paintProbe.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const OUT = path.join(RESULTS_DIR, 'vscode-graph.json');
const SIZES = (process.env.BENCH_SIZES ?? '0,1000,10000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const WAIT_MS = Number(process.env.BENCH_WAIT_MS ?? 180_000);
const BASELINE = process.env.BENCH_BASELINE_EXTENSION ? path.resolve(process.env.BENCH_BASELINE_EXTENSION) : null;
const FRAMES = 60;
const MiB = 2 ** 20;

const { ensureBuilt, makeProfile, sideLoad, openWorkbench, CLI } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));
const { generateVault, LINKS } = require(path.join(ROOT, 'test', 'ui', 'graphVault.js'));
const log = (m) => console.error(`[vscode-graph] ${m}`);

function cli(store, ...args) {
  const r = spawnSync(process.execPath, [CLI, '--store', store, '--json', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** A workspace whose store indexes a generated vault of `notes` notes (none: an empty vault folder). */
function makeWorkspace(dir, notes) {
  makeBenchWorkspace(dir, '# Bench workspace\n\nA workspace for the knowledge graph benchmark.\n');
  const store = path.join(dir, '.cairn');
  cli(store, 'init');
  const vault = path.join(dir, 'vault');
  generateVault(vault, notes);
  const started = Date.now();
  const report = cli(store, '--vault', vault, 'index', '--create');
  return { dir, store, notes, indexMs: Date.now() - started, links: report.links?.resolved ?? 0 };
}

/** graph.view over the whole store, page by page as the panel reads it (src/views/knowledgeGraph/knowledgeGraphPanel.ts). */
async function timeGraphView(storeDir) {
  const { tsImport } = await import('tsx/esm/api');
  const [{ Store }, { graphView }] = await Promise.all([
    tsImport(path.join(ROOT, 'src', 'store', 'store.ts'), import.meta.url),
    tsImport(path.join(ROOT, 'src', 'store', 'graph', 'view.ts'), import.meta.url),
  ]);
  const store = await Store.open(storeDir, { loadVec: false });
  try {
    const times = [];
    let counts;
    for (let i = 0; i < REPEATS + 1; i++) {
      const started = performance.now();
      let nodes = 0;
      let edges = 0;
      for (let offset = 0; offset !== null; ) {
        const page = await graphView(store, { mode: 'whole', offset, limit: 20_000 });
        nodes += page.nodes.length;
        edges += page.edges.length;
        offset = page.nextOffset;
      }
      if (i > 0) times.push(performance.now() - started); // the first warms the page cache
      counts = { nodes, edges };
    }
    return { ms: round(median(times)), ...counts };
  } finally {
    await store.close();
  }
}

// ---- processes and memory -------------------------------------------------------------------------------------

const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;

function processMemory(pid) {
  try {
    return { rss: kib(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'), pss: kib(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') };
  } catch {
    return { rss: NaN, pss: NaN };
  }
}

/** The renderer process of `page`: the one whose CPU time grows while the page spins for a moment. */
async function rendererOf(browserSession, page) {
  const cpu = async () => new Map((await browserSession.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => [p.id, p.cpuTime]));
  const before = await cpu();
  await page.evaluate(() => {
    const until = performance.now() + 600;
    while (performance.now() < until);
  });
  const after = await cpu();
  const [pid] = [...after].map(([id, t]) => [id, t - (before.get(id) ?? 0)]).sort((a, b) => b[1] - a[1])[0];
  return pid;
}

/** After a forced garbage collection: the JS heap of the page's isolate, and the renderer's and GPU process's memory. */
async function memory(pageSession, browserSession, rendererPid) {
  for (let i = 0; i < 2; i++) await pageSession.send('HeapProfiler.collectGarbage');
  await sleep(500);
  const metrics = Object.fromEntries((await pageSession.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const gpu = (await browserSession.send('SystemInfo.getProcessInfo')).processInfo.find((p) => p.type === 'GPU');
  const r = processMemory(rendererPid);
  const g = gpu ? processMemory(gpu.id) : { rss: NaN, pss: NaN };
  return { jsHeapMiB: round(metrics.JSHeapUsedSize / MiB), rendererRssMiB: round(r.rss / MiB), rendererPssMiB: round(r.pss / MiB), gpuRssMiB: round(g.rss / MiB), gpuPssMiB: round(g.pss / MiB), domNodes: metrics.Nodes };
}

const minus = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, round(a[k] - b[k])]));

// ---- one run --------------------------------------------------------------------------------------------------

async function runOnce({ build, extensionPath, ws, harness, tmp }) {
  const { startCodeServer, launchChromium } = harness;
  const runDir = fs.mkdtempSync(path.join(tmp, `run-${build}-${ws.notes}-`));
  let server;
  let browser;
  try {
    server = await startCodeServer({ extensionsDir: sideLoad(path.join(runDir, 'extensions'), extensionPath), userDataDir: makeProfile(path.join(runDir, 'user-data')), smokeTestDriver: false });
    browser = await launchChromium(server.sandboxEnv);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const palette = async (command) => {
      await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input.input').first().fill(`>${command}`);
      const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first();
      await entry.waitFor({ timeout: WAIT_MS });
      return entry;
    };
    await openWorkbench(page, server.url, ws.dir);
    await page.locator('.part.statusbar .statusbar-item[id$="cairn.openTasks"]').waitFor({ timeout: WAIT_MS });
    await settle(page);
    await (await palette('View: Close Primary Side Bar')).click();
    await sleep(1000);
    const browserSession = await browser.newBrowserCDPSession();
    const pageSession = await page.context().newCDPSession(page);
    await pageSession.send('Performance.enable');
    const rendererPid = await rendererOf(browserSession, page);
    const before = await memory(pageSession, browserSession, rendererPid);

    const entry = await palette('Cairn: Show Knowledge Graph');
    const t0 = Date.now();
    await entry.click();
    let frame;
    for (const deadline = Date.now() + WAIT_MS; !frame; ) {
      for (const f of page.frames()) if (await f.locator('body[data-app="knowledgeGraph"]').count().catch(() => 0)) frame = f;
      if (!frame && Date.now() > deadline) throw new Error('no knowledge graph page among the frames');
      if (!frame) await sleep(50);
    }
    const pageAt = Date.now() - t0;
    // Every animation frame of the page from here until the layout is still.
    await frame.evaluate(() => {
      const times = (window.__benchFrames = []);
      const ends = (window.__benchFrameEnds = []);
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        times.push(now - last);
        ends.push(now);
        last = now;
        if (!window.__benchStop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const data = (key) => frame.evaluate((k) => document.body.dataset[k] ?? null, key);
    const until = async (what, test) => {
      for (const deadline = Date.now() + WAIT_MS; ; ) {
        const v = await test();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    };
    const seq = await until('the first graph painted', () => data('paintedSeq'));
    const firstFrameMs = Date.now() - t0;
    const drawn = await frame.evaluate(() => ({ nodes: Number(document.body.dataset.nodes), edges: Number(document.body.dataset.edges), drawMs: Number(document.body.dataset.drawMs ?? NaN) }));
    const layout = drawn.nodes ? JSON.parse(await until('a still layout', async () => ((await data('laidOut')) === seq ? data('layout') : null))) : null;
    const stableLayoutMs = Date.now() - t0;
    // A big graph's edges are drawn once it is still: until every one is, the frames count as the edges' showing.
    // (A build from before the sliced edges says neither.)
    const edgesShownAt = drawn.nodes && (await data('laidOutAtMs')) !== null
      ? await until('every edge drawn', async () => {
          const d = JSON.parse((await data('edgesDrawn')) ?? 'null');
          return d && d.atMs >= Number(await data('laidOutAtMs')) ? d : null;
        })
      : null;
    const showEdgesMs = Number((await data('showEdgesMs')) ?? NaN);
    const { duringLayout, edgesShown } = await frame.evaluate(([shownAt]) => {
      window.__benchStop = true;
      const laidOutAt = Number(document.body.dataset.laidOutAtMs ?? Infinity);
      const frames = window.__benchFrames.map((dt, i) => ({ dt, end: window.__benchFrameEnds[i] })).slice(1);
      const stats = (xs) => {
        const f = xs.map((x) => x.dt).sort((a, b) => a - b);
        const at = (q) => f[Math.min(f.length - 1, Math.floor(f.length * q))] ?? 0;
        return { frames: f.length, p50: at(0.5), p95: at(0.95), max: f[f.length - 1] ?? 0, over100ms: f.filter((x) => x > 100).length };
      };
      // The frame that ends just after the edges are whole is theirs too (it shows the last slice).
      const after = frames.filter((x) => x.end > laidOutAt);
      const lastShown = after.findIndex((x) => shownAt !== null && x.end >= shownAt.atMs);
      const showing = lastShown < 0 ? after : after.slice(0, lastShown + 1);
      return {
        duringLayout: stats(frames.filter((x) => x.end <= laidOutAt)),
        edgesShown: shownAt && { ms: shownAt.atMs - laidOutAt, slices: shownAt.slices, longestFrameMs: stats(showing).max },
      };
    }, [edgesShownAt]);
    await sleep(1000);
    const motion = async (kind) => {
      await frame.evaluate(() => {
        delete document.body.dataset.panFrames;
        delete document.body.dataset.zoomFrames;
      });
      await frame.evaluate(([m, n]) => window.postMessage({ type: 'measurePan', token: 'bench', frames: n, motion: m }, '*'), [kind, FRAMES]);
      const got = await until(`${kind} frame times`, async () => (await data('zoomFrames')) ?? (await data('panFrames')));
      // A page that knows no zoom pans instead (and says so as panFrames).
      if (kind === 'zoom' && !(await data('zoomFrames'))) return null;
      const f = JSON.parse(got);
      return { p50: round(f.p50), p95: round(f.p95), stop: f.stop && { edgesMs: round(f.stop.edgesMs), longestFrameMs: round(f.stop.longestFrameMs), frames: f.stop.frames } };
    };
    const pan = await motion('pan');
    await sleep(500);
    const zoom = await motion('zoom');
    await sleep(500);
    const shown = await memory(pageSession, browserSession, rendererPid);
    return {
      build,
      notes: ws.notes,
      ...drawn,
      pageMs: pageAt,
      firstFrameMs,
      stableLayoutMs,
      layout: layout && { ms: round(layout.ms), iterations: layout.iterations, in: layout.layoutIn },
      duringLayout: Object.fromEntries(Object.entries(duringLayout).map(([k, v]) => [k, round(v)])),
      edgesShown: edgesShown && { ...edgesShown, ms: round(edgesShown.ms), longestFrameMs: round(edgesShown.longestFrameMs), showEdgesMs: round(showEdgesMs) },
      pan,
      zoom,
      memory: { before, shown, webview: minus(shown, before) },
    };
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
  }
}

// ---- main -----------------------------------------------------------------------------------------------------

async function main() {
  ensureBuilt({ log });
  const { harness, vscodeVersion, codeServerVersion, chromium } = await readyHarness(ROOT, log);
  const loadAtStart = os.loadavg().map((l) => round(l, 2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-graph-bench-'));
  try {
    const workspaces = {};
    const views = {};
    for (const notes of SIZES) {
      log(`indexing a generated vault of ${notes} notes`);
      workspaces[notes] = makeWorkspace(path.join(tmp, `ws-${notes}`), notes);
      views[notes] = await timeGraphView(workspaces[notes].store);
      log(`  indexed in ${workspaces[notes].indexMs} ms; graph.view ${JSON.stringify(views[notes])}`);
    }
    const builds = [['current', ROOT], ...(BASELINE ? [['baseline', BASELINE]] : [])];
    const runs = [];
    for (let i = 0; i < REPEATS; i++) {
      for (const notes of SIZES) {
        for (const [build, extensionPath] of i % 2 ? [...builds].reverse() : builds) {
          log(`run ${i + 1}/${REPEATS}: ${notes} notes, ${build} (load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
          // One session that fails (a webview that never paints) is recorded and left out of the medians.
          const r = await runOnce({ build, extensionPath, ws: workspaces[notes], harness, tmp }).catch((err) => ({ build, notes, error: String(err?.message ?? err) }));
          log(`  ${JSON.stringify(r)}`);
          runs.push(r);
        }
      }
    }

    const med = (build, notes, get) => {
      const xs = runs.filter((r) => r.build === build && r.notes === notes && !r.error).map(get);
      return round(median(xs.filter((x) => x != null)));
    };
    const medians = {};
    for (const [build] of builds) {
      medians[build] = {};
      for (const notes of SIZES) {
        medians[build][notes] = {
          nodes: med(build, notes, (r) => r.nodes),
          edges: med(build, notes, (r) => r.edges),
          firstFrameMs: med(build, notes, (r) => r.firstFrameMs),
          pageDrawMs: med(build, notes, (r) => r.drawMs),
          stableLayoutMs: med(build, notes, (r) => r.stableLayoutMs),
          layoutMs: med(build, notes, (r) => r.layout?.ms),
          layoutIterations: med(build, notes, (r) => r.layout?.iterations),
          layoutFrameP50Ms: med(build, notes, (r) => r.duringLayout.p50),
          layoutFrameP95Ms: med(build, notes, (r) => r.duringLayout.p95),
          layoutFrameMaxMs: med(build, notes, (r) => r.duringLayout.max),
          edgesShownMs: med(build, notes, (r) => r.edgesShown?.ms),
          edgesShownLongestFrameMs: med(build, notes, (r) => r.edgesShown?.longestFrameMs),
          panStopEdgesMs: med(build, notes, (r) => r.pan?.stop?.edgesMs),
          panStopLongestFrameMs: med(build, notes, (r) => r.pan?.stop?.longestFrameMs),
          panP50Ms: med(build, notes, (r) => r.pan?.p50),
          panP95Ms: med(build, notes, (r) => r.pan?.p95),
          zoomP50Ms: med(build, notes, (r) => r.zoom?.p50),
          zoomP95Ms: med(build, notes, (r) => r.zoom?.p95),
          webviewJsHeapMiB: med(build, notes, (r) => r.memory.webview.jsHeapMiB),
          webviewRendererRssMiB: med(build, notes, (r) => r.memory.webview.rendererRssMiB),
          webviewRendererPssMiB: med(build, notes, (r) => r.memory.webview.rendererPssMiB),
          webviewGpuRssMiB: med(build, notes, (r) => r.memory.webview.gpuRssMiB),
          rendererRssMiB: med(build, notes, (r) => r.memory.shown.rendererRssMiB),
          graphViewMs: views[notes].ms,
        };
      }
    }

    const row = (metric, value, baseline, unit) => ({ metric, value, baseline, ratio: value != null && baseline ? round(value / baseline, 2) : null, unit });
    const k = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
    const cur = medians.current;
    const empty = SIZES.includes(0) ? 0 : null;
    const summary = [];
    for (const notes of SIZES.filter((n) => n > 0)) {
      const m = cur[notes];
      // Times: with a baseline build, each row's baseline is that build's figure; else the empty page's.
      const base = (key) => (BASELINE ? medians.baseline[notes][key] : empty !== null ? cur[empty][key] : null);
      // Memory always against the empty page (the baseline the webview's own cost is read from).
      const emptyPage = (key) => (empty !== null ? cur[empty][key] : null);
      summary.push(
        row(`graph @${k(notes)}: pan frame p50 (${m.nodes} nodes, ${m.edges} edges)`, m.panP50Ms, base('panP50Ms'), 'ms'),
        row(`graph @${k(notes)}: pan frame p95`, m.panP95Ms, base('panP95Ms'), 'ms'),
        row(`graph @${k(notes)}: zoom frame p50`, m.zoomP50Ms, base('zoomP50Ms'), 'ms'),
        row(`graph @${k(notes)}: zoom frame p95`, m.zoomP95Ms, base('zoomP95Ms'), 'ms'),
        row(`graph @${k(notes)}: palette → first frame`, m.firstFrameMs, base('firstFrameMs'), 'ms'),
        row(`graph @${k(notes)}: palette → stable layout`, m.stableLayoutMs, base('stableLayoutMs'), 'ms'),
        row(`graph @${k(notes)}: longest frame while laying out`, m.layoutFrameMaxMs, base('layoutFrameMaxMs'), 'ms'),
        row(`graph @${k(notes)}: frame p95 while laying out`, m.layoutFrameP95Ms, base('layoutFrameP95Ms'), 'ms'),
        row(`graph @${k(notes)}: layout still → every edge drawn`, m.edgesShownMs, base('edgesShownMs'), 'ms'),
        row(`graph @${k(notes)}: longest frame until every edge is drawn`, m.edgesShownLongestFrameMs, base('edgesShownLongestFrameMs'), 'ms'),
        row(`graph @${k(notes)}: pan stops → every edge drawn again`, m.panStopEdgesMs, base('panStopEdgesMs'), 'ms'),
        row(`graph @${k(notes)}: longest frame after the pan stops`, m.panStopLongestFrameMs, base('panStopLongestFrameMs'), 'ms'),
        row(`graph @${k(notes)}: webview JS heap (vs the empty page)`, m.webviewJsHeapMiB, emptyPage('webviewJsHeapMiB'), 'MiB'),
        row(`graph @${k(notes)}: renderer process RSS added (vs the empty page)`, m.webviewRendererRssMiB, emptyPage('webviewRendererRssMiB'), 'MiB'),
        row(`graph @${k(notes)}: GPU process RSS added (vs the empty page)`, m.webviewGpuRssMiB, emptyPage('webviewGpuRssMiB'), 'MiB'),
        row(`graph.view @${k(notes)} (whole store, in-process)`, m.graphViewMs, null, 'ms'),
      );
    }
    const result = {
      name: 'vscode-graph',
      description: `Cairn's knowledge graph in the real VS Code (code-server ${codeServerVersion} = VS Code ${vscodeVersion}, headless chromium, software WebGL) ` +
        `at ${SIZES.join(', ')} generated notes (${LINKS} links each): pan and zoom frame times, frames while laying out, palette → first frame and → stable layout, ` +
        `the webview's memory (vs the same page with nothing to draw), graph.view. Medians of REPEATS fresh sessions${BASELINE ? '; baseline = another build, interleaved' : ''}.`,
      params: { sizes: SIZES, repeats: REPEATS, frames: FRAMES, viewport: '1400x900', statistic: 'median', baselineBuild: BASELINE },
      environment: { vscode: vscodeVersion, codeServer: codeServerVersion, chromium, node: process.version, cpus: os.cpus().length, loadAtStart, loadAtEnd: os.loadavg().map((l) => round(l, 2)) },
      index: Object.fromEntries(SIZES.map((n) => [n, { notes: n, links: workspaces[n].links, ms: workspaces[n].indexMs }])),
      graphView: views,
      definitions: {
        firstFrameMs: "the palette entry's click → the page's data-painted-seq set (two animation frames after the graph was drawn), polled every 50 ms",
        pageDrawMs: 'inside the page: the graph message arrived → painted (building the graph, sigma\'s first draw)',
        stableLayoutMs: 'the click → the layout still (data-laid-out), polled every 50 ms',
        layoutFrame: "every requestAnimationFrame interval of the page from the page's appearance until the layout is still",
        edgesShown: "a big graph's edges, drawn once the layout is still: the layout still (data-laid-out-at-ms) → the last slice of edges drawn (data-edges-drawn), and the longest animation frame between (sigma reading every edge, then a slice a frame)",
        panStop: 'after the pan: the camera stopped → every edge drawn again, and the longest frame between',
        pan: `the page's measurePan: ${FRAMES} frames of camera moves with sigma's mouse captor marked moving (as during a drag), each frame's interval`,
        zoom: `the same, the camera's ratio going ×0.35–×2.8 (as a wheel)`,
        webview: 'memory with the graph shown and laid out minus before it was opened, each after a forced GC: JS heap of the renderer (the workbench and its webviews share it), RSS and PSS of the renderer and GPU processes',
        graphView: 'the whole store through src/store graphView, pages of 20,000 nodes as the panel asks, median of REPEATS after one warm-up',
      },
      medians,
      runs,
      summary,
    };
    const json = JSON.stringify(result, null, 2) + '\n';
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(OUT, json);
    if (process.env.CAIRN_BENCH_OUT) fs.writeFileSync(process.env.CAIRN_BENCH_OUT, json);
    const lines = [['metric', 'value', 'baseline', 'ratio', 'unit'], ...summary.map((s) => [s.metric, s.value, s.baseline, s.ratio == null ? '' : `${s.ratio}x`, s.unit])];
    const w = lines[0].map((_, i) => Math.max(...lines.map((l) => String(l[i] ?? '').length)));
    console.log(`\nvscode-graph — VS Code ${vscodeVersion} (code-server), ${SIZES.join(', ')} notes, median of ${REPEATS}; load ${loadAtStart.join(' ')} → ${result.environment.loadAtEnd.join(' ')}\n`);
    for (const l of lines) console.log(l.map((c, i) => (i ? String(c ?? '').padStart(w[i]) : String(c).padEnd(w[i]))).join('  '));
    for (const [build, m] of Object.entries(medians)) for (const notes of SIZES) console.log(`\n${build} @${notes}: ${JSON.stringify(m[notes])}`);
    console.log(`\nWrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((err) => {
  console.error(`[vscode-graph] ${err?.stack ?? err}`);
  process.exit(1);
});
