// dist/backend.js: the Cairn backend process. Speaks JSON-RPC 2.0 on stdin/stdout (see docs/protocol.md);
// logs go to stderr. It keeps running when the store cannot be opened and answers every request with the
// reason, so a client can show it instead of restarting the process in a loop.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultAgentDirs } from '../store/agents/indexer';
import { StoreError } from '../store/errors';
import { Store } from '../store/store';
import { makeActor } from './actor';
import type { Context } from './methods';
import { LOG, type LogMessage } from './protocol';
import { startServer } from './server';
import { VaultWatcher } from './vaultWatcher';
import { boundHeapGrowth, holdYoungGeneration } from './processMemory';
import { CAIRN_VERSION } from './version';

const USAGE = `Usage: backend.js --store DIR [--vault DIR] [--agents DIR]... [--source extension|cli|agent] [--actor NAME] [--poll-ms N] [--slow-query-ms N] [--no-watch-vault]
Runs the Cairn backend on stdio (JSON-RPC 2.0 with Content-Length framing; see docs/protocol.md).
--agents DIR (repeatable, highest precedence first): Claude Code agent folders; default <cwd>/.claude/agents and ~/.claude/agents.
--watch-vault (default) / --no-watch-vault: re-index vault files as they change (a vault folder created later is watched once it appears).`;

function fail(message: string): never {
  process.stderr.write(`backend: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive whole number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  boundHeapGrowth();
  holdYoungGeneration();
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        store: { type: 'string' },
        source: { type: 'string', default: 'agent' },
        actor: { type: 'string' },
        vault: { type: 'string' },
        agents: { type: 'string', multiple: true },
        'poll-ms': { type: 'string' },
        'slow-query-ms': { type: 'string' },
        'watch-vault': { type: 'boolean', default: true },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
      strict: true,
      allowNegative: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (values.version) {
    process.stdout.write(CAIRN_VERSION + '\n');
    return;
  }
  if (!values.store) fail('--store DIR is required');
  let who;
  try {
    who = makeActor(values.source!, values.actor);
  } catch (err) {
    fail((err as Error).message);
  }
  // stdout carries the protocol: nothing else may write to it.
  console.log = console.info = (...args: unknown[]) => process.stderr.write(args.join(' ') + '\n');
  const logLine = (level: LogMessage['level'], message: string) => process.stderr.write(`[${new Date().toISOString()}] ${level}: ${message}\n`);

  // Log lines go to stderr at once and to the client once the connection is up (earlier ones are queued).
  let server: ReturnType<typeof startServer> | undefined;
  const queued: LogMessage[] = [];
  const emit = (level: LogMessage['level'], message: string) => {
    logLine(level, message);
    if (server) void server.connection.sendNotification(LOG, { level, message }).catch(() => undefined);
    else queued.push({ level, message });
  };

  const openOptions = {
    slowQueryMs: positiveInt('slow-query-ms', values['slow-query-ms'], 100),
    busyTimeoutMs: positiveInt('busy-timeout-ms', process.env.CAIRN_BUSY_TIMEOUT_MS, 5000),
    processName: `backend (${who.source})`,
    // Long-lived: searches by meaning scan the vectors in memory, and a search runs a query on a second connection.
    vectorsInMemory: true,
    searchReader: true,
  };
  const ctx: Context = {
    store: null,
    who,
    vaultDir: path.resolve(values.vault ?? path.join(values.store, 'vault')),
    agentDirs: values.agents?.length ? values.agents.map((d) => path.resolve(d)) : defaultAgentDirs(),
  };
  try {
    ctx.store = await Store.open(values.store, {
      ...openOptions,
      // Once per process, whatever the size: a damaged store is refused before anything reads or writes it.
      checkAtOpen: 'always',
      onSlowQuery: (q) => emit('warn', `Slow query (${q.ms} ms): ${q.sql}`),
    });
    const m = ctx.store.migration;
    const migrated = m.from !== m.to ? `, migrated from ${m.from}${m.backupFile ? `; copy before migration: ${m.backupFile}` : ''}` : '';
    emit('info', `Opened store ${ctx.store.file} (schema ${m.to}${migrated}) as ${who.actor} (${who.source})`);
    if (ctx.store.vecError) emit('warn', `sqlite-vec did not load (${ctx.store.vecError}); semantic search will be unavailable`);
    if (ctx.store.readOnly) emit('warn', `The store ${ctx.store.file} is read-only here (this user cannot write its folder or database): it can be read, and every write is refused`);
  } catch (err) {
    ctx.storeError = err instanceof StoreError ? err : new StoreError('store_unavailable', `Cannot open the store at ${values.store}: ${(err as Error).message}`);
    emit('error', ctx.storeError.message);
    // A store whose database is gone or damaged can still be restored: backup.history and backup.restore open it for that.
    if (ctx.storeError.kind === 'corrupt' || ctx.storeError.data?.reason === 'needs_restore') {
      const store = values.store;
      ctx.openForRestore = (how) => Store.open(store, { ...openOptions, ...how, forRestore: true });
    }
  }

  server = startServer({ input: process.stdin, output: process.stdout, ctx, pollMs: positiveInt('poll-ms', values['poll-ms'], 200), log: logLine });
  for (const m of queued.splice(0)) void server.connection.sendNotification(LOG, m).catch(() => undefined);

  let vaultWatcher: VaultWatcher | undefined;
  const shutdown = async (code: number) => {
    await vaultWatcher?.close().catch(() => undefined);
    server?.dispose();
    await ctx.store?.close().catch(() => undefined);
    process.exit(code);
  };
  process.stdin.on('end', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  // Vault edits made by any program are indexed as they happen (see vaultWatcher.ts); its runs are announced with
  // store.changed at once (an in-process write does not move PRAGMA data_version, which the poll relies on).
  // A vault folder that does not exist yet is watched once it appears.
  if (ctx.store && !ctx.store.readOnly && values['watch-vault']) {
    const running = server;
    vaultWatcher = new VaultWatcher({
      store: ctx.store,
      vaultDir: ctx.vaultDir,
      who,
      onIndexed: () => void running.checkChanges(),
      log: (level, message) => emit(level, message),
    });
    const watching = vaultWatcher;
    void vaultWatcher.start().then(
      () => emit('info', watching.waiting ? `The vault ${ctx.vaultDir} does not exist yet; it will be watched once it is created` : `Watching the vault ${ctx.vaultDir} for changes`),
      (err: Error) => emit('warn', `Cannot watch the vault ${ctx.vaultDir}: ${err.message}`),
    );
  }
  await server.closed;
  await shutdown(0);
}

void main().catch((err) => {
  process.stderr.write(`backend: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
