// The `cairn mcp` command: opens the store and serves it over MCP on stdio until the client closes it. stdout
// carries the protocol; logs go to stderr.
import { Option, type Command } from 'commander';
import { StoreError } from '../../store/errors';
import { Store } from '../../store/store';
import type { Context } from '../methods';
import type { VaultWatcher } from '../vaultWatcher';
import { DEFAULT_MAX_TOKENS } from './budget';
import { PROFILES, type Profile } from './tools';

export interface McpPlaces {
  storeDir: string;
  vaultDir: string;
  agentDirs: string[];
  actor?: string;
}

export function registerMcpCommand(program: Command, sub: (parent: Command, name: string, description: string) => Command, places: (cmd: Command) => McpPlaces, count: (value: string) => number): void {
  sub(program, 'mcp', 'serve the store to AI agents over the Model Context Protocol (stdio); see the README for set-up')
    .addOption(new Option('--profile <profile>', 'which tools to offer: core (10 tools), standard, or all').choices(PROFILES).default('standard'))
    .option('--read-only', 'offer no tool that changes the store')
    .option('--max-tokens <n>', 'the most tokens one tool answer may take (lists are cut to fit)', count, DEFAULT_MAX_TOKENS)
    .option('--no-watch-vault', 'do not index vault files as they change (another Cairn process already does)')
    .action(async (o: { profile: Profile; readOnly?: boolean; maxTokens: number; watchVault: boolean }, cmd: Command) => {
      const where = places(cmd);
      console.log = console.info = (...args: unknown[]) => process.stderr.write(args.join(' ') + '\n'); // stdout is the protocol
      const log = (message: string) => process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);
      const ctx: Context = { store: null, who: { actor: where.actor ?? 'mcp-client', source: 'agent' }, vaultDir: where.vaultDir, agentDirs: where.agentDirs };
      try {
        ctx.store = await Store.open(where.storeDir, { create: false, checkAtOpen: 'always', busyTimeoutMs: Number(process.env.CAIRN_BUSY_TIMEOUT_MS) || 5000, processName: 'mcp', slowQueryMs: Number(process.env.CAIRN_SLOW_QUERY_MS) || undefined, vectorsInMemory: true, searchReader: true });
      } catch (err) {
        // Served all the same: every tool answers why, which an agent can tell its user (a process that exits shows as
        // a bare "failed to connect").
        ctx.storeError = err instanceof StoreError ? err : new StoreError('store_unavailable', `Cannot open the store at ${where.storeDir}: ${(err as Error).message}`);
        log(ctx.storeError.message);
      }
      // Notes edited in the vault by any program are indexed as they change, so an agent searches what is there now.
      let watcher: VaultWatcher | undefined;
      if (ctx.store && !ctx.store.readOnly && !o.readOnly && o.watchVault) {
        const { VaultWatcher } = await import('../vaultWatcher'); // loaded here: chokidar and the indexer cost every other command's start
        watcher = new VaultWatcher({ store: ctx.store, vaultDir: where.vaultDir, who: { actor: 'vault-watcher', source: 'agent' }, log: (level, message) => log(`${level}: ${message}`) });
        await watcher.start().catch((err: Error) => log(`Cannot watch the vault ${where.vaultDir}: ${err.message}`));
      }
      const { serveMcp } = await import('./server');
      try {
        await serveMcp({ ctx, profile: o.profile, readOnly: Boolean(o.readOnly) || Boolean(ctx.store?.readOnly), actor: where.actor, maxTokens: o.maxTokens, log });
      } finally {
        await watcher?.close().catch(() => undefined);
        await ctx.store?.close().catch(() => undefined);
      }
    });
}
