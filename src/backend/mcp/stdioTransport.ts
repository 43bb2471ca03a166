// MCP's stdio framing (one JSON-RPC message per line), bounded: a line over the limit is skipped and answered with an
// error, and the server goes on. (The SDK's StdioServerTransport closes the whole connection on an oversized line,
// and answers nothing to a line that is not JSON.)
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';

export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const ID = String.raw`"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")`;
const idValue = (m: RegExpExecArray | null) => (m ? (m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : Number(m[1])) : null);

/**
 * The top-level id of a message too large to parse, from its first and last bytes: clients write it either last
 * (`…,"id":5}`: the TypeScript SDK) or before the params (`{"jsonrpc":"2.0","id":5,"method":…`: the Python SDK).
 */
function idOf(head: string, tail: string): string | number | null {
  const last = idValue(new RegExp(`${ID}\\s*}\\s*$`).exec(tail));
  if (last !== null) return last;
  const beforeParams = head.split('"params"')[0]!;
  return idValue(new RegExp(ID).exec(beforeParams));
}

export class BoundedStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private chunks: Buffer[] = [];
  private size = 0;
  /** The first bytes of a line being skipped for its size, and its last bytes so far. */
  private skipping: string | null = null;
  private tail = Buffer.alloc(0);

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
  }

  private readonly onInputError = (err: Error) => this.onerror?.(err);

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, newline < 0 ? chunk.length : newline);
      if (this.skipping === null && this.size + piece.length > this.maxBytes) {
        this.skipping = Buffer.concat([...this.chunks, piece.subarray(0, 512)]).subarray(0, 512).toString('utf8');
        this.chunks = [];
        this.size = 0;
      }
      if (this.skipping !== null) {
        this.tail = Buffer.concat([this.tail, piece.subarray(-512)]).subarray(-512);
      } else {
        this.chunks.push(piece);
        this.size += piece.length;
      }
      if (newline < 0) return;
      if (this.skipping !== null) this.refuse(this.skipping, this.tail.toString('utf8'));
      else this.deliver(Buffer.concat(this.chunks).toString('utf8'));
      this.skipping = null;
      this.tail = Buffer.alloc(0);
      this.chunks = [];
      this.size = 0;
      start = newline + 1;
    }
  };

  private deliver(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch (err) {
      this.onerror?.(err as Error);
      void this.send({ jsonrpc: '2.0', id: idOf(line.slice(0, 512), line.slice(-512)), error: { code: -32700, message: 'Parse error: the line is not a JSON-RPC message (one JSON object per line).' } } as unknown as JSONRPCMessage);
      return;
    }
    this.onmessage?.(message);
  }

  private refuse(head: string, tail: string): void {
    const id = idOf(head, tail);
    const text = `The message is larger than ${this.maxBytes / (1024 * 1024)} MB; nothing was done. Send smaller arguments (a task's description is at most 100,000 characters, a note written at once 1,000,000).`;
    this.onerror?.(new Error(`skipped a message of over ${this.maxBytes} bytes`));
    if (id === null) return;
    // A tool call gets a tool error, which an agent reads; any other request a JSON-RPC error.
    const reply = /"method"\s*:\s*"tools\/call"/.test(head) ? { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }], isError: true } } : { jsonrpc: '2.0', id, error: { code: -32600, message: text } };
    void this.send(reply as JSONRPCMessage);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(JSON.stringify(message) + '\n')) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    this.chunks = [];
    this.onclose?.();
  }
}
