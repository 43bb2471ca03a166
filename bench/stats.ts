// What every benchmark needs to report its timings the same way: rounding, nearest-rank percentiles, a median, and
// a seeded PRNG so each run generates the same data.

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** n, p50, p95, p99, min, max and mean of a set of samples (ms), rounded to 2 decimals. */
export function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    min: round(s[0]!),
    max: round(s[s.length - 1]!),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** mulberry32: a small seeded PRNG, so every run generates the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Times a against its baseline b, alternating their order (a,b then b,a, …) so drift on a noisy machine falls on
 * both, after `warmup` untimed rounds. `before` runs untimed before each round. Each one's samples in ms.
 */
export async function measurePair(
  rounds: number,
  a: () => unknown,
  b: () => unknown,
  { warmup = 3, before = () => undefined }: { warmup?: number; before?: () => unknown } = {},
): Promise<{ a: number[]; b: number[] }> {
  for (let i = 0; i < warmup; i++) {
    await before();
    await a();
    await b();
  }
  const out = { a: [] as number[], b: [] as number[] };
  const timed = async (f: () => unknown, into: number[]) => {
    const started = performance.now();
    await f();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < rounds; i++) {
    await before();
    if (i % 2 === 0) {
      await timed(a, out.a);
      await timed(b, out.b);
    } else {
      await timed(b, out.b);
      await timed(a, out.a);
    }
  }
  return out;
}
