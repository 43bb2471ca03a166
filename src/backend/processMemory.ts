// How Cairn's own processes (the backend, the `cairn` CLI and `cairn mcp`) hold memory. Measured on a cold index of
// a 10,000-note, 55 MB vault (bench/indexAtScale.ts), whose live JS heap stays under ~100 MB:
// - V8 let the heap grow to ~4× its live size between full collections (up to 400 MB, mostly garbage of parsed
//   notes) because collecting was cheap; kept within 20% of the live size, the peak fell by ~250 MB for ~3% more
//   CPU, and hybrid search latency did not change.
// - glibc gives each thread that allocates (the SQLite driver's, libuv's pool) an arena of its own, and freed memory
//   stays in them: two arenas took ~20–40 MB off the index run's peak and the backend's size after searches.
// - V8's young generation grew to its maximum (16 MB semi-spaces) as the indexer's objects survived their first
//   collection; held at its starting size, the index run's peak fell by ~30 MB, with the same index time, and the
//   backend's hybrid search latency did not change (interleaved runs on a 76 MB vault).
import * as v8 from 'node:v8';

/** Environment for a Cairn process another process starts (the extension's backend): read by the C library at start. */
export const PROCESS_MEMORY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Keeps this process's JS heap within 20% of what is live after each full collection (V8 reads the flag at each one). */
export function boundHeapGrowth(): void {
  v8.setFlagsFromString('--heap-growing-percent=20');
}

/**
 * Keeps V8's young generation at the size it starts with, for a process that runs long and holds much (the backend,
 * `cairn index`). V8 reads the flag each time it would grow it, so it works when set at run time (the `cairn` command
 * cannot be started with V8 flags). Not for one-shot commands: a hybrid `cairn search` took 10–20 ms more with it
 * (more young collections while it starts). Nor for `cairn mcp`, a server of many small calls that holds little:
 * held, its creates measured 2.34–2.44× the memory server's rate, not held 2.34–2.69× (noise either way), so it
 * keeps V8's default.
 */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * `cairn` commands that hold the young generation (as commander names them). V8 refuses a code cache taken under
 * other flags, so the CLI takes none after these (their start is a small part of their time).
 */
export const LONG_RUNNING_COMMANDS: ReadonlySet<string> = new Set(['index', 'backup', 'restore', 'sync', 'import', 'export']);
