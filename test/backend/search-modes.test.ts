// Search modes as a user reaches them: `cairn search` (hybrid by default, --text, --semantic), `cairn index`
// reporting chunks and embeddings, and knowledge.search over JSON-RPC from the real backend process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ErrorCodes } from '../../src/backend/protocol';
import { cleanupTempDirs, cli, requireBuilt, startBackend, tempDir, type Backend } from '../helpers';

const NOTES: Record<string, string> = {
  'garage/Cars.md': '---\ntype: topic\nproject: garage\n---\n# Cars\n\nAn automobile has an engine, four wheels and a driver. Motorists refuel at the petrol station.\n',
  'kitchen/Fruit.md': '---\ntype: topic\nproject: kitchen\n---\n# Fruit\n\nBananas, apples and oranges are sweet. Peel a banana and eat it for breakfast.\n',
  'kitchen/Bread.md': '# Bread\n\nKnead the dough, let the yeast rise, then bake the loaf in a hot oven. #baking\n',
};

function makeVault(): string {
  const vault = path.join(tempDir(), 'vault');
  for (const [rel, text] of Object.entries(NOTES)) {
    fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
    fs.writeFileSync(path.join(vault, rel), text);
  }
  return vault;
}

/** A loopback port that nothing listens on (a server is opened there, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('search modes: cairn search and knowledge.search', () => {
  before(requireBuilt);
  afterEach(cleanupTempDirs);

  it('cairn index reports chunks and embeddings; search is hybrid by default, --text and --semantic choose one ranking', () => {
    const store = path.join(tempDir(), 'store');
    const vault = makeVault();
    const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
    const indexed = run('index');
    assert.equal(indexed.status, 0, indexed.stderr);
    assert.match(indexed.stdout, /chunks: 3;/);
    assert.match(indexed.stdout, /embeddings: 3 of 3 chunks by glove \(100 dimensions; 3 embedded now\)/);

    // A question none of whose words is in the vault: text finds nothing, meaning finds the fruit.
    const question = ['tropical', 'yellow', 'snack'];
    assert.match(run('search', '--text', ...question).stdout, /\(no matches\)/);
    const semantic = JSON.parse(run('--json', 'search', '--semantic', '--limit', '1', ...question).stdout);
    assert.deepEqual(semantic.map((h: { path: string }) => h.path), ['kitchen/Fruit.md']);
    assert.deepEqual(Object.keys(semantic[0]).sort(), ['highlights', 'id', 'kind', 'line', 'path', 'score', 'snippet', 'title']);
    const hybrid = JSON.parse(run('--json', 'search', ...question).stdout);
    assert.deepEqual(hybrid.map((h: { path: string }) => h.path), ['kitchen/Fruit.md'], 'hybrid shows the note near in meaning and stops there: the others are below its relevance floor');

    // Words that are there: hybrid puts the note that has them first and highlights them.
    const text = run('search', '--limit', '1', 'bake', 'loaf');
    assert.match(text.stdout, /^kitchen\/Bread\.md {2}Bread {2}\(1(\.\d+)?\)\n {4}.*bake.*loaf/, 'first in the three rankings: the fused score is 1, plus its share of the headings ranking');
    // Filters apply to what meaning finds, too; a question the notes left cannot answer finds nothing.
    const filtered = JSON.parse(run('--json', 'search', '--project', 'garage', '--type', 'topic', 'vehicle', 'fuel').stdout);
    assert.deepEqual(filtered.map((h: { path: string }) => h.path), ['garage/Cars.md']);
    assert.deepEqual(JSON.parse(run('--json', 'search', '--project', 'garage', '--type', 'topic', ...question).stdout), []);
    assert.deepEqual(JSON.parse(run('--json', 'search', '--semantic', '--folder', 'kitchen', 'engine').stdout).map((h: { path: string }) => h.path).sort(), ['kitchen/Bread.md', 'kitchen/Fruit.md']);
  });

  it('bad input: both modes at once, an unknown embedder, an unreachable endpoint (nothing changed), semantic before indexing', async () => {
    const store = path.join(tempDir(), 'store');
    const vault = makeVault();
    const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
    assert.equal(run('index').status, 0);
    const both = run('search', '--text', '--semantic', 'bread');
    assert.equal(both.status, 2);
    assert.match(both.stderr, /^cairn: option '--text' cannot be used with option '--semantic'/);
    const unknown = run('index', '--embedder', 'word2vec');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /embedder must be "glove", "transformers:\/path\/to\/model-folder" or "openai:MODEL@http:\/\/host:port\/v1"/);
    const port = await closedPort();
    const unreachable = run('index', '--embedder', `openai:nomic-embed-text@http://127.0.0.1:${port}/v1`);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, /^cairn: Cannot reach the embedding endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \(ECONNREFUSED\)\. Start the server \(for Ollama: "ollama serve" and "ollama pull nomic-embed-text"\)/);
    assert.match(run('index').stdout, /by glove/, 'the store kept its embedder');

    const fresh = path.join(tempDir(), 'other-store');
    assert.equal(cli(['--store', fresh, 'init']).status, 0);
    const early = cli(['--store', fresh, 'search', '--semantic', 'bread']);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /^cairn: Nothing is embedded yet, so there is nothing to search by meaning: index the vault first/);
    assert.match(cli(['--store', fresh, 'search', 'bread']).stdout, /\(no matches\)/, 'hybrid answers with bm25 alone');
  });

  describe('over JSON-RPC', () => {
    let backend: Backend | undefined;
    afterEach(async () => {
      await backend?.stop();
      backend = undefined;
    });

    it('knowledge.search takes mode text | semantic | hybrid (default hybrid) and refuses others', async () => {
      const store = path.join(tempDir(), 'store');
      backend = startBackend(store, ['--vault', makeVault(), '--no-watch-vault']);
      const call = <T>(method: string, params: unknown) => backend!.rpc.sendRequest(method, params) as Promise<T>;
      const report = await call<{ chunks: number; embeddings: { embedded: number } }>('knowledge.index', {});
      assert.deepEqual([report.chunks, report.embeddings.embedded], [3, 3]);
      type Hit = { path: string; score: number };
      const byMode = async (mode?: string) => (await call<Hit[]>('knowledge.search', { query: 'knead dough', ...(mode ? { mode } : {}) })).map((h) => h.path);
      assert.deepEqual(await byMode('text'), ['kitchen/Bread.md']);
      assert.equal((await byMode('semantic'))[0], 'kitchen/Bread.md');
      assert.deepEqual(await byMode(), await byMode('hybrid'));
      assert.equal((await byMode())[0], 'kitchen/Bread.md');
      await assert.rejects(call('knowledge.search', { query: 'x', mode: 'fuzzy' }), (err: { code: number; message: string }) => {
        assert.equal(err.code, ErrorCodes.InvalidParams);
        assert.equal(err.message, 'Invalid params for knowledge.search: mode: mode must be "text", "semantic" or "hybrid"');
        return true;
      });
      await assert.rejects(call('knowledge.search', { query: '  ', mode: 'semantic' }), /query: query must not be empty/);
      await assert.rejects(call('knowledge.index', { embedder: `openai:m@http://127.0.0.1:${await closedPort()}/v1` }), (err: { code: number; message: string }) => {
        assert.equal(err.code, ErrorCodes.StoreUnavailable);
        assert.match(err.message, /Cannot reach the embedding endpoint/);
        return true;
      });
    });
  });
  it('cairn search finds tasks, entities and memories too, the kind on each hit; --kind narrows (repeated or with commas)', () => {
    const store = path.join(tempDir(), 'store');
    const vault = makeVault();
    const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
    assert.equal(run('index').status, 0);
    const project = JSON.parse(run('--json', 'project', 'add', 'Garage').stdout);
    const task = JSON.parse(run('--json', 'task', 'add', '--project', project.id, 'Refuel the automobile').stdout);
    assert.equal(run('memory', 'add', '--type', 'fact', 'The automobile keys hang by the door').status, 0);
    assert.equal(run('graph', 'add-entity', 'Volvo 240', '--type', 'automobile').status, 0);

    const all = JSON.parse(run('--json', 'search', '--text', 'automobile').stdout) as { kind: string; id: string }[];
    assert.deepEqual(new Set(all.map((h) => h.kind)), new Set(['note', 'task', 'memory', 'entity']), JSON.stringify(all));
    const text = run('search', '--text', '--kind', 'task', 'automobile');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^task ${task.id}  Refuel the automobile  \\[pending\\]  \\(`, 'm'));
    assert.doesNotMatch(text.stdout, /Cars\.md|memory|entity/);
    const two = JSON.parse(run('--json', 'search', '--text', '--kind', 'entity,memory', 'automobile').stdout) as { kind: string }[];
    assert.deepEqual(two.map((h) => h.kind).sort(), ['entity', 'memory']);
    const repeated = JSON.parse(run('--json', 'search', '--kind', 'note', '--kind', 'task', 'automobile').stdout) as { kind: string }[];
    assert.deepEqual(new Set(repeated.map((h) => h.kind)), new Set(['note', 'task']));
    const bad = run('search', '--kind', 'tasks', 'automobile');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /kind must be one of note, task, entity, memory, session, message/);
    assert.doesNotMatch(bad.stderr, /\bat \S+:\d+/, 'no stack trace');
  });
});
