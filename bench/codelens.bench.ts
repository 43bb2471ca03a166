// What the code lenses cost on a large source file, against baselines measured in the same run.
//
// 1. The provider's text work on a 50,000-line TypeScript file (scanCommentRefs: one regular expression over the
//    text, comment check per hit), against merely splitting the same text into lines (text.split('\n')), which any
//    line-by-line provider would have to do first. Two files: a typical one (a comment every 8 lines, a few
//    references) and a worst case (a comment on every line). getText() is the same for both and left out; the
//    in-editor figures (provideCodeLenses on a real TextDocument, and the editor's round trip) are printed by the
//    integration test "Code lenses … 50,000-line file".
// 2. The one store lookup per document (lookupCodeRefs: notes named, task ids, and the notes that mention the file)
//    on a generated 10,000-note vault where 2,000 notes link to code files, against the Links view's per-note
//    question on the same store (noteLinksOf: backlinks and outgoing links of one note).
// Calls alternate between the measured code and its baseline, so machine noise hits both alike.
//
// Run with `npm run bench -- codelens`; alone: `node --import tsx bench/codelens.bench.ts`.
// Env: BENCH_LINES (50000), BENCH_NOTES (10000), BENCH_ROUNDS (30), CAIRN_BENCH_OUT (where to write the JSON).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Actor } from '../src/store/events';
import { lookupCodeRefs } from '../src/store/knowledge/codeRefs';
import { indexVault } from '../src/store/knowledge/indexer';
import { noteLinksOf } from '../src/store/knowledge/links';
import { createProject } from '../src/store/projects';
import { Store } from '../src/store/store';
import { createTask } from '../src/store/tasks';
import { scanCommentRefs } from '../src/views/commentRefs';
import { measurePair, round, stats } from './stats';
import { runBench, writeResult } from './output';

const LINES = Number(process.env.BENCH_LINES ?? 50_000);
const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const who: Actor = { actor: 'bench', source: 'agent' };

/** A 50k-line TypeScript file: code, a comment every `commentEvery` lines, a few note and task references. */
function sourceFile(commentEvery: number, taskId: string): string {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    if (i % 5000 === 17) lines.push(`  // see [[Note ${i % 7}]] and ${taskId}`);
    else if (i % commentEvery === 0) lines.push(`  // step ${i}: keep the ${i % 13} buffers aligned before the flush`);
    else lines.push(`  const value${i} = compute(${i}, "label ${i % 97}", [${i % 3}, ${i % 5}]);`);
  }
  return lines.join('\n');
}

function writeVault(dir: string): void {
  for (let i = 0; i < NOTES; i++) {
    const folder = `area-${i % 20}`;
    const code = i % 5 === 0 ? `\nThe code: [module](../../../src/mod${i % 333}.ts) and [helper](src/util/helper${i % 50}.ts).\n` : '';
    const text = `# Note ${i}\n\nAbout [[Note ${(i * 7) % NOTES}]] and [[Note ${(i * 13) % NOTES}]].\n${code}\nSome words on topic ${i % 31} so that the note is not empty.\n`;
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(path.join(dir, folder, `Note ${i}.md`), text);
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-codelens-'));
  try {
    const workspace = path.join(tmp, 'workspace');
    const vault = path.join(workspace, 'notes', 'vault');
    writeVault(vault);
    const store = await Store.open(path.join(tmp, 'store'));
    try {
      const project = await store.write((orm) => createProject(orm, who, { name: 'Bench' }));
      const task = await store.write((orm) => createTask(orm, who, { projectId: project.id, title: 'A task named in the code' }));
      const index = await indexVault(store, vault, who);

      // 1. Text work on a large file.
      const typical = sourceFile(8, task.id);
      const worst = sourceFile(1, task.id);
      const refs = scanCommentRefs(typical);
      const scanTypical = await measurePair(ROUNDS, () => scanCommentRefs(typical), () => typical.split('\n'));
      const scanWorst = await measurePair(ROUNDS, () => scanCommentRefs(worst), () => worst.split('\n'));

      // 2. The one lookup per document, on a 10k-note vault.
      const query = {
        file: path.join(workspace, 'src', 'mod7.ts'),
        workspaceFolder: workspace,
        notes: [...new Set(refs.filter((r) => r.kind === 'note').map((r) => r.text))],
        taskIds: [task.id],
      };
      const answer = await lookupCodeRefs(store, vault, query);
      if (!answer.fileMentions.length || answer.tasks.length !== 1 || !answer.notes.length) throw new Error(`the lookup found too little: ${JSON.stringify({ ...answer, fileMentions: answer.fileMentions.length })}`);
      const lookup = await measurePair(ROUNDS, () => lookupCodeRefs(store, vault, query), () => noteLinksOf(store.orm, 'area-7/Note 7.md'));

      const s = {
        scanTypical: stats(scanTypical.a),
        splitTypical: stats(scanTypical.b),
        scanWorst: stats(scanWorst.a),
        splitWorst: stats(scanWorst.b),
        lookup: stats(lookup.a),
        noteLinks: stats(lookup.b),
      };
      const ratio = (a: number, b: number) => round(a / b, 2);
      const result = {
        name: 'codelens',
        description: 'Code lenses on a 50k-line file: the comment scan vs splitting the text into lines; the per-document store lookup vs the Links view query',
        config: { lines: LINES, notes: NOTES, rounds: ROUNDS, typicalChars: typical.length, worstChars: worst.length, refsInTypical: refs.length, fileMentions: answer.fileMentions.length, indexedNotes: index.notes },
        results: s,
        summary: [
          { metric: `scan ${LINES}-line file (comment every 8 lines) p50`, value: s.scanTypical.p50, baseline: s.splitTypical.p50, ratio: ratio(s.scanTypical.p50, s.splitTypical.p50), unit: 'ms' },
          { metric: `scan ${LINES}-line file (comment on every line) p50`, value: s.scanWorst.p50, baseline: s.splitWorst.p50, ratio: ratio(s.scanWorst.p50, s.splitWorst.p50), unit: 'ms' },
          { metric: `codeLens lookup, ${NOTES}-note vault p50`, value: s.lookup.p50, baseline: s.noteLinks.p50, ratio: ratio(s.lookup.p50, s.noteLinks.p50), unit: 'ms' },
          { metric: `codeLens lookup, ${NOTES}-note vault p95`, value: s.lookup.p95, baseline: s.noteLinks.p95, ratio: ratio(s.lookup.p95, s.noteLinks.p95), unit: 'ms' },
        ],
      };
      writeResult(result);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

runBench('codelens', main);
