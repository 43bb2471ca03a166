// KNN top-10 over 100,000 passage vectors in sqlite-vec (the note_chunk_vectors vec0 table semantic search
// queries, cosine distance) against a plain-JS brute-force scan of the same vectors in one Float32Array (4-way
// unrolled dot products, a top-10 kept by insertion), in the same run. Vectors are seeded random unit vectors
// of the default embedder's dimension (100); queries are perturbed copies of stored vectors, so each has true
// near neighbours. Also: insert rate, vec0 recall@10 against the exact scan, and the KNN with a filter that keeps
// 10% of the passages (`chunk_id in (…)`, as a folder/tag filter runs).
//
// Run with `npm run bench -- knn`; alone: `node --import tsx bench/knn.bench.ts`.
// Env: BENCH_CHUNKS (100000), BENCH_DIMS (100), BENCH_QUERIES (50), BENCH_SEED (7), CAIRN_BENCH_OUT.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Store } from '../src/store/store';
import { prng, round, stats } from './stats';
import { runBench, writeResult } from './output';

const N = Number(process.env.BENCH_CHUNKS ?? 100_000);
const D = Number(process.env.BENCH_DIMS ?? 100);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 50);
const SEED = Number(process.env.BENCH_SEED ?? 7);
const K = 10;



function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

/** Exact top-k by dot product (= cosine for unit vectors) over one flat array; ids are 1-based positions. */
function bruteForce(all: Float32Array, q: Float32Array, k: number, allow?: Set<number>): number[] {
  const ids: number[] = [];
  const sims: number[] = [];
  for (let r = 0, base = 0; r < N; r++, base += D) {
    if (allow && !allow.has(r + 1)) continue;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
    let d = 0;
    for (; d + 3 < D; d += 4) {
      s0 += all[base + d]! * q[d]!;
      s1 += all[base + d + 1]! * q[d + 1]!;
      s2 += all[base + d + 2]! * q[d + 2]!;
      s3 += all[base + d + 3]! * q[d + 3]!;
    }
    for (; d < D; d++) s0 += all[base + d]! * q[d]!;
    const s = s0 + s1 + s2 + s3;
    if (sims.length === k && s <= sims[k - 1]!) continue;
    let i = Math.min(sims.length, k - 1);
    if (sims.length < k) {
      sims.push(s);
      ids.push(r + 1);
    }
    while (i > 0 && sims[i - 1]! < s) {
      sims[i] = sims[i - 1]!;
      ids[i] = ids[i - 1]!;
      i--;
    }
    sims[i] = s;
    ids[i] = r + 1;
  }
  return ids;
}

async function main(): Promise<void> {
  const rand = prng(SEED);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const all = new Float32Array(N * D);
  for (let r = 0; r < N; r++) all.set(unit(Float32Array.from({ length: D }, gauss)), r * D);
  const queries = Array.from({ length: QUERIES }, () => {
    const src = Math.floor(rand() * N);
    return unit(Float32Array.from({ length: D }, (_, d) => all[src * D + d]! + 0.5 * gauss() / Math.sqrt(D)));
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-knn-'));
  const store = await Store.open(path.join(dir, 'store'));
  try {
    if (!store.vecVersion) throw new Error(`sqlite-vec did not load: ${store.vecError}`);
    await store.conn.run(`create virtual table note_chunk_vectors using vec0(chunk_id integer primary key, embedding float[${D}] distance_metric=cosine)`);
    const insertStarted = performance.now();
    for (let start = 0; start < N; start += 5000) {
      const rows: [number, number[]][] = [];
      for (let r = start; r < Math.min(N, start + 5000); r++) rows.push([r + 1, Array.from(all.subarray(r * D, (r + 1) * D))]);
      await store.write(() => store.conn.run('insert into note_chunk_vectors (chunk_id, embedding) select value->>0, value->>1 from json_each(?)', [JSON.stringify(rows)]));
    }
    const insertMs = performance.now() - insertStarted;
    process.stderr.write(`knn: inserted ${N} × ${D} in ${Math.round(insertMs)} ms\n`);

    const allowed = new Set<number>();
    for (let id = 1; id <= N; id += 10) allowed.add(id);
    const allowedJson = JSON.stringify([...allowed]);
    const vecMs: number[] = [];
    const jsMs: number[] = [];
    const vecFilteredMs: number[] = [];
    const jsFilteredMs: number[] = [];
    let agree = 0;
    let agreeFiltered = 0;
    const knn = (q: Float32Array, filter: boolean) =>
      store.conn.all<{ chunk_id: number }>(
        `select chunk_id from note_chunk_vectors where embedding match ? and k = ${K}${filter ? ' and chunk_id in (select value from json_each(?))' : ''}`,
        filter ? [Buffer.from(q.buffer), allowedJson] : [Buffer.from(q.buffer)],
      );
    await knn(queries[0]!, false); // warm the page cache and the statement
    for (const q of queries) {
      let t = performance.now();
      const got = (await knn(q, false)).map((r) => r.chunk_id);
      vecMs.push(performance.now() - t);
      t = performance.now();
      const exact = bruteForce(all, q, K);
      jsMs.push(performance.now() - t);
      agree += got.filter((id) => exact.includes(id)).length / K;

      t = performance.now();
      const gotF = (await knn(q, true)).map((r) => r.chunk_id);
      vecFilteredMs.push(performance.now() - t);
      t = performance.now();
      const exactF = bruteForce(all, q, K, allowed);
      jsFilteredMs.push(performance.now() - t);
      agreeFiltered += gotF.filter((id) => exactF.includes(id)).length / K;
    }
    const vec = stats(vecMs);
    const js = stats(jsMs);
    const vecF = stats(vecFilteredMs);
    const jsF = stats(jsFilteredMs);
    const result = {
      name: 'knn',
      chunks: N,
      dimensions: D,
      queries: QUERIES,
      sqliteVec: store.vecVersion,
      insert: { ms: Math.round(insertMs), rowsPerSecond: Math.round(N / (insertMs / 1000)) },
      knnTop10Ms: { vec0: vec, bruteForceJs: js, recallVsExact: round(agree / QUERIES, 3) },
      knnTop10Filtered10PctMs: { vec0: vecF, bruteForceJs: jsF, recallVsExact: round(agreeFiltered / QUERIES, 3) },
      summary: [
        { metric: `KNN top-10 p50, ${N} × ${D} (vec0 vs JS scan)`, value: vec.p50, baseline: js.p50, ratio: round(vec.p50 / js.p50), unit: 'ms' },
        { metric: `KNN top-10 p95, ${N} × ${D} (vec0 vs JS scan)`, value: vec.p95, baseline: js.p95, ratio: round(vec.p95 / js.p95), unit: 'ms' },
        { metric: 'KNN top-10 p50, 10% filter (vec0 vs JS scan)', value: vecF.p50, baseline: jsF.p50, ratio: round(vecF.p50 / jsF.p50), unit: 'ms' },
      ],
    };
    writeResult(result);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBench('knn', main);
