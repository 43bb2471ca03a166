// notes.list / notes.folders / notes.orphans / tags.list / knowledge.indexPaths over JSON-RPC to the built backend,
// and their CLI equivalents (cairn note list / note orphans / tag list), on a real vault.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, startBackend, storeAndVault, type Backend } from '../helpers';
import { waitFor } from '../waitFor';

const VAULT = {
  'Compass.md': '# Compass\nPoints to [[Map]] and [[Lost city]].\n#navigation/tools\n',
  'Map.md': '---\naliases: [Chart]\ntags: [navigation]\n---\n# Map\nAn old parchment map.\n',
  'daily/2026-11-24.md': 'Studied the [[Chart]] today.\n',
  'daily/alone.md': '# Alone\n',
};

describe('notes.list / notes.folders / notes.orphans / tags.list / knowledge.indexPaths (RPC)', () => {
  let store: string;
  let vault: string;
  let backend: Backend;
  before(requireBuilt);
  beforeEach(async () => {
    ({ store, vault } = storeAndVault(VAULT));
    backend = startBackend(store, ['--vault', vault, '--no-watch-vault']);
    await backend.rpc.sendRequest('knowledge.index', {});
  });
  afterEach(async () => {
    await backend.stop();
    cleanupTempDirs();
  });
  const call = <T = any>(method: string, params: unknown = {}) => backend.rpc.sendRequest(method, params) as Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('answers lists for a folder tree, tags and orphans, and counts notes in store.info', async () => {
    const top = await call('notes.list', { folder: '' });
    assert.deepEqual(top.notes.map((n: { path: string }) => n.path), ['Compass.md', 'Map.md']);
    assert.deepEqual(top.notes[1].aliases, ['Chart']);
    const daily = await call('notes.list', { folder: 'daily', limit: 1 });
    assert.equal(daily.total, 2);
    assert.equal(daily.notes.length, 1);
    assert.equal(daily.notes[0].folder, 'daily');
    assert.deepEqual((await call('notes.folders', {})).map((f: { path: string; total: number }) => [f.path, f.total]), [['', 4], ['daily', 2]]);
    assert.deepEqual((await call('notes.folders', { parent: '' })).map((f: { name: string }) => f.name), ['daily']);
    assert.deepEqual(
      (await call('tags.list')).map((t: { tag: string; count: number; total: number }) => [t.tag, t.count, t.total]),
      [['navigation', 1, 2], ['navigation/tools', 1, 1]],
    );
    assert.deepEqual((await call('notes.list', { tag: 'navigation' })).notes.map((n: { path: string }) => n.path), ['Map.md']);
    assert.deepEqual((await call('notes.orphans')).notes.map((n: { path: string }) => n.path), ['daily/alone.md']);
    assert.equal((await call('store.info')).noteCount, 4);
  });

  it('refuses bad params with a message that says what to send', async () => {
    const refused = async (method: string, params: unknown, pattern: RegExp) =>
      assert.rejects(call(method, params), (err: { code: number; message: string }) => {
        assert.equal(err.code, -32602);
        assert.match(err.message, pattern);
        return true;
      });
    await refused('notes.list', { limit: 0 }, /limit/);
    await refused('notes.list', { offset: -1 }, /offset/);
    await refused('notes.list', { folder: 3 }, /folder must be a vault-relative folder path/);
    await refused('notes.list', { colour: 'red' }, /unknown field "colour"/);
    await refused('notes.orphans', { limit: 'ten' }, /limit must be a whole number/);
    await refused('tags.list', { tag: 'x' }, /unknown field "tag"/);
    await refused('knowledge.indexPaths', { paths: [] }, /paths must not be empty/);
    await refused('knowledge.indexPaths', { paths: 'a.md' }, /paths must be a list/);
  });

  it('knowledge.indexPaths indexes the reported files, announces store.changed, and a repeat writes nothing', async () => {
    fs.writeFileSync(path.join(vault, 'daily', 'alone.md'), '# Alone no more\nSee [[Compass]]. #navigation\n');
    const seqBefore = (await call('store.info')).lastSeq;
    const report = await call('knowledge.indexPaths', { paths: [path.join(vault, 'daily', 'alone.md')] });
    assert.equal(report.updated, 1);
    await waitFor('store.changed after knowledge.indexPaths', () => backend.changes.some((c) => c.lastSeq > seqBefore));
    assert.deepEqual((await call('notes.orphans')).notes, []);
    const again = await call('knowledge.indexPaths', { paths: ['daily/alone.md'] });
    assert.deepEqual([again.updated, again.unchanged], [0, 1]);
    assert.equal((await call('store.info')).lastSeq, seqBefore + 1, 'the repeat appended no event');
    fs.rmSync(path.join(vault, 'Map.md'));
    assert.equal((await call('knowledge.indexPaths', { paths: ['Map.md'] })).removed, 1);
    assert.deepEqual((await call('notes.placeholders')).map((p: { target: string }) => p.target).sort(), ['Chart', 'Lost city', 'Map']);
  });

  it('notes.createPlaceholder creates the missing note where the link points, indexes it, and never overwrites', async () => {
    const created = await call('notes.createPlaceholder', { target: 'Lost city' });
    assert.deepEqual([created.path, created.created], ['Lost city.md', true]);
    assert.equal(fs.readFileSync(path.join(vault, 'Lost city.md'), 'utf8'), '# Lost city\n\n');
    assert.deepEqual(await call('notes.placeholders'), []);
    const links = await call('notes.links', { note: 'Compass' });
    assert.ok(links.outgoing.some((l: { path: string | null }) => l.path === 'Lost city.md'));
    const nested = await call('notes.createPlaceholder', { target: 'trips/Far away' });
    assert.equal(nested.path, 'trips/Far away.md');
    assert.ok(fs.existsSync(path.join(vault, 'trips', 'Far away.md')));

    fs.writeFileSync(path.join(vault, 'Taken.md'), 'mine\n');
    await assert.rejects(call('notes.createPlaceholder', { target: 'Taken' }), (err: { code: number; message: string }) => {
      assert.equal(err.code, -32002);
      assert.match(err.message, /Taken\.md already exists/);
      return true;
    });
    assert.equal(fs.readFileSync(path.join(vault, 'Taken.md'), 'utf8'), 'mine\n');
    await assert.rejects(call('notes.createPlaceholder', { target: '../outside' }), /not a folder inside the vault/);
    await assert.rejects(call('notes.createPlaceholder', { target: 'what?' }), /cannot be in a note name/);
    await assert.rejects(call('notes.createPlaceholder', { target: '  ' }), /target must not be empty/);
    assert.ok(!fs.existsSync(path.join(path.dirname(vault), 'outside.md')));
  });
});

describe('cairn note list / note orphans / tag list (CLI)', () => {
  let store: string;
  let vault: string;
  before(requireBuilt);
  beforeEach(() => {
    ({ store, vault } = storeAndVault(VAULT));
    assert.equal(run('index').status, 0);
  });
  afterEach(cleanupTempDirs);
  const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);

  it('lists notes (all, by folder, by tag, paged) as a table and as JSON', () => {
    const all = run('note', 'list');
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /^PATH\s+TITLE\s+TAGS\n/);
    assert.match(all.stdout, /Compass\.md\s+Compass\s+#navigation\/tools/);
    assert.match(run('note', 'list', '--limit', '1').stdout, /\(1 of 4; --offset 1 for more\)/);
    const daily = JSON.parse(run('--json', 'note', 'list', '--folder', 'daily').stdout);
    assert.deepEqual(daily.notes.map((n: { path: string }) => n.path), ['daily/2026-11-24.md', 'daily/alone.md']);
    const tagged = JSON.parse(run('--json', 'note', 'list', '--tag', '#navigation/tools').stdout);
    assert.deepEqual(tagged.notes.map((n: { path: string }) => n.path), ['Compass.md']);
    assert.match(run('note', 'list', '--folder', 'nowhere').stdout, /\(no notes\)/);
  });

  it('lists orphans and tags', () => {
    assert.match(run('note', 'orphans').stdout, /daily\/alone\.md\s+Alone/);
    const tags = run('tag', 'list');
    assert.match(tags.stdout, /#navigation\s+1\s+2\n#navigation\/tools\s+1\s+1/);
    assert.deepEqual(JSON.parse(run('--json', 'tag', 'list').stdout).map((t: { tag: string }) => t.tag), ['navigation', 'navigation/tools']);
  });

  it('bad input is a usage error on one line', () => {
    const bad = run('note', 'list', '--limit', 'lots');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^cairn: "lots" is not a positive whole number \(see cairn --help\)\n$/);
    const neg = run('note', 'orphans', '--offset', '-3');
    assert.equal(neg.status, 2);
  });
});
