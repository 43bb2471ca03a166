// One search over every kind, on real stores and a real vault, through the same `invoke` the RPC server, the MCP
// server and the CLI use: notes, tasks (title, description, acceptance criteria), graph entities (name, type,
// observations) and memories in one list with the kind on each hit; the kind, project and note filters; the index
// kept by the store's own triggers as rows change (updates, deletes, observations, secret fields, a restore); and
// search by meaning over items, including recall.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '../../../src/backend/protocol';
import type { SearchHit } from '../../../src/store/knowledge/search';
import { repoDirOf, runBackup } from '../../../src/sync/backup';
import { runRestore } from '../../../src/sync/restore';
import { cleanupTempDirs, tempDir, writeTree } from '../../helpers';
import { opened, openCaller, PASS, rejects, type Call } from '../crypto/calls';
import { envOf } from '../../sync/fixtures';

const VAULT = {
  'vehicles/Cars.md': '# Cars\n\nAn automobile has an engine, four wheels and a driver. Motorists refuel at the petrol station.\n',
  'food/Bread.md': '# Bread\n\nKnead the dough, let the yeast rise, then bake the loaf in a hot oven.\n',
  'music/Guitar.md': '---\nproject: Garage\n---\n# Guitar\n\nTune the strings, practise chords and strum along with the song. The carburettor manual is elsewhere.\n',
};

const kinds = (hits: SearchHit[]) => hits.map((h) => `${h.kind}:${h.kind === 'note' ? h.id : h.title}`);

describe('search: one search over notes, tasks, entities and memories', function () {
  this.timeout(60_000);
  let dir: string;
  let call: Call;
  let projectId: string;
  const search = (query: string, more: object = {}): Promise<SearchHit[]> => call('knowledge.search', { query, mode: 'text', ...more });

  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    call = await openCaller(dir);
    writeTree(VAULT, path.join(dir, 'vault'));
    projectId = (await call('projects.create', { name: 'Garage' })).id;
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('finds every kind by its words, the kind on each hit; kind, project and note filters narrow it', async () => {
    await call('knowledge.index', {});
    const task = await call('tasks.create', { projectId, title: 'Fix the carburettor', description: 'The idle mixture screw is stuck.' });
    await call('tasks.criteria', { id: task.id, add: 'Engine idles smoothly at 800 rpm' });
    await call('graph.createEntities', { entities: [{ name: 'Weber DCOE', entityType: 'carburettor model', observations: ['Twin-choke, side-draught', 'Needs a synchronised idle'] }] });
    await call('memory.remember', { type: 'fact', content: 'The carburettor jets are in the blue box on the shelf', projectId });
    await call('memory.remember', { type: 'decision', content: 'We buy spare jets from the local shop' });

    const all = await search('carburettor');
    assert.deepEqual(new Set(all.map((h) => h.kind)), new Set(['note', 'task', 'entity', 'memory']), JSON.stringify(kinds(all)));
    const hitOf = (kind: string) => all.find((h) => h.kind === kind)!;
    assert.deepEqual([hitOf('note').id, hitOf('note').path], ['music/Guitar.md', 'music/Guitar.md']);
    assert.deepEqual([hitOf('task').id, hitOf('task').title, hitOf('task').status, hitOf('task').projectId], [task.id, 'Fix the carburettor', 'pending', projectId]);
    assert.deepEqual([hitOf('entity').id, hitOf('entity').type], ['Weber DCOE', 'carburettor model']);
    assert.deepEqual([hitOf('memory').title, hitOf('memory').type], ['The carburettor jets are in the blue box on the shelf', 'fact']);
    for (const h of all) {
      assert.ok(h.highlights.length > 0, `${h.kind}: the matched word is marked in "${h.snippet}"`);
      assert.ok(h.highlights.every(([s, e]) => /carburettor/i.test(h.snippet.slice(s, e))), h.snippet);
    }

    // The task is found by its description and by its acceptance criteria; the entity by an observation.
    assert.deepEqual(kinds(await search('mixture screw')), ['task:Fix the carburettor']);
    assert.deepEqual(kinds(await search('800 rpm')), ['task:Fix the carburettor']);
    assert.deepEqual(kinds(await search('synchronised')), ['entity:Weber DCOE']);
    assert.deepEqual(kinds(await search('side-draught')), ['entity:Weber DCOE']);
    assert.deepEqual(kinds(await search('jets', { kind: 'memory' })).sort(), ['memory:The carburettor jets are in the blue box on the shelf', 'memory:We buy spare jets from the local shop']);

    // Kind narrows; several kinds may be given.
    assert.deepEqual(kinds(await search('carburettor', { kind: 'task' })), ['task:Fix the carburettor']);
    assert.deepEqual(new Set((await search('carburettor', { kind: ['entity', 'note'] })).map((h) => h.kind)), new Set(['entity', 'note']));
    // A project: its notes (front matter), tasks and memories; entities belong to no project.
    assert.deepEqual(new Set((await search('carburettor', { project: 'garage' })).map((h) => h.kind)), new Set(['note', 'task', 'memory']));
    assert.deepEqual(kinds(await search('jets', { project: projectId })), ['memory:The carburettor jets are in the blue box on the shelf']);
    // A note-only filter makes it a search of notes; asking for other kinds with one is refused, saying why.
    assert.deepEqual(kinds(await search('carburettor', { folder: 'music' })), ['note:music/Guitar.md']);
    await rejects(search('carburettor', { folder: 'music', kind: 'task' }), ErrorCodes.InvalidOperation, /folder filter applies to notes only.*kind task/);
    await rejects(search('carburettor', { kind: 'tasks' }), ErrorCodes.InvalidParams, /kind must be one of note, task, entity, memory, session, message/);
    // Hybrid (the default) answers with the same kinds where nothing can be compared by meaning yet.
    assert.deepEqual(new Set((await call('knowledge.search', { query: 'carburettor' })).map((h: SearchHit) => h.kind)), new Set(['note', 'task', 'entity', 'memory']));
  });

  it('finds agent sessions by their summary and messages by their content; a project keeps to its own; secret content is left out', async () => {
    await call('crypto.init', { passphrase: PASS });
    const other = (await call('projects.create', { name: 'Kitchen' })).id;
    const session = (await call('sessions.start', { agent: 'fixer', projectId })).id;
    await call('sessions.append', {
      sessionId: session,
      messages: [
        { role: 'user', content: 'Why does the flywheel rattle?' },
        { role: 'assistant', content: 'The flywheel bolts were loose; I torqued them to spec.' },
        { role: 'assistant', content: 'The flywheel key is ABC-123-SECRET', secret: true },
      ],
    });
    await call('sessions.end', { id: session, summary: 'Fixed the rattling flywheel by torquing its bolts' });
    const elsewhere = (await call('sessions.start', { agent: 'cook', projectId: other })).id;
    await call('sessions.append', { sessionId: elsewhere, messages: [{ role: 'user', content: 'The flywheel of the pasta machine squeaks' }] });

    const hits = await search('flywheel');
    assert.deepEqual(hits.filter((h) => h.kind === 'session').map((h) => [h.id, h.title, h.type]), [[session, 'Fixed the rattling flywheel by torquing its bolts', 'fixer']]);
    const messages = hits.filter((h) => h.kind === 'message');
    assert.equal(messages.length, 3, JSON.stringify(kinds(hits)));
    assert.ok(messages.every((m) => m.sessionId === session || m.sessionId === elsewhere));
    assert.deepEqual(await search('ABC-123-SECRET'), [], 'secret content is not in the index');
    assert.deepEqual(new Set((await search('flywheel', { project: 'Garage' })).map((h) => h.sessionId ?? h.id)), new Set([session]));
    assert.deepEqual(kinds(await search('torqued', { kind: 'message' })), ['message:The flywheel bolts were loose; I torqued them to spec.']);
    const typed = (await search('torqued', { kind: 'message' }))[0]!;
    assert.equal(typed.type, 'fixer · assistant');
  });

  it('follows every change: updates, deletes, observations added and removed, secret fields left out', async () => {
    const task = await call('tasks.create', { projectId, title: 'Replace the gasket', description: 'Order a new gasket from Acme.' });
    assert.equal((await search('acme')).length, 1);
    await call('tasks.update', { id: task.id, expectedVersion: task.version, description: 'Order a new gasket from Globex.' });
    assert.deepEqual(await search('acme'), [], 'the old words are gone');
    assert.deepEqual(kinds(await search('globex')), ['task:Replace the gasket']);
    await call('tasks.delete', { id: task.id });
    assert.deepEqual(await search('gasket'), []);

    await call('graph.createEntities', { entities: [{ name: 'Alice', entityType: 'person', observations: [] }] });
    assert.deepEqual(await search('mechanic'), []);
    await call('graph.addObservations', { observations: [{ entityName: 'Alice', contents: ['Works as a mechanic'] }] });
    assert.deepEqual(kinds(await search('alice mechanic')), ['entity:Alice'], 'name and observation together');
    await call('graph.deleteObservations', { deletions: [{ entityName: 'Alice', observations: ['Works as a mechanic'] }] });
    assert.deepEqual(await search('mechanic'), []);
    assert.deepEqual(kinds(await search('person')), ['entity:Alice'], 'the type is searchable');
    await call('graph.deleteEntities', { entityNames: ['Alice'] });
    assert.deepEqual(await search('alice'), []);

    const memory = await call('memory.remember', { type: 'fact', content: 'The lathe needs three-phase power' });
    assert.equal((await search('lathe')).length, 1);
    await call('memory.forget', { id: memory.id });
    assert.deepEqual(await search('lathe'), []);

    // A secret description is never in the index (only its ciphertext is stored); the plain title still is.
    await call('crypto.init', { passphrase: PASS });
    const secret = await call('tasks.create', { projectId, title: 'Rotate the vault token', description: 'The token is hunter2-zebra', secretFields: ['description'] });
    assert.deepEqual(await search('zebra'), []);
    assert.deepEqual(kinds(await search('rotate')), ['task:Rotate the vault token']);
    await call('tasks.update', { id: secret.id, expectedVersion: secret.version, secretFields: [] });
    assert.deepEqual(kinds(await search('zebra')), ['task:Rotate the vault token'], 'made plain again, it is searchable');
    const store = opened[0]!;
    const rows = await store.conn.all<{ body: string }>('select body from search_items_fts');
    assert.ok(!rows.some((r) => r.body.startsWith('enc:v1:')), 'no ciphertext is indexed');
  });

  it('a restored store finds what the backup held (the index is rebuilt from the rows, never backed up)', async () => {
    const task = await call('tasks.create', { projectId, title: 'Bleed the brakes', description: 'Use DOT 4 fluid.' });
    await call('memory.remember', { type: 'fact', content: 'The brake fluid is in the garage cupboard' });
    const store = opened[0]!;
    const env = envOf(store, path.join(dir, 'vault'));
    const backup = await runBackup(env, {});
    const repo = repoDirOf(store, {});
    assert.ok(fs.existsSync(repo));
    assert.ok(!fs.readdirSync(repo, { recursive: true }).some((f) => !String(f).startsWith('.git') && String(f).includes('search_item')), 'the index is not in the backup');
    await call('tasks.delete', { id: task.id });
    assert.deepEqual(kinds(await search('brake', { kind: 'task' })), []);
    await runRestore(env, {}, backup.commit!);
    await store.close();
    opened.splice(0);
    call = await openCaller(dir);
    assert.deepEqual(new Set(kinds(await search('brake'))), new Set(['task:Bleed the brakes', 'memory:The brake fluid is in the garage cupboard']));
  });

  it('by meaning: items made after the last index run are embedded when searched, and recall finds a memory by meaning', async () => {
    await call('knowledge.index', {});
    const task = await call('tasks.create', { projectId, title: 'Service the automobile', description: 'Change the oil and check the engine.' });
    await call('graph.createEntities', { entities: [{ name: 'Sourdough starter', entityType: 'recipe', observations: ['Feed it flour and water daily', 'Bake when bubbly'] }] });
    const hits: SearchHit[] = await call('knowledge.search', { query: 'car motor repair', mode: 'semantic', kind: 'task' });
    assert.equal(hits[0]?.id, task.id, JSON.stringify(hits));
    assert.ok(hits[0]!.score > 0 && hits[0]!.score <= 1, String(hits[0]!.score));
    const bread: SearchHit[] = await call('knowledge.search', { query: 'baking bread loaves', mode: 'semantic', kind: ['entity', 'task'] });
    assert.deepEqual(bread.map((h) => h.id)[0], 'Sourdough starter');
    const mixed: SearchHit[] = await call('knowledge.search', { query: 'automobile engine', mode: 'hybrid' });
    assert.deepEqual(new Set(mixed.slice(0, 2).map((h) => h.id)), new Set(['vehicles/Cars.md', task.id]), JSON.stringify(kinds(mixed)));

    // A memory that shares no word with the question is recalled by meaning; an unrelated one is not.
    const pets = await call('memory.remember', { type: 'preference', content: 'Our office dog is a friendly labrador puppy' });
    await call('memory.remember', { type: 'fact', content: 'Invoices are due within thirty days' });
    const recalled = await call('memory.recall', { query: 'animals cats pets' });
    assert.deepEqual(recalled.map((m: { id: string }) => m.id), [pets.id], JSON.stringify(recalled.map((m: { content: string; score: number }) => [m.content, m.score])));
    // Changed content is embedded again (its old vector is replaced, not kept beside it).
    const store = opened[0]!;
    const vectors = async () => (await store.conn.get<{ n: number }>('select count(*) as n from search_item_vectors'))!.n;
    const before = await vectors();
    await call('tasks.update', { id: task.id, expectedVersion: task.version, description: 'Knead the dough and bake the bread.' });
    const after: SearchHit[] = await call('knowledge.search', { query: 'baking bread loaves', mode: 'semantic', kind: 'task' });
    assert.equal(after[0]?.id, task.id);
    assert.equal(await vectors(), before, 'one vector per item');
  });
});
