// Retrieval quality of each search mode on a vault Cairn's authors did not write: the Foam documentation vault
// (test/fixtures/foam-docs-vault, read in place), with the question set in bench/search-quality.questions.json
// (keyword questions that reuse the notes' words, paraphrased ones that avoid them; each with the note(s) that
// answer it). Modes:
//   text      searchText as the quick pick types (every word must match, the last as a prefix)
//   bm25-any  bm25 over any of the words (stop words dropped): the text half of hybrid, and the baseline
//   semantic  GloVe + SIF, each note by the mean of its best passage's and its whole-note vector's similarity
//   hybrid    bm25-any and semantic fused: the mean of their min-max scaled scores (the default mode)
// Metrics per mode and question kind: recall@5 (share of a question's expected notes in the top 5, at most 5
// expected counted), hit@5 (a question with at least one expected note in the top 5), MRR@10 (1 / rank of the
// first expected note in the top 10, else 0); and, against the baseline, per question wins/losses in reciprocal rank.
//
// Run with `npm run bench -- search-quality`; alone: `node --import tsx bench/search-quality.bench.ts`.
// Env: CAIRN_BENCH_OUT (where to write the JSON), BENCH_VAULT (another vault with its own BENCH_QUESTIONS file).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexVault } from '../src/store/knowledge/indexer';
import { searchText, type SearchHit } from '../src/store/knowledge/search';
import { searchHybrid, searchSemantic } from '../src/store/knowledge/semanticSearch';
import { Store } from '../src/store/store';
import { ROOT, runBench, writeResult } from './output';

const VAULT = process.env.BENCH_VAULT ?? path.join(ROOT, 'test', 'fixtures', 'foam-docs-vault');
const QUESTIONS = process.env.BENCH_QUESTIONS ?? path.join(ROOT, 'bench', 'search-quality.questions.json');

interface Question {
  kind: 'keyword' | 'paraphrase';
  q: string;
  expected: string[];
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function score(hits: SearchHit[], expected: string[]) {
  const paths = hits.map((h) => h.path);
  const top5 = paths.slice(0, 5);
  const found = expected.filter((e) => top5.includes(e)).length;
  const rank = paths.slice(0, 10).findIndex((p) => expected.includes(p));
  return { recall5: found / Math.min(expected.length, 5), hit5: found > 0 ? 1 : 0, rr10: rank >= 0 ? 1 / (rank + 1) : 0 };
}

async function main(): Promise<void> {
  if (!fs.existsSync(VAULT)) throw new Error(`The vault ${VAULT} is missing (test/fixtures/foam-docs-vault).`);
  const questions = (JSON.parse(fs.readFileSync(QUESTIONS, 'utf8')) as { questions: Question[] }).questions;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-quality-'));
  const store = await Store.open(path.join(dir, 'store'));
  try {
    const report = await indexVault(store, VAULT, { actor: 'bench', source: 'cli' });
    process.stderr.write(`search-quality: indexed ${report.notes} notes, ${report.chunks} passages\n`);
    const modes: Record<string, (q: string) => Promise<SearchHit[]>> = {
      text: (q) => searchText(store, q, { limit: 10 }),
      'bm25-any': (q) => searchText(store, q, { limit: 10, words: 'any' }),
      semantic: (q) => searchSemantic(store, q, { limit: 10 }),
      hybrid: (q) => searchHybrid(store, q, { limit: 10 }),
      'hybrid-rrf': (q) => searchHybrid(store, q, { limit: 10, fusion: 'rrf' }),
    };
    const perQuestion: Record<string, ReturnType<typeof score>[]> = {};
    for (const [mode, run] of Object.entries(modes)) {
      perQuestion[mode] = [];
      for (const q of questions) perQuestion[mode]!.push(score(await run(q.q), q.expected));
    }
    const kinds = ['all', 'keyword', 'paraphrase'] as const;
    const pick = (kind: (typeof kinds)[number]) => questions.map((q, i) => (kind === 'all' || q.kind === kind ? i : -1)).filter((i) => i >= 0);
    const metrics: Record<string, Record<string, { recall5: number; hit5: number; mrr10: number; n: number }>> = {};
    for (const mode of Object.keys(modes)) {
      metrics[mode] = {};
      for (const kind of kinds) {
        const idx = pick(kind);
        const s = idx.map((i) => perQuestion[mode]![i]!);
        metrics[mode]![kind] = { recall5: round(mean(s.map((x) => x.recall5))), hit5: round(mean(s.map((x) => x.hit5))), mrr10: round(mean(s.map((x) => x.rr10))), n: idx.length };
      }
    }
    const BASELINE = 'bm25-any';
    const versus: Record<string, Record<string, { wins: number; losses: number; ties: number }>> = {};
    for (const mode of ['semantic', 'hybrid', 'hybrid-rrf']) {
      versus[mode] = {};
      for (const kind of kinds) {
        const v = { wins: 0, losses: 0, ties: 0 };
        for (const i of pick(kind)) {
          const a = perQuestion[mode]![i]!.rr10;
          const b = perQuestion[BASELINE]![i]!.rr10;
          if (a > b) v.wins++;
          else if (a < b) v.losses++;
          else v.ties++;
        }
        versus[mode]![kind] = v;
      }
    }
    const summary = Object.keys(modes).flatMap((mode) =>
      (['keyword', 'paraphrase', 'all'] as const).flatMap((kind) =>
        (['recall5', 'mrr10'] as const).map((m) => ({
          metric: `${mode} ${m === 'recall5' ? 'recall@5' : 'MRR@10'} (${kind})`,
          value: metrics[mode]![kind]![m],
          baseline: metrics[BASELINE]![kind]![m],
          ratio: metrics[BASELINE]![kind]![m] ? round(metrics[mode]![kind]![m] / metrics[BASELINE]![kind]![m], 2) : null,
          unit: '',
        })),
      ),
    );
    const missed = questions
      .map((q, i) => ({ q: q.q, kind: q.kind, hybridRR: round(perQuestion.hybrid![i]!.rr10), bm25RR: round(perQuestion[BASELINE]![i]!.rr10) }))
      .filter((x) => x.hybridRR === 0);
    const result = {
      name: 'search-quality',
      vault: VAULT,
      notes: report.notes,
      chunks: report.chunks,
      questions: { total: questions.length, keyword: pick('keyword').length, paraphrase: pick('paraphrase').length, file: path.relative(ROOT, QUESTIONS) },
      baseline: BASELINE,
      metrics,
      versusBaseline: versus,
      hybridMissed: missed,
      summary,
    };
    writeResult(result);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('search-quality', main);
