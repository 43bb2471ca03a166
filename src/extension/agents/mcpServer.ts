// Registers Cairn's MCP server (`cairn mcp` on the open store) with VS Code, so Copilot's agent mode and any other
// MCP client in VS Code sees it with no set-up. The API came in VS Code 1.101; older versions get nothing (the
// README shows the .vscode/mcp.json that works everywhere).
import * as vscode from 'vscode';
import type { BackendClient } from '../backendClient';
import { PROCESS_MEMORY_ENV } from '../../backend/processMemory';
import { CAIRN_VERSION } from '../../backend/version';

export const MCP_PROVIDER_ID = 'cairn.mcp';

/** What VS Code runs: the bundled CLI on VS Code's own runtime, on the store, vault and agents the backend uses. */
export interface McpLaunch {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

export function mcpLaunch(cliPath: string, backend: BackendClient): McpLaunch {
  return {
    label: 'Cairn',
    command: process.execPath,
    args: [cliPath, '--store', backend.store, '--vault', backend.vault, ...backend.agents.flatMap((d) => ['--agents', d]), 'mcp'],
    env: { ...PROCESS_MEMORY_ENV, ELECTRON_RUN_AS_NODE: '1' },
  };
}

interface McpApi {
  registerMcpServerDefinitionProvider(id: string, provider: { onDidChangeMcpServerDefinitions?: vscode.Event<void>; provideMcpServerDefinitions(): unknown[] }): vscode.Disposable;
}
type McpStdioServerDefinitionClass = new (label: string, command: string, args?: string[], env?: Record<string, string>, version?: string) => unknown;

/** Undefined when this VS Code has no MCP API. */
export function registerMcpServer(cliPath: string, backend: BackendClient): vscode.Disposable | undefined {
  const lm = (vscode as unknown as { lm?: Partial<McpApi> }).lm;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioServerDefinitionClass }).McpStdioServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || !Definition) return undefined;
  const changed = new vscode.EventEmitter<void>();
  const registration = lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const launch = mcpLaunch(cliPath, backend);
      return [new Definition(launch.label, launch.command, launch.args, launch.env, CAIRN_VERSION)];
    },
  });
  // Another store, vault or agent folder (a setting changed) means another server.
  const restarted = backend.onDidRestart(() => changed.fire());
  return vscode.Disposable.from(registration, restarted, changed);
}
