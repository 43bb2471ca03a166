// How Cairn's own processes (the backend, the `cairn` CLI and `cairn mcp`) hold memory. Measured on a cold index of
// a 10,000-note, 55 MB vault (bench/indexAtScale.ts), whose live JS heap stays under ~100 MB:
// - V8 let the heap grow to ~4× its live size between full collections (up to 400 MB, mostly garbage of parsed
//   notes) because collecting was cheap; kept within 20% of the live size, the peak fell by ~250 MB for ~3% more
//   CPU, and hybrid search latency did not change.
// - glibc gives each thread that allocates (the SQLite driver's, libuv's pool) an arena of its own, and freed memory
//   stays in them: two arenas took ~20–40 MB off the index run's peak and the backend's size after searches.
import * as v8 from 'node:v8';

/** Environment for a Cairn process another process starts (the extension's backend): read by the C library at start. */
export const PROCESS_MEMORY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Keeps this process's JS heap within 20% of what is live after each full collection (V8 reads the flag at each one). */
export function boundHeapGrowth(): void {
  v8.setFlagsFromString('--heap-growing-percent=20');
}
