// The backend process watches its vault: a note written or deleted by any program becomes (un)searchable without
// a knowledge.index call, and each change is announced with store.changed. dist/backend.js over stdio, as a client
// sees it. Waits poll with a generous limit; nothing asserts how fast.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { BACKEND, cleanupTempDirs, requireBuilt, tempDir } from '../helpers';

interface Backend {
  child: ChildProcessWithoutNullStreams;
  rpc: MessageConnection;
  changes: { lastSeq: number; aggregates?: { type: string; id: string }[] }[];
  logs: { level: string; message: string }[];
  stop(): Promise<void>;
}

function startBackend(store: string, vault: string, extra: string[] = []): Backend {
  const child = spawn(process.execPath, [BACKEND, '--store', store, '--vault', vault, '--source', 'agent', '--actor', 'watch-test', '--poll-ms', '50', ...extra]);
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const changes: Backend['changes'] = [];
  const logs: Backend['logs'] = [];
  rpc.onNotification('store.changed', (c) => changes.push(c));
  rpc.onNotification('log', (m) => logs.push(m));
  rpc.listen();
  return {
    child,
    rpc,
    changes,
    logs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        rpc.dispose();
        child.stdin.end();
      }),
  };
}

const until = async <T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('backend: vault watcher', () => {
  let b: Backend | undefined;
  before(requireBuilt);
  afterEach(async () => {
    await b?.stop();
    b = undefined;
    cleanupTempDirs();
  });

  const search = (query: string) => b!.rpc.sendRequest<{ path: string }[]>('knowledge.search', { query });
  const vaultEvents = () => b!.changes.filter((c) => c.aggregates?.some((a) => a.type === 'vault')).length;

  it('indexes a note written into the vault and drops it when deleted, with store.changed for each', async () => {
    const dir = tempDir();
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(path.join(vault, 'folder'), { recursive: true });
    fs.writeFileSync(path.join(vault, 'first.md'), '# First\n\nAlready here, links [[Later]].\n');
    b = startBackend(path.join(dir, 'store'), vault);
    await until('the watcher to start', () => b!.logs.some((l) => l.message.startsWith('Watching the vault')));
    const report = await b.rpc.sendRequest<{ added: number }>('knowledge.index', {});
    assert.equal(report.added, 1);
    await until('store.changed for knowledge.index', () => vaultEvents() >= 1);
    const announced = vaultEvents();

    fs.writeFileSync(path.join(vault, 'folder', 'Later.md'), '# Later\n\nwatchedword appears.\n');
    const hits = await until('the new note to be searchable', async () => {
      const h = await search('watchedword');
      return h.length ? h : undefined;
    });
    assert.deepEqual(hits.map((h) => h.path), ['folder/Later.md']);
    await until('store.changed for the watcher’s run', () => vaultEvents() > announced);

    fs.rmSync(path.join(vault, 'folder', 'Later.md'));
    await until('the deleted note to leave the index', async () => ((await search('watchedword')).length === 0 ? true : undefined));
    assert.equal(b.logs.filter((l) => l.level === 'error').length, 0, JSON.stringify(b.logs));
  });

  it('does not watch with --no-watch-vault', async () => {
    const dir = tempDir();
    const vault = path.join(dir, 'vault');
    fs.mkdirSync(vault);
    b = startBackend(path.join(dir, 'store'), vault, ['--no-watch-vault']);
    await b.rpc.sendRequest('knowledge.index', {});
    fs.writeFileSync(path.join(vault, 'note.md'), '# Note\n\nunwatchedword.\n');
    // Without a watcher only an explicit index finds it (no waiting on a negative: index and check).
    assert.ok(!b.logs.some((l) => l.message.startsWith('Watching the vault')));
    const report = await b.rpc.sendRequest<{ added: number }>('knowledge.index', {});
    assert.equal(report.added, 1);
  });
});
