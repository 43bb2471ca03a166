// What keeps a `cairn` call's start short (issue 15), checked for what it must not change: a method loads its own
// feature only, yet every method is still found; sqlite-vec loads for the methods that may need it; the launcher's
// code cache is taken again for each new command and a bad cache is only a slower start; the bundle is ASCII.
import * as assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Command } from 'commander';
import { buildProgram } from '../../src/backend/cli';
import { method } from '../../src/backend/features/define';
import { IMPORT_FORMATS, IMPORT_MAX_BYTES } from '../../src/backend/features/graph/interopCli';
import { invoke, type Context } from '../../src/backend/methods';
import { features, hintedFeatures, isMethod, isWrite, methodDef, methodNames } from '../../src/backend/methodTable';
import { MAX_IMPORT_BYTES, MEMORY_FORMAT } from '../../src/store/graph/memoryJsonl';
import { findMigrationsDir, shippedSchemaVersion } from '../../src/store/migrate';
import { Store } from '../../src/store/store';
import { withThousands } from '../../src/store/valueRules';
import { z } from 'zod';
import { cleanupTempDirs, requireBuilt, ROOT, tempDir } from '../helpers';

describe('CLI start: lazy loading', () => {
  afterEach(cleanupTempDirs);

  it('every method is looked up first in its own feature, and no name is in two features', () => {
    const seen = new Map<string, string>();
    for (const [title, methods] of features()) {
      for (const name of Object.keys(methods)) {
        assert.equal(seen.get(name), undefined, `${name} is in ${seen.get(name)} and ${title}`);
        seen.set(name, title);
        assert.equal(hintedFeatures(name)[0], title, `${name} (in ${title}) must be hinted by its prefix or its name in methodTable.ts`);
        assert.equal(methodDef(name), methods[name]);
        assert.ok(isMethod(name));
      }
    }
    assert.deepEqual(methodNames().sort(), [...seen.keys()].sort());
    assert.equal(isMethod('tasks.nope'), false);
    assert.equal(isMethod('__proto__'), false);
    assert.equal(methodDef('toString'), undefined);
    assert.equal(isWrite('tasks.create'), true);
    assert.equal(isWrite('tasks.list'), false);
    assert.equal(isWrite('nope'), false);
  });

  it('a store opened without sqlite-vec loads it for the methods that may need it, not for listing tasks', async () => {
    const store = await Store.open(tempDir(), { loadVec: false });
    try {
      const ctx: Context = { store, who: { actor: 'tester', source: 'cli' }, vaultDir: tempDir(), agentDirs: [] };
      await invoke(ctx, 'tasks.list', {});
      await invoke(ctx, 'projects.list', {});
      assert.equal(store.vecVersion, null, 'not loaded for listing');
      const info = (await invoke(ctx, 'store.info', {})) as { vecVersion: string | null };
      assert.match(String(store.vecVersion), /^v\d/, store.vecError);
      assert.equal(info.vecVersion, store.vecVersion);
      await Promise.all([store.loadVec(), store.loadVec()]); // once only
    } finally {
      await store.close();
    }
  });

  it('a search by words alone does not load sqlite-vec; a hybrid one does', async () => {
    const store = await Store.open(tempDir(), { loadVec: false });
    try {
      const ctx: Context = { store, who: { actor: 'tester', source: 'cli' }, vaultDir: tempDir(), agentDirs: [] };
      assert.deepEqual(await invoke(ctx, 'knowledge.search', { query: 'lighthouse', mode: 'text' }), []);
      assert.equal(store.vecVersion, null);
      await invoke(ctx, 'knowledge.search', { query: 'lighthouse' });
      assert.match(String(store.vecVersion), /^v\d/, store.vecError);
    } finally {
      await store.close();
    }
  });

  it("a method's params schema is built when first read, once", () => {
    let built = 0;
    const def = method({ doc: 'd', result: 'r', params: () => (built++, z.strictObject({ n: z.number() })), handler: async (_s, p) => p.n });
    assert.equal(built, 0, 'not built by defining the method');
    assert.equal(def.params.safeParse({ n: 1 }).success, true);
    assert.equal(def.params, def.params);
    assert.equal(built, 1);
    assert.equal(Object.keys(def).includes('params'), true, 'params is still an own, enumerable field');
  });

  it('the command line a call builds has every command, and the subcommands of the one it names, as the full one has them', () => {
    const tree = (cmd: Command): unknown => ({ name: cmd.name(), aliases: cmd.aliases(), help: cmd.helpInformation(), subs: cmd.commands.map(tree) });
    const full = buildProgram();
    const top = (p: Command) => p.commands.map((c) => [c.name(), c.aliases(), c.description()]);
    for (const only of ['', 'task', 'agents', 'sync', 'search', 'nope']) {
      const partial = buildProgram(only);
      assert.deepEqual(top(partial), top(full), `every command is there for "${only}"`);
      assert.equal(partial.helpInformation(), full.helpInformation());
      for (const c of partial.commands) {
        const named = c.name() === only || c.aliases().includes(only);
        const twin = full.commands.find((f) => f.name() === c.name())!;
        if (named) assert.deepEqual(tree(c), tree(twin), `${c.name()}'s subcommands are made as in the full program`);
        else assert.deepEqual(c.commands, [], `${c.name()}'s subcommands are not made for "${only}"`);
      }
    }
  });

  it('the values written out for the CLI are the ones they stand for', () => {
    assert.deepEqual(IMPORT_FORMATS, [MEMORY_FORMAT]);
    assert.equal(IMPORT_MAX_BYTES, MAX_IMPORT_BYTES);
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_000_000, 1_234_567_890]) assert.equal(withThousands(n), n.toLocaleString('en'));
    const dir = findMigrationsDir();
    assert.equal(shippedSchemaVersion(dir), readMigrationFiles({ migrationsFolder: dir }).length);
  });
});

describe('CLI start: the launcher (dist/cli.js)', function () {
  this.timeout(120_000);
  afterEach(cleanupTempDirs);

  /** dist/cli.js and its bundle in a folder of their own, so this test owns its .cache/. */
  function launcherCopy(): { cli: string; cache: string } {
    requireBuilt();
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'dist'));
    for (const f of ['cli.js', 'cliMain.js']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(dir, 'dist', f));
    for (const f of ['node_modules', 'drizzle']) fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
    return { cli: path.join(dir, 'dist', 'cli.js'), cache: path.join(dir, 'dist', '.cache') };
  }

  const run = (cli: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CAIRN_STORE: undefined } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const cacheFiles = (cache: string) => fs.readdirSync(cache).sort();
  /** The commands the cache holds the runs of: its first line. */
  const commands = (cache: string) => {
    const [file] = cacheFiles(cache);
    return JSON.parse(fs.readFileSync(path.join(cache, file!), 'utf8').split('\n')[0]!) as string[];
  };

  it('the bundle is ASCII (read as Latin-1)', () => {
    requireBuilt();
    assert.ok(isAscii(fs.readFileSync(path.join(ROOT, 'dist', 'cliMain.js'))));
  });

  it('takes the code cache again for each new command (as commander names it), never twice for one; a damaged cache only costs time', () => {
    const { cli, cache } = launcherCopy();
    const store = path.join(tempDir(), 'store');
    const version = run(cli, '--version');
    assert.equal(commands(cache).join('|'), '(none)');
    const [bin] = cacheFiles(cache);
    run(cli, '--store', store, 'init');
    const projectId = (JSON.parse(run(cli, '--store', store, '--json', 'project', 'add', 'P')) as { id: string }).id;
    run(cli, '--store', store, '--actor', 'me', 'task', 'add', '--project', projectId, 'a task');
    assert.deepEqual(commands(cache), ['(none)', 'init', 'project add', 'task add']);
    const stamp = fs.statSync(path.join(cache, bin!)).mtimeMs;
    const listed = run(cli, '--store', store, 'task', 'list', '--project', projectId);
    assert.match(listed, /a task/);
    assert.equal(run(cli, '--store', store, 'task', 'list'), listed);
    assert.deepEqual(commands(cache), ['(none)', 'init', 'project add', 'task add', 'task list']);
    assert.deepEqual(cacheFiles(cache), [bin], 'one cache file');
    assert.notEqual(fs.statSync(path.join(cache, bin!)).mtimeMs, stamp, 'a new command retook it');
    // A search's first word is a query word, not a command: `search` is taken once, whatever the words.
    const vault = tempDir();
    fs.writeFileSync(path.join(vault, 'a.md'), '# A\nalpha bravo words\n');
    // `index` runs under other V8 flags (processMemory.ts: LONG_RUNNING_COMMANDS), so it takes no cache: one taken
    // there would be refused by every later call, which would take it afresh for themselves alone.
    const beforeIndex = fs.statSync(path.join(cache, bin!)).mtimeMs;
    run(cli, '--store', store, '--vault', vault, 'index');
    assert.equal(fs.statSync(path.join(cache, bin!)).mtimeMs, beforeIndex, 'index took no cache');
    assert.equal(run(cli, '--store', store, 'task', 'list'), listed);
    assert.deepEqual(commands(cache), ['(none)', 'init', 'project add', 'task add', 'task list'], 'the cache was still accepted after index');
    assert.match(run(cli, '--store', store, '--vault', vault, 'search', '--text', 'alpha'), /a\.md/);
    assert.deepEqual(commands(cache).slice(-2), ['task list', 'search']);
    const searched = fs.statSync(path.join(cache, bin!)).mtimeMs;
    assert.match(run(cli, '--store', store, '--vault', vault, 'search', '--text', 'bravo'), /a\.md/);
    assert.match(run(cli, '--store', store, '--vault', vault, 'search', 'words'), /a\.md/);
    assert.equal(fs.statSync(path.join(cache, bin!)).mtimeMs, searched, 'not taken again for other search words');
    assert.deepEqual(commands(cache).slice(-2), ['task list', 'search']);

    fs.writeFileSync(path.join(cache, bin!), 'not a code cache');
    assert.equal(run(cli, '--version'), version);
    assert.deepEqual(commands(cache), ['(none)'], 'a rejected cache is taken afresh');
    fs.writeFileSync(path.join(cache, bin!), '["(none)","task list"]\nnot a code cache');
    assert.equal(run(cli, '--store', store, 'task', 'list'), listed);
    assert.deepEqual(commands(cache), ['task list'], 'V8 refused its data: taken afresh');
    assert.equal(run(cli, '--store', store, 'task', 'list'), listed);
  });
});
