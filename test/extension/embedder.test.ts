// Integration test of the setting cairn.embedder in the real extension host: set to an OpenAI-compatible endpoint
// (a real local HTTP server started here), the store is re-embedded with it and search goes through it; a backend
// started on a store whose vectors another embedder made brings it to the setting; an invalid value and an
// unreachable endpoint are error messages naming the setting, and search keeps working with the embedder it had.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import type { SearchHit } from '../../src/store/knowledge/search';
import { waitFor } from '../waitFor';

const NOTES: Record<string, string> = {
  'Cars.md': '# Cars\n\nAn automobile has an engine, four wheels and a driver. Motorists refuel at the petrol station.\n',
  'Fruit.md': '# Fruit\n\nBananas, apples and oranges are sweet. Peel a banana and eat it for breakfast.\n',
  'Bread.md': '# Bread\n\nKnead the dough, let the yeast rise, then bake the loaf in a hot oven.\n',
};

/** A real HTTP server speaking POST /v1/embeddings: 16-dimension vectors of hashed words (deterministic). */
async function embeddingServer() {
  const requests: { model: string; input: string[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url !== '/v1/embeddings' || req.method !== 'POST') return void res.writeHead(404).end('not found');
      const p = JSON.parse(body) as { model: string; input: string[] };
      requests.push(p);
      const data = p.input.map((text, index) => {
        const v = new Array(16).fill(0);
        for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 16, 7)] += 1;
        v[15] += 0.01;
        return { object: 'embedding', index, embedding: v };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: p.model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, requests, close };
}

describe('Setting cairn.embedder (real VS Code, a real OpenAI-compatible endpoint)', function () {
  this.timeout(120_000);
  let api: CairnApi;
  let defaultVault: string;
  let root: string;
  let server: Awaited<ReturnType<typeof embeddingServer>>;
  let spec: string;
  const config = () => vscode.workspace.getConfiguration('cairn');
  const setEmbedder = (value: string | undefined) => config().update('embedder', value, vscode.ConfigurationTarget.Workspace);
  const storeEmbedder = async () => (await api.request<'store.info', { embedder: string | null }>('store.info', {})).embedder;
  const search = (query: string) => vscode.commands.executeCommand<SearchHit[]>('cairn.searchKnowledge', query);
  const errors = () => api.shownMessages().filter((m) => m.level === 'error');
  const makeVault = (name: string) => {
    const dir = path.join(root, name);
    for (const [rel, text] of Object.entries(NOTES)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return dir;
  };
  const useVault = async (dir: string | undefined) => {
    await config().update('vaultPath', dir, vscode.ConfigurationTarget.Workspace);
    await waitFor('the backend on the vault', () => api.vaultDir === (dir ?? defaultVault));
    await api.whenReady();
  };

  before(async () => {
    api = await vscode.extensions.getExtension<CairnApi>('cairn.cairn')!.activate();
    await api.whenReady();
    defaultVault = api.vaultDir;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-embedder-'));
    await useVault(makeVault('vault'));
    await api.request('knowledge.index', {});
    assert.equal(await storeEmbedder(), 'glove', 'indexed with the default');
    server = await embeddingServer();
    spec = `openai:tiny@${server.url}`;
  });

  after(async () => {
    // Leave the store as the other suites expect it: GloVe vectors, and a vault index that holds no notes.
    await setEmbedder(undefined);
    await waitFor('back on GloVe', async () => (await storeEmbedder()) === 'glove', 60_000);
    for (const f of fs.readdirSync(api.vaultDir)) fs.rmSync(path.join(api.vaultDir, f), { force: true });
    await api.request('knowledge.index', {});
    await useVault(undefined);
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('contributes the setting, "glove" by default, naming its three forms', () => {
    const setting = vscode.extensions.getExtension('cairn.cairn')!.packageJSON.contributes.configuration.properties['cairn.embedder'];
    assert.equal(setting.default, 'glove');
    for (const form of ['`glove`', '`transformers:/path/to/model-folder`', '`openai:MODEL@http://host:port/v1`']) assert.ok(setting.markdownDescription.includes(form), form);
  });

  it('set to an endpoint: every passage is re-embedded by it, the change is reported, and search asks it', async () => {
    await setEmbedder(spec);
    await waitFor('the store re-embedded by the endpoint', async () => (await storeEmbedder()) === spec, 60_000);
    // The store names its embedder as the re-embedding starts; the passages follow in batches.
    await waitFor('the passages went to the endpoint', () => server.requests.some((r) => r.model === 'tiny' && r.input.some((t) => /Knead the dough/.test(t))), 60_000);
    await waitFor('the summary', () => api.shownMessages().some((m) => m.level === 'info' && m.message.includes(`Search by meaning now uses ${spec}:`) && /\d+ passages embedded \(16 dimensions\)/.test(m.message)));
    const asked = server.requests.length;
    const hits = await api.request<'knowledge.search', SearchHit[]>('knowledge.search', { query: 'knead the dough', mode: 'semantic', limit: 1 });
    assert.equal(hits[0]!.path, 'Bread.md');
    assert.equal(server.requests.length, asked + 1, 'the query was embedded by the endpoint');
    assert.equal((await search('bake a loaf'))[0]!.path, 'Bread.md');
  });

  it('a backend started on a store that another embedder made brings it to the setting', async () => {
    await api.request('knowledge.index', { embedder: 'glove' }); // as `cairn index --embedder glove` would
    assert.equal(await storeEmbedder(), 'glove');
    const pid = api.backendPid();
    await useVault(makeVault('vault2')); // another vault: the backend starts again
    assert.notEqual(api.backendPid(), pid);
    await waitFor('the store re-embedded by the endpoint after the start', async () => (await storeEmbedder()) === spec, 60_000);
    assert.equal((await search('knead the dough'))[0]!.path, 'Bread.md');
  });

  it('an invalid value is an error message naming the setting and the forms; the embedder and search stay', async () => {
    const before = errors().length;
    await setEmbedder('word2vec');
    const shown = await waitFor('the error message', () => errors().slice(before).find((m) => m.message.includes('cairn.embedder')));
    assert.match(shown.message, /The setting cairn\.embedder is not valid\. Unknown embedder "word2vec"\. Use "glove" .*"transformers:\/path\/to\/model-folder" .*"openai:MODEL@http:\/\/host:port\/v1"/);
    assert.ok(shown.message.endsWith(`Search by meaning keeps using "${spec}".`), shown.message);
    assert.doesNotMatch(shown.message, /\n\s+at /, 'no stack trace');
    assert.equal(await storeEmbedder(), spec);
    assert.equal((await search('knead the dough'))[0]!.path, 'Bread.md');
  });

  it('an endpoint that does not answer is refused with what to check; nothing changes and search keeps working', async () => {
    const gone = await embeddingServer();
    await gone.close(); // a port nobody listens on
    const before = errors().length;
    await setEmbedder(`openai:tiny@${gone.url}`);
    const shown = await waitFor('the error message', () => errors().slice(before).find((m) => m.message.includes('cairn.embedder')));
    assert.match(shown.message, /Could not switch search by meaning to "openai:tiny@http:\/\/127\.0\.0\.1:\d+\/v1" \(setting cairn\.embedder\): Cannot reach the embedding endpoint .*\(ECONNREFUSED\)\. Start the server/);
    assert.ok(shown.message.endsWith(`Search keeps using "${spec}".`), shown.message);
    assert.equal(await storeEmbedder(), spec);
    const hits = await api.request<'knowledge.search', SearchHit[]>('knowledge.search', { query: 'knead the dough', mode: 'semantic', limit: 1 });
    assert.equal(hits[0]!.path, 'Bread.md');
  });
});
