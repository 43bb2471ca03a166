// A real MCP client (the SDK's own Client over stdio) driving a real `cairn mcp` process.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as assert from 'node:assert/strict';
import { CLI } from '../helpers';

export interface Connected {
  client: Client;
  stderr: () => string;
  /** Calls a tool; the answer's first text and whether it is an error. */
  call: (name: string, args?: Record<string, unknown>) => Promise<{ text: string; isError: boolean; result: CallToolResult }>;
  /** Calls a tool that must succeed; its first text parsed as JSON. */
  ok: <T = unknown>(name: string, args?: Record<string, unknown>) => Promise<T>;
  close: () => Promise<void>;
}

/** `args`: the cairn command line, `mcp` and its flags included. */
export function connect(args: string[], options: { name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Connected> {
  return connectTo(CLI, args, options);
}

/** Any MCP server that is a Node script. */
export async function connectTo(script: string, args: string[], options: { name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Connected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [script, ...args], env: { ...process.env, ...options.env } as Record<string, string>, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const client = new Client({ name: options.name ?? 'test-agent', version: '1.0.0' });
  await client.connect(transport);
  const call: Connected['call'] = async (name, a = {}) => {
    const result = (await client.callTool({ name, arguments: a })) as CallToolResult;
    const first = result.content[0];
    return { text: first?.type === 'text' ? first.text : '', isError: result.isError === true, result };
  };
  return {
    client,
    stderr: () => stderr,
    call,
    ok: async (name, a) => {
      const r = await call(name, a);
      assert.equal(r.isError, false, `${name} failed: ${r.text}`);
      return JSON.parse(r.text);
    },
    close: () => client.close(),
  };
}
