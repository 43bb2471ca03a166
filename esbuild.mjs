// Bundles the extension, the backend process and the CLI into dist/, the extension-host tests into out/test/ and
// the benchmarks into out/bench/. Native and path-sensitive modules stay external: vscode (provided by the host), @vscode/sqlite3
// (a .node addon) and sqlite-vec (its getLoadablePath() resolves files beside its own package).
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildEmbeddingTable, tableIsStale } from './scripts/build-embeddings.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode', '@vscode/sqlite3', 'sqlite-vec'],
  define: { __CAIRN_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

const testDir = 'test/extension';
const builds = [
  // scanWorker, walkWorker: the backup's secret scan and folder listing in worker threads (src/sync/scanner.ts,
  // walk.ts load them from beside the backend).
  { ...common, entryPoints: { extension: 'src/extension/extension.ts', backend: 'src/backend/main.ts', cli: 'src/backend/cliMain.ts', scanWorker: 'src/sync/scanWorker.ts', walkWorker: 'src/sync/walkWorker.ts' }, outdir: 'dist' },
  {
    ...common,
    // mocha stays external: it is loaded from node_modules inside the extension host.
    external: [...common.external, 'mocha'],
    entryPoints: readdirSync(testDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(testDir, f)),
    outdir: 'out/test/extension',
  },
  // The TypeScript benchmarks, bundled as the shipped code is (scripts/bench.mjs runs these, not the source through a
  // transpiler), with the worker threads they start beside them.
  {
    ...common,
    entryPoints: {
      ...Object.fromEntries(readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).map((f) => [f.slice(0, -'.ts'.length), join('bench', f)])),
      scanWorker: 'src/sync/scanWorker.ts',
      walkWorker: 'src/sync/walkWorker.ts',
    },
    outdir: 'out/bench',
  },
];

// The default embedder's word-vector table (dist/glove-50k-int8.bin), rebuilt only when missing or stale.
if (tableIsStale()) await buildEmbeddingTable();

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: dist/, out/test/ and out/bench/ built in ${Date.now() - started} ms`);
}
