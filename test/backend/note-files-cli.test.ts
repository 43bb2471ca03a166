// Making and renaming notes from the command line (cairn note new / daily / decision / rename, with --json), and
// notes.resolve and notes.renamePlan over JSON-RPC, on real temp vaults; bad input exits 1 with one line and writes
// nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, startBackend, storeAndVault } from '../helpers';

describe('cairn note new / daily / decision / rename (CLI and RPC)', () => {
  let store: string;
  let vault: string;
  before(requireBuilt);
  beforeEach(() => {
    ({ store, vault } = storeAndVault({
      'templates/Idea.md': '# {{title}}\n\nNoted {{date:YYYY}}.\n',
      'Compass.md': '# Compass\n\nPoints to [[Map#North|north]] and [map](Map.md).\n',
      'Map.md': '# Map\n\n## North\n\nUp there.\n',
    }));
    assert.equal(run('index').status, 0);
  });
  afterEach(cleanupTempDirs);

  const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
  const read = (rel: string) => fs.readFileSync(path.join(vault, rel), 'utf8');

  it('note new (from a template), note daily (twice), note decision: --json answers with the path', () => {
    const made = run('--json', 'note', 'new', '--template', 'Idea', 'Big', 'idea');
    assert.equal(made.status, 0, made.stderr);
    assert.deepEqual(JSON.parse(made.stdout), { path: 'Big idea.md', absPath: path.join(vault, 'Big idea.md'), created: true });
    assert.match(read('Big idea.md'), /^# Big idea\n\nNoted \d{4}\.\n$/);

    const daily = JSON.parse(run('--json', 'note', 'daily', '--date', '2026-11-24', '--format', 'YYYY-MM-DD dddd').stdout);
    assert.deepEqual([daily.path, daily.created], ['daily/2026-11-24 Tuesday.md', true]);
    const again = run('note', 'daily', '--date', '2026-11-24', '--format', 'YYYY-MM-DD dddd');
    assert.equal(again.stdout.trim(), `Exists: daily/2026-11-24 Tuesday.md (${path.join(vault, 'daily', '2026-11-24 Tuesday.md')})`);

    const adr = run('note', 'decision', 'Adopt', 'ADRs');
    assert.match(adr.stdout, /^Created decisions\/0001-adopt-adrs\.md /);
  });

  it('note rename updates the links (and --dry-run only lists them)', () => {
    const dry = run('note', 'rename', '--dry-run', 'Map', 'Atlas');
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.stdout, 'Would rename Map.md → Atlas.md; 2 links in 1 note:\n  Compass.md:3  Map → Atlas\n  Compass.md:3  Map.md → Atlas.md\n');
    assert.ok(fs.existsSync(path.join(vault, 'Map.md')), 'a dry run writes nothing');
    const done = JSON.parse(run('--json', 'note', 'rename', 'Map', 'Atlas').stdout);
    assert.deepEqual([done.from, done.to, done.written], ['Map.md', 'Atlas.md', ['Compass.md']]);
    assert.equal(read('Compass.md'), '# Compass\n\nPoints to [[Atlas#North|north]] and [map](Atlas.md).\n');
    const links = JSON.parse(run('--json', 'note', 'links', 'Atlas').stdout);
    assert.equal(links.backlinks.length, 2, 'the index followed');
  });

  it('note rename of a folder moves it and updates the links into it', () => {
    fs.mkdirSync(path.join(vault, 'maps'));
    fs.renameSync(path.join(vault, 'Map.md'), path.join(vault, 'maps', 'Map.md'));
    fs.writeFileSync(path.join(vault, 'Compass.md'), '---\nsee: "[[maps/Map]]"\n---\n# Compass\n\nPoints to [[maps/Map#North|north]] and [map](maps/Map.md).\n');
    assert.equal(run('index').status, 0);
    const dry = run('note', 'rename', '--dry-run', 'maps/', 'atlas');
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.stdout, 'Would rename maps/ → atlas/; 3 links in 1 note:\n  Compass.md:2  maps/Map → atlas/Map\n  Compass.md:6  maps/Map → atlas/Map\n  Compass.md:6  maps/Map.md → atlas/Map.md\n');
    const done = JSON.parse(run('--json', 'note', 'rename', 'maps', 'atlas').stdout);
    assert.deepEqual([done.from, done.to, done.folder, done.written], ['maps', 'atlas', true, ['Compass.md']]);
    assert.equal(read('Compass.md'), '---\nsee: "[[atlas/Map]]"\n---\n# Compass\n\nPoints to [[atlas/Map#North|north]] and [map](atlas/Map.md).\n');
    assert.equal(JSON.parse(run('--json', 'note', 'links', 'atlas/Map').stdout).backlinks.length, 3, 'the index followed');
    const taken = run('note', 'rename', 'atlas/', 'templates');
    assert.equal(taken.status, 1);
    assert.equal(taken.stderr, 'cairn: templates already exists. Choose another name; Cairn never moves a folder over another or into it.\n');
  });

  it('bad input: exit 1, one line, nothing written', () => {
    const before = fs.readdirSync(vault).sort();
    for (const [args, message] of [
      [['note', 'new', 'Map'], /^cairn: Map\.md already exists\. Choose another name; Cairn never overwrites a note\.\n$/],
      [['note', 'new', 'a*b'], /^cairn: The note title "a\*b" contains "\*"/],
      [['note', 'new', '--template', 'Idea', '--templates', 'nope', 'X'], /^cairn: The templates folder "nope" does not exist in the vault/],
      [['note', 'new', '--folder', '../out', 'X'], /^cairn: The note folder "\.\.\/out" is not a folder inside the vault/],
      [['note', 'rename', 'Map', 'Compass'], /^cairn: Compass\.md already exists/],
      [['note', 'rename', 'Nope', 'X'], /^cairn: No note has the path, file name or title "Nope"/],
      [['note', 'daily', '--date', '2026-13-01'], /^cairn: "2026-13-01" is not a day/],
    ] as const) {
      const r = run(...args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(fs.readdirSync(vault).sort(), before);
  });

  it('notes.resolve and notes.renamePlan over JSON-RPC', async () => {
    const backend = startBackend(store, ['--vault', vault, '--no-watch-vault']);
    try {
      const target = await backend.rpc.sendRequest<{ path: string; line: number; preview: string }>('notes.resolve', { from: 'Compass.md', link: 'Map#North|north' });
      assert.deepEqual([target.path, target.line, target.preview], ['Map.md', 3, '## North\n\nUp there.']);
      assert.equal(await backend.rpc.sendRequest('notes.resolve', { from: 'Compass.md', link: 'Nowhere' }), null);
      const plan = await backend.rpc.sendRequest<{ edits: unknown[] }>('notes.renamePlan', { note: 'Map.md', newName: 'Atlas' });
      assert.equal(plan.edits.length, 2);
      await assert.rejects(backend.rpc.sendRequest('notes.resolve', { from: 'Compass.md', link: 'Map', kind: 'hyperlink' }), /kind must be one of wikilink, embed, markdown/);
      await assert.rejects(backend.rpc.sendRequest('notes.create', { title: 'Map' }), /Map\.md already exists/);
    } finally {
      await backend.stop();
    }
  });
});
