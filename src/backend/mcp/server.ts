// `cairn mcp`: the store served over the Model Context Protocol (stdio). Tools and resources are faces of the one
// method table: every call goes through `invoke`, with the same validation and errors as JSON-RPC and the CLI.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { MethodDef } from '../features/define';
import { ChangeWatcher } from '../changeWatcher';
import { invoke, toMethodError, type Context } from '../methods';
import { isWrite, methodDef, methodNames } from '../methodTable';
import { CAIRN_VERSION } from '../version';
import { fitToBudget } from './budget';
import { listResources, readResource, RESOURCE_TEMPLATES } from './resources';
import { BoundedStdioTransport } from './stdioTransport';
import { allTools, inProfile, prettyJson, type Profile, type ToolDef } from './tools';
import { name } from '../../store/valueRules';

export interface McpOptions {
  ctx: Context;
  profile: Profile;
  /** Offer no tool that writes. */
  readOnly: boolean;
  /** Recorded on events instead of the client's name (cairn mcp --actor). */
  actor?: string;
  maxTokens: number;
  log: (message: string) => void;
}

const compact = (v: unknown) => JSON.stringify(v);
const clientName = name('clientInfo.name');

/** The tools this server offers, in order. */
export function offeredTools(profile: Profile, readOnly: boolean): ToolDef[] {
  return allTools(methodNames()).filter((t) => inProfile(t, profile) && !(readOnly && isWrite(t.method)));
}

/** A tool's definition as MCP lists it: the method's doc and params schema (without `actor`, which the server sets). */
export function toolDefinition(tool: ToolDef): Tool {
  const def = methodDef(tool.method) as MethodDef;
  const { $schema: _s, ...schema } = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };
  if (schema.properties) delete schema.properties.actor;
  const writes = def.writes === true;
  return {
    name: tool.name,
    description: tool.hint ? `${def.doc} ${tool.hint}` : def.doc,
    inputSchema: { ...schema, type: 'object' } as Tool['inputSchema'],
    annotations: { readOnlyHint: !writes, destructiveHint: writes && /delete|erase|restore/i.test(tool.method), idempotentHint: !writes },
  };
}

const toolError = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

export function createMcpServer(options: McpOptions): Server {
  const tools = offeredTools(options.profile, options.readOnly);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const definitions = tools.map(toolDefinition);
  const server = new Server(
    { name: 'cairn', version: CAIRN_VERSION },
    {
      capabilities: { tools: {}, resources: { listChanged: true } },
      instructions:
        "Cairn is this project's memory: tasks, notes of the knowledge vault, a knowledge graph and agent runs, shared with the people working on it. Search before you write; pass expectedVersion from what you read when you change a task.",
    },
  );
  /** Who writes: the --actor flag, else the client's name from initialize (if it is a name a backup can hold); an agent. */
  const ctxForCall = (): Context => {
    const client = clientName.safeParse(server.getClientVersion()?.name);
    return { ...options.ctx, readOnly: options.readOnly, who: { actor: options.actor ?? (client.success ? client.data : 'mcp-client'), source: 'agent' } };
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: definitions }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    const tool = byName.get(name);
    if (!tool) return toolError(`Unknown tool "${name}". This server (profile ${options.profile}${options.readOnly ? ', read-only' : ''}) offers: ${tools.map((t) => t.name).join(', ')}.`);
    if ('actor' in args) return toolError('actor is not an argument: the server records your client\'s name (or the one cairn mcp --actor gives) on every change.');
    try {
      // A method that answers nothing (a delete) answers null: JSON has no undefined.
      const result = (await invoke(ctxForCall(), tool.method, tool.params ? tool.params(args) : args, extra.signal)) ?? null;
      const serialise = tool.memory ? prettyJson : compact;
      const fitted = fitToBudget(result, options.maxTokens, serialise);
      const answer = tool.memory ? tool.memory(fitted.value, fitted.text) : { text: fitted.text, structured: undefined };
      const content: CallToolResult['content'] = [{ type: 'text', text: answer.text }];
      if (fitted.cut) {
        const paged = fitted.value !== null && typeof fitted.value === 'object' && 'nextOffset' in fitted.value;
        content.push({ type: 'text', text: `Cut to ${fitted.cut.kept} of ${fitted.cut.total} items (in ${fitted.cut.fields.join(', ')}) to stay within ${options.maxTokens} tokens: ${paged ? 'page on from nextOffset' : 'ask for fewer (limit) or page on (offset)'}.` });
      }
      return answer.structured ? { content, structuredContent: answer.structured } : { content };
    } catch (err) {
      const e = toMethodError(err, { method: tool.method });
      if (e.detail) options.log(`${tool.name}: ${e.detail}`);
      return toolError(e.message.replace(`Invalid params for ${tool.method}:`, `Invalid arguments for ${tool.name}:`));
    }
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: RESOURCE_TEMPLATES }));
  server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
    try {
      return await listResources(ctxForCall(), request.params?.cursor);
    } catch (err) {
      throw new McpError(ErrorCode.InvalidParams, toMethodError(err).message);
    }
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    try {
      return await readResource(ctxForCall(), request.params.uri);
    } catch (err) {
      if (err instanceof McpError) throw err;
      throw new McpError(ErrorCode.InvalidParams, toMethodError(err).message);
    }
  });
  return server;
}

/** Serves until the client closes stdin (the SDK's stdio transport does not watch for that itself). */
export async function serveMcp(options: McpOptions, input: Readable = process.stdin, output: Writable = process.stdout): Promise<void> {
  const server = createMcpServer(options);
  const closed = new Promise<void>((resolve) => {
    input.once('end', resolve);
    input.once('close', resolve);
    server.onclose = () => resolve();
  });
  await server.connect(new BoundedStdioTransport(input, output));
  options.log(`Cairn MCP server: profile ${options.profile}${options.readOnly ? ', read-only' : ''}, ${offeredTools(options.profile, options.readOnly).length} tools`);
  // Tasks and notes are resources: a change to either, by this client or any other process, tells the client to list
  // them again (at most once a poll).
  const store = options.ctx.store;
  const watcher = store ? new ChangeWatcher(
    store,
    (change) => {
      if (!change.aggregates || change.aggregates.some((a) => RESOURCE_AGGREGATES.has(a.type))) void server.sendResourceListChanged().catch(() => undefined);
    },
    RESOURCE_POLL_MS,
    (err) => options.log(`watching the store for resource changes: ${err.message}`),
  ) : undefined;
  // Polled by the event log's sequence number, not the file's data_version: this process's own writes (its tools,
  // its vault watcher) count too.
  void watcher?.check();
  const timer = watcher ? setInterval(() => void watcher.check(), RESOURCE_POLL_MS) : undefined;
  timer?.unref();
  try {
    await closed;
  } finally {
    clearInterval(timer);
  }
  await server.close().catch(() => undefined);
}

/** The aggregates whose changes change the resource list: tasks, and the vault's notes. */
const RESOURCE_AGGREGATES = new Set(['task', 'vault']);
const RESOURCE_POLL_MS = 500;
