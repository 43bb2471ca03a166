// Knowledge-vault indexing and search at scale, each figure against a baseline measured in the same run.
//
// A synthetic Obsidian-style vault is generated in a temp folder (deterministic, seeded PRNG): BENCH_NOTES notes
// (default 10,000) of ~2 KB in 50 folders (10 areas × 4 subfolders + the areas themselves), front matter on ~40%
// (title, aliases, tags), headings, paragraphs of words drawn from a Zipf-distributed made-up vocabulary of 3,000
// words, 5–15 wikilinks per note (plain, |alias, #heading, folder/name, by alias; ~5% to notes that do not exist),
// list items and inline #tags. Then, on a fresh store:
//   1. cold index:  indexVault on an empty store   vs  readFileSync of every note (page cache hot for both);
//   2. warm start:  indexVault with nothing changed vs the same read-every-file, and vs statSync of every file;
//   3. edit → searchable: append a unique word to one note, indexVault, searchText finds it (BENCH_EDITS, 20) vs
//      one indexVault with nothing changed (the scan every run pays), interleaved. The indexer is called explicitly
//      here; then the same through indexPaths on the edited path (what the vault watcher runs), and through the real
//      VaultWatcher in this process (write, poll searchText until found: chokidar + 20 ms debounce + indexPaths);
//   4. search: searchText p50/p95 over BENCH_QUERIES (50) queries of 1–3 vocabulary words of mixed frequency vs
//      `rg -l -i -F <first word> <vault>` as a child process (ripgrep; baseline null with a reason when missing).
//      Not the same work: rg matches one substring and lists every file, FTS ANDs all words and ranks the top 20;
//      the baseline is "what grepping the folder would cost", spawn included (rgSpawnMs shows that part);
//   5. memory: RSS and V8 heap of this process after indexing vs before the store was opened.
// Then, for that vault and for a second one shaped like a real vault (bench/realisticVault.ts: BENCH_REAL_NOTES notes,
// default 10,000, median 5.2 KB, p90 9.2 KB, ~19 links a note, real English words; its measured figures are in the
// JSON as realVault.vault), bench/indexAtScale.ts's measures: cold index in a child process (time, peak RSS, RSS after
// a GC) vs a bare SQLite FTS5 insert of the same files, warm index vs read/stat all, text and hybrid knowledge.search
// through one dist/backend.js over JSON-RPC vs rg; with BENCH_PROFILE=1 also a profiled cold index of the real-size
// vault (CPU profile by function, SQL time by statement; BENCH_PROFILE_KEEP=DIR keeps the .cpuprofile).
// p50/p95 are nearest-rank percentiles. Progress goes to stderr.
//
// Run with `npm run bench -- knowledge` (scripts/bench.mjs); alone: `node --import tsx bench/knowledge.bench.ts`.
// Env: BENCH_NOTES (10000), BENCH_EDITS (20), BENCH_QUERIES (50), BENCH_TRIALS (3, for the read/stat/warm figures),
// BENCH_SEED (42), BENCH_REAL_NOTES (10000; 0 leaves the real-size vault out), BENCH_PROFILE (0), CAIRN_BENCH_OUT.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { Actor } from '../src/store/events';
import { VaultWatcher } from '../src/backend/vaultWatcher';
import { loadWordTable } from '../src/store/knowledge/embedGlove';
import { indexPaths, indexVault, type IndexReport } from '../src/store/knowledge/indexer';
import { scanVault } from '../src/store/knowledge/scan';
import { searchText } from '../src/store/knowledge/search';
import { Store } from '../src/store/store';
import { median, prng, round, stats } from './stats';
import { runBench, writeResult } from './output';
import { findRg, isIndexChild, measureAtScale, runIndexChild } from './indexAtScale';
import { generateRealisticVault, zipfSampler } from './realisticVault';

const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const EDITS = Number(process.env.BENCH_EDITS ?? 20);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 50);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const SEED = Number(process.env.BENCH_SEED ?? 42);
const REAL_NOTES = Number(process.env.BENCH_REAL_NOTES ?? 10_000);
const PROFILE = process.env.BENCH_PROFILE === '1';
const VOCAB_SIZE = 3000;
const who: Actor = { actor: 'bench', source: 'cli' };

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const progress = (msg: string) => process.stderr.write(`knowledge: ${msg}\n`);
const ratio = (value: number, baseline: number | null) => (baseline ? round(value / baseline) : null);
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

/** Nearest-rank percentile. */

function timeSync(f: () => void): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}
async function timeAsync<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await f();
  return { ms: performance.now() - started, value };
}

// --- deterministic generation ---------------------------------------------------------------------------------


const ONSETS = ['', 'b', 'br', 'c', 'ch', 'cl', 'd', 'dr', 'f', 'fl', 'g', 'gr', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'pl', 'pr', 'qu', 'r', 's', 'sh', 'sl', 'st', 't', 'th', 'tr', 'v', 'w', 'y', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ee', 'io', 'ou', 'oa', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ng', 'ck', 'rt', 'x', 'ment', 'tion', 'ing', 'er', 'ed'];
const SECTIONS = ['Overview', 'Background', 'Details', 'Open questions', 'Decisions', 'References', 'Next steps', 'Notes', 'Examples', 'Summary'];

function makeVocabulary(rand: () => number, size: number): string[] {
  const words = new Set<string>();
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  while (words.size < size) {
    // Short words more often, like real text: frequent ranks end up short because they are generated first.
    const syllables = words.size < 100 ? 1 : words.size < 1200 ? 1 + Math.floor(rand() * 2) : 2 + Math.floor(rand() * 2);
    let w = '';
    for (let i = 0; i < syllables; i++) w += pick(ONSETS) + pick(VOWELS) + (i === syllables - 1 ? pick(CODAS) : '');
    if (w.length >= 2) words.add(w);
  }
  return [...words];
}

interface NoteMeta {
  name: string;
  folder: string;
  rel: string;
  abs: string;
  frontMatter: boolean;
  aliases: string[];
  tags: string[];
  sections: string[];
}

interface Vault {
  dir: string;
  notes: NoteMeta[];
  vocab: string[];
  bytes: number;
  links: number;
  missingLinks: number;
}

function generateVault(dir: string, count: number, seed: number): Vault {
  const rand = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const vocab = makeVocabulary(rand, VOCAB_SIZE);
  const zipf = zipfSampler(rand, vocab.length);
  const hubs = zipfSampler(rand, count, 0.9); // some notes are linked to far more often than others
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);

  const areas = Array.from({ length: 10 }, (_, i) => `${cap(vocab[200 + i * 7]!)} ${i + 1}`);
  const folders = [...areas, ...areas.flatMap((a, i) => Array.from({ length: 4 }, (_, j) => `${a}/${cap(vocab[300 + i * 11 + j]!)}`))];
  for (const f of folders) fs.mkdirSync(path.join(dir, f), { recursive: true });
  const tagPool = [...areas.map((_, i) => `area/${vocab[200 + i * 7]}`), ...Array.from({ length: 60 }, (_, i) => vocab[400 + i * 3]!), 'todo', 'idea', 'meeting', 'project/active', 'project/done'];

  const names = new Set<string>();
  const notes: NoteMeta[] = [];
  for (let i = 0; i < count; i++) {
    let name: string;
    do {
      name = `${cap(vocab[int(50, vocab.length - 1)]!)} ${vocab[int(50, vocab.length - 1)]}${rand() < 0.3 ? ` ${int(2, 99)}` : ''}`;
    } while (names.has(name.toLowerCase()));
    names.add(name.toLowerCase());
    const folder = pick(folders);
    const frontMatter = rand() < 0.4;
    const aliases = frontMatter && rand() < 0.6 ? Array.from({ length: int(1, 2) }, () => `${cap(vocab[int(50, vocab.length - 1)]!)} ${vocab[int(50, vocab.length - 1)]} alias`) : [];
    const tags = frontMatter ? Array.from({ length: int(1, 3) }, () => pick(tagPool)) : [];
    const sections = [...SECTIONS].sort(() => rand() - 0.5).slice(0, int(2, 5));
    const rel = `${folder}/${name}.md`;
    notes.push({ name, folder, rel, abs: path.join(dir, rel), frontMatter, aliases, tags, sections });
  }

  let bytes = 0;
  let links = 0;
  let missingLinks = 0;
  for (let i = 0; i < count; i++) {
    const n = notes[i]!;
    const linkCount = int(5, 15);
    const linkTokens: string[] = [];
    for (let k = 0; k < linkCount; k++) {
      const r = rand();
      if (r < 0.05) {
        linkTokens.push(`[[${cap(pick(vocab))} ${pick(vocab)} missing]]`);
        missingLinks++;
        continue;
      }
      const t = notes[rand() < 0.4 ? hubs() : int(0, count - 1)]!;
      if (r < 0.6) linkTokens.push(`[[${t.name}]]`);
      else if (r < 0.75) linkTokens.push(`[[${t.name}|${pick(vocab)} ${pick(vocab)}]]`);
      else if (r < 0.87) linkTokens.push(`[[${t.name}#${pick(t.sections)}]]`);
      else if (r < 0.93) linkTokens.push(`[[${t.folder.split('/').pop()}/${t.name}]]`);
      else linkTokens.push(t.aliases.length ? `[[${t.aliases[0]}]]` : `[[${t.name}]]`);
      links++;
    }
    const target = int(1100, 2500);
    const out: string[] = [];
    if (n.frontMatter) {
      out.push('---', `title: ${n.name}`);
      if (n.aliases.length) out.push('aliases:', ...n.aliases.map((a) => `  - ${a}`));
      if (n.tags.length) out.push(`tags: [${n.tags.join(', ')}]`);
      out.push(`created: 2025-0${int(1, 9)}-1${int(0, 9)}`, '---', '');
    }
    out.push(`# ${n.name}`, '');
    let size = out.join('\n').length;
    let section = 0;
    let linkIdx = 0;
    let para = 0;
    while (size < target || linkIdx < linkTokens.length) {
      if (para > 0 && para % 2 === 0 && section < n.sections.length) {
        out.push(`## ${n.sections[section++]}`, '');
      }
      const words: string[] = [];
      const len = int(25, 70);
      for (let w = 0; w < len; w++) {
        words.push(vocab[zipf()]!);
        if (rand() < 0.012) words.push(`#${pick(tagPool)}`);
      }
      // Spread the links over the paragraphs.
      const here = Math.min(linkTokens.length - linkIdx, int(1, 4));
      for (let k = 0; k < here; k++) words.splice(int(1, words.length - 1), 0, linkTokens[linkIdx++]!);
      words[0] = cap(words[0]!);
      let text: string;
      if (rand() < 0.2) {
        // a list instead of a paragraph
        const items: string[] = [];
        for (let s = 0; s < words.length; s += 8) items.push(`- ${words.slice(s, s + 8).join(' ')}`);
        text = items.join('\n');
      } else text = `${words.join(' ')}.`;
      out.push(text, '');
      size += text.length + 1;
      para++;
    }
    const content = out.join('\n');
    fs.writeFileSync(n.abs, content);
    bytes += Buffer.byteLength(content);
  }
  return { dir, notes, vocab, bytes, links, missingLinks };
}

// --- baselines --------------------------------------------------------------------------------------------------

function readAll(files: string[]): number {
  let total = 0;
  for (const f of files) total += fs.readFileSync(f).length;
  return total;
}
function statAll(files: string[]): number {
  let total = 0;
  for (const f of files) total += fs.statSync(f).size;
  return total;
}

// --- main -------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-knowledge-'));
  const vaultDir = path.join(dir, 'vault');
  fs.mkdirSync(vaultDir);
  let store: Store | undefined;
  try {
    const genMs = performance.now();
    progress(`generating ${NOTES} notes in ${vaultDir}`);
    const vault = generateVault(vaultDir, NOTES, SEED);
    const files = vault.notes.map((n) => n.abs);
    progress(`generated ${(vault.bytes / 2 ** 20).toFixed(1)} MiB (${Math.round(vault.bytes / NOTES)} B/note, ${vault.links} links + ${vault.missingLinks} to missing notes) in ${((performance.now() - genMs) / 1000).toFixed(1)} s`);

    // Page cache hot for everything that follows (generation just wrote the files, but read them once anyway).
    readAll(files);
    readAll(files);
    const readMs: number[] = [];
    const statMs: number[] = [];
    for (let t = 0; t < TRIALS; t++) {
      readMs.push(timeSync(() => readAll(files)));
      statMs.push(timeSync(() => statAll(files)));
    }

    gc();
    const memBefore = process.memoryUsage();
    store = await Store.open(path.join(dir, 'store'));
    const s = store;
    const memOpened = process.memoryUsage();

    // 1. Cold index.
    progress('cold index…');
    const cold = await timeAsync(() => indexVault(s, vaultDir, who));
    const coldReport: IndexReport = cold.value;
    if (coldReport.notes !== NOTES) throw new Error(`cold index has ${coldReport.notes} notes, expected ${NOTES} (skipped: ${JSON.stringify(coldReport.skipped.slice(0, 5))})`);
    progress(`cold index: ${(cold.ms / 1000).toFixed(1)} s (${Math.round(NOTES / (cold.ms / 1000))} notes/s), links ${coldReport.links.resolved} resolved / ${coldReport.links.unresolved} unresolved, ${coldReport.tags} tags`);
    // Read baseline again after the index, so the ratio does not hinge on one side of it.
    readMs.push(timeSync(() => readAll(files)));
    const memAfterRaw = process.memoryUsage();
    gc();
    const memAfter = process.memoryUsage();

    // 2. Warm start: nothing changed. Interleaved with the baselines.
    progress('warm start…');
    await indexVault(s, vaultDir, who); // first warm run (JIT, caches)
    const warmMs: number[] = [];
    const warmRead: number[] = [];
    const warmStat: number[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const w = await timeAsync(() => indexVault(s, vaultDir, who));
      if (w.value.unchanged !== NOTES || w.value.added || w.value.updated || w.value.removed) throw new Error(`warm index changed something: ${JSON.stringify({ ...w.value, skipped: undefined })}`);
      warmMs.push(w.ms);
      warmRead.push(timeSync(() => readAll(files)));
      warmStat.push(timeSync(() => statAll(files)));
    }
    progress(`warm start: ${median(warmMs)} ms; read-all ${median(warmRead)} ms; stat-all ${median(warmStat)} ms`);

    // 3. Edit → searchable, interleaved with a nothing-changed index run.
    progress(`${EDITS} edits…`);
    const editRand = prng(SEED + 1);
    const editTotal: number[] = [];
    const editIndex: number[] = [];
    const editSearch: number[] = [];
    const noChange: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      noChange.push((await timeAsync(() => indexVault(s, vaultDir, who))).ms);
      const note = vault.notes[Math.floor(editRand() * vault.notes.length)]!;
      const word = `qzedit${String(i).padStart(3, '0')}x${SEED}`;
      const started = performance.now();
      fs.appendFileSync(note.abs, `\nEdited: ${word}\n`);
      const idx = await timeAsync(() => indexVault(s, vaultDir, who));
      const found = await timeAsync(() => searchText(s, word));
      editTotal.push(performance.now() - started);
      editIndex.push(idx.ms);
      editSearch.push(found.ms);
      if (idx.value.updated !== 1) throw new Error(`edit ${i}: indexVault updated ${idx.value.updated} notes, expected 1`);
      if (!found.value.some((h) => h.path === note.rel)) throw new Error(`edit ${i}: searchText("${word}") did not find ${note.rel}: ${JSON.stringify(found.value.map((h) => h.path))}`);
    }
    const edit = { total: stats(editTotal), indexVault: stats(editIndex), searchText: stats(editSearch), noChangeIndexVault: stats(noChange) };
    progress(`edit→searchable p50 ${edit.total.p50} ms (indexVault ${edit.indexVault.p50}, search ${edit.searchText.p50}); no-change indexVault p50 ${edit.noChangeIndexVault.p50} ms`);

    // 3b. Edit → searchable through indexPaths (what the vault watcher calls with its batch), same kind of edits;
    // the baseline is the full-scan indexVault edit→searchable figure above. otherFiles is passed as the watcher does.
    progress(`${EDITS} edits through indexPaths…`);
    const otherFiles = scanVault(vaultDir).otherFiles;
    const pathsTotal: number[] = [];
    const pathsIndex: number[] = [];
    const pathsEmbed: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const note = vault.notes[Math.floor(editRand() * vault.notes.length)]!;
      const word = `qzpaths${String(i).padStart(3, '0')}x${SEED}`;
      const started = performance.now();
      fs.appendFileSync(note.abs, `\nEdited: ${word}\n`);
      const idx = await timeAsync(() => indexPaths(s, vaultDir, [note.rel], who, { otherFiles }));
      const found = await searchText(s, word);
      pathsTotal.push(performance.now() - started);
      pathsIndex.push(idx.ms);
      if (idx.value.updated !== 1) throw new Error(`indexPaths edit ${i}: updated ${idx.value.updated} notes, expected 1`);
      if (!found.some((h) => h.path === note.rel)) throw new Error(`indexPaths edit ${i}: searchText("${word}") did not find ${note.rel}`);
      const embedded = idx.value.embeddings;
      if (!embedded || 'error' in embedded || embedded.added < 1) throw new Error(`indexPaths edit ${i}: the edited passage was not embedded: ${JSON.stringify(embedded)}`);
      pathsEmbed.push(embedded.ms);
    }
    // The text (FTS) is committed, and searchable, before the passages are embedded: `embedding` is the part of
    // indexPaths spent after that (default GloVe embedder).
    const viaPaths = { total: stats(pathsTotal), indexPaths: stats(pathsIndex), embedding: stats(pathsEmbed) };
    progress(`edit→searchable via indexPaths p50 ${viaPaths.total.p50} ms / p95 ${viaPaths.total.p95} ms (indexPaths ${viaPaths.indexPaths.p50}, of which embedding ${viaPaths.embedding.p50})`);

    // 3c. Edit → searchable through the real watcher in this process: write the file, poll searchText (every 2 ms)
    // until it finds the word. Includes chokidar's notice, the 20 ms debounce window, indexPaths and the search.
    progress(`${EDITS} edits through the vault watcher…`);
    const watcher = new VaultWatcher({ store: s, vaultDir, who });
    const watchStart = await timeAsync(() => watcher.start());
    const watchTotal: number[] = [];
    try {
      for (let i = 0; i < EDITS; i++) {
        const note = vault.notes[Math.floor(editRand() * vault.notes.length)]!;
        const word = `qzwatch${String(i).padStart(3, '0')}x${SEED}`;
        const started = performance.now();
        fs.appendFileSync(note.abs, `\nEdited: ${word}\n`);
        for (;;) {
          if ((await searchText(s, word)).some((h) => h.path === note.rel)) break;
          if (performance.now() - started > 10_000) throw new Error(`watcher edit ${i}: ${note.rel} not searchable after 10 s`);
          await new Promise((r) => setTimeout(r, 2));
        }
        watchTotal.push(performance.now() - started);
        await watcher.idle();
      }
    } finally {
      await watcher.close();
    }
    const viaWatcher = { total: stats(watchTotal), startMs: round(watchStart.ms), debounceMs: 20 };
    progress(`edit→searchable via watcher p50 ${viaWatcher.total.p50} ms / p95 ${viaWatcher.total.p95} ms (watcher start ${viaWatcher.startMs} ms)`);

    // 4. Search vs ripgrep.
    const qRand = prng(SEED + 2);
    const bands: [number, number][] = [
      [0, 50], // very frequent
      [50, 500], // common
      [500, VOCAB_SIZE], // rare
    ];
    const queries: string[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const words = 1 + Math.floor(qRand() * 3);
      const q: string[] = [];
      for (let w = 0; w < words; w++) {
        const [lo, hi] = bands[Math.floor(qRand() * bands.length)]!;
        q.push(vault.vocab[lo + Math.floor(qRand() * (hi - lo))]!);
      }
      queries.push(q.join(' '));
    }
    const rg = findRg();
    progress(`${QUERIES} queries (searchText vs ${rg.bin ? rg.version : 'no rg: ' + rg.reason})…`);
    for (const q of queries.slice(0, 5)) await searchText(s, q); // warm-up
    const ftsMs: number[] = [];
    const rgMs: number[] = [];
    const ftsHits: number[] = [];
    const rgFiles: number[] = [];
    const runRg = (q: string) => {
      const r = spawnSync(rg.bin!, ['-l', '-i', '-F', '--', q.split(' ')[0]!, vaultDir], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
      if (r.status !== 0 && r.status !== 1) throw new Error(`rg failed (${r.status}): ${r.stderr}`);
      return r.stdout ? r.stdout.split('\n').filter(Boolean).length : 0;
    };
    if (rg.bin) runRg(queries[0]!);
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      const fts = async () => {
        const r = await timeAsync(() => searchText(s, q));
        ftsMs.push(r.ms);
        ftsHits.push(r.value.length);
      };
      const grep = () => {
        if (!rg.bin) return;
        const started = performance.now();
        rgFiles.push(runRg(q));
        rgMs.push(performance.now() - started);
      };
      if (i % 2 === 0) {
        await fts();
        grep();
      } else {
        grep();
        await fts();
      }
    }
    const rgSpawnMs = rg.bin ? stats(Array.from({ length: 10 }, () => timeSync(() => spawnSync(rg.bin!, ['--version'])))) : null;
    const search = { fts: stats(ftsMs), rg: rg.bin ? stats(rgMs) : null, rgSpawnMs, ftsHitsMean: round(ftsHits.reduce((a, b) => a + b, 0) / ftsHits.length, 1), rgFilesMean: rgFiles.length ? round(rgFiles.reduce((a, b) => a + b, 0) / rgFiles.length, 1) : null };
    progress(`searchText p50 ${search.fts.p50} ms / p95 ${search.fts.p95} ms; rg p50 ${search.rg?.p50 ?? '-'} ms / p95 ${search.rg?.p95 ?? '-'} ms`);

    const health = await s.health();
    const baseRead = median(readMs);
    await s.close();
    store = undefined;

    // 6. At scale: this vault, then one shaped like a real vault, each measured the same way (bench/indexAtScale.ts).
    progress('~2 KB vault at scale…');
    const small = await measureAtScale({ workDir: path.join(dir, 'scale-small'), vaultDir, files, queries, trials: TRIALS, profile: false, progress: (m) => progress(`[~2 KB] ${m}`) });
    let real: { vault: ReturnType<typeof generateRealisticVault>['stats']; queries: string[]; measures: Awaited<ReturnType<typeof measureAtScale>> } | null = null;
    if (REAL_NOTES > 0) {
      const realDir = path.join(dir, 'real-vault');
      fs.mkdirSync(realDir);
      const words = [...loadWordTable().index.keys()].slice(0, 20_000).filter((w) => /^\p{L}+$/u.test(w));
      const realStarted = performance.now();
      const generated = generateRealisticVault(realDir, REAL_NOTES, SEED, words);
      const v = generated.stats;
      progress(`real-size vault: ${v.notes} notes, ${v.MiB} MiB, note bytes median ${v.noteBytes.median} / p90 ${v.noteBytes.p90} / max ${v.noteBytes.max}, ${v.links} links (${v.linksPerNote}/note), in ${((performance.now() - realStarted) / 1000).toFixed(1)} s`);
      const rRand = prng(SEED + 3);
      const realBands: [number, number][] = [
        [30, 300], // frequent
        [300, 3000], // common
        [3000, words.length], // rare
      ];
      const realQueries = Array.from({ length: QUERIES }, () =>
        Array.from({ length: 1 + Math.floor(rRand() * 3) }, () => {
          const [lo, hi] = realBands[Math.floor(rRand() * realBands.length)]!;
          return words[lo + Math.floor(rRand() * (hi - lo))]!;
        }).join(' '),
      );
      const measures = await measureAtScale({ workDir: path.join(dir, 'scale-real'), vaultDir: realDir, files: generated.files, queries: realQueries, trials: TRIALS, profile: PROFILE, progress: (m) => progress(`[real] ${m}`) });
      real = { vault: v, queries: realQueries, measures };
    }
    const { rows: smallRows, ...smallMeasures } = small;

    const result = {
      name: 'knowledge',
      description:
        'Vault indexing and full-text search on a synthetic vault (Zipf vocabulary, wikilinks, front matter, tags): cold/warm indexVault vs reading/stat-ing every file, edit→searchable vs a no-change indexVault, searchText vs ripgrep, memory after indexing. Then, on that vault (atScale) and on a real-size one (realVault: median 5.2 KB notes, ~19 links each, real words): cold index in a child process (time, peak RSS, RSS after GC) vs a bare FTS5 insert of the same files, warm index, text and hybrid knowledge.search over JSON-RPC vs rg.',
      params: { notes: NOTES, edits: EDITS, queries: QUERIES, trials: TRIALS, seed: SEED, vocabulary: VOCAB_SIZE, folders: 50, realNotes: REAL_NOTES, profile: PROFILE, percentile: 'nearest-rank' },
      vault: { bytes: vault.bytes, avgNoteBytes: Math.round(vault.bytes / NOTES), links: vault.links, linksToMissing: vault.missingLinks },
      baselines: { readAllMs: stats(readMs), statAllMs: stats(statMs) },
      coldIndex: { ms: round(cold.ms), notesPerSec: Math.round(NOTES / (cold.ms / 1000)), report: { ...coldReport, skipped: coldReport.skipped.length } },
      warmStart: { indexVaultMs: stats(warmMs), readAllMs: stats(warmRead), statAllMs: stats(warmStat) },
      editToSearchable: { ...edit, note: 'indexVault (full scan) is called explicitly after each edit.' },
      editToSearchableIndexPaths: { ...viaPaths, baseline: 'editToSearchable.total (full-scan indexVault)', note: 'indexPaths on the one edited path (what the vault watcher runs, embedding its changed passages with the default GloVe embedder), then searchText; embedding: the part of indexPaths after the text was committed.' },
      editToSearchableWatcher: { ...viaWatcher, note: 'In-process VaultWatcher (chokidar, 20 ms debounce): append to the file, poll searchText every 2 ms until found.' },
      search: { ...search, queries, rg: search.rg, rgVersion: rg.version, rgMissingReason: rg.reason ?? null, note: 'rg: -l -i -F on the first word only, spawn included, lists every matching file; searchText: all words (last as prefix), bm25, top 20, snippets.' },
      memory: {
        beforeStoreOpen: { rssMiB: mib(memBefore.rss), heapUsedMiB: mib(memBefore.heapUsed) },
        afterStoreOpen: { rssMiB: mib(memOpened.rss), heapUsedMiB: mib(memOpened.heapUsed) },
        afterColdIndex: { rssMiB: mib(memAfterRaw.rss), heapUsedMiB: mib(memAfterRaw.heapUsed), heapTotalMiB: mib(memAfterRaw.heapTotal), externalMiB: mib(memAfterRaw.external) },
        afterColdIndexGc: { rssMiB: mib(memAfter.rss), heapUsedMiB: mib(memAfter.heapUsed), heapTotalMiB: mib(memAfter.heapTotal) },
      },
      atScale: smallMeasures,
      realVault: real ? { vault: real.vault, queries: real.queries, ...(({ rows: _r, ...m }) => m)(real.measures) } : null,
      goals: 'issue 15, for the real-size vault (reference only): cold index ≤ 6 s and ≤ 3× the bare FTS5 insert; peak RSS ≤ 200 MB; hybrid p95 ≤ 30 ms (≤ 0.2× rg); text p95 ≤ 10 ms.',
      sqlite: { version: health.sqliteVersion, journalMode: health.journalMode, databaseMiB: mib(health.sizes.databaseBytes), walMiB: mib(health.sizes.walBytes) },
      summary: [
        { metric: `cold index ${NOTES} notes`, value: round(cold.ms), baseline: baseRead, ratio: ratio(cold.ms, baseRead), unit: 'ms' },
        { metric: 'warm start (nothing changed) vs read all', value: median(warmMs), baseline: median(warmRead), ratio: ratio(median(warmMs), median(warmRead)), unit: 'ms' },
        { metric: 'warm start (nothing changed) vs stat all', value: median(warmMs), baseline: median(warmStat), ratio: ratio(median(warmMs), median(warmStat)), unit: 'ms' },
        { metric: 'edit→searchable p50 vs no-change index', value: edit.total.p50, baseline: edit.noChangeIndexVault.p50, ratio: ratio(edit.total.p50, edit.noChangeIndexVault.p50), unit: 'ms' },
        { metric: 'edit→searchable p95 vs no-change index', value: edit.total.p95, baseline: edit.noChangeIndexVault.p95, ratio: ratio(edit.total.p95, edit.noChangeIndexVault.p95), unit: 'ms' },
        { metric: 'edit→searchable p50 via indexPaths vs full-scan indexVault', value: viaPaths.total.p50, baseline: edit.total.p50, ratio: ratio(viaPaths.total.p50, edit.total.p50), unit: 'ms' },
        { metric: 'edit→searchable p95 via indexPaths vs full-scan indexVault', value: viaPaths.total.p95, baseline: edit.total.p95, ratio: ratio(viaPaths.total.p95, edit.total.p95), unit: 'ms' },
        { metric: 'edit→searchable p50 via vault watcher vs full-scan indexVault', value: viaWatcher.total.p50, baseline: edit.total.p50, ratio: ratio(viaWatcher.total.p50, edit.total.p50), unit: 'ms' },
        { metric: 'edit→searchable p95 via vault watcher vs full-scan indexVault', value: viaWatcher.total.p95, baseline: edit.total.p95, ratio: ratio(viaWatcher.total.p95, edit.total.p95), unit: 'ms' },
        { metric: 'searchText p50 vs rg -l -i -F', value: search.fts.p50, baseline: search.rg?.p50 ?? null, ratio: ratio(search.fts.p50, search.rg?.p50 ?? null), unit: 'ms' },
        { metric: 'searchText p95 vs rg -l -i -F', value: search.fts.p95, baseline: search.rg?.p95 ?? null, ratio: ratio(search.fts.p95, search.rg?.p95 ?? null), unit: 'ms' },
        { metric: 'RSS after cold index vs before store open', value: mib(memAfter.rss), baseline: mib(memBefore.rss), ratio: ratio(memAfter.rss, memBefore.rss), unit: 'MiB' },
        { metric: 'heap used after cold index vs before store open', value: mib(memAfter.heapUsed), baseline: mib(memBefore.heapUsed), ratio: ratio(memAfter.heapUsed, memBefore.heapUsed), unit: 'MiB' },
        ...smallRows.map((r) => ({ ...r, metric: `[~2 KB notes] ${r.metric}` })),
        ...(real ? real.measures.rows.map((r) => ({ ...r, metric: `[real-size notes] ${r.metric}` })) : []),
      ],
    };
    writeResult(result);
  } finally {
    await store?.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The same bundle is the cold-index child of bench/indexAtScale.ts (a process of its own, for its peak RSS).
if (isIndexChild()) runBench('knowledge index child', runIndexChild);
else runBench('knowledge', main);
