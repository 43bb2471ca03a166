// Timing a click in the real VS Code workbench (a playwright page): from the mousedown event's time to the animation
// frame after an awaited element is in the DOM with a size (a MutationObserver watches for it, so no polling delay
// is included). Shared by the VS Code paint benches.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
export const WAIT = 120_000;
export const round = (x, d = 1) => (x == null || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Arms the probe: the next mousedown starts the clock; it stops the frame after `selector` (holding `text`) shows. */
async function armProbe(page, selector, text) {
  const already = await page.evaluate(([sel, txt]) => {
    const found = () => {
      for (const e of document.querySelectorAll(sel)) {
        if (txt && !(e.textContent || '').includes(txt)) continue;
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) return true;
      }
      return false;
    };
    if (found()) return true;
    const m = (window.__paintProbe = { down: 0, dom: 0, paint: 0 });
    window.addEventListener('mousedown', (e) => { if (!m.down) m.down = e.timeStamp || performance.now(); }, { capture: true, once: true });
    const obs = new MutationObserver(() => {
      if (!m.down || m.dom || !found()) return;
      m.dom = performance.now();
      obs.disconnect();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { m.paint = performance.now(); };
        ch.port2.postMessage(0);
      });
    });
    obs.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class', 'style', 'aria-expanded'] });
    return false;
  }, [selector, text ?? '']);
  if (already) throw new Error(`${selector} "${text}" is already on screen before the click; the measurement would be meaningless`);
}

/** Clicks `target` and returns { toDomMs, toPaintMs } until `selector` (holding `text`) is painted. */
export async function clickAndMeasure(page, target, selector, text) {
  await armProbe(page, selector, text);
  await target.click({ timeout: WAIT });
  await page.waitForFunction(() => window.__paintProbe && window.__paintProbe.paint > 0, null, { timeout: WAIT, polling: 50 });
  const m = await page.evaluate(() => window.__paintProbe);
  return { toDomMs: round(m.dom - m.down), toPaintMs: round(m.paint - m.down) };
}

/**
 * Also times a second element the same click brings (polled every animation frame from the mousedown): e.g. the
 * editor's text next to a view's row, so the view's own share can be told from opening the editor.
 */
export async function clickAndMeasureBoth(page, target, first, second) {
  await page.evaluate(([sel, txt]) => {
    const s = (window.__secondProbe = { at: 0 });
    const tick = () => {
      for (const e of document.querySelectorAll(sel)) {
        const r = e.getBoundingClientRect();
        if ((e.textContent || '').includes(txt) && r.width > 0 && r.height > 0) return void (s.at = performance.now());
      }
      requestAnimationFrame(tick);
    };
    window.addEventListener('mousedown', () => requestAnimationFrame(tick), { capture: true, once: true });
  }, [second.selector, second.text]);
  const main = await clickAndMeasure(page, target, first.selector, first.text);
  await page.waitForFunction(() => window.__secondProbe.at > 0, null, { timeout: WAIT, polling: 50 });
  const at = await page.evaluate(() => window.__secondProbe.at - window.__paintProbe.down);
  return { ...main, secondMs: round(at) };
}

/** Lets startup work finish (built-in extensions activating, first layouts) so clicks are timed on a quiet workbench. */
export async function settle(page) {
  await page.waitForFunction(() => !(document.getElementById('status.progress')?.textContent || '').includes('Activating'), null, { timeout: WAIT, polling: 100 });
  await sleep(1000);
}

/**
 * The harness ready to run (built on first use), with what the results record of it: the VS Code and code-server
 * versions and chromium's.
 */
export async function readyHarness(root, log) {
  const require = createRequire(import.meta.url);
  const { ensureHarness, CODE_SERVER_DIR } = require(path.join(root, 'test', 'harness', 'ensure.js'));
  await ensureHarness({ log });
  const version = (...parts) => JSON.parse(fs.readFileSync(path.join(CODE_SERVER_DIR, ...parts, 'package.json'), 'utf8')).version;
  return {
    harness: require(path.join(root, 'test', 'harness', 'code-server.js')),
    vscodeVersion: version('lib', 'vscode'),
    codeServerVersion: version(),
    chromium: spawnSync(process.env.CHROMIUM || '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim(),
  };
}

/** A small workspace folder (a README, a package.json, one source file) for a bench session to open. */
export function makeBenchWorkspace(dir, readme = '# Bench workspace\n') {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), readme);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "bench-workspace", "private": true }\n');
  fs.writeFileSync(path.join(dir, 'src', 'index.ts'), 'export const answer = 42;\n');
  return dir;
}
