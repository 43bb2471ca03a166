// Memories on a real store: remember (no duplicates in a scope), recall (relevance weighted by importance and
// recency, scope, types, expired left out, accesses counted without events), list, forget and prune with events.
import * as assert from 'node:assert/strict';
import { eraseProject } from '../../src/store/erase';
import { listEvents } from '../../src/store/events';
import { forget, listMemories, pruneExpired, recall, remember } from '../../src/store/memory';
import { createProject } from '../../src/store/projects';
import type { Store } from '../../src/store/store';
import { human, rejectsWith, useTempStore } from '../helpers';

describe('memories: remember, recall, list, forget, prune', () => {
  let store: Store;
  useTempStore((s) => (store = s));

  it('recall ranks by relevance weighted by importance, keeps to the scope and types, and counts accesses without events', async () => {
    const project = await store.write((orm) => createProject(orm, human, { name: 'Moonshot' }));
    const other = await store.write((orm) => createProject(orm, human, { name: 'Other' }));
    const low = await store.write((orm) => remember(orm, human, { type: 'preference', content: 'The team prefers tabs for indentation in Makefiles', importance: 0.1 }));
    const high = await store.write((orm) => remember(orm, human, { type: 'decision', content: 'We decided on spaces for indentation in TypeScript', importance: 0.9, projectId: project.id }));
    await store.write((orm) => remember(orm, human, { type: 'fact', content: 'Indentation of YAML must be spaces', projectId: other.id }));
    const again = await store.write((orm) => remember(orm, human, { type: 'fact', content: '  we decided on SPACES for indentation in typescript ', projectId: project.id }));
    assert.deepEqual([again.id, again.existing], [high.id, true], 'the same content in the same scope is the memory already there');
    const seqBefore = await store.lastEventSeq();

    const hits = await store.write(() => recall(store, { query: 'indentation', projectId: project.id, limit: 10 }));
    assert.deepEqual(hits.map((h) => h.id), [high.id, low.id], "the project's memory and the store-wide one, the important first; not the other project's");
    assert.ok(hits[0]!.score > hits[1]!.score && hits[0]!.score <= 1);
    assert.deepEqual(hits.map((h) => h.accessCount), [1, 1]);
    const decisions = await store.write(() => recall(store, { query: 'indentation', types: ['decision'], limit: 10 }));
    assert.deepEqual(decisions.map((h) => [h.id, h.accessCount]), [[high.id, 2]]);
    assert.equal(await store.lastEventSeq(), seqBefore, 'recall writes no event');
    assert.equal((await store.write(() => recall(store, { query: 'the and of', limit: 5 }))).length, 2, 'stop words alone still match ("The team…", "…of YAML…")');
    assert.deepEqual(await store.write(() => recall(store, { query: 'zeppelin', limit: 5 })), []);
    await rejectsWith(store.write((orm) => remember(orm, human, { type: 'fact', content: 'x', projectId: 'NOPE' })), 'not_found', /No project with id NOPE/);
  });

  it('remembering what an expired memory said makes a new, live memory', async () => {
    const old = await store.write((orm) => remember(orm, human, { type: 'fact', content: 'The API key rotates monthly', expiresAt: '2000-01-01T00:00:00Z' }));
    const fresh = await store.write((orm) => remember(orm, human, { type: 'fact', content: 'The API key rotates monthly' }));
    assert.equal(fresh.existing, false);
    assert.notEqual(fresh.id, old.id);
    assert.deepEqual((await store.write(() => recall(store, { query: 'api key', limit: 5 }))).map((m) => m.id), [fresh.id]);
  });

  it('erasing a project removes its memories and their events; the store-wide ones stay', async () => {
    const project = await store.write((orm) => createProject(orm, human, { name: 'Secret project' }));
    await store.write((orm) => remember(orm, human, { type: 'fact', content: 'Codename Bluebird', projectId: project.id }));
    const kept = await store.write((orm) => remember(orm, human, { type: 'fact', content: 'Office closes at six' }));
    const report = await eraseProject(store, human, project.id);
    assert.equal(report.removed.memories, 1);
    assert.deepEqual((await listMemories(store.orm, { limit: 10, offset: 0 })).map((m) => m.id), [kept.id]);
    const events = await listEvents(store.orm, { aggregateType: 'memory', order: 'asc', limit: 10 });
    assert.deepEqual(events.map((e) => e.aggregateId), [kept.id], 'nothing of Bluebird is left in the log');
  });

  it('expired memories leave recall and list, prune removes them; forget removes one; each with its event', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const gone = await store.write((orm) => remember(orm, human, { type: 'context', content: 'The staging server is down today', expiresAt: past }));
    const kept = await store.write((orm) => remember(orm, human, { type: 'context', content: 'The staging server runs on port 8080' }));
    assert.deepEqual((await store.write(() => recall(store, { query: 'staging server', limit: 10 }))).map((m) => m.id), [kept.id]);
    assert.deepEqual((await listMemories(store.orm, { limit: 10, offset: 0 })).map((m) => m.id), [kept.id]);
    assert.equal((await listMemories(store.orm, { includeExpired: true, limit: 10, offset: 0 })).length, 2);
    assert.deepEqual(await store.write((orm) => pruneExpired(orm, human)), { removed: 1 });
    assert.deepEqual(await store.write((orm) => forget(orm, human, kept.id)), { forgotten: kept.id });
    await rejectsWith(store.write((orm) => forget(orm, human, kept.id)), 'not_found', /No memory with id/);
    const types = (await listEvents(store.orm, { aggregateType: 'memory', order: 'asc', limit: 10 })).map((e) => `${e.aggregateId === gone.id ? 'gone' : 'kept'}:${e.type}`);
    assert.deepEqual(types, ['gone:memory.created', 'kept:memory.created', 'gone:memory.expired', 'kept:memory.forgotten']);
    const fts = await store.conn.all<{ n: number }>("select (select count(*) from search_items_fts) + (select count(*) from search_items where kind = 'memory') as n");
    assert.equal(fts[0]!.n, 0, 'the full-text index follows');
  });
});
