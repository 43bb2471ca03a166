// Reads the backend's input: LSP-style frames ("Content-Length: N\r\n\r\n" then N bytes of JSON), in place of
// vscode-jsonrpc's StreamMessageReader, which after one bad header reads the body as the next header and never answers
// again. Here a bad frame is reported (the server answers it with -32700) and the reader resyncs: it skips to the next
// complete "Content-Length: N\r\n" line, which no JSON text can hold (a raw CR is not allowed in JSON), so a body is
// never mistaken for a header. A message is at most MAX_MESSAGE_BYTES; a larger one is skipped as it streams in, never
// held. The rest (requests, responses, cancellation) stays vscode-jsonrpc's.
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-jsonrpc/node';

export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024;
/** A header name (an HTTP token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]$/;
/** Where the next frame starts, when resyncing or when a body runs into it. */
const NEXT_HEADER = /content-length:[ \t]*\d+[ \t]*\r\n/i;
/** Bytes kept from what was searched, so that a header split between two reads is still found. */
const SEARCH_OVERLAP = 64;

export interface FrameDecoder {
  /** The message a JSON body stands for. */
  message(value: unknown): Message;
  /** Delivered instead of a body that is not JSON. */
  notJson(reason: string): Message;
  /** Delivered for a frame that cannot be read; the reader then skips to the next header. */
  badFrame(reason: string): Message;
}

/** The bytes received and not yet read, as the chunks they came in (a large body is joined once, when complete). */
class ByteQueue {
  private chunks: Buffer[] = [];
  size = 0;

  push(data: Buffer): void {
    this.chunks.push(data);
    this.size += data.length;
  }

  /** Bytes [from, to) (clamped to what is there). */
  slice(from: number, to = this.size): Buffer {
    const parts: Buffer[] = [];
    let offset = 0;
    for (const chunk of this.chunks) {
      const start = Math.max(from - offset, 0);
      const end = Math.min(to - offset, chunk.length);
      if (start < end) parts.push(chunk.subarray(start, end));
      offset += chunk.length;
      if (offset >= to) break;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  drop(n: number): void {
    this.size -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length > n) {
        this.chunks[0] = first.subarray(n);
        return;
      }
      n -= first.length;
      this.chunks.shift();
    }
  }
}

/** A header block's Content-Length, or what is wrong with the block. */
function readHeader(block: string, bareLf: boolean): { length: number } | { problem: string } {
  if (bareLf || /(^|[^\r])\n/.test(block)) return { problem: 'header lines must end with \\r\\n (CR LF), not a bare \\n' };
  const lengths: string[] = [];
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || ![...line.slice(0, colon)].every((c) => TOKEN.test(c))) return { problem: `a header line without ":" ("${line.slice(0, 40)}")` };
    if (line.slice(0, colon).toLowerCase() === 'content-length') lengths.push(line.slice(colon + 1).trim());
  }
  if (lengths.length === 0) return { problem: 'the header has no Content-Length' };
  if (lengths.length > 1) return { problem: 'the header has more than one Content-Length' };
  const value = lengths[0]!;
  if (!/^\d+$/.test(value)) return { problem: `Content-Length must be a whole number of bytes, not "${value.slice(0, 40)}"` };
  if (Number(value) > MAX_MESSAGE_BYTES) return { problem: `the message is too large (${value.slice(0, 40)} bytes; at most ${MAX_MESSAGE_BYTES})` };
  return { length: Number(value) };
}

const printable = (bytes: Buffer) => bytes.toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '?');

export class FrameReader extends AbstractMessageReader {
  private readonly queue = new ByteQueue();
  private mode: 'header' | 'body' | 'resync' = 'header';
  private bodyLength = 0;
  /** How much of the body was searched for a next header already. */
  private bodySearched = 0;
  /** A problem was reported and no good header came since: bytes that are no header belong to it, not reported again. */
  private reported = false;
  private deliver: DataCallback = () => undefined;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly decoder: FrameDecoder,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.deliver = callback;
    const onData = (data: Buffer) => {
      try {
        this.queue.push(data);
        while (this.step());
      } catch (err) {
        this.fireError(err);
      }
    };
    const onError = (err: Error) => this.fireError(err);
    const onClose = () => this.fireClose();
    this.input.on('data', onData).on('error', onError).on('close', onClose);
    return Disposable.create(() => {
      this.input.off('data', onData).off('error', onError).off('close', onClose);
    });
  }

  /** Reads what it can; false when it needs more bytes. */
  private step(): boolean {
    if (this.mode === 'resync') return this.resync();
    if (this.mode === 'body') return this.body();
    return this.header();
  }

  private report(reason: string, then: 'resync' | 'header', dropping: number): void {
    this.deliver(this.decoder.badFrame(reason));
    this.reported = true;
    this.queue.drop(dropping);
    this.mode = then;
  }

  private header(): boolean {
    const head = this.queue.slice(0, MAX_HEADER_BYTES + 4);
    const blank = head.findIndex((b) => b !== 0x0d && b !== 0x0a); // blank lines between frames are skipped
    if (blank !== 0) {
      this.queue.drop(blank === -1 ? head.length : blank);
      return blank !== -1;
    }
    // The first line must start "Name:"; anything else is no frame (the rest of a body, a header line without colon).
    const colon = head.indexOf(0x3a);
    const nameEnd = head.findIndex((b) => !TOKEN.test(String.fromCharCode(b)));
    if (nameEnd !== -1 && (nameEnd !== colon || colon === 0)) {
      const lineEnd = head.findIndex((b) => b === 0x0d || b === 0x0a);
      const line = printable(head.subarray(0, Math.min(lineEnd === -1 ? head.length : lineEnd, 40)));
      const hasColon = colon !== -1 && (lineEnd === -1 || colon < lineEnd);
      if (!this.reported) this.report(hasColon ? `bytes that are not a header ("${line}…")` : `a header line without ":" ("${line}")`, 'resync', 1);
      else {
        this.queue.drop(1); // more of what was reported (the rest of a body cut short)
        this.mode = 'resync';
      }
      return true;
    }
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf === -1 ? lf : lf === -1 ? crlf : Math.min(crlf, lf);
    if (end === -1) {
      if (head.length <= MAX_HEADER_BYTES) return false;
      this.report(`the header does not end within ${MAX_HEADER_BYTES} bytes (no empty line)`, 'resync', 1);
      return true;
    }
    const consumed = end + (end === crlf ? 4 : 2);
    const read = readHeader(head.subarray(0, end).toString('latin1'), end !== crlf);
    if ('problem' in read) {
      this.report(read.problem, 'resync', consumed);
      return true;
    }
    this.queue.drop(consumed);
    this.reported = false;
    this.mode = 'body';
    this.bodyLength = read.length;
    this.bodySearched = 0;
    return true;
  }

  private body(): boolean {
    // A header inside the body: the Content-Length was longer than the message (valid JSON never holds one).
    const searchFrom = Math.max(this.bodySearched - SEARCH_OVERLAP, 0);
    const searchTo = Math.min(this.queue.size, this.bodyLength + SEARCH_OVERLAP); // a header starting in it, whole
    if (searchTo > this.bodySearched) {
      const found = NEXT_HEADER.exec(this.queue.slice(searchFrom, searchTo).toString('latin1'));
      if (found && searchFrom + found.index < this.bodyLength) {
        const at = searchFrom + found.index;
        this.report(`the Content-Length (${this.bodyLength}) is longer than the message: the next header came after ${at} bytes`, 'header', at);
        return true;
      }
      this.bodySearched = searchTo;
    }
    if (this.queue.size < this.bodyLength) return false;
    const body = this.queue.slice(0, this.bodyLength);
    this.queue.drop(this.bodyLength);
    this.mode = 'header';
    let value: unknown;
    try {
      value = JSON.parse(utf8Text(body));
    } catch (err) {
      this.deliver(this.decoder.notJson((err as Error).message));
      this.reported = true; // what follows a body cut short is the rest of it
      return true;
    }
    this.deliver(this.decoder.message(value));
    return true;
  }

  /** Skips to the next header, keeping no more than a few bytes of what it skips. */
  private resync(): boolean {
    const text = this.queue.slice(0).toString('latin1');
    const found = NEXT_HEADER.exec(text);
    if (found) {
      this.queue.drop(found.index);
      this.mode = 'header';
      return true;
    }
    this.queue.drop(Math.max(this.queue.size - SEARCH_OVERLAP, 0));
    return false;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A body's text; bytes that are not UTF-8 are refused, never stored as U+FFFD in a name or a note. */
function utf8Text(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new Error('its bytes are not valid UTF-8');
  }
}
