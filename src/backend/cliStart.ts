// dist/cli.js: starts the `cairn` command line (dist/cliMain.js, one bundle of ~3 MB) with V8's code cache. Compiling
// the bundle took about a third of every call's time, and an agent that shells out to `cairn` per step pays that
// each time. The cache is taken when a call ends, so it holds every function the call ran, not only the top level
// (require-hook libraries such as v8-compile-cache take it right after compiling: measured, that saved nothing
// here). A command that runs functions the cache lacks compiles them on every call (~20 ms for `task list` with a
// cache taken by `--version`), so the first call of each command (as commander names it: `search`, `task list`)
// takes the cache again, which then holds what the earlier calls ran as well; at most MAX_CACHE_COMMANDS times per
// build. It lives beside the bundle in Cairn's own folder (dist/.cache/, never the user's folders), named by the
// bundle's size and time, and is written atomically; where it can't be written (a read-only install) or V8 refuses
// it (another Node version), the CLI compiles as before.
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { commandWords } from './commandWords';
import { boundHeapGrowth, LONG_RUNNING_COMMANDS } from './processMemory';

// Before the bundle is compiled: V8 refuses a code cache made under other flags, and this is one.
boundHeapGrowth();

/** How many commands may each retake the cache, per build of the bundle. */
const MAX_CACHE_COMMANDS = 24;
/** What the cache lists for a call without a command (`cairn --version`, `cairn --help`). */
const NO_COMMAND = '(none)';

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

/**
 * The cache holds a command's runs once the command is among those it lists: each as commander named it when it ran
 * ("search", "task list"), so `cairn search` with another first word is the same command, not a new one to take the
 * cache again for. Before the bundle runs only the words are known: the first two, or the first alone, must be listed.
 */
const words = commandWords(process.argv.slice(2), 2);
const covers = (commands: readonly string[]): boolean => (words.length ? commands.includes(words.join(' ')) || commands.includes(words[0]!) : commands.includes(NO_COMMAND));

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
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cached?.data });
const accepted = cached !== undefined && script.cachedDataRejected !== true;
if (!accepted || (!covers(cached.commands) && cached.commands.length < MAX_CACHE_COMMANDS)) {
  process.once('exit', () => {
    try {
      const ran = (cli.exports as { commandRun?: () => string | undefined }).commandRun?.() ?? NO_COMMAND;
      if (accepted && cached.commands.includes(ran)) return; // the words were new, the command was not
      if (LONG_RUNNING_COMMANDS.has(ran)) return; // it ran under other V8 flags (processMemory.ts)
      fs.mkdirSync(cacheDir, { recursive: true });
      for (const old of fs.readdirSync(cacheDir)) if (old.startsWith('cli-') && old !== `${cacheName}.bin`) fs.rmSync(path.join(cacheDir, old), { force: true });
      const commands = accepted ? [...cached.commands, ran] : [ran];
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
