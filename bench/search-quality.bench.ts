// Retrieval quality of each search mode on two vaults Cairn's authors did not write, each with its own question set
// (keyword questions that reuse the notes' words, paraphrased ones that avoid them; each with the note(s) that
// answer it), read in place from test/fixtures:
//   foam       the Foam documentation vault, bench/search-quality.questions.json (49 questions; the ranking was
//              tuned on it)
//   rust-book  the Rust book, bench/search-quality.rust-book.questions.json (72 questions, written before any ranking
//              change was measured on it; its paraphrases share no content word with their note's title or file
//              name, which this bench checks)
// Modes:
//   text      searchText as the quick pick types (every word must match, the last as a prefix)
//   bm25-any  bm25 over any of the words (stop words dropped): the baseline
//   semantic  GloVe + SIF, each note by the mean of its best passage's and its whole-note vector's similarity
//   hybrid    three rankings fused, the mean of their min-max scaled scores: bm25-any, each note's best passage by
//             bm25 and semantic, and at half weight the notes' titles and headings matched word by word in GloVe (the
//             default mode), with its relevance floor; hybrid-no-floor without it
// The floor is measured too: how many hits hybrid shows (limit 10) for the set's questions and for OFF_TOPIC
// questions neither vault can answer.
// Metrics per set, mode and question kind: recall@5 (share of a question's expected notes in the top 5, at most 5
// expected counted), hit@5 (a question with at least one expected note in the top 5), MRR@10 (1 / rank of the
// first expected note in the top 10, else 0); and, against the baseline, per question wins/losses in reciprocal rank.
//
// Run with `npm run bench -- search-quality`; alone: `node --import tsx bench/search-quality.bench.ts`.
// Env: CAIRN_BENCH_OUT (where to write the JSON), BENCH_VAULT (another vault with its own BENCH_QUESTIONS file,
// measured instead of the two sets).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentWords } from '../src/store/knowledge/embedGlove';
import { indexVault } from '../src/store/knowledge/indexer';
import { searchText, type SearchHit } from '../src/store/knowledge/search';
import { searchHybrid, searchSemantic } from '../src/store/knowledge/semanticSearch';
import { Store } from '../src/store/store';
import { ROOT, runBench, writeResult } from './output';

interface QuestionSet {
  name: string;
  vault: string;
  questions: string;
  /** Whether its paraphrases must share no content word with their note's title and file name. */
  checkParaphrases: boolean;
}

const SETS: QuestionSet[] = process.env.BENCH_VAULT
  ? [{ name: path.basename(process.env.BENCH_VAULT), vault: process.env.BENCH_VAULT, questions: process.env.BENCH_QUESTIONS ?? '', checkParaphrases: false }]
  : [
      { name: 'foam', vault: path.join(ROOT, 'test', 'fixtures', 'foam-docs-vault'), questions: path.join(ROOT, 'bench', 'search-quality.questions.json'), checkParaphrases: false },
      { name: 'rust-book', vault: path.join(ROOT, 'test', 'fixtures', 'rust-book-vault'), questions: path.join(ROOT, 'bench', 'search-quality.rust-book.questions.json'), checkParaphrases: true },
    ];

interface Question {
  kind: 'keyword' | 'paraphrase';
  q: string;
  expected: string[];
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function score(hits: SearchHit[], expected: string[]) {
  const paths = hits.map((h) => h.id);
  const top5 = paths.slice(0, 5);
  const found = expected.filter((e) => top5.includes(e)).length;
  const rank = paths.slice(0, 10).findIndex((p) => expected.includes(p));
  return { recall5: found / Math.min(expected.length, 5), hit5: found > 0 ? 1 : 0, rr10: rank >= 0 ? 1 / (rank + 1) : 0 };
}

const BASELINE = 'bm25-any';
/** Questions neither vault answers: what the relevance floor should cut to few hits or none. */
const OFF_TOPIC = ['chocolate cake recipe', 'best hiking trails in the alps', 'how do I file my taxes', 'watering schedule for tomato plants', 'who won the football world cup', 'knitting pattern for a scarf', 'cheap flights to lisbon', 'symptoms of the flu', 'wedding speech ideas', 'how to train a puppy'];
const KINDS = ['all', 'keyword', 'paraphrase'] as const;

/** The paraphrases that share a content word with their note's title or file name (the set's rule forbids it). */
async function titleOverlaps(store: Store, questions: Question[]): Promise<{ q: string; note: string; words: string[] }[]> {
  const out: { q: string; note: string; words: string[] }[] = [];
  for (const q of questions.filter((x) => x.kind === 'paraphrase')) {
    const asked = new Set(contentWords(q.q));
    for (const note of q.expected) {
      const row = await store.conn.get<{ title: string }>('select title from notes where path = ?', [note]);
      const titleWords = new Set([...contentWords(row?.title ?? ''), ...contentWords(path.basename(note, '.md'))]);
      const shared = [...asked].filter((w) => titleWords.has(w));
      if (shared.length) out.push({ q: q.q, note, words: shared });
    }
  }
  return out;
}

async function measureSet(set: QuestionSet) {
  if (!fs.existsSync(set.vault)) throw new Error(`The vault ${set.vault} is missing (test/fixtures).`);
  const questions = (JSON.parse(fs.readFileSync(set.questions, 'utf8')) as { questions: Question[] }).questions;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-quality-'));
  const store = await Store.open(path.join(dir, 'store'));
  try {
    const report = await indexVault(store, set.vault, { actor: 'bench', source: 'cli' });
    process.stderr.write(`search-quality ${set.name}: indexed ${report.notes} notes, ${report.chunks} passages\n`);
    const missing = [...new Set(questions.flatMap((q) => q.expected))].filter((p) => !fs.existsSync(path.join(set.vault, p)));
    if (missing.length) throw new Error(`${set.questions} expects notes the vault does not have: ${missing.join(', ')}`);
    const overlaps = await titleOverlaps(store, questions);
    if (set.checkParaphrases && overlaps.length) throw new Error(`${set.questions}: paraphrases share words with their note's title: ${JSON.stringify(overlaps)}`);
    const modes: Record<string, (q: string) => Promise<SearchHit[]>> = {
      text: (q) => searchText(store, q, { limit: 10 }),
      'bm25-any': (q) => searchText(store, q, { limit: 10, words: 'any' }),
      semantic: (q) => searchSemantic(store, q, { limit: 10 }),
      hybrid: (q) => searchHybrid(store, q, { limit: 10 }),
      'hybrid-no-floor': (q) => searchHybrid(store, q, { limit: 10, floor: false }),
      'hybrid-rrf': (q) => searchHybrid(store, q, { limit: 10, fusion: 'rrf' }),
    };
    const shown = async (qs: string[]) => round(mean(await Promise.all(qs.map(async (q) => (await searchHybrid(store, q, { limit: 10 })).length))), 1);
    const floor = { hitsShownPerQuestion: await shown(questions.map((q) => q.q)), hitsShownPerOffTopicQuestion: await shown(OFF_TOPIC), offTopicQuestions: OFF_TOPIC.length, limit: 10 };
    const perQuestion: Record<string, ReturnType<typeof score>[]> = {};
    for (const [mode, run] of Object.entries(modes)) {
      perQuestion[mode] = [];
      for (const q of questions) perQuestion[mode]!.push(score(await run(q.q), q.expected));
    }
    const pick = (kind: (typeof KINDS)[number]) => questions.map((q, i) => (kind === 'all' || q.kind === kind ? i : -1)).filter((i) => i >= 0);
    const metrics: Record<string, Record<string, { recall5: number; hit5: number; mrr10: number; n: number }>> = {};
    for (const mode of Object.keys(modes)) {
      metrics[mode] = {};
      for (const kind of KINDS) {
        const idx = pick(kind);
        const s = idx.map((i) => perQuestion[mode]![i]!);
        metrics[mode]![kind] = { recall5: round(mean(s.map((x) => x.recall5))), hit5: round(mean(s.map((x) => x.hit5))), mrr10: round(mean(s.map((x) => x.rr10))), n: idx.length };
      }
    }
    const versus: Record<string, Record<string, { wins: number; losses: number; ties: number }>> = {};
    for (const mode of ['semantic', 'hybrid', 'hybrid-no-floor', 'hybrid-rrf']) {
      versus[mode] = {};
      for (const kind of KINDS) {
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
          metric: `${set.name}: ${mode} ${m === 'recall5' ? 'recall@5' : 'MRR@10'} (${kind})`,
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
    return {
      result: {
        vault: path.relative(ROOT, set.vault) || set.vault,
        notes: report.notes,
        chunks: report.chunks,
        questions: { total: questions.length, keyword: pick('keyword').length, paraphrase: pick('paraphrase').length, file: path.relative(ROOT, set.questions) },
        paraphrasesSharingTitleWords: overlaps.length,
        metrics,
        floor,
        versusBaseline: versus,
        hybridMissed: missed,
      },
      summary,
    };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sets: Record<string, Awaited<ReturnType<typeof measureSet>>['result']> = {};
  const summary: Awaited<ReturnType<typeof measureSet>>['summary'] = [];
  for (const set of SETS) {
    const measured = await measureSet(set);
    sets[set.name] = measured.result;
    summary.push(...measured.summary);
  }
  writeResult({ name: 'search-quality', baseline: BASELINE, sets, summary });
}

runBench('search-quality', main);
