// cairn agent mcp-servers: the MCP servers agents use, from the files that define them. Needs no store.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { McpServerEntry, McpServersReport } from '../../../store/agents/mcpRegistries';
import { isWithin } from '../../../store/insideRoot';
import type { Caller } from '../../cli';
import { formatTable } from '../../table';

export interface AgentsCliTools {
  sub: (parent: Command, name: string, description: string) => Command;
  /** Calls methods that need no store (none is opened). */
  withoutStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>) => Promise<T>;
  print: (cmd: Command, value: unknown, text: () => string) => void;
}

/** A path as short as it can be said: relative to the folder, `~/…`, else absolute. */
function shortPath(p: string, folder: string): string {
  if (isWithin(folder, p)) return path.relative(folder, p) || '.';
  const home = os.homedir();
  if (isWithin(home, p)) return path.join('~', path.relative(home, p));
  return p;
}

const target = (s: McpServerEntry) => (s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : s.url ?? '');

export function registerAgentsCommands(agent: Command, t: AgentsCliTools): void {
  t.sub(agent, 'mcp-servers', "the MCP servers agents use: .mcp.json, .vscode/mcp.json, ~/.claude.json and registries (exit 1 when a file has an error)")
    .option('--workspace <dir>', 'the workspace folder (default: the current folder)')
    .option('--registry <file>', 'a registry file to read too (JSON: "mcpServers" or "servers", or a list of {name, command|url}), repeatable', (v: string, acc: string[] = []) => [...acc, v])
    .action(async (o: { workspace?: string; registry?: string[] }, cmd: Command) => {
      const workspaceFolder = path.resolve(o.workspace ?? '.');
      // Registry paths as the user typed them: relative ones are from here, not from --workspace.
      const registryPaths = (o.registry ?? []).map((p) => (p === '~' || p.startsWith('~/') ? p : path.resolve(p)));
      const r = await t.withoutStore(cmd, (call) => call<'agents.mcpServers', McpServersReport>('agents.mcpServers', { workspaceFolder, registryPaths }));
      t.print(cmd, r, () => {
        const read = r.files.map((f) => `${shortPath(f.path, workspaceFolder)} (${f.state === 'read' ? f.servers : f.state})`).join(', ');
        return [
          r.servers.length
            ? formatTable(
                ['NAME', 'TRANSPORT', 'COMMAND / URL', 'ENV', 'DEFINED IN'],
                r.servers.map((s) => [s.name, s.transport, target(s), s.envNames.join(', '), `${shortPath(s.file, workspaceFolder)}:${s.line}`]),
              )
            : '(no MCP servers)',
          ...r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}`),
          `${r.servers.length} MCP server${r.servers.length === 1 ? '' : 's'} in ${read}: ${r.counts.error} errors, ${r.counts.warning} warnings, ${r.counts.info} info`,
        ].join('\n');
      });
      if (r.counts.error > 0) process.exitCode = 1;
    });
}
