// Bad frames against the real dist/backend.js: a missing, non-numeric, negative or too large Content-Length, a header
// with bare LF line ends or without a colon, a length shorter or longer than the body, bytes that are no frame at
// all. Each gets one JSON-RPC error (-32700, id null) saying what was wrong, and the request after it is answered:
// the backend skips to the next "Content-Length:" header and goes on.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { StreamMessageReader } from 'vscode-jsonrpc/node';
import { BACKEND, cleanupTempDirs, requireBuilt, tempDir } from '../helpers';
import { waitFor } from '../waitFor';

interface Message {
  id?: number | string | null;
  method?: string;
  result?: unknown;
  error?: { code: number; message: string };
}

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const request = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'projects.list', params: {} });
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

describe('backend framing: a bad frame does not deafen the backend', function () {
  this.timeout(60_000);
  let child: ChildProcessWithoutNullStreams;
  let messages: Message[];
  let stderr: string;
  before(() => requireBuilt());
  beforeEach(() => {
    child = spawn(process.execPath, [BACKEND, '--store', path.join(tempDir(), 'store'), '--no-watch-vault']);
    messages = [];
    stderr = '';
    new StreamMessageReader(child.stdout).listen((m) => messages.push(m as Message));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  });
  afterEach(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.stdin.end();
      await exited;
    }
    cleanupTempDirs();
  });

  const frameErrors = () => messages.filter((m) => m.id === null && m.error);
  const answered = (id: number) => waitFor(`the answer to request ${id}`, () => messages.find((m) => m.id === id && 'result' in m));

  /** Sends the bad bytes, then a good request; one -32700 error naming the problem, then the answer. */
  async function badThenGood(bad: string | Buffer, id: number, reason: RegExp): Promise<void> {
    const before = frameErrors().length;
    child.stdin.write(Buffer.concat([Buffer.from(bad), Buffer.from(frame(request(id)))]));
    assert.deepEqual((await answered(id)).result, []);
    const errors = frameErrors().slice(before);
    assert.equal(errors.length, 1, `one error for the bad frame, got ${JSON.stringify(errors)}`);
    assert.equal(errors[0]!.error!.code, -32700);
    assert.match(errors[0]!.error!.message, reason);
  }

  it('answers each bad frame with an error and the next request as usual', async () => {
    const body = request(1000);
    const cases: [string, string | Buffer, RegExp][] = [
      ['no Content-Length', `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`, /^Parse error: the header has no Content-Length/],
      ['non-numeric', `Content-Length: abc\r\n\r\n${body}`, /^Parse error: Content-Length must be a whole number of bytes, not "abc"/],
      ['negative', `Content-Length: -5\r\n\r\n${body}`, /Content-Length must be a whole number of bytes, not "-5"/],
      ['bare LF', `Content-Length: ${body.length}\n\n${body}`, /header lines must end with \\r\\n/],
      ['no colon', `Content-Length ${body.length}\r\n\r\n${body}`, /a header line without ":" \("Content-Length \d+"\)/],
      ['shorter than the body', `Content-Length: 20\r\n\r\n${body}`, /^Parse error: the message is not valid JSON/],
      ['longer than the body', `Content-Length: ${body.length + 500}\r\n\r\n${body}`, /Content-Length \(\d+\) is longer than the message: the next header came after \d+ bytes/],
      ['2^31', `Content-Length: 2147483648\r\n\r\n${body}`, /the message is too large \(2147483648 bytes; at most 67108864\)/],
      ['no frame at all', body, /^Parse error: bytes that are not a header \("\{"jsonrpc/],
      ['two Content-Lengths', `Content-Length: 3\r\nContent-Length: ${body.length}\r\n\r\n${body}`, /more than one Content-Length/],
      ['not UTF-8', Buffer.concat([Buffer.from('Content-Length: 29\r\n\r\n{"jsonrpc":"2.0","x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}  ')]), /^Parse error: the message is not valid JSON \(its bytes are not valid UTF-8\)/],
    ];
    let id = 1;
    for (const [name, bad, reason] of cases) {
      await badThenGood(bad, id++, reason).catch((err: Error) => assert.fail(`${name}: ${err.message}`));
    }
    assert.equal(child.exitCode, null, 'still running');
    assert.match(stderr, /warn: Received a bad frame/);
  });

  it('skips a message over the size limit without holding it, then answers the next', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'projects.create', params: { name: 'x', description: 'y'.repeat(MAX_MESSAGE_BYTES) } });
    await badThenGood(frame(huge), 1, /too large \(\d+ bytes; at most 67108864\)/);
    assert.equal(messages.find((m) => m.id === 77), undefined, 'the oversized request was not run');
  });

  it('reads frames split at any byte, and leading blank lines between frames', async () => {
    const bytes = Buffer.from(`\r\n${frame(request(1))}${frame(request(2))}`);
    for (let i = 0; i < bytes.length; i++) child.stdin.write(bytes.subarray(i, i + 1));
    await answered(1);
    await answered(2);
    assert.deepEqual(frameErrors(), []);
  });
});
