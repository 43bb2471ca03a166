// The graph view (graph.view) on a real store on disk: a vault indexed here, entities with relations, tasks that
// depend on each other, name notes and are assigned to an indexed agent. Every kind of edge, the local walk, the
// filters and the pages.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexAgents } from '../../../src/store/agents/indexer';
import { StoreError } from '../../../src/store/errors';
import { createEntities, createRelations } from '../../../src/store/graph/graph';
import { graphView, type GraphView, type GraphViewQuery } from '../../../src/store/graph/view';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { createProject } from '../../../src/store/projects';
import type { Store } from '../../../src/store/store';
import { createTask } from '../../../src/store/tasks';
import { human, tempDir, useTempStore, writeTree } from '../../helpers';

const edgesOf = (v: GraphView) => v.edges.map((e) => `${e.source} -[${e.type}]-> ${e.target}`).sort();
const idsOf = (v: GraphView) => v.nodes.map((n) => n.id);

describe('knowledge graph view (graph.view)', () => {
  let store!: Store;
  useTempStore((s) => (store = s));
  let build: string;
  let review: string;

  beforeEach(async () => {
    const project = await store.write((orm) => createProject(orm, human, { name: 'P' }));
    const b = await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Build', notes: ['Design'] }));
    const r = await store.write((orm) => createTask(orm, human, { projectId: project.id, title: 'Review', assignee: 'reviewer', dependsOn: [b.id] }));
    build = b.id;
    review = r.id;
    const vault = writeTree({
      'Home.md': '# Home\n\nSee [[Design]] and [[Ideas]]. #project\n\n![[Diagram]]\n',
      'specs/Design.md': `# Design\n\nBack to [[Home]]. Planned in ${review}. #project/spec\n`,
      'specs/Diagram.md': '# Diagram\n\n#drawing\n',
      'Lonely.md': '# Lonely\n\nNo links here.\n',
    });
    await indexVault(store, vault, human);
    const agents = path.join(tempDir(), 'agents');
    fs.mkdirSync(agents, { recursive: true });
    fs.writeFileSync(path.join(agents, 'reviewer.md'), '---\nname: reviewer\ndescription: Reviews work.\n---\n\nYou review.\n');
    await indexAgents(store, [agents], human);
    await createEntities(store, human, [
      { name: 'Alice', entityType: 'person', observations: ['designs'] },
      { name: 'Cairn', entityType: 'project', observations: [] },
    ]);
    await createRelations(store, human, [
      { from: 'Alice', to: 'Cairn', relationType: 'works_on' },
      { from: 'Alice', to: 'specs/Design.md', relationType: 'wrote' },
    ]);
  });

  const view = (q: Partial<GraphViewQuery> = {}) => graphView(store, { mode: 'whole', ...q });

  it('the whole store: every kind of node, with degrees, and every kind of edge', async () => {
    const v = await view({ kinds: ['note', 'entity', 'task', 'agent', 'tag', 'placeholder'] });
    assert.deepEqual(idsOf(v), [
      'note:Home.md',
      'note:Lonely.md',
      'note:specs/Design.md',
      'note:specs/Diagram.md',
      'entity:Alice',
      'entity:Cairn',
      `task:${build}`,
      `task:${review}`,
      'agent:reviewer',
      'tag:drawing',
      'tag:project',
      'tag:project/spec',
      'placeholder:ideas',
    ]);
    assert.deepEqual(edgesOf(v), [
      'entity:Alice -[works_on]-> entity:Cairn',
      'entity:Alice -[wrote]-> note:specs/Design.md',
      'note:Home.md -[embeds]-> note:specs/Diagram.md',
      'note:Home.md -[links to (missing)]-> placeholder:ideas',
      'note:Home.md -[links to]-> note:specs/Design.md',
      'note:Home.md -[tagged]-> tag:project',
      'note:specs/Design.md -[links to]-> note:Home.md',
      `note:specs/Design.md -[mentions]-> task:${review}`,
      'note:specs/Design.md -[tagged]-> tag:project/spec',
      'note:specs/Diagram.md -[tagged]-> tag:drawing',
      `task:${build} -[about]-> note:specs/Design.md`,
      `task:${review} -[assigned to]-> agent:reviewer`,
      `task:${review} -[depends on]-> task:${build}`,
    ]);
    assert.equal(v.totalNodes, 13);
    assert.equal(v.totalEdges, 13);
    assert.equal(v.nextOffset, null);
    const node = (id: string) => v.nodes.find((n) => n.id === id)!;
    assert.deepEqual(node('note:specs/Design.md'), { id: 'note:specs/Design.md', kind: 'note', label: 'Design', key: 'specs/Design.md', folder: 'specs', tag: 'project/spec', degree: 6 });
    assert.equal(node('note:Lonely.md').degree, 0);
    assert.equal(node(`task:${review}`).label, `${review} Review`);
    assert.equal(node(`task:${review}`).type, 'pending');
    assert.equal(node('entity:Alice').type, 'person');
    assert.deepEqual(v.facets, {
      relationTypes: ['about', 'assigned to', 'depends on', 'embeds', 'links to', 'links to (missing)', 'mentions', 'tagged', 'works_on', 'wrote'],
      folders: ['specs'],
      tags: ['drawing', 'project', 'project/spec'],
    });
  });

  it('leaves tags and placeholders out unless asked, and kinds left out take their edges with them', async () => {
    const v = await view();
    assert.ok(!v.nodes.some((n) => n.kind === 'tag' || n.kind === 'placeholder'));
    assert.equal(v.totalNodes, 9);
    const notesOnly = await view({ kinds: ['note'] });
    assert.deepEqual(edgesOf(notesOnly), ['note:Home.md -[embeds]-> note:specs/Diagram.md', 'note:Home.md -[links to]-> note:specs/Design.md', 'note:specs/Design.md -[links to]-> note:Home.md']);
  });

  it('filters by folder, tag (and the tags below it), relation type and orphans', async () => {
    assert.deepEqual(idsOf(await view({ kinds: ['note'], folder: 'specs/' })), ['note:specs/Design.md', 'note:specs/Diagram.md']);
    assert.deepEqual(idsOf(await view({ kinds: ['note'], tag: '#project' })), ['note:Home.md', 'note:specs/Design.md']);
    assert.deepEqual(idsOf(await view({ kinds: ['note'], tag: 'Project/Spec' })), ['note:specs/Design.md']);
    const wrote = await view({ relationType: 'wrote', orphans: 'hide' });
    assert.deepEqual(idsOf(wrote), ['note:specs/Design.md', 'entity:Alice']);
    assert.deepEqual(edgesOf(wrote), ['entity:Alice -[wrote]-> note:specs/Design.md']);
    assert.deepEqual(idsOf(await view({ kinds: ['note'], orphans: 'only' })), ['note:Lonely.md']);
  });

  it('pages by node: each edge on the page of its source, all pages together the whole view', async () => {
    const all = await view({ kinds: ['note', 'entity', 'task', 'agent', 'tag', 'placeholder'] });
    const nodes: string[] = [];
    const edges: string[] = [];
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const page: GraphView = await view({ kinds: ['note', 'entity', 'task', 'agent', 'tag', 'placeholder'], offset, limit: 4 });
      assert.equal(page.totalNodes, 13);
      assert.ok(page.nodes.length <= 4);
      assert.equal(page.facets === undefined, offset !== 0, 'facets come with the first page only');
      nodes.push(...idsOf(page));
      edges.push(...edgesOf(page));
      offset = page.nextOffset;
      pages++;
    }
    assert.equal(pages, 4);
    assert.deepEqual(nodes, idsOf(all));
    assert.deepEqual(edges.sort(), edgesOf(all));
  });

  it('a local graph around a note, task or entity: depth 1 to 3, with distances', async () => {
    const one = await view({ mode: 'local', center: 'specs/Design.md', depth: 1 });
    assert.equal(one.center, 'note:specs/Design.md');
    assert.deepEqual(
      one.nodes.map((n) => [n.id, n.distance]),
      [
        ['note:Home.md', 1],
        ['note:specs/Design.md', 0],
        ['entity:Alice', 1],
        [`task:${build}`, 1],
        [`task:${review}`, 1],
      ],
    );
    const two = await view({ mode: 'local', center: 'note:specs/Design.md', depth: 2 });
    assert.deepEqual(
      two.nodes.filter((n) => n.distance === 2).map((n) => n.id),
      ['note:specs/Diagram.md', 'entity:Cairn', 'agent:reviewer'],
    );
    assert.equal(two.totalEdges, 9);
    // By file name, by task id, by entity name.
    assert.equal((await view({ mode: 'local', center: 'design' })).center, 'note:specs/Design.md');
    assert.deepEqual(idsOf(await view({ mode: 'local', center: review })), ['note:specs/Design.md', `task:${build}`, `task:${review}`, 'agent:reviewer']);
    assert.deepEqual(idsOf(await view({ mode: 'local', center: 'Cairn', depth: 3 })), ['note:Home.md', 'note:specs/Design.md', 'entity:Alice', 'entity:Cairn', `task:${build}`, `task:${review}`]);
    // An orphan's local graph is itself.
    assert.deepEqual(idsOf(await view({ mode: 'local', center: 'Lonely.md', orphans: 'hide' })), ['note:Lonely.md']);
  });

  it('refuses a local graph without a centre, an unknown centre and a depth out of range, with what to do', async () => {
    const refused = async (q: Partial<GraphViewQuery>, kind: string, message: RegExp) =>
      assert.rejects(view(q), (err: unknown) => err instanceof StoreError && err.kind === kind && message.test(err.message));
    await refused({ mode: 'local' }, 'invalid', /needs its centre/);
    await refused({ mode: 'local', center: 'Nowhere' }, 'not_found', /No note, task or entity "Nowhere".*index the vault again/);
    await refused({ mode: 'local', center: 'Home.md', depth: 4 }, 'invalid', /depth must be a whole number from 1 to 3/);
  });
});
