#!/usr/bin/env node
// Extension activation time and time to first tree paint at 10,000 tasks, in the real VS Code.
//
// The real VS Code here is the test harness's code-server (VS Code 1.139 web workbench + a Node 24 extension
// host, see test/harness/README.md) driven by headless chromium, with Cairn side-loaded from this checkout.
// Two stores, each opened REPEATS times (fresh code-server, profile and browser each time, scenarios
// interleaved so machine noise hits both alike):
//   tasks10k  one project holding 10,000 tasks (seeded through src/store in one transaction, with tsx);
//   empty     an initialised store with no projects and no tasks (the baseline).
// Both workspaces hold .cairn/cairn.db, so Cairn activates at startup (workspaceContains) in both.
//
// Per run:
//   (a) activation: VS Code's own figure from Developer: Show Running Extensions ("Startup Activation: N ms":
//       loading the bundle + activate() + its promise), and the extension's self-reported activate() time
//       (its log line "Cairn activated in X ms", from the LogOutputChannel file <user-data>/logs/*/exthost*/
//       cairn.cairn/Cairn.log; only the figure in that line is used: the line's own timestamps are not reliable,
//       the channel buffers lines written before its file exists). Also: navigation start → the status-bar item
//       shows "N open" (measured in the page: extension host up, Cairn activated, backend answered).
//   (b) click on the Cairn activity-bar icon → first tree row painted (tasks10k: the project row; empty: the
//       welcome view's "Create Project" button, which is what that view shows first).
//   (c) tasks10k only: click on the project's twistie → its first task rows painted.
//   baseline: after a reload (the Cairn view is restored as the open side bar), click on the Explorer icon →
//       the first row of VS Code's built-in Explorer painted, on the same workspace.
// Clicks are measured in the page: from the mousedown event's time to the animation frame after the awaited
// element is in the DOM and has a size (a MutationObserver watches for it), so no polling delay is included.
// The extension is fully activated and its store open before (b) starts, so (b) is view + data + render.
//
// Run: `node bench/vscode-paint.bench.mjs` (builds dist/ if stale, builds the harness on first use).
// Writes bench/results/vscode-paint.json, and the same JSON to $CAIRN_BENCH_OUT when set (scripts/bench.mjs
// convention: a `summary` array of { metric, value, baseline, ratio, unit }).
// Env: BENCH_TASKS (10000), BENCH_REPEATS (3), CAIRN_KEEP_TMP=1 (keep the temp folders), CHROMIUM.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { makeBenchWorkspace, readyHarness, clickAndMeasure, median, round, settle, sleep, WAIT } from './paintProbe.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const OUT = path.join(RESULTS_DIR, 'vscode-paint.json');
const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PROJECT = 'Bench project';
const FIRST_TASK = 'Task 00001';

const { ensureBuilt, makeProfile, sideLoad, openWorkbench, findExtensionLogs, CLI } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));
const log = (m) => console.error(`[vscode-paint] ${m}`);

// ---- stores ---------------------------------------------------------------------------------------------------


/** One project with `count` tasks, written through the store's repositories in one transaction. */
async function seedLargeStore(storeDir, count) {
  const { tsImport } = await import('tsx/esm/api');
  const src = (p) => tsImport(path.join(ROOT, 'src', 'store', p), import.meta.url);
  const [{ Store }, { createProject }, { createTask }] = await Promise.all([src('store.ts'), src('projects.ts'), src('tasks.ts')]);
  const who = { actor: 'bench', source: 'cli' };
  const statuses = ['pending', 'in_progress', 'blocked', 'done', 'cancelled'];
  const agents = ['coder', 'reviewer', 'test-writer', null];
  const store = await Store.open(storeDir);
  try {
    const started = performance.now();
    await store.write(async (orm) => {
      const project = await createProject(orm, who, { name: PROJECT, description: `${count} tasks` });
      for (let i = 1; i <= count; i++) {
        await createTask(orm, who, {
          projectId: project.id,
          title: `Task ${String(i).padStart(5, '0')}`,
          status: statuses[i % statuses.length],
          assignee: agents[i % agents.length],
          priority: i % 7 === 0 ? 'high' : 'medium',
        });
      }
    });
    return performance.now() - started;
  } finally {
    await store.close();
  }
}

function initEmptyStore(storeDir) {
  const r = spawnSync(process.execPath, [CLI, '--store', storeDir, 'init'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cairn init failed: ${r.stderr}`);
}

// ---- measuring in the page: bench/paintProbe.mjs ------------------------------------------------------------

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input').first();
  await input.waitFor({ timeout: WAIT });
  await input.fill(`>${title}`);
  const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await entry.waitFor({ timeout: WAIT });
  await entry.click();
}

/** Parses Cairn's LogOutputChannel file(s): the self-reported activate() time, how often the store became ready. */
function readExtensionLog(userDataDir) {
  const text = findExtensionLogs(userDataDir).sort().map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const activated = /\] Cairn activated in ([\d.]+) ms/.exec(text);
  return {
    text,
    readyCount: (text.match(/\] Store ready:/g) || []).length,
    activateMs: activated ? Number(activated[1]) : null,
  };
}

async function waitForLog(userDataDir, predicate, what) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const l = readExtensionLog(userDataDir);
    if (predicate(l)) return l;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} in Cairn's log:\n${l.text.slice(-3000)}`);
    await sleep(100);
  }
}

// ---- one run --------------------------------------------------------------------------------------------------

async function runOnce({ scenario, workspace, harness, tmp }) {
  const { startCodeServer, launchChromium } = harness;
  const runDir = fs.mkdtempSync(path.join(tmp, `run-${scenario}-`));
  const userDataDir = makeProfile(path.join(runDir, 'user-data'));
  const extensionsDir = sideLoad(path.join(runDir, 'extensions'));
  let server;
  let browser;
  try {
    server = await startCodeServer({ extensionsDir, userDataDir, smokeTestDriver: false });
    browser = await launchChromium(server.sandboxEnv);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const sidebar = page.locator('.part.sidebar');
    const r = { scenario };

    // From navigation start: when the status-bar item first shows "N open" (Cairn activated, store answered).
    await page.addInitScript(() => {
      const obs = new MutationObserver(() => {
        const el = document.querySelector('[id$="cairn.openTasks"]');
        if (el && /\d+ open/.test(el.textContent || '')) {
          window.__cairnStatusAt = performance.now();
          obs.disconnect();
        }
      });
      obs.observe(document, { childList: true, subtree: true, characterData: true });
    });
    const t0 = Date.now();
    await openWorkbench(page, server.url, workspace);
    r.workbenchLoadMs = Date.now() - t0;
    const l = await waitForLog(userDataDir, (x) => x.readyCount >= 1, '"Store ready"');
    r.activateMs = l.activateMs;
    await page.waitForFunction(() => window.__cairnStatusAt > 0, null, { timeout: WAIT, polling: 100 });
    r.navigationToStatusBarMs = round(await page.evaluate(() => window.__cairnStatusAt));
    await sidebar.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WAIT }); // the startup view
    await settle(page);

    // (b) Cairn icon → first row (or the welcome button of an empty store)
    const cairnIcon = page.locator('.part.activitybar .action-label[aria-label="Cairn"]');
    r.firstPaint = scenario === 'empty'
      ? await clickAndMeasure(page, cairnIcon, '.part.sidebar .welcome-view-content .monaco-button', 'Create Project')
      : await clickAndMeasure(page, cairnIcon, '.part.sidebar .monaco-list-row .label-name', PROJECT);

    // (c) expand the big project → first task rows
    if (scenario !== 'empty') {
      const projectRow = sidebar.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: PROJECT }) }).first();
      r.expand = await clickAndMeasure(page, projectRow.locator('.monaco-tl-twistie'), '.part.sidebar .monaco-list-row .label-name', FIRST_TASK);
      r.renderedTaskRows = await sidebar.locator('.monaco-list-row .label-name', { hasText: 'Task ' }).count();
    }

    // (a) VS Code's own activation figure
    await runCommand(page, 'Developer: Show Running Extensions');
    const cairnRow = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Cairn' }).first();
    await cairnRow.locator('text=/Activation: \\d+/').waitFor({ timeout: WAIT });
    const rowText = await cairnRow.innerText();
    const act = /(Startup )?Activation: (\d+)\s*ms/.exec(rowText);
    r.vscodeActivationMs = act ? Number(act[2]) : null;
    r.activationKind = act?.[1] ? 'startup' : 'lazy';
    // It opens as a modal editor, which keeps F1 to itself: Escape closes it.
    await page.keyboard.press('Escape');
    await page.locator('.runtime-extensions-editor').waitFor({ state: 'hidden', timeout: WAIT });

    // baseline: reload (the Cairn view comes back as the open side bar), then open the Explorer cold
    await sleep(500); // let the workbench persist its view state before the reload
    await page.reload();
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: WAIT });
    await waitForLog(userDataDir, (x) => x.readyCount >= 2, 'the second "Store ready" after the reload');
    const cairnRestored = await sidebar.locator('.title-label', { hasText: 'Projects' }).first()
      .waitFor({ timeout: 15000 }).then(() => true, () => false);
    r.explorerColdOpen = cairnRestored;
    await settle(page);
    const explorerIcon = page.locator('.part.activitybar .action-label[aria-label^="Explorer"]');
    r.explorer = await clickAndMeasure(page, explorerIcon, '.part.sidebar .explorer-folders-view .monaco-list-row', '');
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

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-paint-'));
  try {
    const workspaces = { empty: makeBenchWorkspace(path.join(tmp, 'ws-empty')), tasks10k: makeBenchWorkspace(path.join(tmp, 'ws-10k')) };
    initEmptyStore(path.join(workspaces.empty, '.cairn'));
    log(`seeding ${TASKS} tasks through src/store (one transaction)`);
    const seedMs = await seedLargeStore(path.join(workspaces.tasks10k, '.cairn'), TASKS);
    log(`seeded in ${Math.round(seedMs)} ms`);

    const runs = { empty: [], tasks10k: [] };
    for (let i = 0; i < REPEATS; i++) {
      for (const scenario of i % 2 ? ['tasks10k', 'empty'] : ['empty', 'tasks10k']) {
        log(`run ${i + 1}/${REPEATS}: ${scenario}`);
        const r = await runOnce({ scenario, workspace: workspaces[scenario], harness, tmp });
        log(`  ${JSON.stringify(r)}`);
        runs[scenario].push(r);
      }
    }

    const med = (scenario, get) => round(median(runs[scenario].map(get)));
    const summarize = (s) => ({
      runs: runs[s].length,
      workbenchLoadMs: med(s, (r) => r.workbenchLoadMs),
      vscodeActivationMs: med(s, (r) => r.vscodeActivationMs),
      activateMs: med(s, (r) => r.activateMs),
      navigationToStatusBarMs: med(s, (r) => r.navigationToStatusBarMs),
      firstPaintMs: med(s, (r) => r.firstPaint.toPaintMs),
      firstPaintDomMs: med(s, (r) => r.firstPaint.toDomMs),
      expandPaintMs: s === 'empty' ? null : med(s, (r) => r.expand.toPaintMs),
      expandDomMs: s === 'empty' ? null : med(s, (r) => r.expand.toDomMs),
      explorerPaintMs: med(s, (r) => r.explorer.toPaintMs),
    });
    const m = { empty: summarize('empty'), tasks10k: summarize('tasks10k') };
    const row = (metric, value, baseline, unit = 'ms') => ({ metric, value, baseline, ratio: value != null && baseline ? round(value / baseline, 2) : null, unit });
    const k = `${TASKS / 1000}k`;
    const result = {
      name: 'vscode-paint',
      description: `Cairn in the real VS Code (code-server ${codeServerVersion} = VS Code ${vscodeVersion}, headless chromium): activation, ` +
        `click on the Cairn icon → first tree row painted, expanding a ${TASKS}-task project → first task rows painted; ` +
        'baselines in the same run: an empty store, and opening the built-in Explorer. Medians of REPEATS fresh sessions.',
      params: { tasks: TASKS, repeats: REPEATS, viewport: '1400x900', statistic: 'median' },
      environment: { vscode: vscodeVersion, codeServer: codeServerVersion, chromium, node: process.version, cpus: os.cpus().length },
      seed: { tasks: TASKS, ms: Math.round(seedMs) },
      definitions: {
        vscodeActivationMs: 'Developer: Show Running Extensions, Cairn row ("Startup Activation"): code loading + activate() + its promise',
        activateMs: 'the extension\'s own log line "Cairn activated in X ms" (the activate() body only)',
        navigationToStatusBarMs: 'page navigation start → Cairn\'s status-bar item shows "N open" (workbench + extension host start, activation, backend spawn, store open, first answers)',
        workbenchLoadMs: 'page.goto → activity bar visible (wall clock in the driver)',
        firstPaintMs: 'mousedown on the Cairn activity-bar icon → the frame after the first row (tasks10k: project row; empty: welcome "Create Project" button) is in the DOM',
        expandPaintMs: `mousedown on the ${TASKS}-task project's twistie → the frame after its first task row is in the DOM`,
        explorerPaintMs: 'after a reload with the Cairn view restored: mousedown on the Explorer icon → the frame after the first Explorer row is in the DOM',
      },
      medians: m,
      runs,
      summary: [
        row(`activation (VS Code) @${k} tasks vs empty store`, m.tasks10k.vscodeActivationMs, m.empty.vscodeActivationMs),
        row(`activate() self-reported @${k} vs empty`, m.tasks10k.activateMs, m.empty.activateMs),
        row(`open window → status bar "N open" @${k} vs empty`, m.tasks10k.navigationToStatusBarMs, m.empty.navigationToStatusBarMs),
        row(`click Cairn → first row @${k} vs empty (welcome)`, m.tasks10k.firstPaintMs, m.empty.firstPaintMs),
        row(`click Cairn → first row @${k} vs open Explorer`, m.tasks10k.firstPaintMs, m.tasks10k.explorerPaintMs),
        row(`expand ${k}-task project → first rows vs open Explorer`, m.tasks10k.expandPaintMs, m.tasks10k.explorerPaintMs),
      ],
    };
    const json = JSON.stringify(result, null, 2) + '\n';
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(OUT, json);
    if (process.env.CAIRN_BENCH_OUT) fs.writeFileSync(process.env.CAIRN_BENCH_OUT, json);

    const lines = [['metric', 'value', 'baseline', 'ratio', 'unit'], ...result.summary.map((s) => [s.metric, s.value, s.baseline, s.ratio == null ? '' : `${s.ratio}x`, s.unit])];
    const w = lines[0].map((_, i) => Math.max(...lines.map((l) => String(l[i] ?? '').length)));
    console.log(`\nvscode-paint — VS Code ${vscodeVersion} (code-server), ${TASKS} tasks, median of ${REPEATS}\n`);
    for (const l of lines) console.log(l.map((c, i) => (i ? String(c ?? '').padStart(w[i]) : String(c).padEnd(w[i]))).join('  '));
    console.log(`\nempty store: ${JSON.stringify(m.empty)}\n${k} tasks:   ${JSON.stringify(m.tasks10k)}`);
    console.log(`\nWrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((err) => {
  console.error(`[vscode-paint] ${err?.stack ?? err}`);
  process.exit(1);
});
