#!/usr/bin/env node
// Time for the Knowledge view and the Links view to show, in the real VS Code, on a generated 10,000-note vault.
//
// The real VS Code is the test harness's code-server driven by headless chromium (see bench/vscode-paint.bench.mjs,
// whose method this follows), with Cairn side-loaded from this checkout. Two vaults, each opened REPEATS times
// (fresh code-server, profile and browser each time, scenarios interleaved so machine noise hits both alike):
//   notes10k  a generated vault of 10,000 interconnected notes of ~2 KB (5 folders × 10 subfolders × 200 notes,
//             5 links each, every 10th note also links to Hub.md, so Hub has 1,000 backlinks), indexed beforehand;
//   foam      a copy of a real vault (Foam's documentation, 86 notes), indexed beforehand (the small baseline).
// The vault is the user setting cairn.vaultPath; the workspace holds the store, so Cairn activates at startup.
// Per run:
//   (a) click on the Cairn activity-bar icon → the Knowledge view's first row (a folder) painted;
//   (b) click on a top-level note in the Knowledge view (notes10k: Hub, 1,000 backlinks; foam: index) → the note
//       opens and the Links view paints its "Backlinks" row (active tab → notes.links → tree). This is the session's
//       first Markdown file: VS Code activates its Markdown extension and builds the Markdown grammar meanwhile;
//   (c) the same click once Markdown is up: README.md opened first (not a vault note: the Links view empties), then
//       the same note clicked again — what every later note costs;
//   baseline: after a reload (Cairn restored as the open side bar), click on the Explorer icon → the first row of
//       VS Code's built-in Explorer painted, on the same workspace.
// Clicks are timed in the page from the mousedown to the animation frame after the awaited row is in the DOM
// (bench/paintProbe.mjs). Run: `node bench/vscode-knowledge-paint.bench.mjs`. Writes
// bench/results/vscode-knowledge-paint.json (and $CAIRN_BENCH_OUT when set; `summary` rows as scripts/bench.mjs wants).
// Env: BENCH_NOTES (10000), BENCH_REPEATS (3), CAIRN_KEEP_TMP=1, CHROMIUM.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readyHarness, clickAndMeasure, clickAndMeasureBoth, median, round, settle, sleep, WAIT } from './paintProbe.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const OUT = path.join(RESULTS_DIR, 'vscode-knowledge-paint.json');
const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const FOAM = path.join(ROOT, 'test', 'fixtures', 'foam-docs-vault');
const ROW = '.part.sidebar .monaco-list-row .label-name';

const { ensureBuilt, makeProfile, sideLoad, openWorkbench, findExtensionLogs, CLI } = require(path.join(ROOT, 'test', 'ui', 'smoke.js'));
const log = (m) => console.error(`[vscode-knowledge-paint] ${m}`);

// ---- vaults ---------------------------------------------------------------------------------------------------

const WORDS = 'river stone cairn map trail summit ridge valley north south ledger index archive signal lantern harbor compass season orbit meadow'.split(' ');

/** `count` notes in 5 × 10 folders, ~2 KB each, 5 links apiece, every 10th linking Hub; plus Hub.md at the top. */
function generateVault(dir, count) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const perFolder = Math.ceil(count / 50);
  const words = (n) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  for (let i = 0; i < count; i++) {
    const folder = path.join(dir, `area-${Math.floor(i / (perFolder * 10)) % 5}`, `topic-${String(Math.floor(i / perFolder) % 10).padStart(2, '0')}`);
    fs.mkdirSync(folder, { recursive: true });
    const links = Array.from({ length: 5 }, () => `[[note-${Math.floor(rand() * count)}]]`);
    const body = [
      `---\ntags: [bench/${WORDS[i % WORDS.length]}]\n---`,
      `# Note ${i}`,
      '',
      ...Array.from({ length: 6 }, (_, p) => `${words(40)} ${p === 2 ? links.join(', ') : ''}`.trim()),
      i % 10 === 0 ? 'Filed under [[Hub]].' : '',
      `#${WORDS[(i * 7) % WORDS.length]}`,
      '',
    ];
    fs.writeFileSync(path.join(folder, `note-${i}.md`), body.join('\n'));
  }
  fs.writeFileSync(path.join(dir, 'Hub.md'), '# Hub\n\nWhere every tenth note points.\n');
}

function index(store, vault) {
  const r = spawnSync(process.execPath, [CLI, '--store', store, '--vault', vault, '--json', 'index', '--create'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`cairn index failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function makeWorkspace(dir, vaultFrom) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), '# Bench workspace\n');
  const vault = path.join(dir, 'vault');
  if (vaultFrom) fs.cpSync(vaultFrom, vault, { recursive: true });
  else generateVault(vault, NOTES);
  const report = index(path.join(dir, '.cairn'), vault);
  return { dir, vault, report };
}

// ---- one run --------------------------------------------------------------------------------------------------

const readyCount = (userDataDir) => (findExtensionLogs(userDataDir).map((f) => fs.readFileSync(f, 'utf8')).join('\n').match(/\] Store ready:/g) || []).length;

async function waitForReady(userDataDir, n) {
  const deadline = Date.now() + WAIT;
  while (readyCount(userDataDir) < n) {
    if (Date.now() > deadline) throw new Error('timed out waiting for "Store ready" in Cairn\'s log');
    await sleep(100);
  }
}

async function runOnce({ scenario, ws, firstRow, note, editorText, harness, tmp }) {
  const { startCodeServer, launchChromium } = harness;
  const runDir = fs.mkdtempSync(path.join(tmp, `run-${scenario}-`));
  const userDataDir = makeProfile(path.join(runDir, 'user-data'), { 'cairn.vaultPath': ws.vault });
  const extensionsDir = sideLoad(path.join(runDir, 'extensions'));
  let server;
  let browser;
  try {
    server = await startCodeServer({ extensionsDir, userDataDir, smokeTestDriver: false });
    browser = await launchChromium(server.sandboxEnv);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const sidebar = page.locator('.part.sidebar');
    const r = { scenario };
    await openWorkbench(page, server.url, ws.dir);
    await waitForReady(userDataDir, 1);
    await sidebar.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WAIT });
    await settle(page);

    // (a) Cairn Knowledge icon → the Knowledge view's first folder row
    const cairnIcon = page.locator('.part.activitybar .action-label[aria-label="Cairn Knowledge"]');
    r.knowledge = await clickAndMeasure(page, cairnIcon, ROW, firstRow);
    await settle(page);

    // (b) a top-level note in the Knowledge view → the Links view's "Backlinks" row
    const noteRow = sidebar.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${note}$`) }) }).first();
    await noteRow.waitFor({ timeout: WAIT });
    r.links = await clickAndMeasureBoth(page, noteRow, { selector: ROW, text: 'Backlinks' }, { selector: '.part.editor .view-lines', text: editorText });
    const backlinksRow = sidebar.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: 'Backlinks' }) }).first();
    r.backlinksShown = (await backlinksRow.innerText()).replace(/\s+/g, ' ').trim();

    // (c) README.md by Quick Open (the Links view empties), then the same note again
    await settle(page);
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: WAIT });
    await page.keyboard.type('README.md');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'README.md' }).first().waitFor({ timeout: WAIT });
    await page.keyboard.press('Enter');
    await page.locator('.part.editor .view-lines', { hasText: 'Bench workspace' }).waitFor({ timeout: WAIT });
    await backlinksRow.waitFor({ state: 'detached', timeout: WAIT });
    await settle(page);
    r.linksWarm = await clickAndMeasureBoth(page, noteRow, { selector: ROW, text: 'Backlinks' }, { selector: '.part.editor .view-lines', text: editorText });

    // baseline: reload (Cairn restored), then open the Explorer cold
    await sleep(500);
    await page.reload();
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: WAIT });
    await waitForReady(userDataDir, 2);
    await sidebar.locator('.title-label', { hasText: 'Projects' }).first().waitFor({ timeout: 15000 }).catch(() => undefined);
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
  const { harness, vscodeVersion } = await readyHarness(ROOT, log);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-kpaint-'));
  try {
    log(`generating and indexing a ${NOTES}-note vault`);
    const workspaces = {
      notes10k: { ws: makeWorkspace(path.join(tmp, 'ws-10k')), firstRow: 'area-0', note: 'Hub', editorText: 'tenth' },
      foam: { ws: makeWorkspace(path.join(tmp, 'ws-foam'), FOAM), firstRow: 'dev', note: 'index', editorText: 'personal' },
    };
    for (const [k, w] of Object.entries(workspaces)) log(`${k}: ${w.ws.report.notes} notes indexed in ${w.ws.report.ms} ms`);

    const runs = { notes10k: [], foam: [] };
    for (let i = 0; i < REPEATS; i++) {
      for (const scenario of i % 2 ? ['foam', 'notes10k'] : ['notes10k', 'foam']) {
        log(`run ${i + 1}/${REPEATS}: ${scenario}`);
        const r = await runOnce({ scenario, ...workspaces[scenario], harness, tmp });
        log(`  ${JSON.stringify(r)}`);
        runs[scenario].push(r);
      }
    }
    const med = (s, get) => round(median(runs[s].map(get)));
    const summarize = (s) => ({
      runs: runs[s].length,
      knowledgePaintMs: med(s, (r) => r.knowledge.toPaintMs),
      knowledgeDomMs: med(s, (r) => r.knowledge.toDomMs),
      linksPaintMs: med(s, (r) => r.links.toPaintMs),
      linksDomMs: med(s, (r) => r.links.toDomMs),
      editorTextMs: med(s, (r) => r.links.secondMs),
      linksWarmPaintMs: med(s, (r) => r.linksWarm.toPaintMs),
      editorTextWarmMs: med(s, (r) => r.linksWarm.secondMs),
      explorerPaintMs: med(s, (r) => r.explorer.toPaintMs),
      backlinksShown: runs[s][0]?.backlinksShown,
    });
    const m = { notes10k: summarize('notes10k'), foam: summarize('foam') };
    const row = (metric, value, baseline, unit = 'ms') => ({ metric, value, baseline, ratio: value != null && baseline ? round(value / baseline, 2) : null, unit });
    const k = `${NOTES / 1000}k`;
    const result = {
      name: 'vscode-knowledge-paint',
      description: `Cairn's Knowledge and Links views in the real VS Code (code-server = VS Code ${vscodeVersion}, headless chromium) on a ` +
        `generated ${NOTES}-note vault, against a real 86-note vault and the built-in Explorer in the same runs. Medians of REPEATS fresh sessions.`,
      params: { notes: NOTES, repeats: REPEATS, viewport: '1400x900', statistic: 'median' },
      environment: { vscode: vscodeVersion, node: process.version, cpus: os.cpus().length },
      index: Object.fromEntries(Object.entries(workspaces).map(([key, w]) => [key, { notes: w.ws.report.notes, links: w.ws.report.links, ms: w.ws.report.ms }])),
      definitions: {
        knowledgePaintMs: 'mousedown on the Cairn activity-bar icon → the frame after the Knowledge view\'s first folder row is in the DOM',
        linksPaintMs: 'mousedown on a top-level note row of the Knowledge view (notes10k: Hub with 1,000 backlinks; foam: index) → the frame after the Links view\'s "Backlinks" row is in the DOM',
        editorTextMs: 'the same click → the editor shows the note\'s text (polled each animation frame): the first Markdown file of the session opening',
        linksWarmPaintMs: 'the same click once Markdown is up (README.md opened by Quick Open first, which empties the Links view) → the frame after the "Backlinks" row is in the DOM',
        editorTextWarmMs: 'that click → the editor shows the note\'s text',
        explorerPaintMs: 'after a reload with the Cairn view restored: mousedown on the Explorer icon → the frame after the first Explorer row is in the DOM',
      },
      medians: m,
      runs,
      summary: [
        row(`click Cairn → Knowledge first row @${k} notes vs open Explorer`, m.notes10k.knowledgePaintMs, m.notes10k.explorerPaintMs),
        row(`click Cairn → Knowledge first row @${k} vs 86-note vault`, m.notes10k.knowledgePaintMs, m.foam.knowledgePaintMs),
        row(`click note → Links "Backlinks" row @${k} (1,000 backlinks) vs open Explorer`, m.notes10k.linksPaintMs, m.notes10k.explorerPaintMs),
        row(`click note → Links "Backlinks" row @${k} vs 86-note vault`, m.notes10k.linksPaintMs, m.foam.linksPaintMs),
        row(`click note → Links "Backlinks" row @${k} vs the editor showing the note (same click)`, m.notes10k.linksPaintMs, m.notes10k.editorTextMs),
        row(`click note, Markdown up → Links "Backlinks" row @${k} vs the editor showing the note (same click)`, m.notes10k.linksWarmPaintMs, m.notes10k.editorTextWarmMs),
        row(`click note, Markdown up → Links "Backlinks" row, 86-note vault vs the editor showing the note`, m.foam.linksWarmPaintMs, m.foam.editorTextWarmMs),
      ],
    };
    const json = JSON.stringify(result, null, 2) + '\n';
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(OUT, json);
    if (process.env.CAIRN_BENCH_OUT) fs.writeFileSync(process.env.CAIRN_BENCH_OUT, json);
    const lines = [['metric', 'value', 'baseline', 'ratio', 'unit'], ...result.summary.map((s) => [s.metric, s.value, s.baseline, s.ratio == null ? '' : `${s.ratio}x`, s.unit])];
    const w = lines[0].map((_, i) => Math.max(...lines.map((l) => String(l[i] ?? '').length)));
    console.log(`\nvscode-knowledge-paint — VS Code ${vscodeVersion} (code-server), ${NOTES} notes, median of ${REPEATS}\n`);
    for (const l of lines) console.log(l.map((c, i) => (i ? String(c ?? '').padStart(w[i]) : String(c).padEnd(w[i]))).join('  '));
    console.log(`\n${k}: ${JSON.stringify(m.notes10k)}\nfoam: ${JSON.stringify(m.foam)}\n\nWrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    if (!process.env.CAIRN_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((err) => {
  console.error(`[vscode-knowledge-paint] ${err?.stack ?? err}`);
  process.exit(1);
});
