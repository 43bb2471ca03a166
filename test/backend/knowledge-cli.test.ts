// The knowledge commands as a user runs them: cairn index / search / note links / note placeholders.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, storeAndVault } from '../helpers';

describe('cairn index / search / note (CLI)', () => {
  let store: string;
  let vault: string;
  before(requireBuilt);
  beforeEach(() => {
    ({ store, vault } = storeAndVault({
      'Compass.md': '# Compass\nPoints to [[Map]] and [[Lost city]].\n#navigation\n',
      'Map.md': '---\naliases: [Chart]\n---\n# Map\nAn old parchment map.\n',
      'daily/2026-11-24.md': 'Studied the [[Chart]] today.\n',
    }));
  });
  afterEach(cleanupTempDirs);

  const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);

  it('indexes, reports counts, and is incremental', () => {
    const first = run('--json', 'index');
    assert.equal(first.status, 0, first.stderr);
    const r = JSON.parse(first.stdout);
    assert.deepEqual([r.notes, r.added, r.links.resolved, r.links.unresolved, r.tags], [3, 3, 2, 1, 1]);
    const text = run('index');
    assert.match(text.stdout, /3 notes \(0 added, 0 updated, 0 removed, 3 unchanged\)/);
    assert.match(text.stdout, /links: 2 resolved, 1 unresolved/);
  });

  it('searches with snippets, filters by tag, and answers --json with path, title, score and snippet', () => {
    run('index');
    // --text: the exact word matches only (the default, hybrid, also ranks notes near in meaning: search-modes.test.ts).
    const hits = JSON.parse(run('--json', 'search', '--text', 'parchment').stdout);
    assert.deepEqual(hits.map((h: { path: string }) => h.path), ['Map.md']);
    assert.equal(hits[0].title, 'Map');
    assert.ok(hits[0].score > 0);
    assert.match(hits[0].snippet, /parchment/);
    assert.match(run('search', '--text', 'points').stdout, /Compass\.md {2}Compass/);
    assert.match(run('search', '--text', 'nothing-like-this').stdout, /\(no matches\)/);
    const tagged = JSON.parse(run('--json', 'search', '--text', '--tag', 'navigation', 'points').stdout);
    assert.deepEqual(tagged.map((h: { path: string }) => h.path), ['Compass.md']);
  });

  it('shows backlinks (via alias too) and outgoing links; lists placeholders', () => {
    run('index');
    const links = JSON.parse(run('--json', 'note', 'links', 'map').stdout);
    assert.deepEqual(links.backlinks.map((l: { path: string; line: number }) => [l.path, l.line]), [['Compass.md', 2], ['daily/2026-11-24.md', 1]]);
    assert.match(run('note', 'links', 'Compass').stdout, /\(missing: Lost city\):2/);
    assert.match(run('note', 'placeholders').stdout, /1\s+Lost city/);
  });

  it('bad input: a missing vault (with how to create it), an unknown note, an empty query', () => {
    const missing = cli(['--store', store, '--vault', path.join(vault, 'nope'), 'index']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^cairn: The vault folder .*nope does not exist\. Create it .*cairn index --create/);
    assert.equal(fs.existsSync(path.join(vault, 'nope')), false);
    const created = cli(['--store', store, '--vault', path.join(vault, 'nope'), 'index', '--create']);
    assert.equal(created.status, 0, created.stderr);
    assert.ok(fs.statSync(path.join(vault, 'nope')).isDirectory());
    run('index');
    const unknown = run('note', 'links', 'Atlantis');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^cairn: No note has the path, file name or title "Atlantis"\. If it is new, index the vault again\.\n$/);
    const empty = run('search', ' ');
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /query must not be empty/);
  });
});
