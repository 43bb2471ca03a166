// The graph commands as a user runs them, through dist/cli.js on a real store and vault on disk.
import * as assert from 'node:assert/strict';
import { cleanupTempDirs, cli, requireBuilt, storeAndVault } from '../helpers';

describe('cairn graph (CLI)', () => {
  let store: string;
  let vault: string;
  before(requireBuilt);
  beforeEach(() => {
    ({ store, vault } = storeAndVault({
      'Compass.md': '# Compass\nPoints to [[Map]].\n',
      'Map.md': '# Map\nSee [[Island]].\n',
      'Island.md': '# Island\n',
      'Lonely.md': '# Lonely\n',
    }));
  });
  afterEach(cleanupTempDirs);

  const run = (...args: string[]) => cli(['--store', store, '--vault', vault, ...args]);
  const ok = (...args: string[]) => {
    const r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const json = (...args: string[]) => JSON.parse(ok('--json', ...args));

  beforeEach(() => {
    ok('index', '--create');
    ok('graph', 'add-entity', 'Alice', '--type', 'person', '--observation', 'sails', '--observation', 'reads maps');
    ok('graph', 'add-entity', 'Bob', '--type', 'person');
    ok('graph', 'relate', 'Alice', 'owns', 'Compass.md');
  });

  it('add-entity, relate and observe; duplicates are reported, not repeated', () => {
    assert.match(ok('graph', 'add-entity', 'Alice', '--type', 'robot'), /^Entity Alice already exists; left unchanged\n$/);
    assert.match(ok('graph', 'relate', 'Alice', 'owns', 'Compass.md'), /already exists/);
    assert.deepEqual(json('graph', 'relate', 'Bob', 'knows', 'Alice'), [{ from: 'Bob', to: 'Alice', relationType: 'knows' }]);
    assert.deepEqual(json('graph', 'observe', 'Bob', 'likes', 'tea'), [{ entityName: 'Bob', addedObservations: ['likes tea'] }]);
    assert.match(ok('graph', 'observe', 'Bob', 'likes tea'), /already has that observation/);
    const found = json('graph', 'search', 'TEA');
    assert.deepEqual(found.entities, [{ name: 'Bob', entityType: 'person', observations: ['likes tea'] }]);
    assert.match(ok('graph', 'search', 'maps'), /Alice\s+person\s+sails; reads maps/);
    const events = json('log', '--type', 'graph');
    assert.deepEqual(events.map((e: { type: string; aggregateId: string }) => `${e.type} ${e.aggregateId}`).reverse(), [
      'graph.entitiesCreated Alice',
      'graph.entitiesCreated Bob',
      'graph.relationsCreated relations',
      'graph.relationsCreated relations',
      'graph.observationsAdded Bob',
    ]);
  });

  it('neighbours (depth 1 and 2), path and top, in text and --json', () => {
    const one = json('graph', 'neighbours', 'Compass');
    assert.deepEqual(one.nodes.map((n: { name: string; distance: number }) => [n.name, n.distance]), [['Compass.md', 0], ['Alice', 1], ['Map.md', 1]]);
    const two = json('graph', 'neighbours', 'Alice', '--depth', '2');
    assert.deepEqual(two.nodes.map((n: { name: string; distance: number }) => [n.name, n.distance]), [['Alice', 0], ['Compass.md', 1], ['Map.md', 2]]);
    assert.match(ok('graph', 'neighbours', 'Alice', '--depth', '2'), /Compass\.md -\[links_to\]-> Map\.md/);
    const p = json('graph', 'path', 'Alice', 'Island.md');
    assert.equal(p.length, 3);
    assert.deepEqual(p.steps.map((s: { relationType: string }) => s.relationType), ['owns', 'links_to', 'links_to']);
    assert.match(ok('graph', 'path', 'Island.md', 'Alice'), /^3 steps: Island\.md\n {2}<-\[links_to\]- Map\.md\n/);
    assert.equal(json('graph', 'path', 'Alice', 'Lonely.md'), null);
    assert.match(ok('graph', 'path', 'Alice', 'Lonely.md'), /No path from Alice to Lonely\.md/);
    const top = json('graph', 'top', '--limit', '2');
    assert.deepEqual(top.map((n: { name: string; degree: number }) => [n.name, n.degree]), [['Compass.md', 2], ['Map.md', 2]]);
  });

  it('errors: unknown node or entity exits 1, bad arguments exit 2, one line each', () => {
    for (const args of [
      ['graph', 'neighbours', 'Atlantis'],
      ['graph', 'path', 'Alice', 'Atlantis'],
      ['graph', 'observe', 'Ghost', 'boo'],
      ['graph', 'relate', 'Ghost', 'knows', 'Alice'],
    ]) {
      const r = run(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /^cairn: [^\n]*(No graph node named "Atlantis"|Entity with name Ghost not found)[^\n]*\n$/);
    }
    for (const args of [
      ['graph', 'neighbours', 'Alice', '--depth', '9'],
      ['graph', 'neighbours', 'Alice', '--depth', 'x'],
      ['graph', 'neighbours'],
      ['graph', 'add-entity', 'Carol'],
      ['graph', 'relate', 'Alice', 'owns'],
      ['graph', 'top', '--limit', '0'],
      ['graph', 'search', ' '],
    ]) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^cairn: [^\n]+\n$/);
    }
  });
});
