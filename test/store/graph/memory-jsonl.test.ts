// The MCP memory server's file (memory.jsonl) in and out of the graph, on a real store on disk: a round trip keeps
// every entity, observation and relation (dangling ones too, without an entity for their ends), a bad line stops the
// whole import, duplicates merge as documented, and every write is in the log with its actor.
import * as assert from 'node:assert/strict';
import { StoreError } from '../../../src/store/errors';
import { listEvents } from '../../../src/store/events';
import { addObservations, createEntities, createRelations, openNodes, readGraph } from '../../../src/store/graph/graph';
import { DANGLING_TYPE, exportMemoryJsonl, importMemoryJsonl } from '../../../src/store/graph/memoryJsonl';
import type { Store } from '../../../src/store/store';
import { human, openTempStore, useTempStore } from '../../helpers';

const entity = (name: string, entityType: string, observations: string[]) => JSON.stringify({ type: 'entity', name, entityType, observations });
const relation = (from: string, to: string, relationType: string) => JSON.stringify({ type: 'relation', from, to, relationType });

/** A file as the memory server writes it: entities in the order made, then relations; no newline at the end. */
const MEMORY_FILE = [
  entity('Alice', 'person', ['likes tea', 'works at Acme']),
  entity('Bob', 'person', []),
  entity('Zoë Ångström', 'person', ['speaks 日本語', 'emoji 🧭 and "quotes" and \\ backslash', 'line\nbreak']),
  entity('Acme', 'organization', ['founded 1999']),
  relation('Alice', 'Bob', 'knows'),
  relation('Bob', 'Alice', 'knows'),
  relation('Alice', 'Acme', 'works_at'),
  relation('Alice', 'Carol', 'mentors'), // Carol is no entity: a dangling relation
  relation('Ghost', 'Zoë Ångström', 'haunts'), // nor is Ghost
  relation('Ghost', 'Carol', 'knows'),
].join('\n');

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('MCP memory file import and export', () => {
  let store!: Store;
  useTempStore((s) => (store = s));

  const graphEvents = () => listEvents(store.orm, { aggregateType: 'graph', limit: 1000, order: 'asc' });

  it('round trip: every entity, observation and relation comes back, dangling ones without entities for their ends', async () => {
    const r = await importMemoryJsonl(store, human, MEMORY_FILE);
    assert.deepEqual(r, { format: 'mcp-memory', entitiesCreated: 4, entitiesMerged: 0, observationsAdded: 6, observationsSkipped: 0, relationsCreated: 6, relationsSkipped: 0, danglingEnds: 2 });
    const out = await exportMemoryJsonl(store);
    assert.deepEqual([...lines(out.text)].sort(), [...lines(MEMORY_FILE)].sort(), 'the same lines, byte for byte, in another order');
    assert.equal(out.text.endsWith('\n'), false, 'no newline at the end, as the memory server writes');
    assert.deepEqual({ entities: out.entities, observations: out.observations, relations: out.relations }, { entities: 4, observations: 6, relations: 6 });
    // The documented order: entities by name (code points: "Zoë" after "Bob"), then relations by from, to, type.
    assert.deepEqual(
      lines(out.text).map((l) => JSON.parse(l)).map((x) => (x.type === 'entity' ? x.name : `${x.from}>${x.to}:${x.relationType}`)),
      ['Acme', 'Alice', 'Bob', 'Zoë Ångström', 'Alice>Acme:works_at', 'Alice>Bob:knows', 'Alice>Carol:mentors', 'Bob>Alice:knows', 'Ghost>Carol:knows', 'Ghost>Zoë Ångström:haunts'],
    );

    // Export → import into a fresh store → export is byte-identical.
    const other = await openTempStore();
    try {
      await importMemoryJsonl(other, human, out.text);
      assert.equal((await exportMemoryJsonl(other)).text, out.text);
    } finally {
      await other.close();
    }
  });

  it('keeps the ends of dangling relations as placeholders: graph nodes, never exported; a later file that names one makes it an entity', async () => {
    await importMemoryJsonl(store, human, MEMORY_FILE);
    const ends = await openNodes(store, ['Carol', 'Ghost']);
    assert.deepEqual(ends.entities, [
      { name: 'Carol', entityType: DANGLING_TYPE, observations: [] },
      { name: 'Ghost', entityType: DANGLING_TYPE, observations: [] },
    ]);
    assert.equal((await readGraph(store)).total, 6);

    const r = await importMemoryJsonl(store, human, entity('Carol', 'person', ['teaches sailing']));
    assert.equal(r.entitiesCreated, 1, 'a placeholder named as an entity is created, not merged');
    assert.equal(r.observationsAdded, 1);
    const out = lines((await exportMemoryJsonl(store)).text);
    assert.ok(out.includes(entity('Carol', 'person', ['teaches sailing'])));
    assert.ok(out.includes(relation('Alice', 'Carol', 'mentors')), 'its relations are kept');
    assert.ok(!out.some((l) => l.includes(DANGLING_TYPE)), 'Ghost (still dangling) is not exported');
  });

  it('an entity of the placeholder type is imported when it has observations (an export of one that got some comes back)', async () => {
    await importMemoryJsonl(store, human, relation('Alice', 'Nobody', 'knows'));
    await addObservations(store, human, [{ entityName: 'Nobody', contents: ['was named by Alice'] }]);
    const text = (await exportMemoryJsonl(store)).text;
    // Alice, a dangling end too, has no observations: left out; Nobody now has one: an entity of that type.
    assert.deepEqual(lines(text), [entity('Nobody', DANGLING_TYPE, ['was named by Alice']), relation('Alice', 'Nobody', 'knows')]);
    const other = await openTempStore();
    try {
      await importMemoryJsonl(other, human, text);
      assert.equal((await exportMemoryJsonl(other)).text, text);
      await assert.rejects(importMemoryJsonl(other, human, entity('Empty', DANGLING_TYPE, [])), /^StoreError: line 1: entityType: entityType "mcp-memory:dangling" is Cairn's type for the ends of dangling relations/);
    } finally {
      await other.close();
    }
  });

  it('a bad line is reported by its number and nothing is imported', async () => {
    await createEntities(store, human, [{ name: 'Kept', entityType: 'thing', observations: ['as it was'] }]);
    const before = await exportMemoryJsonl(store);
    const eventsBefore = (await graphEvents()).length;
    const bad = [entity('Alice', 'person', ['ok']), '', relation('Alice', 'Kept', 'likes'), '{"type":"entity","name":"Bob","entityType":"person"}', entity('Kept', 'thing', ['new'])].join('\n');
    await assert.rejects(importMemoryJsonl(store, human, bad), (err: unknown) => {
      assert.ok(err instanceof StoreError && err.kind === 'invalid');
      assert.equal(err.message, 'line 4: observations: observations must be a list of strings (1 line is not a valid MCP memory entity or relation; nothing was imported)');
      assert.deepEqual(err.data, { problems: [{ line: 4, problem: 'observations: observations must be a list of strings' }] });
      return true;
    });
    assert.deepEqual(await exportMemoryJsonl(store), before, 'the store is unchanged');
    assert.equal((await graphEvents()).length, eventsBefore, 'no event');
  });

  it('names every kind of bad line: JSON, type, fields, Cairn\'s limits, text that is not Unicode', async () => {
    const bad = [
      '{"type":"entity","name":"A"', // 1
      '{"type":"person","name":"A"}', // 2
      '["entity"]', // 3
      JSON.stringify({ type: 'relation', from: 'A', to: 'B' }), // 4
      JSON.stringify({ type: 'relation', from: 'A', to: 'B', relationType: 'x', extra: 1 }), // 5
      entity('', 'person', []), // 6
      entity('A', 'person', ['x'.repeat(10_001)]), // 7
      entity('x'.repeat(1001), 'person', []), // 8
      entity('Tab\there', 'person', []), // 9
      entity('Half \ud83d', 'person', []), // 10
      relation('A', 'B', 'knows'), // 11: fine
    ].join('\n');
    await assert.rejects(importMemoryJsonl(store, human, bad), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      const problems = (err.data as { problems: { line: number; problem: string }[] }).problems;
      assert.deepEqual(problems.map((p) => p.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const said = Object.fromEntries(problems.map((p) => [p.line, p.problem]));
      assert.match(said[1]!, /^not valid JSON/);
      assert.match(said[2]!, /^not an entity or a relation \("type" "person"/);
      assert.match(said[3]!, /^not an entity or a relation \(no "type"/);
      assert.equal(said[4], 'relationType: relationType must be a string');
      assert.equal(said[5], 'unknown field "extra"');
      assert.equal(said[6], 'name: name must not be empty');
      assert.equal(said[7], 'observations.0: an observation must be at most 10,000 characters');
      assert.equal(said[8], 'name: name must be at most 1000 characters');
      assert.equal(said[9], 'name: name must not contain control characters or line breaks');
      assert.match(said[10]!, /^name: name holds an unpaired UTF-16 surrogate/);
      assert.match(err.message, /^line 1: not valid JSON \(.*; line 2: not an entity/);
      assert.match(err.message, /\(10 lines are not a valid MCP memory entity or relation; nothing was imported\)$/);
      return true;
    });
    assert.equal((await readGraph(store)).total, 0);
  });

  it('accepts a trailing newline, CRLF line ends, blank lines and a byte order mark; an empty file imports nothing', async () => {
    const r = await importMemoryJsonl(store, human, '\uFEFF' + [entity('A', 't', ['o']), '', '   ', relation('A', 'A', 'is')].join('\r\n') + '\n\n');
    assert.equal(r.entitiesCreated, 1);
    assert.equal(r.relationsCreated, 1);
    const eventsBefore = (await graphEvents()).length;
    assert.deepEqual(await importMemoryJsonl(store, human, ''), { format: 'mcp-memory', entitiesCreated: 0, entitiesMerged: 0, observationsAdded: 0, observationsSkipped: 0, relationsCreated: 0, relationsSkipped: 0, danglingEnds: 0 });
    assert.equal((await graphEvents()).length, eventsBefore, 'nothing changed: no event');
    assert.equal((await exportMemoryJsonl(store)).text, [entity('A', 't', ['o']), relation('A', 'A', 'is')].join('\n'));
  });

  it('duplicates: an entity in the store keeps its type and gains new observations; twice in the file, merged; a relation once', async () => {
    await createEntities(store, human, [
      { name: 'Alice', entityType: 'person', observations: ['likes tea'] },
      { name: 'Bob', entityType: 'person', observations: [] },
    ]);
    await createRelations(store, human, [{ from: 'Alice', to: 'Bob', relationType: 'knows' }]);
    const file = [
      entity('Alice', 'robot', ['likes tea', 'sails']), // in the store: type kept, 'likes tea' skipped
      entity('Carol', 'person', ['paints', 'paints']), // new; the repeated observation once
      entity('Carol', 'artist', ['paints', 'sculpts']), // again: merged into the first (its type)
      relation('Alice', 'Bob', 'knows'), // in the store
      relation('Carol', 'Bob', 'knows'),
      relation('Carol', 'Bob', 'knows'), // twice in the file
    ].join('\n');
    const r = await importMemoryJsonl(store, human, file);
    assert.deepEqual(r, { format: 'mcp-memory', entitiesCreated: 1, entitiesMerged: 2, observationsAdded: 3, observationsSkipped: 3, relationsCreated: 1, relationsSkipped: 2, danglingEnds: 0 });
    assert.deepEqual((await openNodes(store, ['Alice', 'Carol'])).entities, [
      { name: 'Alice', entityType: 'person', observations: ['likes tea', 'sails'] },
      { name: 'Carol', entityType: 'person', observations: ['paints', 'sculpts'] },
    ]);
    // The same file again changes nothing.
    const again = await importMemoryJsonl(store, human, file);
    assert.deepEqual([again.entitiesCreated, again.observationsAdded, again.relationsCreated], [0, 0, 0]);
  });

  it("writes the graph's own events and one graph.imported, all with the importer as actor", async () => {
    await createEntities(store, human, [{ name: 'Alice', entityType: 'person', observations: [] }]);
    const importer = { actor: 'importer-bot', source: 'agent' } as const;
    await importMemoryJsonl(store, importer, [entity('Alice', 'person', ['new fact']), entity('Bob', 'person', []), relation('Alice', 'Bob', 'knows'), relation('Bob', 'Nobody', 'knows')].join('\n'));
    const events = (await graphEvents()).slice(1);
    assert.deepEqual(events.map((e) => [e.type, e.aggregateId, e.actor, e.source]), [
      ['graph.entitiesCreated', 'Bob', 'importer-bot', 'agent'],
      ['graph.observationsAdded', 'Alice', 'importer-bot', 'agent'],
      ['graph.relationsCreated', 'relations', 'importer-bot', 'agent'],
      ['graph.imported', 'import', 'importer-bot', 'agent'],
    ]);
    const imported = events[3]!.data as { placeholders: string[]; relationsCreated: number };
    assert.deepEqual(imported.placeholders, ['Nobody']);
    assert.equal(imported.relationsCreated, 2);
  });
});
