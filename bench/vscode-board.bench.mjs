#!/usr/bin/env node
// The task board's and the task editor's costs in the real VS Code (issue 13, "Measured"), against opening the
// Projects tree and VS Code's own text editor in the same run.
//
// The real VS Code is the test harness's code-server (VS Code web workbench + Node extension host, see
// test/harness/README.md) driven by headless chromium, with Cairn side-loaded from this checkout. Two stores of one
// project each, 1,000 and 10,000 tasks (statuses spread, 6 sprints, 5 assignees, tags, acceptance criteria on every
// 4th task, dependencies on every 10th, estimates), seeded once through src/store and copied fresh for every run.
// Each store is opened REPEATS times, the sizes interleaved; each run is a fresh code-server, profile and browser.
//
// Per run, in order:
//   (a) baseline, the Projects tree: click on the Cairn activity-bar icon → the project row painted; click on the
//       project's twistie → its first task row painted (bench/paintProbe.mjs: mousedown → the frame after the row is
//       in the DOM, all in the workbench page). Then Quick Open (Ctrl+P) "README.md" → the text editor's first line
//       painted (VS Code's own editor: the baseline for the task editor).
//   (b) the palette's "Cairn: Open Task Board" entry clicked → the first card painted inside the board's webview. This
//       is the window's first webview, which also pays for VS Code's webview machinery (service worker, the webview's
//       outer page): so (b) is measured again at the end, after View: Close All Editors, against VS Code's own
//       Markdown preview of README.md (Markdown: Open Preview → its heading painted) opened the same way.
//   (c) a card dragged with the mouse from Pending to In progress: from the drop (the webview's `drop` event, fired on
//       the mouse release) to the frame after the card is drawn in its new column (the optimistic move), and to the
//       host's `moveResult` arriving (the store committed tasks.update; on success the board changes nothing visible
//       then: the card is already where it was dropped). Then `cairn task show` must hold the move.
//   (d) the editor: a double click on a card (the board's "open") → the editor's form painted with its title field
//       filled (the page no longer aria-busy); and a click on a task row of the Projects tree → the same.
//   (e) the dashboard (issue 14): the palette's "Cairn: Open Dashboard" clicked → every chart drawn and on screen (the
//       page marks its body with data-painted-ms two frames after drawing them), against the Markdown preview.
//
// How (b), (d) and (e) are timed: the webview's page does not exist when the click happens, so the clock starts in the
// page where the click is (its event's timeStamp) and stops in the webview, measured there: an init script
// (page.addInitScript runs in every frame at its creation) is active in each webview's outer frame
// (webview/browser/pre/index.html) and watches the page's content frame, which VS Code fills with document.write
// (that drops anything an init script put in the content frame itself; the frames share the workbench's origin),
// with a MutationObserver on the page's body and on every animation frame, for the first card / the filled title
// field, and stops the clock after the frame that shows it (rAF, then a message-channel task). Both sides read
// performance.timeOrigin + performance.now(); each frame's offset from Date.now() is read too and the difference
// (the skew, reported; ~0 here, one renderer process) is taken out. It also notes when the page's document is there
// (body[data-app]), which splits VS Code's share (webview creation) from the page's own (script, the host's answers,
// drawing). (c) is measured inside the board's page alone, on its own clock.
//
// Webview bundle sizes: dist/webviews/<app>.js and .css as built now (the development build) and minified as
// `npm run package` ships them (built here with the same esbuild options into a temp folder), raw and gzip.
//
// Run: `node bench/vscode-board.bench.mjs` or `npm run bench -- board` (builds dist/ if stale, the harness on first
// use). Writes bench/results/vscode-board.json, and the same JSON to $CAIRN_BENCH_OUT when set (scripts/bench.mjs
// convention: a `summary` array of { metric, value, baseline, ratio, unit }).
// Env: BENCH_SIZES (1000,10000), BENCH_REPEATS (3), BENCH_WAIT_MS (limit for waiting on a webview, 120000),
// CAIRN_KEEP_TMP=1 (keep the temp folders), CHROMIUM.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { makeBenchWorkspace, readyHarness, clickAndMeasure, median, round, settle, sleep, WAIT } from './paintProbe.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const OUT = path.join(RESULTS_DIR, 'vscode-board.json');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PROJECT = 'Bench project';
const APPS = ['taskBoard', 'taskEditor', 'dashboard'];

const { ensureBuilt, makeProfile, sideLoad, openWorkbench, CLI } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));
const log = (m) => console.error(`[vscode-board] ${m}`);

// ---- stores ---------------------------------------------------------------------------------------------------


/** One project of `count` tasks as a team's would look, written through the store's repositories in one transaction. */
async function seedStore(storeDir, count) {
  const { tsImport } = await import('tsx/esm/api');
  const src = (p) => tsImport(path.join(ROOT, 'src', 'store', p), import.meta.url);
  const [{ Store }, { createProject }, { createTask }, { createSprint }] = await Promise.all([src('store.ts'), src('projects.ts'), src('tasks.ts'), src('sprints.ts')]);
  const who = { actor: 'bench', source: 'cli' };
  // pending 35 %, in progress 15 %, blocked 10 %, done 30 %, cancelled 10 %
  const statuses = ['pending', 'pending', 'pending', 'pending', 'pending', 'pending', 'pending', 'in_progress', 'in_progress', 'in_progress',
    'blocked', 'blocked', 'done', 'done', 'done', 'done', 'done', 'done', 'cancelled', 'cancelled'];
  const priorities = ['medium', 'medium', 'high', 'low', 'medium', 'urgent', 'low'];
  const assignees = ['alice', 'bob', 'carol', 'dana', 'coder', null];
  const tags = ['ui', 'api', 'infra', 'docs', 'auth', 'perf', 'bug', 'later'];
  const store = await Store.open(storeDir);
  try {
    const started = performance.now();
    await store.write(async (orm) => {
      const project = await createProject(orm, who, { name: PROJECT, description: `${count} tasks` });
      const sprints = [];
      for (let s = 1; s <= 6; s++) sprints.push(await createSprint(orm, who, { projectId: project.id, name: `Sprint ${s}`, goal: `Goal of sprint ${s}` }));
      const ids = [];
      for (let i = 1; i <= count; i++) {
        const dependsOn = i % 10 === 0 ? [ids[i - 2], ids[i - 4]].filter(Boolean) : [];
        const task = await createTask(orm, who, {
          projectId: project.id,
          // 60 % in a sprint, the rest in the project's backlog (directly under the project in the tree)
          sprintId: i % 5 < 3 ? sprints[i % sprints.length].id : null,
          title: `Task ${String(i).padStart(5, '0')}: ${['design', 'build', 'test', 'document', 'review'][i % 5]} part ${i % 97}`,
          description: i % 3 === 0 ? `Notes on task ${i}, long enough to look like a real description of a piece of work.` : '',
          status: statuses[i % statuses.length],
          priority: priorities[i % priorities.length],
          assignee: assignees[i % assignees.length],
          tags: [tags[i % tags.length], ...(i % 3 === 0 ? [tags[(i * 7) % tags.length]] : [])].filter((t, k, a) => a.indexOf(t) === k),
          estimatedMinutes: i % 4 === 0 ? 30 * (1 + (i % 8)) : null,
          criteria: i % 4 === 1 ? ['Works as described', 'Has a test', ...(i % 8 === 1 ? ['Documented'] : [])] : [],
          dependsOn,
        });
        ids.push(task.id);
      }
    });
    return performance.now() - started;
  } finally {
    await store.close();
  }
}

function cli(store, ...args) {
  const r = spawnSync(process.execPath, [CLI, '--store', store, '--json', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

// ---- bundle sizes ---------------------------------------------------------------------------------------------

function sizesOf(dir) {
  const out = {};
  for (const app of APPS) {
    for (const ext of ['js', 'css']) {
      const file = path.join(dir, `${app}.${ext}`);
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      out[`${app}.${ext}`] = { bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
    }
  }
  return out;
}

/** The webview bundles minified, as `node esbuild.mjs --production` builds them (the options of esbuild.mjs's webview build). */
async function productionWebviews(outdir) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
    entryPoints: Object.fromEntries(APPS.map((a) => [a, path.join(ROOT, 'src', 'webviews', a, 'main.ts')])),
    outdir,
    absWorkingDir: ROOT,
  });
  return sizesOf(outdir);
}

// ---- probes ---------------------------------------------------------------------------------------------------

/**
 * Runs in every frame at its creation (page.addInitScript); active only in a webview's outer frame
 * (webview/browser/pre/index.html), which holds the page's content frame: VS Code writes the page into that one with
 * document.open/write, which also drops whatever an init script put there, so the outer frame (same origin) watches
 * its content frames instead. Records, on the absolute clock (timeOrigin + now), when the page's document is there,
 * when the board's first card / the editor's filled title field is first in the page and when the frame showing it
 * has been painted.
 */
function webviewProbe() {
  if (!/\/webview\/browser\/pre\/index\.html$/.test(location.pathname) || window.__cairnProbe) return;
  const now = () => performance.timeOrigin + performance.now();
  const p = (window.__cairnProbe = { app: '', page: 0, card: 0, cardPaint: 0, cardId: '', form: 0, formPaint: 0, title: '', preview: 0, previewPaint: 0, charts: 0, chartsPaint: 0, via: {} });
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  // Inside an animation frame the page is about to be painted: the task after it comes after the paint.
  const afterPaint = (inFrame, set) => {
    const post = () => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => set(now());
      ch.port2.postMessage(0);
    };
    if (inFrame) post();
    else requestAnimationFrame(post);
  };
  let observed = null;
  const check = (inFrame) => {
    for (const iframe of document.querySelectorAll('iframe')) {
      let doc;
      try { doc = iframe.contentDocument; } catch { continue; }
      const app = doc && doc.body && doc.body.getAttribute('data-app');
      if (!app) {
        // VS Code's own Markdown preview (the baseline webview): its first heading.
        const h1 = doc && doc.body && !p.preview && doc.querySelector('h1');
        if (h1 && (h1.textContent || '').includes('Bench workspace') && visible(h1)) {
          p.preview = now();
          p.via.preview = inFrame ? 'frame' : 'mutation';
          afterPaint(inFrame, (t) => (p.previewPaint = t));
        } else if (doc && doc.body && observed !== doc.body && !p.preview) {
          observed = doc.body;
          new MutationObserver(() => check(false)).observe(doc.body, { childList: true, subtree: true });
        }
        continue;
      }
      if (!p.page) {
        p.page = now();
        p.app = app;
      }
      if (observed !== doc.body) {
        // The page's document is there: a MutationObserver on it sees the card land between animation frames.
        observed = doc.body;
        new MutationObserver(() => check(false)).observe(doc.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy', 'data-painted-ms'] });
      }
      // The dashboard marks its body once every chart of an answer is drawn and two frames have passed (on screen).
      if (app === 'dashboard' && !p.charts && doc.body.dataset.paintedMs) {
        p.charts = now();
        p.via.charts = inFrame ? 'frame' : 'mutation';
        afterPaint(inFrame, (t) => (p.chartsPaint = t));
      }
      if (app === 'taskBoard' && !p.card) {
        const card = [...doc.querySelectorAll('.card[data-id]')].find(visible);
        if (card) {
          p.card = now();
          p.cardId = card.getAttribute('data-id');
          p.via.card = inFrame ? 'frame' : 'mutation';
          afterPaint(inFrame, (t) => (p.cardPaint = t));
        }
      }
      if (app === 'taskEditor' && !p.form) {
        const title = doc.querySelector('vscode-textfield#title');
        // The title field is filled by a property (not an attribute): seen on the frame after lit renders it.
        if (title && title.value && !doc.querySelector('.editor[aria-busy]') && visible(title)) {
          p.form = now();
          p.title = title.value;
          p.via.form = inFrame ? 'frame' : 'mutation';
          afterPaint(inFrame, (t) => (p.formPaint = t));
        }
      }
    }
  };
  const until = now() + 300_000;
  const tick = () => {
    check(true);
    if (!(p.cardPaint || p.formPaint || p.previewPaint || p.chartsPaint) && now() < until) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** This frame's absolute clock minus Date.now() (ms): differences between frames are the clock skew to take out. */
const clockOffset = (frame) => frame.evaluate(() => {
  // The median of a few readings, each within the same millisecond of Date.now().
  const xs = [];
  for (let i = 0; i < 9; i++) xs.push(performance.timeOrigin + performance.now() - Date.now());
  return xs.sort((a, b) => a - b)[4];
});

/** Arms the workbench page: its next mousedown's time, on the absolute clock. */
const armClick = (page) => page.evaluate(() => {
  window.__clickAt = 0;
  window.addEventListener('mousedown', (e) => { window.__clickAt = performance.timeOrigin + e.timeStamp; }, { capture: true, once: true });
});

/** The webview content frames that have the probe, with its state. */
async function probedFrames(page) {
  const found = [];
  for (const f of page.frames()) {
    const p = await f.evaluate(() => window.__cairnProbe ?? null).catch(() => null);
    if (p) found.push({ frame: f, probe: p });
  }
  return found;
}

async function waitForProbe(page, test, what, fresh = async () => true) {
  const deadline = Date.now() + Number(process.env.BENCH_WAIT_MS ?? WAIT);
  for (;;) {
    for (const hit of (await probedFrames(page)).filter(({ probe }) => test(probe))) if (await fresh(hit.probe)) return hit;
    if (Date.now() > deadline) {
      const frames = await Promise.all(page.frames().map(async (f) => `${f.url().slice(0, 120)} probe=${JSON.stringify(await f.evaluate(() => [window.__cairnProbe ?? null, document.body?.getAttribute('data-app'), location.pathname]).catch((e) => String(e).slice(0, 80)))}`));
      throw new Error(`timed out waiting for ${what}; frames:\n${frames.join('\n')}`);
    }
    await sleep(50);
  }
}

/** The content frame of a webview page (the one whose body the host marks with data-app). */
async function appFrame(page, app) {
  for (const f of page.frames()) {
    if (await f.locator(`body[data-app="${app}"]`).count().catch(() => 0)) return f;
  }
  throw new Error(`no ${app} page among the frames`);
}

/** The palette's "Cairn: Open Task Board" clicked → the board's first card painted (its page's probe). */
async function openBoard(page) {
  const entry = await palette(page, 'Cairn: Open Task Board');
  await armClick(page);
  await entry.click();
  const clickAt = () => page.evaluate(() => window.__clickAt);
  const board = await waitForProbe(page, (p) => p.cardPaint > 0 && p.page > 0, "the board's first card", async (p) => p.page > (await clickAt()));
  const at = await clickAt();
  const skew = (await clockOffset(board.frame)) - (await clockOffset(page.mainFrame()));
  return {
    toPageMs: round(board.probe.page - skew - at),
    toDomMs: round(board.probe.card - skew - at),
    toPaintMs: round(board.probe.cardPaint - skew - at),
    seen: board.probe.via.card,
    clockSkewMs: round(skew, 2),
  };
}

// ---- one run --------------------------------------------------------------------------------------------------

async function palette(page, text) {
  await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input').first();
  await input.waitFor({ timeout: WAIT });
  await input.fill(`>${text}`);
  const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await entry.waitFor({ timeout: WAIT });
  return entry;
}

async function runOnce({ size, template, harness, tmp, run }) {
  const { startCodeServer, launchChromium } = harness;
  const runDir = fs.mkdtempSync(path.join(tmp, `run-${size}-`));
  const workspace = path.join(runDir, 'ws');
  fs.cpSync(template, workspace, { recursive: true });
  const store = path.join(workspace, '.cairn');
  const userDataDir = makeProfile(path.join(runDir, 'user-data'));
  const extensionsDir = sideLoad(path.join(runDir, 'extensions'));
  let server;
  let browser;
  try {
    server = await startCodeServer({ extensionsDir, userDataDir, smokeTestDriver: false });
    browser = await launchChromium(server.sandboxEnv);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(webviewProbe);
    const sidebar = page.locator('.part.sidebar');
    const r = { size, run };

    await openWorkbench(page, server.url, workspace);
    await page.locator('.part.statusbar .statusbar-item[id$="cairn.openTasks"]', { hasText: /\d+ open/ }).waitFor({ timeout: WAIT });
    await sidebar.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WAIT });
    await settle(page);

    // (a) the Projects tree: the Cairn icon → the project row; its twistie → its first task row
    const cairnIcon = page.locator('.part.activitybar .action-label[aria-label="Cairn"]');
    r.treeProject = await clickAndMeasure(page, cairnIcon, '.part.sidebar .monaco-list-row .label-name', PROJECT);
    await sleep(500);
    const projectRow = sidebar.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: PROJECT }) }).first();
    r.treeExpand = await clickAndMeasure(page, projectRow.locator('.monaco-tl-twistie'), '.part.sidebar .monaco-list-row .label-name', 'Task ');
    await sleep(1000);

    // baseline for the editor: Quick Open README.md → its first line painted in VS Code's text editor
    await page.keyboard.press('Control+P');
    const quickOpen = page.locator('.quick-input-widget input.input').first();
    await quickOpen.waitFor({ timeout: WAIT });
    await quickOpen.fill('README.md');
    const readme = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'README.md' }).first();
    await readme.waitFor({ timeout: WAIT });
    // (the editor renders spaces as no-break spaces: one word is matched)
    r.textEditor = await clickAndMeasure(page, readme, '.part.editor .monaco-editor .view-line', 'Bench');
    await sleep(1000);

    // (b) the palette → the board's first card painted (measured in the board's page)
    r.boardOpen = await openBoard(page);
    const frame = await appFrame(page, 'taskBoard');
    const column = (status) => frame.locator(`section.column[data-status="${status}"]`);
    await column('in_progress').locator('.card[data-id]').first().waitFor({ timeout: WAIT });
    r.columnCounts = Object.fromEntries(await Promise.all(['pending', 'in_progress', 'blocked', 'done'].map(async (s) => [s, Number((await column(s).locator('.count').innerText()).trim())])));
    await sleep(1500); // let the board's follow-up queries (the store's first change notices, facets) settle

    // (c) drag the first Pending card onto In progress: drop → drawn there; drop → the store's answer
    const moved = column('pending').locator('.card[data-id][aria-posinset="1"]');
    const movedId = await moved.getAttribute('data-id');
    const movedTitle = (await moved.locator('.title').innerText()).trim();
    await frame.evaluate((id) => {
      const now = () => performance.timeOrigin + performance.now();
      const m = (window.__dropProbe = { drop: 0, shown: 0, shownPaint: 0, ack: 0, ackPaint: 0, ok: null });
      const afterPaint = (set) => requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => set(now());
        ch.port2.postMessage(0);
      });
      window.addEventListener('drop', (e) => { m.drop = performance.timeOrigin + e.timeStamp; }, { capture: true, once: true });
      const target = () => document.querySelector(`section.column[data-status="in_progress"] .card[data-id="${CSS.escape(id)}"]`);
      const obs = new MutationObserver(() => {
        if (!m.drop || m.shown || !target()) return;
        m.shown = now();
        obs.disconnect();
        afterPaint((t) => (m.shownPaint = t));
      });
      obs.observe(document.body, { childList: true, subtree: true });
      // Added after the board's own listener, so it runs after the board has handled the answer.
      window.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'moveResult' && !m.ack) {
          m.ack = now();
          m.ok = e.data.ok;
          m.message = e.data.message;
          afterPaint((t) => (m.ackPaint = t));
        }
      });
    }, movedId);
    await moved.dragTo(column('in_progress'));
    await frame.waitForFunction(() => window.__dropProbe.ackPaint > 0 && window.__dropProbe.shownPaint > 0, null, { timeout: WAIT, polling: 50 });
    const d = await frame.evaluate(() => window.__dropProbe);
    if (!d.ok) throw new Error(`the store refused the move: ${d.message}`);
    const stored = cli(store, 'task', 'show', movedId);
    r.drop = {
      toShownMs: round(d.shownPaint - d.drop),
      toAckMs: round(d.ack - d.drop),
      toAckPaintMs: round(d.ackPaint - d.drop),
      taskId: movedId,
      storeStatus: stored.status,
    };
    if (stored.status !== 'in_progress') throw new Error(`task ${movedId} ("${movedTitle}") is ${stored.status} in the store after the acknowledged move`);
    await sleep(1500); // the store's change notice reloads the board's columns

    // (d) the editor from the board: double click on a card → the form painted, its title filled
    const opened = column('pending').locator('.card[data-id][aria-posinset="1"]');
    const openedTitle = (await opened.locator('.title').innerText()).trim();
    // The board's page goes (hidden webviews are dropped) as the editor opens: the click's time is kept in the
    // workbench page (same origin), on the board page's clock, with that clock's offset to the workbench's.
    const boardSkew = (await clockOffset(frame)) - (await clockOffset(page.mainFrame()));
    await frame.evaluate(() => {
      window.top.__dblAt = 0;
      window.addEventListener('dblclick', (e) => { window.top.__dblAt = performance.timeOrigin + e.timeStamp; }, { capture: true, once: true });
    });
    await opened.dblclick();
    const editor = await waitForProbe(page, (p) => p.formPaint > 0 && p.title === openedTitle, `the editor of "${openedTitle}"`);
    const dblAt = (await page.evaluate(() => window.__dblAt)) - boardSkew;
    const skewEditor = (await clockOffset(editor.frame)) - (await clockOffset(page.mainFrame()));
    r.editorFromBoard = {
      toPaintMs: round(editor.probe.formPaint - skewEditor - dblAt),
      toDomMs: round(editor.probe.form - skewEditor - dblAt),
      toPageMs: round(editor.probe.page - skewEditor - dblAt),
      seen: editor.probe.via.form,
      clockSkewMs: round(skewEditor, 2),
    };
    await sleep(1500);

    // (d) the editor from the tree: click on a task row → the form painted
    const taskRow = sidebar.locator('.monaco-list-row .label-name', { hasText: /^Task \d+/ }).nth(1);
    const rowTitle = (await taskRow.innerText()).trim();
    if (rowTitle === openedTitle) throw new Error('the tree row names the task already open');
    await armClick(page);
    await taskRow.click();
    const editor2 = await waitForProbe(page, (p) => p.formPaint > 0 && p.title === rowTitle, `the editor of "${rowTitle}"`);
    const treeClickAt = await page.evaluate(() => window.__clickAt);
    const skewEditor2 = (await clockOffset(editor2.frame)) - (await clockOffset(page.mainFrame()));
    r.editorFromTree = {
      toPaintMs: round(editor2.probe.formPaint - skewEditor2 - treeClickAt),
      toDomMs: round(editor2.probe.form - skewEditor2 - treeClickAt),
      toPageMs: round(editor2.probe.page - skewEditor2 - treeClickAt),
      seen: editor2.probe.via.form,
      clockSkewMs: round(skewEditor2, 2),
    };
    await sleep(1000);

    // (b) again, in a window that has shown webviews already: every editor closed, the board opened anew
    await (await palette(page, 'View: Close All Editors')).click();
    await page.locator('.part.editor .tab').first().waitFor({ state: 'detached', timeout: WAIT });
    await sleep(1000);
    r.boardReopen = await openBoard(page);
    await sleep(1000);

    // baseline for a webview opened in a warm window: VS Code's own Markdown preview of README.md → its heading painted
    await page.keyboard.press('Control+P');
    await quickOpen.waitFor({ timeout: WAIT });
    await quickOpen.fill('README.md');
    await readme.waitFor({ timeout: WAIT });
    await readme.click();
    await page.locator('.part.editor .monaco-editor .view-line', { hasText: 'Bench' }).first().waitFor({ timeout: WAIT });
    await sleep(1000);
    const previewEntry = page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^Markdown: Open Preview$/ }) });
    await palette(page, 'Markdown: Open Preview');
    await armClick(page);
    await previewEntry.first().click();
    const clickAt = () => page.evaluate(() => window.__clickAt);
    const preview = await waitForProbe(page, (p) => p.previewPaint > 0, 'the Markdown preview', async (p) => p.preview > (await clickAt()));
    const skew = (await clockOffset(preview.frame)) - (await clockOffset(page.mainFrame()));
    r.markdownPreview = { toPaintMs: round(preview.probe.previewPaint - skew - (await clickAt())), toDomMs: round(preview.probe.preview - skew - (await clickAt())), seen: preview.probe.via.preview };
    await sleep(1000);

    // (e) the palette → every chart of the dashboard painted (over this store's history)
    const dashboardEntry = await palette(page, 'Cairn: Open Dashboard');
    await armClick(page);
    await dashboardEntry.click();
    const dashboard = await waitForProbe(page, (p) => p.chartsPaint > 0 && p.app === 'dashboard', 'the dashboard\'s charts', async (p) => p.page > (await clickAt()));
    const dashSkew = (await clockOffset(dashboard.frame)) - (await clockOffset(page.mainFrame()));
    r.dashboardOpen = { toPaintMs: round(dashboard.probe.chartsPaint - dashSkew - (await clickAt())), toPageMs: round(dashboard.probe.page - dashSkew - (await clickAt())), seen: dashboard.probe.via.charts };
    return r;
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

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-board-'));
  try {
    const bundles = { development: sizesOf(path.join(ROOT, 'dist', 'webviews')), production: await productionWebviews(path.join(tmp, 'webviews-min')) };

    const templates = {};
    const seeds = {};
    for (const size of SIZES) {
      templates[size] = makeBenchWorkspace(path.join(tmp, `template-${size}`), '# Bench workspace\n\nA workspace for the board benchmark.\n');
      log(`seeding ${size} tasks through src/store (one transaction)`);
      seeds[size] = Math.round(await seedStore(path.join(templates[size], '.cairn'), size));
      log(`seeded in ${seeds[size]} ms`);
    }

    const runs = Object.fromEntries(SIZES.map((s) => [s, []]));
    for (let i = 0; i < REPEATS; i++) {
      for (const size of i % 2 ? [...SIZES].reverse() : SIZES) {
        log(`run ${i + 1}/${REPEATS}: ${size} tasks (load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
        const r = await runOnce({ size, template: templates[size], harness, tmp, run: i + 1 });
        log(`  ${JSON.stringify(r)}`);
        runs[size].push(r);
      }
    }

    const med = (size, get) => round(median(runs[size].map(get)));
    const medians = Object.fromEntries(SIZES.map((s) => [s, {
      runs: runs[s].length,
      treeProjectPaintMs: med(s, (r) => r.treeProject.toPaintMs),
      treeExpandPaintMs: med(s, (r) => r.treeExpand.toPaintMs),
      textEditorPaintMs: med(s, (r) => r.textEditor.toPaintMs),
      boardOpenPaintMs: med(s, (r) => r.boardOpen.toPaintMs),
      boardOpenDomMs: med(s, (r) => r.boardOpen.toDomMs),
      boardOpenPageMs: med(s, (r) => r.boardOpen.toPageMs),
      boardReopenPaintMs: med(s, (r) => r.boardReopen.toPaintMs),
      boardReopenPageMs: med(s, (r) => r.boardReopen.toPageMs),
      dropShownPaintMs: med(s, (r) => r.drop.toShownMs),
      dropAckMs: med(s, (r) => r.drop.toAckMs),
      dropAckPaintMs: med(s, (r) => r.drop.toAckPaintMs),
      editorFromBoardPaintMs: med(s, (r) => r.editorFromBoard.toPaintMs),
      editorFromTreePaintMs: med(s, (r) => r.editorFromTree.toPaintMs),
      markdownPreviewPaintMs: med(s, (r) => r.markdownPreview.toPaintMs),
      editorFromBoardPageMs: med(s, (r) => r.editorFromBoard.toPageMs),
      editorFromTreePageMs: med(s, (r) => r.editorFromTree.toPageMs),
      dashboardOpenPaintMs: med(s, (r) => r.dashboardOpen.toPaintMs),
    }]));
    const row = (metric, value, baseline, unit = 'ms') => ({ metric, value, baseline, ratio: value != null && baseline ? round(value / baseline, 2) : null, unit });
    const k = (s) => (s >= 1000 ? `${s / 1000}k` : String(s));
    const summary = [];
    for (const s of SIZES) {
      const m = medians[s];
      summary.push(
        row(`board: palette → first card painted @${k(s)} (first webview of the window) vs tree twistie → first task row`, m.boardOpenPaintMs, m.treeExpandPaintMs),
        row(`board: palette → first card painted @${k(s)}, opened again vs tree twistie`, m.boardReopenPaintMs, m.treeExpandPaintMs),
        row(`board: palette → first card painted @${k(s)}, opened again vs Markdown: Open Preview → heading painted`, m.boardReopenPaintMs, m.markdownPreviewPaintMs),
        row(`board: page's document there → first card painted @${k(s)}, opened again vs tree twistie`, round(median(runs[s].map((r) => r.boardReopen.toPaintMs - r.boardReopen.toPageMs))), m.treeExpandPaintMs),
        row(`board: drop → card painted in its new column @${k(s)} vs tree twistie`, m.dropShownPaintMs, m.treeExpandPaintMs),
        row(`board: drop → store's acknowledged write (moveResult) @${k(s)} vs tree twistie`, m.dropAckMs, m.treeExpandPaintMs),
        row(`editor: double click on a card → form painted @${k(s)} vs Quick Open README.md → text painted`, m.editorFromBoardPaintMs, m.textEditorPaintMs),
        row(`editor: click on a tree task row → form painted @${k(s)} vs Quick Open README.md`, m.editorFromTreePaintMs, m.textEditorPaintMs),
        row(`editor: click on a tree task row → form painted @${k(s)} vs Markdown: Open Preview → heading painted`, m.editorFromTreePaintMs, m.markdownPreviewPaintMs),
        row(`dashboard: palette → every chart painted @${k(s)} tasks vs Markdown: Open Preview → heading painted`, m.dashboardOpenPaintMs, m.markdownPreviewPaintMs),
      );
    }
    for (const app of ['taskBoard', 'taskEditor', 'dashboard']) {
      const p = bundles.production[`${app}.js`];
      const c = bundles.production[`${app}.css`];
      const dash = bundles.production['dashboard.js'];
      summary.push(row(`bundle ${app}.js minified, gzip (raw ${p.bytes} B; css ${c?.bytes ?? 0} B, gzip ${c?.gzip ?? 0} B) vs dashboard.js`, p.gzip, app === 'dashboard' ? null : dash.gzip, 'B'));
    }
    const result = {
      name: 'vscode-board',
      description: `Cairn's task board and task editor in the real VS Code (code-server ${codeServerVersion} = VS Code ${vscodeVersion}, headless chromium): ` +
        'the palette → first card painted, a card dropped on another column → painted there and → the store\'s acknowledgement, ' +
        'a card or a tree row → the editor\'s form painted; baselines in the same run: expanding the project in the Projects tree, ' +
        'and Quick Open of a text file. Medians of REPEATS fresh sessions per store size; webview bundle sizes.',
      params: { sizes: SIZES, repeats: REPEATS, viewport: '1600x1000', statistic: 'median' },
      environment: { vscode: vscodeVersion, codeServer: codeServerVersion, chromium, node: process.version, cpus: os.cpus().length, loadAtStart, loadAtEnd: os.loadavg().map((l) => round(l, 2)) },
      seed: Object.fromEntries(SIZES.map((s) => [s, { tasks: s, ms: seeds[s] }])),
      definitions: {
        treeExpandPaintMs: "mousedown on the project's twistie in the Projects view → the frame after its first task row is in the DOM (workbench page)",
        treeProjectPaintMs: 'mousedown on the Cairn activity-bar icon → the frame after the project row is in the DOM',
        textEditorPaintMs: 'Quick Open "README.md": mousedown on its entry → the frame after the text editor shows its first line',
        boardReopenPaintMs: 'the same after View: Close All Editors, in a window that has shown webviews (the first one pays for the webview machinery: its service worker, pre/index.html)',
        markdownPreviewPaintMs: "README.md active in the text editor: mousedown on the palette's Markdown: Open Preview → the frame after the preview's heading is in its page (VS Code's own webview, in a window that has shown webviews)",
        toPageMs: "the click → the webview page's document (body[data-app]) is there: the rest of the time is the page's own (its script, the host's answers, drawing)",
        boardOpenPaintMs: 'mousedown on the palette entry "Cairn: Open Task Board" (workbench page) → the frame after the first card is in the board\'s page (measured there; clocks joined by timeOrigin, skew taken out)',
        dropShownPaintMs: 'the board page\'s drop event (mouse released over In progress) → the frame after the card is drawn in that column (optimistic)',
        dropAckMs: "the drop event → the host's moveResult message (the store committed tasks.update) arrives in the board's page; `cairn task show` then holds the new status",
        dropAckPaintMs: 'the same, to the frame after it (the board changes nothing visible on success)',
        editorFromBoardPaintMs: "the board page's dblclick event on a card → the frame after the editor's title field is filled and the form not aria-busy (measured in the editor's page)",
        editorFromTreePaintMs: "mousedown on a task row of the Projects view → the same, in a new editor",
        bundles: 'dist/webviews/<app>.{js,css}: development = as built now (node esbuild.mjs); production = minified as npm run package ships them; gzip level 9',
      },
      bundles,
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
    console.log(`\nvscode-board — VS Code ${vscodeVersion} (code-server), ${SIZES.join(' and ')} tasks, median of ${REPEATS}; load ${loadAtStart.join(' ')} → ${result.environment.loadAtEnd.join(' ')}\n`);
    for (const l of lines) console.log(l.map((c, i) => (i ? String(c ?? '').padStart(w[i]) : String(c).padEnd(w[i]))).join('  '));
    for (const s of SIZES) console.log(`\n${k(s)} tasks: ${JSON.stringify(medians[s])}`);
    console.log(`\nbundles (production): ${JSON.stringify(bundles.production)}`);
    console.log(`\nWrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((err) => {
  console.error(`[vscode-board] ${err?.stack ?? err}`);
  process.exit(1);
});
