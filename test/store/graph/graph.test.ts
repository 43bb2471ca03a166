// The knowledge graph on a real store on disk: the MCP memory server's operations, and the graph queries over
// entity relations mixed with the wikilinks of a small vault indexed here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../../../src/store/errors';
import { listEvents } from '../../../src/store/events';
import {
  addObservations,
  createEntities,
  createRelations,
  deleteEntities,
  deleteObservations,
  deleteRelations,
  edgesAmongSql,
  mostConnected,
  neighbours,
  openNodes,
  readGraph,
  searchNodes,
  shortestPath,
} from '../../../src/store/graph/graph';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { Store } from '../../../src/store/store';
import { human, useTempStore, tempDir } from '../../helpers';

const rejectsWith = async (p: Promise<unknown>, kind: string, message: RegExp) => {
  await assert.rejects(p, (err: unknown) => err instanceof StoreError && err.kind === kind && message.test(err.message));
};

describe('knowledge graph', () => {
  let store!: Store;
  useTempStore((s) => (store = s));

  const graphEvents = () => listEvents(store.orm, { aggregateType: 'graph', limit: 100, order: 'asc' });

  it('the edges of a few nodes are found through indexes, never by reading every link and relation', async () => {
    // A scan of note_links or graph_relations costs ~300 ms a call at 10,000 notes and 190,000 links.
    for (const ends of ['among', 'from', 'touching'] as const) {
      const plan = await store.conn.all<{ detail: string }>(`explain query plan ${edgesAmongSql(ends)}`, ['["a.md", "B"]']);
      const scans = plan.map((p) => p.detail).filter((d) => /^SCAN (l|n|note_links|notes|graph_relations)\b/.test(d));
      assert.deepEqual(scans, [], `${ends}: ${plan.map((p) => p.detail).join(' | ')}`);
    }
  });

  it('creates entities, skipping existing names (case-sensitive), with one event per write', async () => {
    const first = await createEntities(store, human, [
      { name: 'Alice', entityType: 'person', observations: ['likes tea', 'likes tea'] },
      { name: 'Cairn', entityType: 'project', observations: [] },
    ]);
    assert.deepEqual(first, [
      { name: 'Alice', entityType: 'person', observations: ['likes tea'] },
      { name: 'Cairn', entityType: 'project', observations: [] },
    ]);
    const second = await createEntities(store, human, [
      { name: 'Alice', entityType: 'robot', observations: ['ignored'] },
      { name: 'alice', entityType: 'person', observations: [] },
    ]);
    assert.deepEqual(second.map((e) => e.name), ['alice']);
    const graph = await openNodes(store, ['Alice', 'alice', 'Nobody']);
    assert.deepEqual(graph.entities, [
      { name: 'Alice', entityType: 'person', observations: ['likes tea'] },
      { name: 'alice', entityType: 'person', observations: [] },
    ]);
    assert.deepEqual(await createEntities(store, human, [{ name: 'Cairn', entityType: 'project', observations: [] }]), []);
    const events = await graphEvents();
    assert.deepEqual(events.map((e) => [e.aggregateId, e.type, e.version]), [
      ['entities', 'graph.entitiesCreated', 1],
      ['alice', 'graph.entitiesCreated', 1],
    ]);
  });

  it('creates relations skipping duplicates; observations: added, duplicates skipped, unknown entity is an error', async () => {
    await createEntities(store, human, [
      { name: 'Alice', entityType: 'person', observations: [] },
      { name: 'Cairn', entityType: 'project', observations: [] },
    ]);
    const rel = { from: 'Alice', to: 'Cairn', relationType: 'works_on' };
    assert.deepEqual(await createRelations(store, human, [rel, rel]), [rel]);
    assert.deepEqual(await createRelations(store, human, [rel, { ...rel, relationType: 'owns' }]), [{ ...rel, relationType: 'owns' }]);
    await rejectsWith(createRelations(store, human, [{ from: 'Alice', to: 'Ghost', relationType: 'knows' }]), 'not_found', /Entity with name Ghost not found/);

    const added = await addObservations(store, human, [{ entityName: 'Alice', contents: ['speaks French', 'speaks French', 'drives'] }]);
    assert.deepEqual(added, [{ entityName: 'Alice', addedObservations: ['speaks French', 'drives'] }]);
    assert.deepEqual(await addObservations(store, human, [{ entityName: 'Alice', contents: ['drives', 'cooks'] }]), [{ entityName: 'Alice', addedObservations: ['cooks'] }]);
    await rejectsWith(addObservations(store, human, [{ entityName: 'Ghost', contents: ['boo'] }]), 'not_found', /Entity with name Ghost not found/);
    // The failed write left nothing behind.
    assert.deepEqual((await openNodes(store, ['Ghost'])).entities, []);

    assert.deepEqual(await deleteObservations(store, human, [{ entityName: 'Alice', observations: ['drives', 'never said'] }]), [{ entityName: 'Alice', deletedObservations: ['drives'] }]);
    assert.deepEqual((await openNodes(store, ['Alice'])).entities[0]!.observations, ['speaks French', 'cooks']);
    assert.deepEqual(await deleteRelations(store, human, [{ ...rel, relationType: 'owns' }, { ...rel, relationType: 'nope' }]), [{ ...rel, relationType: 'owns' }]);
    assert.deepEqual((await openNodes(store, ['Alice', 'Cairn'])).relations, [rel]);
    const types = (await graphEvents()).map((e) => `${e.aggregateId} ${e.type}`);
    assert.deepEqual(types, [
      'entities graph.entitiesCreated',
      'relations graph.relationsCreated',
      'relations graph.relationsCreated',
      'Alice graph.observationsAdded',
      'Alice graph.observationsAdded',
      'Alice graph.observationsDeleted',
      'relations graph.relationsDeleted',
    ]);
  });

  it('deleting an entity cascades to its observations and relations', async () => {
    await createEntities(store, human, [
      { name: 'A', entityType: 't', observations: ['a1', 'a2'] },
      { name: 'B', entityType: 't', observations: ['b1'] },
      { name: 'C', entityType: 't', observations: [] },
    ]);
    await createRelations(store, human, [
      { from: 'A', to: 'B', relationType: 'r' },
      { from: 'C', to: 'A', relationType: 'r' },
      { from: 'B', to: 'C', relationType: 'r' },
    ]);
    assert.deepEqual(await deleteEntities(store, human, ['A', 'Missing']), ['A']);
    const g = await readGraph(store);
    assert.deepEqual(g.entities.map((e) => e.name), ['B', 'C']);
    assert.deepEqual(g.relations, [{ from: 'B', to: 'C', relationType: 'r' }]);
    const [row] = await store.conn.all<{ n: number }>(`select count(*) as n from graph_observations where entity_name = 'A'`);
    assert.equal(row!.n, 0);
    assert.deepEqual(await deleteEntities(store, human, ['A']), []);
  });

  it('search_nodes finds any substring as the MCP memory server does (its copy in memory follows every change)', async () => {
    await createEntities(store, human, [
      { name: 'Zoë Müller', entityType: 'Person', observations: ['Leads the "Atlas" team', 'Speaks ÉPÉE fencing'] },
      { name: 'atlas-api', entityType: 'service', observations: ['Written in Go'] },
      { name: 'x', entityType: 'tag', observations: [] },
    ]);
    const names = async (q: string) => (await searchNodes(store, q)).entities.map((e) => e.name);
    // JavaScript's toLowerCase() is the memory server's rule: any case, accents kept.
    assert.deepEqual(await names('zoë'), ['Zoë Müller']);
    assert.deepEqual(await names('MÜLLER'), ['Zoë Müller']);
    assert.deepEqual(await names('épée'), ['Zoë Müller']);
    assert.deepEqual(await names('atlas'), ['atlas-api', 'Zoë Müller'].sort());
    assert.deepEqual(await names('"atlas"'), ['Zoë Müller'], 'quotes are part of the text looked for');
    assert.deepEqual(await names('s-ap'), ['atlas-api'], 'inside a word');
    assert.deepEqual(await names('ritten in g'), ['atlas-api'], 'across words');
    assert.deepEqual(await names('x'), ['x'], 'one character: a scan finds it');
    assert.deepEqual(await names('go'), ['atlas-api']);
    assert.deepEqual(await names('in go lang'), []);
    // Changes follow: an observation added and removed, an entity deleted with its observations.
    await addObservations(store, human, [{ entityName: 'x', contents: ['Marks fencing clubs'] }]);
    assert.deepEqual(await names('fencing'), ['x', 'Zoë Müller'].sort());
    await deleteObservations(store, human, [{ entityName: 'x', observations: ['Marks fencing clubs'] }]);
    await deleteEntities(store, human, ['Zoë Müller']);
    assert.deepEqual(await names('fencing'), []);
    assert.deepEqual(await names('atlas'), ['atlas-api']);
    await store.conn.run(`insert into search_items_fts (search_items_fts) values ('integrity-check')`); // throws when the index disagrees with its rows
  });

  it('search_nodes answers what the MCP memory server answers, and sees writes made through another connection', async () => {
    // The memory server's rule, written out: a name, type or observation that contains the query, both lower-cased.
    const items = [
      { name: 'İstanbul office', entityType: 'Place', observations: ['Opened in 2019', 'ß and ẞ differ'] },
      { name: 'e-1', entityType: 'person', observations: ['id e-1 noted on day 1', 'uses the api'] },
      { name: 'e-10', entityType: 'person', observations: ['schema api docs'] },
      { name: 'e-100', entityType: 'bug', observations: [] },
      { name: 'tab\there', entityType: 'odd', observations: ['line one\nline two', '100% _sure_'] },
    ];
    await createEntities(store, human, items);
    const memoryServer = (q: string) => items.filter((e) => [e.name, e.entityType, ...e.observations].some((t) => t.toLowerCase().includes(q.toLowerCase()))).map((e) => e.name).sort();
    const queries = ['e-1', 'E-10', 'a a', 'a api', 'the api', 'İ', 'i̇stanbul', 'ẞ', 'ss', '\n', 'one\nline', 'two\nline', '\u0000', '%', '_sure_', 'x', 'person', 'PERSON e', 'day 1', 'api docs', 'tab\th'];
    for (const q of queries) assert.deepEqual((await searchNodes(store, q)).entities.map((e) => e.name), memoryServer(q), q);
    const hit = (await searchNodes(store, 'schema')).entities;
    assert.deepEqual(hit, [{ name: 'e-10', entityType: 'person', observations: ['schema api docs'] }]);
    assert.deepEqual((await searchNodes(store, 'e-1', 2)).entities.map((e) => e.name), ['e-1', 'e-10'], 'limit keeps the first by name');

    // Another process (here another connection to the same file) adds, changes and deletes: the next search sees it.
    const other = await Store.open(store.dir);
    try {
      await createEntities(other, human, [{ name: 'e-1000', entityType: 'service', observations: ['written elsewhere'] }]);
      assert.deepEqual((await searchNodes(store, 'elsewhere')).entities.map((e) => e.name), ['e-1000']);
      await addObservations(other, human, [{ entityName: 'e-100', contents: ['also elsewhere'] }]);
      assert.deepEqual((await searchNodes(store, 'elsewhere')).entities.map((e) => e.name), ['e-100', 'e-1000']);
      await deleteObservations(other, human, [{ entityName: 'e-1000', observations: ['written elsewhere'] }]);
      await deleteEntities(other, human, ['e-100']);
      assert.deepEqual((await searchNodes(store, 'elsewhere')).entities.map((e) => e.name), []);
      assert.deepEqual((await searchNodes(store, 'e-100')).entities.map((e) => e.name), ['e-1000']);
    } finally {
      await other.close();
    }
  });

  it('search_nodes after this connection\'s own writes answers as a fresh read of the tables does', async () => {
    // Writes here are applied to the copy in memory instead of reading every entity again; another connection reads
    // the tables, so both must agree after each kind of write.
    const fresh = await Store.open(store.dir);
    try {
      const both = async (q: string) => {
        const mine = await searchNodes(store, q);
        assert.deepEqual(mine, await searchNodes(fresh, q), q);
        return mine.entities.map((e) => e.name);
      };
      await createEntities(store, human, [{ name: 'Alpha', entityType: 'team', observations: ['ships the API', 'ships the API'] }]);
      assert.deepEqual(await both('api'), ['Alpha']);
      await createEntities(store, human, [
        { name: 'Beta', entityType: 'team', observations: ['owns billing'] },
        { name: 'Alpha', entityType: 'robot', observations: ['not created: the name is taken'] },
      ]);
      assert.deepEqual(await both('team'), ['Alpha', 'Beta']);
      assert.deepEqual(await both('robot'), []);
      await addObservations(store, human, [{ entityName: 'Beta', contents: ['reviews the API', 'owns billing'] }]);
      assert.deepEqual(await both('api'), ['Alpha', 'Beta']);
      await createRelations(store, human, [{ from: 'Alpha', to: 'Beta', relationType: 'depends_on' }]);
      assert.deepEqual((await searchNodes(store, 'billing')).relations, [{ from: 'Alpha', to: 'Beta', relationType: 'depends_on' }]);
      await deleteObservations(store, human, [{ entityName: 'Alpha', observations: ['ships the API'] }]);
      assert.deepEqual(await both('api'), ['Beta']);
      await deleteRelations(store, human, [{ from: 'Alpha', to: 'Beta', relationType: 'depends_on' }]);
      await deleteEntities(store, human, ['Beta']);
      assert.deepEqual(await both('api'), []);
      assert.deepEqual(await both('a'), ['Alpha']);
      // A write that fails changes nothing, here or in the copy.
      await assert.rejects(addObservations(store, human, [{ entityName: 'Alpha', contents: ['half'] }, { entityName: 'Nobody', contents: ['x'] }]));
      assert.deepEqual(await both('half'), []);
    } finally {
      await fresh.close();
    }
  });

  it('reads the graph in pages and searches name, type and observations (LIKE wildcards escaped)', async () => {
    await createEntities(store, human, [
      { name: 'e1', entityType: 'Person', observations: ['100% sure'] },
      { name: 'e2', entityType: 'place', observations: ['a_b'] },
      { name: 'e3', entityType: 'place', observations: ['axb'] },
    ]);
    const p1 = await readGraph(store, { offset: 0, limit: 2 });
    assert.deepEqual([p1.entities.map((e) => e.name), p1.total, p1.nextOffset], [['e1', 'e2'], 3, 2]);
    const p2 = await readGraph(store, { offset: 2, limit: 2 });
    assert.deepEqual([p2.entities.map((e) => e.name), p2.nextOffset], [['e3'], null]);
    assert.deepEqual((await searchNodes(store, 'PERSON')).entities.map((e) => e.name), ['e1']);
    assert.deepEqual((await searchNodes(store, '%')).entities.map((e) => e.name), ['e1']);
    assert.deepEqual((await searchNodes(store, 'a_b')).entities.map((e) => e.name), ['e2']);
    assert.deepEqual((await searchNodes(store, 'PLACE')).entities.map((e) => e.name), ['e2', 'e3']);
  });

  describe('queries over notes and entities', () => {
    beforeEach(async () => {
      // Notes: Hub -> Map -> Island; Lonely links nowhere. Entities: Alice works_on Cairn; Cairn documented_in Hub.md.
      const vault = tempDir('cairn-vault-');
      const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
        fs.writeFileSync(path.join(vault, rel), text);
      };
      write('Hub.md', '# Hub\nSee [[Map]] and [[Nowhere]].\n');
      write('maps/Map.md', '# Map\nTo the [[Island]], twice: [[Island]].\n');
      write('Island.md', '# Island\nNo links.\n');
      write('Lonely.md', '# Lonely\n');
      await indexVault(store, vault, human);
      await createEntities(store, human, [
        { name: 'Alice', entityType: 'person', observations: ['maps things'] },
        { name: 'Cairn', entityType: 'project', observations: [] },
        { name: 'Bob', entityType: 'person', observations: [] },
      ]);
      await createRelations(store, human, [
        { from: 'Alice', to: 'Cairn', relationType: 'works_on' },
        { from: 'Cairn', to: 'Hub.md', relationType: 'documented_in' },
      ]);
    });

    it('a relation to a note makes the note an entity of type note; notes appear as nodes with links_to edges', async () => {
      const g = await openNodes(store, ['Hub.md', 'maps/Map.md', 'Cairn']);
      assert.deepEqual(g.entities.map((e) => [e.name, e.entityType]), [['Cairn', 'project'], ['Hub.md', 'note'], ['maps/Map.md', 'note']]);
      // Every relation from or to a node opened (either end), as the MCP memory server answers.
      assert.deepEqual(g.relations, [
        { from: 'Alice', to: 'Cairn', relationType: 'works_on' },
        { from: 'Cairn', to: 'Hub.md', relationType: 'documented_in' },
        { from: 'Hub.md', to: 'maps/Map.md', relationType: 'links_to' },
        { from: 'maps/Map.md', to: 'Island.md', relationType: 'links_to' },
      ]);
      assert.deepEqual((await searchNodes(store, 'island')).entities.map((e) => e.name), ['Island.md']);
      assert.equal((await readGraph(store)).total, 7);
    });

    it('neighbours at depth 1 and 2, either direction, mixing note links and entity relations', async () => {
      const one = await neighbours(store, 'Hub.md', 1);
      assert.deepEqual(one.nodes.map((n) => [n.name, n.type, n.distance]), [
        ['Hub.md', 'note', 0],
        ['Cairn', 'project', 1],
        ['maps/Map.md', 'note', 1],
      ]);
      assert.deepEqual(one.edges, [
        { from: 'Cairn', to: 'Hub.md', relationType: 'documented_in' },
        { from: 'Hub.md', to: 'maps/Map.md', relationType: 'links_to' },
      ]);
      const two = await neighbours(store, 'Hub', 2); // found by note name too
      assert.deepEqual(two.nodes.map((n) => [n.name, n.distance]), [
        ['Hub.md', 0],
        ['Cairn', 1],
        ['maps/Map.md', 1],
        ['Alice', 2],
        ['Island.md', 2],
      ]);
      assert.equal(two.edges.length, 4);
      assert.deepEqual((await neighbours(store, 'Bob', 3)).nodes.map((n) => n.name), ['Bob']);
      await rejectsWith(neighbours(store, 'Atlantis'), 'not_found', /No graph node named "Atlantis"/);
      await rejectsWith(neighbours(store, 'Hub.md', 9), 'invalid', /depth must be a whole number from 1 to 5/);
    });

    it('shortest path across entity relations and note links, or null when there is none', async () => {
      const p = await shortestPath(store, 'Alice', 'Island.md');
      assert.ok(p);
      assert.equal(p.length, 4);
      assert.deepEqual(p.nodes.map((n) => n.name), ['Alice', 'Cairn', 'Hub.md', 'maps/Map.md', 'Island.md']);
      assert.deepEqual(p.steps.map((s) => [s.relationType, s.direction]), [
        ['works_on', 'forward'],
        ['documented_in', 'forward'],
        ['links_to', 'forward'],
        ['links_to', 'forward'],
      ]);
      const back = await shortestPath(store, 'Island.md', 'Cairn');
      assert.deepEqual(back?.steps.map((s) => s.direction), ['backward', 'backward', 'backward']);
      assert.equal((await shortestPath(store, 'Alice', 'Alice'))?.length, 0);
      assert.equal(await shortestPath(store, 'Alice', 'Lonely.md'), null);
      assert.equal(await shortestPath(store, 'Alice', 'Island.md', 3), null);
    });

    it('most connected nodes by degree', async () => {
      const top = await mostConnected(store, 3);
      assert.deepEqual(top.map((n) => [n.name, n.type, n.degree, n.outgoing, n.incoming]), [
        ['Cairn', 'project', 2, 1, 1],
        ['Hub.md', 'note', 2, 1, 1],
        ['maps/Map.md', 'note', 2, 1, 1],
      ]);
    });
  });
});
