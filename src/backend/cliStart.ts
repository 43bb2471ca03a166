// dist/cli.js: starts the `cairn` command line (dist/cliMain.js, one bundle of ~3 MB) with V8's code cache. Compiling
// the bundle took about a third of every call's time, and an agent that shells out to `cairn` per step pays that
// each time. The cache is taken when a call ends, so it holds every function the call ran, not only the top level
// (require-hook libraries such as v8-compile-cache take it right after compiling: measured, that saved nothing
// here). A command that runs functions the cache lacks compiles them on every call (~20 ms for `task list` with a
// cache taken by `--version`), so the first call of each command (its first two words) takes the cache again, which
// then holds what the earlier calls ran as well; at most MAX_CACHE_COMMANDS times per build, so a stream of new
// search words cannot keep rewriting it. It lives beside the bundle in Cairn's own folder (dist/.cache/, never the
// user's folders), named by the bundle's size and time, and is written atomically; where it can't be written (a
// read-only install) or V8 refuses it (another Node version), the CLI compiles as before.
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { commandWords } from './commandWords';
import { boundHeapGrowth } from './processMemory';

// Before the bundle is compiled: V8 refuses a code cache made under other flags, and this is one.
boundHeapGrowth();

/** How many commands may each retake the cache, per build of the bundle. */
const MAX_CACHE_COMMANDS = 24;

const bundle = path.join(__dirname, 'cliMain.js');
const bytes = fs.readFileSync(bundle);
// The build writes the bundle as ASCII (esbuild.mjs): decoding it as Latin-1 is a copy, where UTF-8 decoding of 3 MB
// took ~10 ms; V8 also compiles a one-byte string faster.
const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
const stat = fs.statSync(bundle);
const cacheDir = path.join(__dirname, '.cache');
const cacheName = `cli-${process.version}-${stat.size}-${Math.trunc(stat.mtimeMs)}`;
/** One file, replaced whole: a line with the commands whose runs it holds (JSON), then V8's cached data. */
const cacheFile = path.join(cacheDir, `${cacheName}.bin`);

/** The command's name, as far as the cache needs it: its first two words, without options and their values. */
const commandOf = (args: string[]): string => commandWords(args, 2).join(' ') || '(none)';

/** The cache's commands and data; none when there is no cache yet, or it cannot be read (this call then makes it). */
function readCache(): { commands: string[]; data: Buffer } | undefined {
  try {
    const file = fs.readFileSync(cacheFile);
    const end = file.indexOf(0x0a);
    const commands = JSON.parse(file.toString('utf8', 0, end)) as unknown;
    return Array.isArray(commands) && end > 0 ? { commands: commands.map(String), data: file.subarray(end + 1) } : undefined;
  } catch {
    return undefined;
  }
}

const cached = readCache();
const command = commandOf(process.argv.slice(2));
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cached?.data });
const accepted = cached !== undefined && script.cachedDataRejected !== true;
if (!accepted || (!cached.commands.includes(command) && cached.commands.length < MAX_CACHE_COMMANDS)) {
  process.once('exit', () => {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      for (const old of fs.readdirSync(cacheDir)) if (old.startsWith('cli-') && old !== `${cacheName}.bin`) fs.rmSync(path.join(cacheDir, old), { force: true });
      const commands = accepted ? [...cached.commands, command] : [command];
      const temp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(temp, Buffer.concat([Buffer.from(JSON.stringify(commands) + '\n'), script.createCachedData()]));
      fs.renameSync(temp, cacheFile);
    } catch {
      // A cache is only a saving: a folder that can't be written leaves the CLI as fast as it was.
    }
  });
}

// Run the bundle as Node runs a CommonJS module: its own module object, require, __filename and __dirname.
const cli = new Module(bundle, module);
cli.filename = bundle;
cli.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
const requireFromBundle = Module.createRequire(bundle);
(script.runInThisContext() as (...args: unknown[]) => void).call(cli.exports, cli.exports, requireFromBundle, cli, bundle, __dirname);
