// A generated vault shaped like a real one (issue 15's figures for a real vault of 10,000 notes): note sizes drawn
// from a log-normal clipped at MAX_NOTE_BYTES (median 5.2 KB, p90 9.2 KB), ~19 wikilinks a note in proportion to
// its size (~190,000 in all) whose targets are skewed (a few hub notes are linked to far more than the rest),
// headings and sub-headings, bulleted, numbered and task lists, fenced code (whose [[brackets]] are no links), block
// quotes, a table now and then, external links, inline #tags, front matter with tags and aliases on some notes, and
// a "Related" list at the end of many. The words are real English (the GloVe table's 20,000 most frequent, drawn
// Zipf-like), so the default embedder and the stemming tokenizer do the work they do on a real vault.
// Deterministic for a seed. The vault's own figures (measured on what was written) come back with it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { percentile, prng, round } from './stats';

export const MEDIAN_NOTE_BYTES = 5200;
export const P90_NOTE_BYTES = 9200;
export const MAX_NOTE_BYTES = 18_000;
const MIN_NOTE_BYTES = 400;
/** Wikilinks of a note of mean size. */
export const LINKS_PER_NOTE = 19;
/** The log-normal's σ that puts p90 at P90_NOTE_BYTES (z₀.₉ = 1.2816). */
const SIGMA = Math.log(P90_NOTE_BYTES / MEDIAN_NOTE_BYTES) / 1.2816;

export interface RealisticVault {
  dir: string;
  /** Absolute paths of the notes. */
  files: string[];
  /** The words the text is drawn from, most frequent first (queries pick from them). */
  words: string[];
  /** Measured on the files as written. */
  stats: {
    notes: number;
    bytes: number;
    MiB: number;
    noteBytes: { median: number; p90: number; max: number; min: number; mean: number };
    links: number;
    linksPerNote: number;
    linksToMissing: number;
    embeds: number;
    /** Links a note receives: the skew. */
    inLinks: { median: number; p99: number; max: number; top1PercentShare: number };
    withFrontMatter: number;
    withAliases: number;
    codeFences: number;
    headings: number;
  };
}

interface Meta {
  name: string;
  folder: string;
  abs: string;
  aliases: string[];
  sections: string[];
}

/** Zipf(s) sampler over ranks 0..n-1 (cumulative weights + binary search). */
export function zipfSampler(rand: () => number, n: number, s = 1.05): () => number {
  const cum = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cum[i] = total += 1 / (i + 1) ** s;
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const CODE_LINES = [
  'const {a} = await {b}.{c}({d});',
  'if ({a} && !{b}) return {c};',
  'for (const {a} of {b}) {c}.push({a});',
  'export function {a}({b}, {c}) {',
  '  return {a}.map(({b}) => {b}.{c});',
  '}',
  '{a} = {b}[[{c}]]  # not a link: inside code',
  'SELECT {a}, {b} FROM {c} WHERE {a} > 0;',
  '$ {a} --{b} {c}',
  'def {a}(self, {b}):',
  '    return self.{c}',
];

/**
 * Writes `count` notes into `dir` (which must exist and be empty) from `words` (most frequent first). Returns the
 * files and the vault's measured figures.
 */
export function generateRealisticVault(dir: string, count: number, seed: number, words: readonly string[]): RealisticVault {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const zipf = zipfSampler(rand, words.length, 1.0);
  const word = () => words[zipf()]!;
  const rareWord = () => words[int(100, words.length - 1)]!;
  const hubs = zipfSampler(rand, count, 0.9);
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

  const areas = Array.from({ length: 10 }, (_, i) => `${cap(words[300 + i * 13]!)} ${i + 1}`);
  const folders = [...areas, ...areas.flatMap((a, i) => Array.from({ length: 4 }, (_, j) => `${a}/${cap(words[500 + i * 17 + j]!)}`))];
  for (const f of folders) fs.mkdirSync(path.join(dir, f), { recursive: true });
  const tagPool = [...areas.map((_, i) => `area/${words[300 + i * 13]}`), ...Array.from({ length: 80 }, (_, i) => words[700 + i * 5]!), 'todo', 'idea', 'meeting', 'project/active', 'project/done', 'status/draft'];

  const names = new Set<string>();
  const metas: Meta[] = [];
  for (let i = 0; i < count; i++) {
    let name: string;
    do name = `${cap(rareWord())} ${rareWord()}${rand() < 0.4 ? ` ${rareWord()}` : ''}${rand() < 0.2 ? ` ${int(2, 99)}` : ''}`;
    while (names.has(name.toLowerCase()));
    names.add(name.toLowerCase());
    const folder = pick(folders);
    const sections = Array.from({ length: int(3, 8) }, () => `${cap(word())} ${rareWord()}`);
    metas.push({ name, folder, abs: path.join(dir, folder, `${name}.md`), aliases: [], sections });
  }
  const frontMatter = metas.map(() => rand() < 0.45);
  metas.forEach((m, i) => {
    if (frontMatter[i] && rand() < 0.5) m.aliases = Array.from({ length: int(1, 2) }, () => `${cap(rareWord())} ${rareWord()} ${i}`);
  });

  const targets = metas.map(() => Math.round(Math.min(MAX_NOTE_BYTES, Math.max(MIN_NOTE_BYTES, MEDIAN_NOTE_BYTES * Math.exp(SIGMA * gauss())))));
  const meanTarget = targets.reduce((a, b) => a + b, 0) / count;

  const sizes: number[] = [];
  const inLinks = new Uint32Array(count);
  let links = 0;
  let linksToMissing = 0;
  let embeds = 0;
  let codeFences = 0;
  let headings = 0;
  for (let i = 0; i < count; i++) {
    const m = metas[i]!;
    const target = targets[i]!;
    const linkCount = Math.max(1, Math.round(LINKS_PER_NOTE * (target / meanTarget) * (0.6 + 0.8 * rand())));
    const tokens: string[] = [];
    for (let k = 0; k < linkCount; k++) {
      const r = rand();
      links++;
      if (r < 0.05) {
        tokens.push(`[[${cap(rareWord())} ${rareWord()} (draft)]]`);
        linksToMissing++;
        continue;
      }
      let j = rand() < 0.5 ? hubs() : int(0, count - 1);
      if (j === i) j = (j + 1) % count;
      const t = metas[j]!;
      inLinks[j]!++;
      if (r < 0.5) tokens.push(`[[${t.name}]]`);
      else if (r < 0.63) tokens.push(`[[${t.name}|${word()} ${word()}]]`);
      else if (r < 0.76) tokens.push(`[[${t.name}#${pick(t.sections)}]]`);
      else if (r < 0.83) tokens.push(`[[${t.folder.split('/').pop()}/${t.name}]]`);
      else if (r < 0.9) tokens.push(t.aliases.length ? `[[${t.aliases[0]}]]` : `[[${t.name}]]`);
      else if (r < 0.94) {
        tokens.push(`![[${t.name}]]`);
        embeds++;
      } else tokens.push(`[[${t.name}#${pick(t.sections)}|${word()}]]`);
    }
    // About a third of the links close the note in a "Related" list; the rest sit in its text.
    const related = rand() < 0.6 ? tokens.splice(0, Math.ceil(tokens.length * 0.3)) : [];
    const relatedText = related.length ? `\n## ${pick(['Related', 'See also', 'Links'])}\n\n${related.map((t) => `- ${t}`).join('\n')}\n` : '';

    const out: string[] = [];
    if (frontMatter[i]) {
      out.push('---', `title: ${m.name}`);
      if (m.aliases.length) out.push('aliases:', ...m.aliases.map((a) => `  - ${a}`));
      out.push(`tags: [${Array.from({ length: int(1, 4) }, () => pick(tagPool)).join(', ')}]`);
      out.push(`created: 2024-${String(int(1, 12)).padStart(2, '0')}-${String(int(10, 28))}`);
      if (rand() < 0.5) out.push(`type: ${pick(['note', 'meeting', 'project', 'howto', 'reference'])}`);
      out.push('---', '');
    }
    out.push(`# ${m.name}`, '');
    headings++;
    const bodyTarget = target - relatedText.length;
    let size = Buffer.byteLength(out.join('\n')) + 1;
    let inline = 0;
    let section = 0;
    let blocks = 0;
    const leftover: string[] = [];
    const sentence = (n: number, withLinks: number) => {
      const ws = Array.from({ length: n }, word);
      for (let k = 0; k < withLinks && inline < tokens.length; k++) ws.splice(int(1, ws.length - 1), 0, tokens[inline++]!);
      if (rand() < 0.15) ws.splice(int(1, ws.length - 1), 0, `#${pick(tagPool)}`);
      if (rand() < 0.05) ws.splice(int(1, ws.length - 1), 0, `[${word()} ${word()}](https://example.org/${word()}/${rareWord()})`);
      ws[0] = cap(ws[0]!);
      return ws.join(' ') + '.';
    };
    // Links still to place, spread over the bytes still to write.
    const linksFor = (bytes: number) => {
      const left = tokens.length - inline;
      const room = Math.max(1, bodyTarget - size);
      return left <= 0 ? 0 : Math.min(left, Math.max(0, Math.round((left * bytes) / room + rand() - 0.5)));
    };
    while (size < bodyTarget - 40) {
      const room = bodyTarget - size;
      if (blocks > 0 && blocks % int(2, 4) === 0) {
        const h = section < m.sections.length ? `## ${m.sections[section++]}` : `### ${cap(word())} ${rareWord()}`;
        out.push(h, '');
        size += h.length + 2;
        headings++;
      }
      const kind = rand();
      let text: string;
      if (kind < 0.08 && room > 500) {
        const lang = pick(['ts', 'python', 'sql', 'sh', '']);
        const lines = Array.from({ length: int(4, 16) }, () => pick(CODE_LINES).replace(/\{a\}/g, rareWord()).replace(/\{b\}/g, word()).replace(/\{c\}/g, rareWord()));
        text = ['```' + lang, ...lines, '```'].join('\n');
        codeFences++;
      } else if (kind < 0.26) {
        const style = rand();
        const items = Array.from({ length: int(3, 8) }, (_, n) => {
          const item = sentence(int(4, 14), linksFor(60));
          return style < 0.6 ? `- ${item}` : style < 0.85 ? `${n + 1}. ${item}` : `- [${rand() < 0.4 ? 'x' : ' '}] ${item}`;
        });
        text = items.join('\n');
      } else if (kind < 0.3) {
        text = `> ${sentence(int(12, 30), linksFor(120))}`;
      } else if (kind < 0.32 && room > 400) {
        const cols = int(2, 4);
        const row = () => `| ${Array.from({ length: cols }, word).join(' | ')} |`;
        text = [row(), `|${' --- |'.repeat(cols)}`, ...Array.from({ length: int(2, 6) }, row)].join('\n');
      } else {
        const n = int(2, 6);
        text = Array.from({ length: n }, () => sentence(int(8, 24), linksFor(110))).join(' ');
      }
      // The last block is cut to the size wanted (at a space, outside any link: cut only plain paragraphs).
      if (size + text.length + 2 > bodyTarget && !text.startsWith('```') && !text.startsWith('|') && !text.includes('\n')) {
        let cut = text.lastIndexOf(' ', Math.max(20, bodyTarget - size - 3));
        while (cut > 0 && /\[\[[^\]]*$/.test(text.slice(0, cut))) cut = text.lastIndexOf(' ', cut - 1);
        if (cut > 20) {
          leftover.push(...(text.slice(cut).match(/!?\[\[[^\]]*\]\]/g) ?? [])); // the links cut away go to the end
          text = text.slice(0, cut) + '.';
        }
      }
      out.push(text, '');
      size += Buffer.byteLength(text) + 2;
      blocks++;
    }
    const rest = [...leftover, ...tokens.slice(inline)];
    let content = out.join('\n');
    if (rest.length) content += `\n${rest.map((t) => `- ${t}`).join('\n')}\n`;
    content += relatedText;
    fs.writeFileSync(m.abs, content);
    sizes.push(Buffer.byteLength(content));
  }

  const sorted = [...sizes].sort((a, b) => a - b);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const inSorted = [...inLinks].sort((a, b) => a - b);
  const resolvedTo = inSorted.reduce((a, b) => a + b, 0);
  const top = inSorted.slice(-Math.max(1, Math.round(count / 100))).reduce((a, b) => a + b, 0);
  return {
    dir,
    files: metas.map((m) => m.abs),
    words: [...words],
    stats: {
      notes: count,
      bytes,
      MiB: round(bytes / 2 ** 20, 1),
      noteBytes: { median: percentile(sorted, 50), p90: percentile(sorted, 90), max: sorted[sorted.length - 1]!, min: sorted[0]!, mean: Math.round(bytes / count) },
      links,
      linksPerNote: round(links / count, 1),
      linksToMissing,
      embeds,
      inLinks: { median: percentile(inSorted, 50), p99: percentile(inSorted, 99), max: inSorted[inSorted.length - 1]!, top1PercentShare: round(top / Math.max(1, resolvedTo), 3) },
      withFrontMatter: frontMatter.filter(Boolean).length,
      withAliases: metas.filter((m) => m.aliases.length).length,
      codeFences,
      headings,
    },
  };
}
