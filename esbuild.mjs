// Bundles the extension, the backend process and the CLI into dist/, the extension-host tests into out/test/ and
// the benchmarks into out/bench/. Native and path-sensitive modules stay external: vscode (provided by the host), @vscode/sqlite3
// (a .node addon) and sqlite-vec (its getLoadablePath() resolves files beside its own package).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
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

// dist/cliMain.js in ASCII: esbuild escapes other characters in strings and names, but leaves them in comments and
// regular expressions; the CLI's launcher (src/backend/cliStart.ts) decodes an ASCII bundle as Latin-1, ~10 ms
// sooner than UTF-8. A \u escape means the same in a regular expression (after a backslash, the backslash is reused).
const asciiCli = {
  name: 'ascii-cli',
  setup(build) {
    build.onEnd((result) => {
      const file = join(build.initialOptions.outdir, 'cliMain.js');
      if (result.errors.length) return;
      const text = readFileSync(file, 'utf8');
      const escaped = text.replace(/(\\*)([^\x00-\x7f])/g, (_, slashes, c) => `${slashes.length % 2 ? slashes.slice(1) : slashes}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      if (escaped !== text) writeFileSync(file, escaped);
    });
  },
};

// zod's `locales` namespace (z.locales: 40 languages, ~390 KB, a tenth of dist/cliMain.js) is never used: zod speaks
// English unless configured otherwise, and Cairn writes its own messages. In the Node bundles it holds `en` alone,
// so each `cairn` call neither reads nor initialises the rest.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-english-only' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`, resolveDir: dirname(args.path) }));
  },
};

// Our modules import node:fs, node:path and node:os as namespaces (`import * as fs`), which a CommonJS bundle turns
// into a copy of the builtin's properties for each importing module (esbuild's __toESM: ~2,000 properties defined at
// every `cairn` call's start, ~2-3 ms). Resolved to one shared module that re-exports the builtin, each is copied once.
const sharedBuiltins = {
  name: 'shared-builtins',
  setup(build) {
    const src = join(process.cwd(), 'src') + sep;
    build.onResolve({ filter: /^(node:)?(fs|path|os)$/ }, (args) =>
      args.kind === 'import-statement' && args.importer.startsWith(src) ? { path: args.path.replace(/^node:/, ''), namespace: 'shared-builtins' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'shared-builtins' }, (args) => ({
      contents: `export * from 'node:${args.path}'; export default require('node:${args.path}');`,
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

// Builtins a `cairn` call rarely needs, loaded when first used rather than at the bundle's start (~8–10 ms a call:
// commander requires child_process for subcommands Cairn never runs; crypto, worker_threads and readline serve
// writes, backups and prompts). Each import gets an object with a getter per export (the names listed at build
// time), so the builtin is required on the first access of any of them, as it would have been at the start.
const LAZY_BUILTINS = ['child_process', 'crypto', 'worker_threads', 'readline'];
const require = createRequire(import.meta.url);
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    build.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtins' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtins' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtins' }, (args) => ({
      contents:
        `let loaded; const load = () => (loaded ??= require('node:${args.path}'));\n` +
        `for (const name of ${JSON.stringify(Object.keys(require(`node:${args.path}`)))}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

const testDir = 'test/extension';
const builds = [
  // scanWorker, walkWorker, copyWorker: the backup's secret scan, folder listing and copies in worker threads
  // (src/sync/scanner.ts, walk.ts and files.ts load them from beside the backend).
  { ...common, entryPoints: { extension: 'src/extension/extension.ts', backend: 'src/backend/main.ts', scanWorker: 'src/sync/scanWorker.ts', walkWorker: 'src/sync/walkWorker.ts', copyWorker: 'src/sync/copyWorker.ts' }, outdir: 'dist', plugins: [zodEnglishOnly, sharedBuiltins] },
  // The command line, whitespace and syntax minified even in a development build (names kept, and the source map): each
  // `cairn` call reads its bundle, ~1 MB less to read and decode (~2-3 ms a call).
  { ...common, minifyWhitespace: true, minifySyntax: true, entryPoints: { cli: 'src/backend/cliStart.ts', cliMain: 'src/backend/cliMain.ts' }, outdir: 'dist', plugins: [asciiCli, zodEnglishOnly, sharedBuiltins, lazyBuiltins] },
  {
    ...common,
    // mocha stays external: it is loaded from node_modules inside the extension host.
    external: [...common.external, 'mocha'],
    entryPoints: readdirSync(testDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(testDir, f)),
    outdir: 'out/test/extension',
  },
  // The webview apps (src/webviews/<app>/main.ts), bundled for the browser: one script and one stylesheet each
  // in dist/webviews/, the only folder a webview may load from (src/views/webview/webviewHost.ts).
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: Object.fromEntries(
      readdirSync('src/webviews', { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== 'shared')
        .map((d) => [d.name, join('src/webviews', d.name, 'main.ts')]),
    ),
    outdir: 'dist/webviews',
  },
  // The TypeScript benchmarks, bundled as the shipped code is (scripts/bench.mjs runs these, not the source through a
  // transpiler), with the worker threads they start beside them.
  {
    ...common,
    entryPoints: {
      ...Object.fromEntries(readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).map((f) => [f.slice(0, -'.ts'.length), join('bench', f)])),
      scanWorker: 'src/sync/scanWorker.ts',
      walkWorker: 'src/sync/walkWorker.ts',
      copyWorker: 'src/sync/copyWorker.ts',
    },
    outdir: 'out/bench',
  },
];

// Codicons for the webviews (the font @vscode-elements and the board's cards use), beside their bundles.
mkdirSync('dist/webviews', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join('node_modules/@vscode/codicons/dist', f), join('dist/webviews', f));

// The default embedder's word-vector table (dist/glove-50k-int8.bin), rebuilt only when missing or stale.
if (tableIsStale()) await buildEmbeddingTable();

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: dist/, out/test/ and out/bench/ built in ${Date.now() - started} ms`);
}
