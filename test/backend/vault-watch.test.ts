// The backend process watches its vault: a note written or deleted by any program becomes (un)searchable without
// a knowledge.index call, and each change is announced with store.changed. dist/backend.js over stdio, as a client
// sees it. Waits poll with a generous limit; nothing asserts how fast.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, requireBuilt, startBackend as start, tempDir, type Backend } from '../helpers';
import { waitFor } from '../waitFor';

const startBackend = (store: string, vault: string, extra: string[] = []) =>
  start(store, ['--vault', vault, '--source', 'agent', '--actor', 'watch-test', ...extra]);


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
    await waitFor('the watcher to start', () => b!.logs.some((l) => l.message.startsWith('Watching the vault')));
    const report = await b.rpc.sendRequest<{ added: number }>('knowledge.index', {});
    assert.equal(report.added, 1);
    await waitFor('store.changed for knowledge.index', () => vaultEvents() >= 1);
    const announced = vaultEvents();

    fs.writeFileSync(path.join(vault, 'folder', 'Later.md'), '# Later\n\nwatchedword appears.\n');
    const hits = await waitFor('the new note to be searchable', async () => {
      const h = await search('watchedword');
      return h.length ? h : undefined;
    });
    assert.deepEqual(hits.map((h) => h.path), ['folder/Later.md']);
    await waitFor('store.changed for the watcher’s run', () => vaultEvents() > announced);

    fs.rmSync(path.join(vault, 'folder', 'Later.md'));
    await waitFor('the deleted note to leave the index', async () => ((await search('watchedword')).length === 0 ? true : undefined));
    assert.equal(b.logs.filter((l) => l.level === 'error').length, 0, JSON.stringify(b.logs));
  });

  it('watches a vault folder created after the backend started, and indexes what it already holds', async () => {
    const dir = tempDir();
    const vault = path.join(dir, 'later', 'vault');
    b = startBackend(path.join(dir, 'store'), vault);
    await waitFor('the watcher to wait for the vault', () => b!.logs.some((l) => /does not exist yet; it will be watched once it is created/.test(l.message)));
    fs.mkdirSync(path.join(vault, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(vault, 'sub', 'early.md'), '# Early\n\nearlyword.\n');
    await waitFor('the note present when the vault appeared to be searchable', async () => ((await search('earlyword')).length === 1 ? true : undefined));
    await waitFor('the watcher to watch the new vault', () => b!.logs.some((l) => /appeared; watching it for changes/.test(l.message)));
    fs.writeFileSync(path.join(vault, 'afterwards.md'), '# Afterwards\n\nlaterword.\n');
    await waitFor('a note written after that to be searchable', async () => ((await search('laterword')).length === 1 ? true : undefined));
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
