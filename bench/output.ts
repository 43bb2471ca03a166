// How every bench hands over its result: JSON to $CAIRN_BENCH_OUT (scripts/bench.mjs sets it) or to stdout, and a
// failure as one message and exit code 1.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository (the folder with package.json above this code: bench/ run from source, out/bench/ when bundled). */
export const ROOT = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

export function writeResult(result: unknown): void {
  const json = JSON.stringify(result, null, 2) + '\n';
  if (process.env.CAIRN_BENCH_OUT) fs.writeFileSync(process.env.CAIRN_BENCH_OUT, json);
  else process.stdout.write(json);
}

export function runBench(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${name} bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
