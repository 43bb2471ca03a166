// Fuzzing the backend process (dist/backend.js) as any client could talk to it: hostile byte frames and header
// mutations interleaved with valid requests, then random and near-valid params for every method of the method
// table. Properties: a valid request after a bad frame is answered, or the process exits with a clear one-line
// message (never a hang); no response is an internal error or carries a stack trace, SQL text or a path inside the
// server's store or vault; the store passes integrity_check and every acknowledged write is still readable; nothing
// outside the vault and the folders a request names is written, and no note outside the vault is indexed.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { allMethods, methodNames } from '../../src/backend/methodTable';
import { BACKEND, cleanupTempDirs, requireBuilt } from '../helpers';
import { budget, CANARY_WORD, fuzz, hostileString, leaks, makeSandbox, outsideSnapshot, PLACE_SAFE_STRINGS, pathsInside, snapshotChanges, stackFrameIn, Tally, TOO_LONG_PATHS, type Sandbox } from './fuzz';

/** How long a request may go unanswered before it counts as a hang (bounds a hang; not a speed assertion). */
const HANG_MS = 20_000;

type Id = string | number | null;
interface Message {
  jsonrpc?: string;
  id?: Id;
  method?: string;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const frameOf = (body: Buffer | string) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]);
};

/** dist/backend.js driven byte by byte: what it writes is parsed strictly (its own framing must be exact). */
class RawBackend {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  /** How the process ended (set once its streams closed). */
  ended?: { code: number | null; signal: NodeJS.Signals | null };
  readonly answers = new Map<Id, Message>();
  /** What is wrong with the backend's own output or answers. */
  readonly problems: string[] = [];
  /** Everything sent, as latin1 text: a pattern echoed from it is not a leak. */
  sent = '';
  /** True when the process ended before stdin was closed (after a frame it could not read). */
  exitedOnItsOwn = false;
  private out = Buffer.alloc(0);
  private nextId = 0;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly s: Sandbox,
    store: string,
  ) {
    this.child = spawn(process.execPath, [BACKEND, '--store', store, '--vault', s.vault, '--agents', s.agents, '--no-watch-vault', '--poll-ms', '1000'], { cwd: s.cwd });
    this.child.stdin.on('error', () => undefined); // EPIPE once the process is gone: its exit is what gets checked
    this.child.stdout.on('data', (d: Buffer) => {
      this.out = Buffer.concat([this.out, d]);
      this.parse();
      this.wake();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.on('close', (code, signal) => {
      this.ended = { code, signal };
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.wakers) w();
  }

  private parse(): void {
    for (;;) {
      const end = this.out.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.out.subarray(0, end).toString('latin1');
      const m = /^Content-Length: (\d+)$/.exec(header);
      if (!m) {
        this.problems.push(`the backend wrote a bad header: ${JSON.stringify(header.slice(0, 200))}`);
        this.out = Buffer.alloc(0);
        return;
      }
      const len = Number(m[1]);
      if (this.out.length < end + 4 + len) return;
      const body = this.out.subarray(end + 4, end + 4 + len).toString('utf8');
      this.out = this.out.subarray(end + 4 + len);
      let msg: Message;
      try {
        msg = JSON.parse(body) as Message;
      } catch {
        this.problems.push(`the backend wrote a body that is not JSON: ${JSON.stringify(body.slice(0, 200))}`);
        continue;
      }
      if (msg.method) continue; // a notification (log, store.changed)
      this.check(msg);
      this.answers.set(msg.id ?? null, msg);
    }
  }

  /** The properties every answer must have. */
  private check(msg: Message): void {
    if (!msg.error) return;
    const where = `answer to ${JSON.stringify(msg.id)}`;
    if (msg.error.code === -32603) this.problems.push(`${where} is an internal error: ${msg.error.message}`);
    const found = leaks(JSON.stringify(msg.error), this.sent, [pathsInside(this.s.store, ['cairn.db', 'backup', 'vault']), pathsInside(this.s.vault), pathsInside(this.s.out)]);
    if (found.length) this.problems.push(`${where} carries ${found.join(', ')}: ${msg.error.message.slice(0, 300)}`);
  }

  write(bytes: Buffer): void {
    this.sent += bytes.toString('latin1');
    if (!this.ended) this.child.stdin.write(bytes);
  }

  /** Sends a request; returns its id. */
  send(method: string, params?: unknown, prefix = 'req'): string {
    const id = `${prefix}-${this.nextId++}`;
    this.write(frameOf(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) })));
    return id;
  }

  /** Resolves true once `done()` holds, false after HANG_MS. */
  until(done: () => boolean, ms = HANG_MS): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waker = () => {
        if (!done()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (v: boolean) => {
        clearTimeout(timer);
        this.wakers.delete(waker);
        resolve(v);
      };
      this.wakers.add(waker);
    });
  }

  /** The answer to a request, or why there is none (the process ended, or it hung). */
  async answer(id: string, what: string): Promise<Message> {
    await this.until(() => this.answers.has(id) || this.ended !== undefined);
    const msg = this.answers.get(id);
    if (msg) return msg;
    if (this.ended) throw new Error(`the backend exited (${JSON.stringify(this.ended)}) without answering ${what}; stderr: ${this.lastLines()}`);
    throw new Error(`hang: ${what} went unanswered for ${HANG_MS} ms and the backend is still running`);
  }

  /** A request that must succeed; returns its result. */
  async call<T>(method: string, params?: unknown): Promise<T> {
    const msg = await this.answer(this.send(method, params), `${method} ${JSON.stringify(params)?.slice(0, 200)}`);
    if (msg.error) throw new Error(`${method} failed: ${msg.error.code} ${msg.error.message}`);
    return msg.result as T;
  }

  lastLines(n = 3): string {
    return this.stderr.trimEnd().split('\n').slice(-n).join(' | ');
  }

  /** Closes stdin: the backend must exit with code 0. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    if (!(await this.until(() => this.ended !== undefined))) {
      this.child.kill('SIGKILL');
      throw new Error(`hang: the backend did not exit within ${HANG_MS} ms of its stdin closing`);
    }
    if (this.ended?.code !== 0 && !this.exitedOnItsOwn) throw new Error(`the backend exited with ${JSON.stringify(this.ended)} when its stdin closed; stderr: ${this.lastLines()}`);
  }

  assertNoProblems(): void {
    assert.deepEqual(this.problems, [], 'the backend answered as it never should');
  }
}

/** A process that gave up on a frame must say why in one clear line: no stack trace, killed by no signal. */
function assertCleanExit(b: RawBackend, frame: string): void {
  const ended = b.ended!;
  const last = b.stderr.trimEnd().split('\n').pop() ?? '';
  assert.equal(ended.signal, null, `after ${frame} the backend died of ${ended.signal}; stderr: ${b.lastLines()}`);
  assert.ok(last.trim().length > 0 && last.length <= 500, `after ${frame} the backend exited (code ${ended.code}) without a one-line reason on stderr: ${JSON.stringify(last.slice(0, 600))}`);
  assert.deepEqual(leaks(last, b.sent), [], `after ${frame} the backend's last word carries a stack trace or SQL: ${last}`);
  assert.equal(stackFrameIn(b.stderr), undefined, `after ${frame} the backend printed a stack trace: ${b.lastLines(8)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Frames

interface Frame {
  label: string;
  bytes: Buffer;
}

let frameSeq = 0;
/** A request body that would be valid on its own (so a frame the backend accepts is answered like any other). */
const body = () => JSON.stringify({ jsonrpc: '2.0', id: `inner-${frameSeq++}`, method: 'tasks.counts' });
const framed = (label: string, header: string, b: string | Buffer = body()) => ({ label, bytes: Buffer.concat([Buffer.from(header, 'latin1'), Buffer.isBuffer(b) ? b : Buffer.from(b)]) });
const deep = (depth: number, kind: 'array' | 'params' | 'value') => {
  if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
  const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return kind === 'params'
    ? `{"jsonrpc":"2.0","id":"deep-${frameSeq++}","method":"tasks.list","params":${nested}}`
    : `{"jsonrpc":"2.0","id":"deep-${frameSeq++}","method":"conflicts.resolve","params":{"id":"x","choice":"edit","value":${nested}}}`;
};
const invalidUtf8 = (bad: readonly number[]) =>
  Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":"utf-${frameSeq++}","method":"projects.create","params":{"name":"x`), Buffer.from(bad), Buffer.from('"}}')]);

const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.constantFrom('Content-Type: application/json', 'X-Thing: 1', 'Content-Lenght: 5', 'Length: 5').map((h) => framed('no Content-Length', `${h}\r\n\r\n`)),
  fc.constantFrom('', ' ', 'abc', '-1', '-5', '1.5', '0x10', '+3', '1e3', '\u0663', 'Infinity', 'NaN', '5 5', '٣').map((v) => framed(`Content-Length "${v}"`, `Content-Length: ${v}\r\n\r\n`)),
  fc.oneof(fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }).map(String), fc.constantFrom('99999999999999999999', '18446744073709551616')).map((v) => framed(`huge Content-Length ${v}`, `Content-Length: ${v}\r\n\r\n`, '{}')),
  fc.constantFrom('\n\n', '\r\n\n', '\n\r\n').map((sep) => {
    const b = body();
    return framed(`bare LF ${JSON.stringify(sep)}`, `Content-Length: ${Buffer.byteLength(b)}${sep}`, b);
  }),
  fc.constantFrom('Content-Length %d\r\n\r\n', 'Content-Length: %d\r\nX-No-Colon\r\n\r\n', 'Content-Length=%d\r\n\r\n').map((h) => {
    const b = body();
    return framed(`no colon: ${JSON.stringify(h)}`, h.replace('%d', String(Buffer.byteLength(b))), b);
  }),
  fc.integer({ min: -40, max: 40 }).filter((k) => k !== 0).map((k) => {
    const b = body();
    return framed(`Content-Length ${k > 0 ? '+' : ''}${k} off`, `Content-Length: ${Buffer.byteLength(b) + k}\r\n\r\n`, b);
  }),
  fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]).map((bad) => {
    const b = invalidUtf8(bad);
    return framed(`invalid UTF-8 ${bad.map((x) => x.toString(16)).join(' ')}`, `Content-Length: ${b.length}\r\n\r\n`, b);
  }),
  fc.tuple(fc.constantFrom(1000, 100_000, 1_000_000), fc.constantFrom('array' as const, 'params' as const, 'value' as const)).map(([d, kind]) => {
    const b = deep(d, kind);
    return framed(`nesting ${d} deep (${kind})`, `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n`, b);
  }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => framed('random body', `Content-Length: ${bytes.length}\r\n\r\n`, Buffer.from(bytes))),
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map((bytes) => ({ label: 'random header', bytes: Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]) })),
  fc
    .oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.constantFrom(
        '[]',
        `[${body()}]`,
        '{"jsonrpc":"2.0","id":{},"method":"tasks.counts"}',
        '{"jsonrpc":"2.0","id":1.5e300,"method":"tasks.counts"}',
        '{"jsonrpc":"2.0","method":"tasks.create","params":{}}',
        '{"jsonrpc":"2.0","id":"r","result":1}',
        '{"jsonrpc":"2.0","id":"e","error":{"code":1,"message":"x"}}',
        '{"jsonrpc":"1.0","id":"v","method":"tasks.counts"}',
        '{"jsonrpc":"2.0","id":"p","method":"__proto__"}',
        '{"jsonrpc":"2.0","id":"c","method":"constructor"}',
        '{"jsonrpc":"2.0","id":"h","method":"hasOwnProperty"}',
        '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"nope"}}',
        '{"jsonrpc":"2.0","id":"n","method":null}',
        '{"jsonrpc":"2.0","id":"dup","id":"dup2","method":"tasks.counts"}',
      ),
    )
    .map((b) => framed('not a request', `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n`, b)),
  fc.integer({ min: 0, max: 200 }).map((other) => {
    const b = body();
    return framed(`two Content-Length headers (${Buffer.byteLength(b)}, ${other})`, `Content-Length: ${Buffer.byteLength(b)}\r\nContent-Length: ${other}\r\n\r\n`, b);
  }),
  fc.constantFrom('\r\n', ' ', 'garbage', '\x00', '\r\n\r\n').map((junk) => {
    const b = body();
    return framed(`junk ${JSON.stringify(junk)} before a frame`, `${junk}Content-Length: ${Buffer.byteLength(b)}\r\n\r\n`, b);
  }),
  fc.constant(0).map(() => framed('empty body', 'Content-Length: 0\r\n\r\n', '')),
  fc.constantFrom('content-length: %d\r\n\r\n', 'Content-Length:%d\r\n\r\n', 'Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n').map((h) => {
    const b = body();
    return framed(`valid variant ${JSON.stringify(h)}`, h.replace('%d', String(Buffer.byteLength(b))), b);
  }),
);

interface FrameModel {
  /** Tasks created and acknowledged: each must be readable at the end. */
  acked: { id: string; title: string }[];
  /** The process exited after a frame it could not read (allowed, with a clear message). */
  gone: boolean;
}
interface FrameReal {
  b: RawBackend;
  project: string;
  tally: Tally;
}

/** Sends a hostile frame, then two probes; the last probe is answered or the process exits cleanly. */
class BadFrame implements fc.AsyncCommand<FrameModel, FrameReal> {
  constructor(readonly frame: Frame) {}
  check = (m: Readonly<FrameModel>) => !m.gone;
  async run(m: FrameModel, r: FrameReal): Promise<void> {
    r.tally.add('frames');
    r.tally.add('probes', 2);
    r.b.write(this.frame.bytes);
    r.b.send('tasks.counts', {}, 'probe');
    const last = r.b.send('tasks.counts', {}, 'probe');
    await r.b.until(() => r.b.answers.has(last) || r.b.ended !== undefined);
    r.b.assertNoProblems();
    const answer = r.b.answers.get(last);
    if (answer) {
      assert.equal(answer.error, undefined, `a valid request after ${this.toString()} failed: ${JSON.stringify(answer.error)}`);
      return;
    }
    assert.ok(r.b.ended, `hang: after ${this.toString()} a valid request went unanswered for ${HANG_MS} ms and the backend is still running`);
    assertCleanExit(r.b, this.toString());
    r.b.exitedOnItsOwn = true;
    m.gone = true;
  }
  toString = () => `frame "${this.frame.label}" ${JSON.stringify(this.frame.bytes.subarray(0, 120).toString('latin1'))}${this.frame.bytes.length > 120 ? `… (${this.frame.bytes.length} bytes)` : ''}`;
}

/** A valid write in between: it is acknowledged, so it must be readable at the end. */
class Write implements fc.AsyncCommand<FrameModel, FrameReal> {
  constructor(readonly title: string) {}
  check = (m: Readonly<FrameModel>) => !m.gone;
  async run(m: FrameModel, r: FrameReal): Promise<void> {
    r.tally.add('writes');
    const t = await r.b.call<{ id: string; title: string }>('tasks.create', { projectId: r.project, title: this.title });
    m.acked.push({ id: t.id, title: t.title });
  }
  toString = () => `tasks.create ${JSON.stringify(this.title)}`;
}

/** A valid frame written a few bytes at a time: reassembled, answered. */
class Split implements fc.AsyncCommand<FrameModel, FrameReal> {
  constructor(readonly chunk: number) {}
  check = (m: Readonly<FrameModel>) => !m.gone;
  async run(_m: FrameModel, r: FrameReal): Promise<void> {
    r.tally.add('split frames');
    const id = `split-${frameSeq++}`;
    const bytes = frameOf(JSON.stringify({ jsonrpc: '2.0', id, method: 'projects.list' }));
    for (let i = 0; i < bytes.length; i += this.chunk) {
      r.b.write(bytes.subarray(i, i + this.chunk));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answer = await r.b.answer(id, `a frame sent ${this.chunk} bytes at a time`);
    assert.equal(answer.error, undefined);
  }
  toString = () => `split frame (${this.chunk} bytes at a time)`;
}

/** The store after a run: integrity_check passes, every acknowledged task reads back as written. */
async function assertStoreKept(b: RawBackend, acked: FrameModel['acked']): Promise<void> {
  const health = await b.call<{ ok: boolean; integrity: string[] }>('store.health', {});
  assert.ok(health.ok, `integrity_check: ${health.integrity.join('; ')}`);
  for (const t of acked) {
    const got = await b.call<{ title: string }>('tasks.get', { id: t.id });
    assert.equal(got.title, t.title, `acknowledged task ${t.id} reads back`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Params

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
}

/** Ids of the rows the fuzzer made, by kind: grows as requests create more, so later requests name them. */
interface LiveIds {
  projects: string[];
  sprints: string[];
  tasks: string[];
  commits: string[];
}

/** Values that mean something to a field, by its name: real ids, notes, paths inside the sandbox, safe remotes. */
interface Pools {
  byKey: Record<string, fc.Arbitrary<unknown>>;
}

/** One of the live list's values (read when generated, so rows made by earlier requests count), or a hostile string. */
const liveArb = (list: string[]) => fc.oneof({ weight: 5, arbitrary: fc.nat().map((i) => list[i % list.length] ?? '01NOPE') }, { weight: 1, arbitrary: hostileString });

/** In the sandbox's out folder: a file where a folder goes, and a repository with a folder where its manifest goes. */
const IN_THE_WAY = { file: 'a-file', repoWithFolderManifest: 'repo-folder-manifest' };
function placeObstacles(s: Sandbox): void {
  fs.writeFileSync(path.join(s.out, IN_THE_WAY.file), 'not a folder\n');
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', path.join(s.out, IN_THE_WAY.repoWithFolderManifest)]);
  fs.mkdirSync(path.join(s.out, IN_THE_WAY.repoWithFolderManifest, 'manifest.json'));
}

function poolsFor(s: Sandbox, live: LiveIds): Pools {
  const anyId = fc.oneof(liveArb(live.projects), liveArb(live.sprints), liveArb(live.tasks));
  const escapes = ['../sentinel/escaped', '../sentinel', `../../${path.basename(s.root)}/sentinel/x`, '../outside/canary', '..', 'a/../../sentinel/b'];
  // What the file system refuses, and NUL (JSON can carry one, no path can).
  const refused = [...TOO_LONG_PATHS, 'a\u0000b', 'back\u0000up.md'];
  const note = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('Alpha', 'Beta', 'folder/Beta', 'Alpha.md', 'folder/Beta.md', 'templates/Daily', 'Missing note', 'Alpha#Heading', 'Alpha|shown', 'Ada', 'Cairn') },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom(...escapes, `${s.outside}/canary.md`, `${s.sentinel}/keep.md`) },
    // A folder where a note file goes (Gamma.md is a folder), a file where a folder goes.
    { weight: 1, arbitrary: fc.constantFrom('Gamma', 'Gamma.md', 'Alpha.md/Sub', 'Alpha.md/Sub.md') },
    { weight: 1, arbitrary: fc.constantFrom(...refused) },
  );
  // Only safe values where a path names a folder to write or a remote to reach: no absolute path outside the
  // sandbox, no scp-like or network URL (nothing may leave the machine).
  const writablePath = fc.oneof(
    fc.constantFrom(path.join(s.out, 'repo'), path.join(s.store, 'backup'), 'relative-repo', path.join(s.out, 'remote.git'), s.vault, path.join(s.out, 'a file'), path.join(s.out, 'missing', 'deep')),
    fc.constantFrom(...PLACE_SAFE_STRINGS, ...refused.map((r) => path.join(s.out, r)), 'back\u0000up'),
    fc.constantFrom(path.join(s.out, IN_THE_WAY.file), path.join(s.out, IN_THE_WAY.file, 'repo'), path.join(s.out, IN_THE_WAY.repoWithFolderManifest)),
  );
  const vaultPath = fc.oneof(fc.constantFrom('', 'folder', 'templates', 'new folder', 'folder/sub', ...escapes, s.vault, `${s.vault}/folder`, s.outside, s.sentinel), fc.constantFrom(...refused), fc.constantFrom('Alpha.md', 'Alpha.md/sub', 'Gamma.md'), hostileString);
  const words = fc.constantFrom('alpha', 'beta', 'note', 'tag', CANARY_WORD, '"unterminated', 'NEAR(a b)', 'a OR', '*', '^x', 'col:x', '-x', 'AND AND', '(((', 'a"b', "it's");
  return {
    byKey: {
      id: anyId,
      projectId: liveArb(live.projects),
      sprintId: liveArb(live.sprints),
      taskId: liveArb(live.tasks),
      parentId: liveArb(live.tasks),
      aggregateId: anyId,
      taskIds: liveArb(live.tasks),
      expectedVersion: fc.integer({ min: 1, max: 3 }),
      note,
      from: note,
      to: note,
      link: note,
      target: note,
      notes: note,
      names: note,
      node: note,
      entityName: note,
      entityNames: note,
      name: fc.oneof(note, hostileString),
      newName: fc.oneof(note, fc.constantFrom(...escapes)),
      template: note,
      title: fc.oneof(fc.constantFrom('A title', 'Ünïcødé ✨', ...escapes, ...refused), hostileString),
      repo: writablePath,
      url: fc.oneof(writablePath, fc.constantFrom('file:///nonexistent/cairn', 'https://', 'ssh://', 'ftp://x/y', '::')),
      file: fc.constantFrom(path.join(s.cwd, 'src', 'a.ts'), `${s.vault}/Alpha.md`, s.sentinel, '/'),
      workspaceFolder: fc.constantFrom(s.cwd, s.root, '/'),
      paths: fc.oneof(fc.constantFrom('Alpha.md', 'folder', 'missing.md', s.outside, `${s.outside}/canary.md`, '../outside', '../outside/canary.md', `${s.vault}/folder/Beta.md`, ...refused), hostileString),
      folder: vaultPath,
      templatesFolder: vaultPath,
      parent: vaultPath,
      embedder: fc.constantFrom('glove', 'transformers:/nonexistent/model', 'openai:m@http://127.0.0.1:9/v1', 'openai:', 'glove2', ''),
      ref: fc.oneof(liveArb(live.commits), fc.constantFrom('HEAD', 'HEAD~1', '@', 'main', 'nope', '--all', '-x', 'HEAD:../x'), hostileString),
      passphrase: fc.constantFrom('fuzz pass', 'other pass', 'x'.repeat(1025), ''),
      oldPassphrase: fc.constantFrom('fuzz pass', 'wrong'),
      newPassphrase: fc.constantFrom('fuzz pass', 'fuzz pass 2'),
      query: fc.oneof(words, fc.array(words, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')), hostileString),
      format: fc.constantFrom('YYYY-MM-DD', 'YYYY/MM/DD', '../../[sentinel]/YYYY', '[..]/[..]/[sentinel]/x', 'YYYY\u0000', '[', 'dddd', ''),
      date: fc.constantFrom('2024-02-29', '2023-02-29', '2024-13-01', 'today', '', '0000-01-01', '9999-12-31'),
      startsOn: fc.constantFrom('2024-01-01', '2024-02-30', null),
      endsOn: fc.constantFrom('2023-12-31', '2024-06-01', null),
      keychainKey: fc.constantFrom(Buffer.alloc(32, 7).toString('base64'), 'short=', ''),
      value: fc.jsonValue({ maxDepth: 3 }),
    },
  };
}

/** A value the schema accepts (mostly), drawn from the field's pool when it has one. */
function validArb(schema: JsonSchema, key: string, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validArb(s, key, pools, depth)));
  const pool = pools.byKey[key];
  switch (schema.type) {
    case 'string': {
      if (schema.pattern && !pool) return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'date-time') return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
      const plain = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
      const edge = schema.maxLength !== undefined && schema.maxLength <= 100_000 ? fc.constant('m'.repeat(schema.maxLength)) : plain;
      return pool ? fc.oneof({ weight: 4, arbitrary: pool }, { weight: 1, arbitrary: plain }) : fc.oneof({ weight: 6, arbitrary: plain }, { weight: 1, arbitrary: edge });
    }
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueArb(schema.items ?? {}, key, pools, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object':
      return objectArb(schema, pools, depth + 1);
    default:
      return pool ?? fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value just outside what the schema accepts: one past each bound, the wrong type, null. */
function mutantArb(schema: JsonSchema): fc.Arbitrary<unknown> {
  const wrong = fc.constantFrom<unknown>(null, true, 0, -1, 1.5, '', 'x', [], {}, 2 ** 53 + 2, 1e308, -0);
  const edges: unknown[] = [];
  if (schema.maxLength !== undefined && schema.maxLength <= 100_000) edges.push('m'.repeat(schema.maxLength + 1));
  if (schema.minLength) edges.push('');
  if (schema.minimum !== undefined) edges.push(schema.minimum - 1, schema.minimum - 0.5);
  if (schema.maximum !== undefined && schema.maximum < 2 ** 53) edges.push(schema.maximum + 1);
  if (schema.maxItems !== undefined && schema.maxItems <= 1000) edges.push(Array.from({ length: schema.maxItems + 1 }, () => 'x'));
  if (schema.minItems) edges.push([]);
  return edges.length ? fc.oneof(wrong, fc.constantFrom(...edges)) : wrong;
}

function valueArb(schema: JsonSchema, key: string, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  return depth > 4 ? fc.constant(null) : validArb(schema, key, pools, depth);
}

/** An object of the schema's fields: the required ones, and each optional one a third of the time. */
function objectArb(schema: JsonSchema, pools: Pools, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const fields = keys.map((k) => fc.tuple(fc.constant(k), fc.nat(2), valueArb(schema.properties![k]!, k, pools, depth)));
  return fc.tuple(...fields).map((entries) => Object.fromEntries(entries.filter(([k, roll]) => roll === 0 || required.has(k)).map(([k, , v]) => [k, v])));
}

/** A near-valid object: a valid one with one thing wrong (a field past a bound or of the wrong type, a required field left out, an unknown field). */
function nearValidArb(schema: JsonSchema, pools: Pools): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  const mutations: fc.Arbitrary<(o: Record<string, unknown>) => void>[] = [
    fc.tuple(fc.constantFrom('colour', '__proto__', 'constructor', '', 'id '), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => (o) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })),
  ];
  if (props.length) {
    mutations.push(fc.constantFrom(...props).chain(([k, p]) => fc.oneof(mutantArb(p), hostileString).map((v) => (o: Record<string, unknown>) => void (o[k] = v))));
  }
  if (schema.required?.length) mutations.push(fc.constantFrom(...schema.required).map((k) => (o: Record<string, unknown>) => void delete o[k]));
  return fc.tuple(objectArb(schema, pools, 0), fc.oneof(...mutations)).map(([o, mutate]) => {
    mutate(o);
    return o;
  });
}

interface Acked {
  kind: 'project' | 'sprint' | 'task';
  id: string;
  projectId: string;
}

/** Which acknowledged rows a successful request may legitimately remove (deletes, erase, a restore). */
function forget(acked: Acked[], method: string, params: Record<string, unknown>): Acked[] {
  if (method === 'backup.restore' && params.dryRun !== true) return [];
  if (method === 'projects.delete' || method === 'projects.erase') return acked.filter((a) => a.projectId !== params.id);
  if (method === 'tasks.delete' || method === 'sprints.delete') return acked.filter((a) => a.id !== params.id);
  return acked;
}

describe('fuzz: the backend process (RPC frames and params)', function () {
  before(requireBuilt);
  after(() => cleanupTempDirs());

  const frames = budget(60, 7301, 240_000);
  it(`a hostile frame never hangs the backend, and valid requests around it are answered (${frames.label})`, async function () {
    this.timeout(frames.timeoutMs);
    const s = makeSandbox({ 'Alpha.md': '# Alpha\n' });
    const tally = new Tally('rpc frames');
    let storeNo = 0;
    // fc.commands draws each command from these alike: hostile frames several times over, to outnumber the rest.
    const badFrame = frameArb.map((f) => new BadFrame(f));
    const commands = [
      badFrame,
      badFrame,
      badFrame,
      fc.oneof(fc.constantFrom('Write a thing', 'Ünïcødé ✨'), fc.string({ minLength: 1, maxLength: 30 }).filter((t) => t.trim().length > 0 && !/[\u0000-\u001f]/.test(t))).map((t) => new Write(t)),
      fc.constantFrom(1, 3, 17).map((n) => new Split(n)),
    ];
    await fuzz(
      tally,
      frames,
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), async (cmds) => {
        tally.add('runs');
        const store = path.join(s.root, 'store', `run-${storeNo++}`);
        const b = new RawBackend(s, store);
        const project = (await b.call<{ id: string }>('projects.create', { name: 'fuzz' })).id;
        const model: FrameModel = { acked: [], gone: false };
        try {
          await fc.asyncModelRun(() => ({ model, real: { b, project, tally } }), cmds);
          if (!model.gone) {
            await assertStoreKept(b, model.acked);
            b.assertNoProblems();
          }
          await b.stop();
        } finally {
          if (!b.ended) b.child.kill('SIGKILL');
        }
        if (model.gone) {
          // The process gave up on the stream: a fresh one finds the store whole.
          const again = new RawBackend(s, store);
          try {
            await assertStoreKept(again, model.acked);
            again.assertNoProblems();
            await again.stop();
          } finally {
            if (!again.ended) again.child.kill('SIGKILL');
          }
        }
      }),
    );
  });

  const params = budget(500, 7302, 240_000);
  it(`random and near-valid params for every method: a clear answer, the store whole, nothing written outside (${params.label})`, async function () {
    this.timeout(params.timeoutMs);
    const s = makeSandbox({
      'Alpha.md': '---\naliases: [First]\ntags: [fuzz]\n---\n# Alpha\n\n## Heading\n\nLinks to [[Beta]] and [[Missing note]]. #tag\n',
      'folder/Beta.md': '# Beta\n\nBack to [[Alpha]].\n',
      'templates/Daily.md': '# {{date}}\n\n{{title}}\n',
      'Gamma.md/Inside.md': '# Inside\n',
    });
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(s.out, 'remote.git')]);
    placeObstacles(s);
    const tally = new Tally('rpc params');
    const b = new RawBackend(s, s.store);
    try {
      // Rows and notes for the near-valid params to name.
      const p1 = await b.call<{ id: string }>('projects.create', { name: 'P1' });
      const p2 = await b.call<{ id: string }>('projects.create', { name: 'P2' });
      const sprint = await b.call<{ id: string }>('sprints.create', { projectId: p1.id, name: 'S1' });
      const tasks = [];
      for (const title of ['T1', 'T2', 'T3']) tasks.push(await b.call<{ id: string }>('tasks.create', { projectId: p1.id, title, sprintId: sprint.id }));
      await b.call('knowledge.index', {});
      await b.call('graph.createEntities', { entities: [{ name: 'Ada', entityType: 'person' }, { name: 'Cairn', entityType: 'project' }] });
      const first = await b.call<{ commit: string }>('backup.run', {});
      let acked: Acked[] = [
        { kind: 'project', id: p1.id, projectId: p1.id },
        { kind: 'project', id: p2.id, projectId: p2.id },
        { kind: 'sprint', id: sprint.id, projectId: p1.id },
        ...tasks.map((t) => ({ kind: 'task' as const, id: t.id, projectId: p1.id })),
      ];
      const live: LiveIds = { projects: [p1.id, p2.id], sprints: [sprint.id], tasks: tasks.map((t) => t.id), commits: [first.commit] };
      const pools = poolsFor(s, live);
      const methods = allMethods();
      const requestArb = fc.constantFrom(...methodNames()).chain((method) => {
        const schema = z.toJSONSchema(methods[method].params as z.ZodType, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
        return fc.tuple(fc.constant(method as string), fc.oneof({ weight: 5, arbitrary: objectArb(schema, pools, 0) }, { weight: 4, arbitrary: nearValidArb(schema, pools) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: fc.constant(undefined) }));
      });
      const before = outsideSnapshot(s);

      const readable = async (a: Acked) => {
        if (a.kind === 'project') await b.call('projects.get', { id: a.id });
        else if (a.kind === 'task') await b.call('tasks.get', { id: a.id });
        else assert.ok((await b.call<{ id: string }[]>('sprints.list', { projectId: a.projectId })).some((x) => x.id === a.id), `acknowledged sprint ${a.id} is listed`);
      };

      await fuzz(
        tally,
        params,
        fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 4 }), async (requests) => {
          tally.add('runs');
          for (const [method, p] of requests) {
            tally.add('requests');
            const id = b.send(method, p);
            const msg = await b.answer(id, `${method} ${JSON.stringify(p)?.slice(0, 300)}`);
            b.assertNoProblems();
            if (msg.error) continue;
            tally.add('accepted');
            const fields = (p ?? {}) as Record<string, unknown>;
            acked = forget(acked, method, fields);
            const row = msg.result as { id?: string; projectId?: string } | null;
            if (row?.id && method === 'projects.create') {
              acked.push({ kind: 'project', id: row.id, projectId: row.id });
              live.projects.push(row.id);
            }
            if (row?.id && (method === 'tasks.create' || method === 'sprints.create')) {
              acked.push({ kind: method === 'tasks.create' ? 'task' : 'sprint', id: row.id, projectId: row.projectId! });
              (method === 'tasks.create' ? live.tasks : live.sprints).push(row.id);
            }
            const commit = (msg.result as { commit?: string } | null)?.commit;
            if (method === 'backup.run' && commit) live.commits.push(commit);
          }
          const health = await b.call<{ ok: boolean; integrity: string[] }>('store.health', {});
          assert.ok(health.ok, `integrity_check: ${health.integrity.join('; ')}`);
          for (const a of acked) await readable(a);
          assert.deepEqual(snapshotChanges(before, outsideSnapshot(s)), [], 'nothing outside the store, the vault and the folders named in params was written');
        }),
      );
      const hits = await b.call<unknown[]>('knowledge.search', { query: CANARY_WORD, mode: 'text' });
      assert.deepEqual(hits, [], 'no note outside the vault was indexed');
      b.assertNoProblems();
      await b.stop();
    } finally {
      if (!b.ended) b.child.kill('SIGKILL');
    }
  });
});
