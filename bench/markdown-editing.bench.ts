// What Markdown editing costs on a 10,000-note vault, against baselines measured in the same run.
//
// 1. notes.resolve (go-to-definition and hover: a `[[Note#Heading]]` → path, line and preview), warm (the link index
//    cached) and cold (right after an index run, so the index of every note's name and aliases is rebuilt), against
//    the irreducible part: reading and parsing the target note (readFileSync + parseNote), which resolve does too.
// 2. Rename Note's plan for a note 500 others link to, in every form (wikilinks with headings and aliases, embeds,
//    relative Markdown links), against reading and parsing those 500 linking notes, which any rename must do.
// Calls alternate between the measured code and its baseline, so machine noise hits both alike.
//
// Run with `npm run bench -- markdown-editing`; alone: `node --import tsx bench/markdown-editing.bench.ts`.
// Env: BENCH_NOTES (10000), BENCH_LINKERS (500), BENCH_ROUNDS (30), CAIRN_BENCH_OUT (where to write the JSON).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Actor } from '../src/store/events';
import { indexVault } from '../src/store/knowledge/indexer';
import { parseNote } from '../src/store/knowledge/markdown';
import { resolveForEditor } from '../src/store/knowledge/navigate';
import { planRename } from '../src/store/knowledge/rename';
import { Store } from '../src/store/store';
import { appendNextEvent } from '../src/store/events';
import { measurePair, round, stats } from './stats';
import { runBench, writeResult } from './output';

const NOTES = Number(process.env.BENCH_NOTES ?? 10_000);
const LINKERS = Number(process.env.BENCH_LINKERS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const who: Actor = { actor: 'bench', source: 'agent' };

const HUB = 'area-0/Hub Note.md';

function writeVault(dir: string): string[] {
  const linkers: string[] = [];
  fs.mkdirSync(path.join(dir, 'area-0'), { recursive: true });
  fs.writeFileSync(path.join(dir, HUB), `---\naliases: [The Hub]\n---\n# Hub Note\n\n## Section\n\nThe centre of it all. ^core\n`);
  for (let i = 0; i < NOTES; i++) {
    const folder = `area-${i % 20}`;
    const forms = [`[[Hub Note]]`, `[[Hub Note#Section|the section]]`, `![[Hub Note#^core]]`, `[hub](../area-0/Hub%20Note.md#Section)`, `[[The Hub]]`];
    const hub = i < LINKERS ? `\nSee ${forms[i % forms.length]} and [[area-0/Hub Note]].\n` : '';
    if (i < LINKERS) linkers.push(`${folder}/Note ${i}.md`);
    const text = `# Note ${i}\n\n## Part\n\nAbout [[Note ${(i * 7) % NOTES}#Part]] and [[Note ${(i * 13) % NOTES}]].\n${hub}\nSome words on topic ${i % 31} so that the note is not empty.\n`;
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(path.join(dir, folder, `Note ${i}.md`), text);
  }
  return linkers;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-md-'));
  try {
    const vault = path.join(tmp, 'vault');
    const linkers = writeVault(vault);
    const store = await Store.open(path.join(tmp, 'store'));
    try {
      const index = await indexVault(store, vault, who, { embedder: null });
      const target = path.join(vault, 'area-3', 'Note 3.md');
      const readTarget = () => parseNote(fs.readFileSync(target, 'utf8'), 'area-3/Note 3.md');
      const resolve = () => resolveForEditor(store, vault, 'area-1/Note 1.md', 'wikilink', 'Note 3#Part');
      const check = await resolve();
      if (check?.path !== 'area-3/Note 3.md' || check.line !== 3) throw new Error(`resolve found ${JSON.stringify(check)}`);
      const warm = await measurePair(ROUNDS, resolve, readTarget);
      // A vault event is what an index run leaves: the next resolve rebuilds the link index.
      const touch = () => store.write((orm) => appendNextEvent(orm, who, { aggregateType: 'vault', aggregateId: 'bench', type: 'bench.touched', data: {} }));
      const cold = await measurePair(ROUNDS, resolve, readTarget, { before: touch });

      const plan = await planRename(store, vault, HUB, 'Hub Renamed');
      if (plan.files.length !== LINKERS) throw new Error(`the plan touches ${plan.files.length} notes, expected ${LINKERS}`);
      const readLinkers = () => {
        for (const rel of linkers) parseNote(fs.readFileSync(path.join(vault, rel), 'utf8'), rel);
      };
      const rename = await measurePair(Math.max(5, Math.floor(ROUNDS / 3)), () => planRename(store, vault, HUB, 'Hub Renamed'), readLinkers);

      const s = {
        resolveWarm: stats(warm.a),
        readTargetWarm: stats(warm.b),
        resolveCold: stats(cold.a),
        readTargetCold: stats(cold.b),
        renamePlan: stats(rename.a),
        readLinkers: stats(rename.b),
      };
      const ratio = (a: number, b: number) => round(a / b, 2);
      const result = {
        name: 'markdown-editing',
        description: 'notes.resolve (definition/hover) vs reading and parsing the target note; Rename Note plan vs reading and parsing the linking notes',
        config: { notes: NOTES, linkers: LINKERS, rounds: ROUNDS, indexedNotes: index.notes, planEdits: plan.edits.length, planFiles: plan.files.length },
        results: s,
        summary: [
          { metric: `notes.resolve warm, ${NOTES}-note vault p50`, value: s.resolveWarm.p50, baseline: s.readTargetWarm.p50, ratio: ratio(s.resolveWarm.p50, s.readTargetWarm.p50), unit: 'ms' },
          { metric: `notes.resolve warm p95`, value: s.resolveWarm.p95, baseline: s.readTargetWarm.p95, ratio: ratio(s.resolveWarm.p95, s.readTargetWarm.p95), unit: 'ms' },
          { metric: `notes.resolve right after an index run (link index rebuilt) p50`, value: s.resolveCold.p50, baseline: s.readTargetCold.p50, ratio: ratio(s.resolveCold.p50, s.readTargetCold.p50), unit: 'ms' },
          { metric: `rename plan, ${plan.edits.length} links in ${plan.files.length} notes p50`, value: s.renamePlan.p50, baseline: s.readLinkers.p50, ratio: ratio(s.renamePlan.p50, s.readLinkers.p50), unit: 'ms' },
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

runBench('markdown-editing', main);
