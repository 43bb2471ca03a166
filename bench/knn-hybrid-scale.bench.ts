// Semantic search at vault scale, each figure against a baseline in the same run, on a generated vault of
// BENCH_NOTES (10,000) notes of ~2 KB written in real English words (drawn Zipf-like from the GloVe table's
// 20,000 most frequent words, so the embedder does real work), with headings and front matter type/project:
//   1. cold index with embeddings (the default) vs the same vault on a fresh store with embedding off
//      (indexVault { embedder: null }: notes, links, tags, full text and passages only);
//   2. hybrid search p50/p95 over BENCH_QUERIES (50) queries of 2–4 words vs `rg -l -i -F <first word>` as a child
//      process (null with a reason when ripgrep is missing), and vs text search (searchText) on the same store.
//
// Run with `npm run bench -- knn-hybrid-scale`; alone: `node --import tsx bench/knn-hybrid-scale.bench.ts`.
// Env: BENCH_NOTES (10000), BENCH_QUERIES (50), BENCH_SEED (11), CAIRN_BENCH_OUT.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadWordTable } from '../src/store/knowledge/embedGlove';
import { indexVault, type IndexReport } from '../src/store/knowledge/indexer';
import { searchText } from '../src/store/knowledge/search';
import { searchHybrid } from '../src/store/knowledge/semanticSearch';
import { Store } from '../src/store/store';
import { prng, round, stats } from './stats';
import { runBench, writeResult } from './output';

const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 50);
const SEED = Number(process.env.BENCH_SEED ?? 11);
const who = { actor: 'bench', source: 'cli' as const };


function generate(dir: string, words: string[], rand: () => number): number {
  // Zipf-like: rank ~ exp(uniform * ln(n)) favours frequent words, as text does.
  const word = () => words[Math.min(words.length - 1, Math.floor(Math.exp(rand() * Math.log(words.length))) - 1)]!;
  const sentence = () => Array.from({ length: 8 + Math.floor(rand() * 12) }, word).join(' ') + '.';
  let bytes = 0;
  for (let i = 0; i < NOTES; i++) {
    const folder = `area-${i % 20}`;
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    const out = ['---', `type: ${['topic', 'howto', 'meeting'][i % 3]}`, `project: p${i % 7}`, '---', `# ${word()} ${word()} ${i}`, ''];
    for (let s = 0; s < 3; s++) {
      out.push(`## ${word()} ${word()}`, '');
      for (let p = 0; p < 2; p++) out.push(Array.from({ length: 3 }, sentence).join(' '), '');
    }
    const text = out.join('\n');
    fs.writeFileSync(path.join(dir, folder, `note-${i}.md`), text);
    bytes += text.length;
  }
  return bytes;
}

async function timedIndex(storeDir: string, vault: string, embed: boolean): Promise<{ ms: number; report: IndexReport; store: Store }> {
  const store = await Store.open(storeDir);
  const started = performance.now();
  const report = await indexVault(store, vault, who, embed ? {} : { embedder: null });
  return { ms: performance.now() - started, report, store };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-semantic-'));
  const vault = path.join(dir, 'vault');
  try {
    const rand = prng(SEED);
    const table = loadWordTable();
    const words = [...table.index.keys()].slice(50, 20_050).filter((w) => /^\p{L}+$/u.test(w));
    const bytes = generate(vault, words, rand);
    process.stderr.write(`knn-hybrid-scale: generated ${NOTES} notes (${round(bytes / 2 ** 20, 1)} MiB)\n`);

    const plain = await timedIndex(path.join(dir, 'plain'), vault, false);
    await plain.store.close();
    const withVectors = await timedIndex(path.join(dir, 'semantic'), vault, true);
    const store = withVectors.store;
    const e = withVectors.report.embeddings as { embedded: number; ms: number };
    process.stderr.write(`knn-hybrid-scale: cold index ${Math.round(withVectors.ms)} ms with embeddings (${e.embedded} passages, ${e.ms} ms embedding) vs ${Math.round(plain.ms)} ms without\n`);

    const queries = Array.from({ length: QUERIES }, () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => words[Math.floor(rand() * 3000)]!).join(' '));
    await searchHybrid(store, queries[0]!); // warm
    const hybridMs: number[] = [];
    const textMs: number[] = [];
    for (const q of queries) {
      let t = performance.now();
      await searchHybrid(store, q, { limit: 20 });
      hybridMs.push(performance.now() - t);
      t = performance.now();
      await searchText(store, q, { limit: 20 });
      textMs.push(performance.now() - t);
    }
    const rg = spawnSync('rg', ['--version'], { encoding: 'utf8' });
    let rgStats: ReturnType<typeof stats> | null = null;
    if (rg.status === 0) {
      const rgMs: number[] = [];
      for (const q of queries) {
        const t = performance.now();
        spawnSync('rg', ['-l', '-i', '-F', q.split(' ')[0]!, vault], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
        rgMs.push(performance.now() - t);
      }
      rgStats = stats(rgMs);
    }
    await store.close();
    const hybrid = stats(hybridMs);
    const text = stats(textMs);
    const result = {
      name: 'knn-hybrid-scale',
      notes: NOTES,
      megabytes: round(bytes / 2 ** 20, 1),
      chunks: withVectors.report.chunks,
      coldIndex: {
        withEmbeddingsMs: Math.round(withVectors.ms),
        withoutEmbeddingsMs: Math.round(plain.ms),
        embeddingPartMs: e.ms,
        ratio: round(withVectors.ms / plain.ms),
      },
      hybridSearchMs: hybrid,
      textSearchMs: text,
      rgMs: rgStats,
      rg: rg.status === 0 ? rg.stdout.split('\n')[0] : { reason: 'ripgrep (rg) is not installed' },
      summary: [
        { metric: `cold index ${NOTES} notes, with vs without embeddings`, value: Math.round(withVectors.ms), baseline: Math.round(plain.ms), ratio: round(withVectors.ms / plain.ms), unit: 'ms' },
        { metric: 'hybrid search p50 vs rg', value: hybrid.p50, baseline: rgStats?.p50 ?? null, ratio: rgStats ? round(hybrid.p50 / rgStats.p50) : null, unit: 'ms' },
        { metric: 'hybrid search p95 vs rg', value: hybrid.p95, baseline: rgStats?.p95 ?? null, ratio: rgStats ? round(hybrid.p95 / rgStats.p95) : null, unit: 'ms' },
        { metric: 'hybrid search p95 vs text search p95', value: hybrid.p95, baseline: text.p95, ratio: round(hybrid.p95 / text.p95), unit: 'ms' },
      ],
    };
    writeResult(result);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('knn-hybrid-scale', main);
