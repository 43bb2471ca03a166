// `cairn mcp` through the MCP SDK's own client over stdio: tools by profile, the memory server's tools, tasks and
// notes, who is recorded on events, resources, answers cut to a token budget, and bad input on every tool.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, storeAndVault, tempDir } from '../helpers';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect, type Connected } from './client';
import { waitFor } from '../waitFor';

interface Task {
  id: string;
  title: string;
  status: string;
  version: number;
  assignee: string | null;
}

const NOTES = {
  'Apollo.md': '# Apollo Program\n\nThe lunar module landed in the Sea of Tranquility.\n\n## Crew\n\nArmstrong, Aldrin, Collins.\n\n## Rockets\n\nSee [[Saturn V]].\n',
  'rockets/Saturn V.md': '---\ntags: [rocket]\n---\n# Saturn V\n\nIts first stage burned kerosene and liquid oxygen.\n',
};

describe('cairn mcp (MCP SDK client over stdio)', function () {
  let store: string;
  let vault: string;
  let mcp: Connected;
  let projectId: string;
  const run = (...args: string[]) => {
    const r = cli(['--store', store, '--vault', vault, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  before(requireBuilt);
  beforeEach(async () => {
    ({ store, vault } = storeAndVault(NOTES));
    run('init');
    run('index');
    projectId = JSON.parse(run('--json', 'project', 'add', 'Moonshot')).id;
    mcp = await connect(['--store', store, '--vault', vault, 'mcp']);
  });
  afterEach(async () => {
    await mcp?.close();
    cleanupTempDirs();
  });

  it('offers tools by profile: core (at most 10), standard, all; read-only offers no tool that writes', async () => {
    const names = async (...flags: string[]) => {
      const c = await connect(['--store', store, '--vault', vault, 'mcp', ...flags]);
      try {
        return (await c.client.listTools()).tools;
      } finally {
        await c.close();
      }
    };
    const core = await names('--profile', 'core');
    const standard = (await mcp.client.listTools()).tools;
    const all = await names('--profile', 'all');
    assert.ok(core.length <= 10, `core has ${core.length} tools`);
    for (const t of ['create_entities', 'create_relations', 'add_observations', 'delete_entities', 'delete_observations', 'delete_relations', 'read_graph', 'search_nodes', 'open_nodes']) {
      assert.ok(standard.some((s) => s.name === t), `standard offers the memory server's ${t}`);
    }
    assert.ok(core.every((c) => standard.some((s) => s.name === c.name)) && standard.every((s) => all.some((a) => a.name === s.name)), 'core ⊂ standard ⊂ all');
    assert.ok(all.some((t) => t.name === 'backup_run') && !all.some((t) => /^crypto_(init|unlock|lock|changePassphrase)$/.test(t.name)), 'all: every method but those that take or drop keys');
    for (const t of all) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.ok(!('actor' in (t.inputSchema.properties ?? {})), `${t.name} does not take actor`);
      assert.ok(t.description && t.description.length > 10, `${t.name} has a description`);
    }
    const readOnly = await names('--read-only');
    assert.ok(readOnly.length > 0 && readOnly.every((t) => t.annotations?.readOnlyHint === true), 'read-only: only tools that read');
    assert.ok(!readOnly.some((t) => t.name === 'create_entities'));
    const readOnlyAll = await names('--read-only', '--profile', 'all');
    assert.ok(!readOnlyAll.some((t) => /^(backup_run|backup_remote_set|backup_remote_remove|backup_restore|sync_run)$/.test(t.name)), 'nothing that writes a repository either');
  });

  it("the memory server's tools answer as it does, and every write is an event by the client's name, as an agent", async () => {
    const created = await mcp.call('create_entities', { entities: [{ name: 'Alice', entityType: 'person', observations: ['likes tea'] }, { name: 'Bob', entityType: 'person', observations: [] }] });
    assert.deepEqual(JSON.parse(created.text), [{ name: 'Alice', entityType: 'person', observations: ['likes tea'] }, { name: 'Bob', entityType: 'person', observations: [] }]);
    assert.deepEqual(created.result.structuredContent, { entities: JSON.parse(created.text) });
    assert.equal(created.text, JSON.stringify(JSON.parse(created.text), null, 2), 'pretty-printed as the memory server does');
    assert.deepEqual(await mcp.ok('create_entities', { entities: [{ name: 'Alice', entityType: 'robot', observations: [] }] }), [], 'an existing name is skipped');
    assert.deepEqual(await mcp.ok('create_relations', { relations: [{ from: 'Alice', to: 'Bob', relationType: 'knows' }] }), [{ from: 'Alice', to: 'Bob', relationType: 'knows' }]);
    assert.deepEqual(await mcp.ok('add_observations', { observations: [{ entityName: 'Alice', contents: ['works at Acme', 'likes tea'] }] }), [{ entityName: 'Alice', addedObservations: ['works at Acme'] }]);
    const found = await mcp.ok<{ entities: { name: string }[]; relations: unknown[] }>('search_nodes', { query: 'TEA' });
    assert.deepEqual(found.entities.map((e) => e.name), ['Alice']);
    assert.deepEqual(found.relations, [{ from: 'Alice', to: 'Bob', relationType: 'knows' }]);
    const opened = await mcp.ok<{ entities: { name: string; observations: string[] }[] }>('open_nodes', { names: ['Alice'] });
    assert.deepEqual(opened.entities[0]!.observations, ['likes tea', 'works at Acme']);
    const deleted = await mcp.call('delete_observations', { deletions: [{ entityName: 'Alice', observations: ['likes tea'] }] });
    assert.deepEqual([deleted.text, deleted.result.structuredContent], ['Observations deleted successfully', { success: true, message: 'Observations deleted successfully' }]);
    assert.equal((await mcp.call('delete_relations', { relations: [{ from: 'Alice', to: 'Bob', relationType: 'knows' }] })).text, 'Relations deleted successfully');
    assert.equal((await mcp.call('delete_entities', { entityNames: ['Bob'] })).text, 'Entities deleted successfully');
    const graph = await mcp.ok<{ entities: { name: string }[]; total: number; nextOffset: number | null }>('read_graph', {});
    assert.ok(graph.entities.some((e) => e.name === 'Alice') && !graph.entities.some((e) => e.name === 'Bob'));
    const missing = await mcp.call('add_observations', { observations: [{ entityName: 'Nobody', contents: ['x'] }] });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /Entity with name Nobody not found/);

    const events = JSON.parse(run('--json', 'log', '--type', 'graph', '--limit', '20')) as { actor: string; source: string }[];
    assert.ok(events.length >= 6, JSON.stringify(events));
    assert.deepEqual([...new Set(events.map((e) => `${e.actor}/${e.source}`))], ['test-agent/agent']);
  });

  it('tasks: create, get, update with the version read; a stale version is refused and names the conflict', async () => {
    const task = await mcp.ok<Task>('task_create', { projectId, title: 'Land on the Moon', priority: 'high', tags: ['apollo'] });
    assert.equal(task.title, 'Land on the Moon');
    assert.equal((await mcp.ok<Task>('task_get', { id: task.id })).version, 1);
    const moved = await mcp.ok<Task>('task_update', { id: task.id, expectedVersion: 1, status: 'in_progress', assignee: 'test-agent' });
    assert.deepEqual([moved.status, moved.version], ['in_progress', 2]);
    const stale = await mcp.call('task_update', { id: task.id, expectedVersion: 1, status: 'done' });
    assert.equal(stale.isError, true);
    assert.match(stale.text, /version/i);
    assert.equal((await mcp.ok<Task>('task_get', { id: task.id })).status, 'in_progress', 'nothing written');
    const listed = await mcp.ok<Task[]>('task_list', { projectId, status: 'in_progress' });
    assert.deepEqual(listed.map((t) => t.id), [task.id]);
    const events = JSON.parse(run('--json', 'log', '--id', task.id)) as { actor: string; source: string }[];
    assert.ok(events.length === 2 && events.every((e) => e.actor === 'test-agent' && e.source === 'agent'), JSON.stringify(events));
  });

  it('a client name no backup could hold (empty, control characters) is recorded as mcp-client; a delete answers null', async () => {
    const odd = await connect(['--store', store, '--vault', vault, 'mcp', '--profile', 'all'], { name: 'bad\tname' });
    try {
      const t = await odd.ok<Task>('task_create', { projectId, title: 'Odd' });
      assert.equal(await odd.ok('tasks_delete', { id: t.id }), null);
    } finally {
      await odd.close();
    }
    const [event] = JSON.parse(run('--json', 'log', '--type', 'task', '--limit', '1')) as { actor: string; type: string }[];
    assert.deepEqual([event!.type, event!.actor], ['task.deleted', 'mcp-client']);
  });

  it('cairn mcp --actor records that name instead of the client\'s', async () => {
    const named = await connect(['--store', store, '--vault', vault, '--actor', 'release-bot', 'mcp']);
    try {
      await named.ok('create_entities', { entities: [{ name: 'Carol', entityType: 'person', observations: [] }] });
    } finally {
      await named.close();
    }
    const [event] = JSON.parse(run('--json', 'log', '--type', 'graph', '--limit', '1')) as { actor: string; source: string }[];
    assert.deepEqual([event!.actor, event!.source], ['release-bot', 'agent']);
  });

  it('search and notes: a search hit, a whole note, one section by heading, links; a path outside the vault is refused', async () => {
    const hits = await mcp.ok<{ path: string }[]>('search', { query: 'kerosene', mode: 'text' });
    assert.equal(hits[0]!.path, 'rockets/Saturn V.md');
    const whole = await mcp.ok<{ path: string; text: string; version: string }>('note_read', { note: 'Apollo' });
    assert.equal(whole.text.trimEnd(), NOTES['Apollo.md'].trimEnd());
    assert.match(whole.version, /^[0-9a-f]{16}$/);
    const crew = await mcp.ok<{ text: string; fromLine: number; toLine: number }>('note_read', { note: 'Apollo.md', heading: 'crew' });
    assert.deepEqual([crew.text, crew.fromLine, crew.toLine], ['## Crew\n\nArmstrong, Aldrin, Collins.', 5, 7]);
    const links = await mcp.ok<{ outgoing: { path: string }[] }>('note_links', { note: 'Apollo' });
    assert.deepEqual(links.outgoing.map((l) => l.path), ['rockets/Saturn V.md']);
    const outside = path.join(path.dirname(vault), 'secret.md');
    fs.writeFileSync(outside, '# Secret\n');
    for (const note of ['../secret.md', outside, '../../../../etc/passwd']) {
      const r = await mcp.call('note_read', { note });
      assert.equal(r.isError, true, note);
      assert.doesNotMatch(r.text, /# Secret|root:/, 'nothing outside the vault is read');
    }
    const noHeading = await mcp.call('note_read', { note: 'Apollo', heading: 'Budget' });
    assert.equal(noHeading.isError, true);
    assert.match(noHeading.text, /no heading "Budget". Its headings: "Apollo Program", "Crew", "Rockets"/);
  });

  it('note_write: create (never over a file), append, replace a section, each refused if the note changed since it was read', async () => {
    const created = await mcp.ok<{ path: string; version: string }>('note_write', { note: 'missions/Gemini', mode: 'create', text: '# Gemini\n\n## Goals\n\nRendezvous.\n\n## Crew\n\nTwo.\n' });
    assert.equal(created.path, 'missions/Gemini.md');
    assert.equal(fs.readFileSync(path.join(vault, 'missions', 'Gemini.md'), 'utf8'), '# Gemini\n\n## Goals\n\nRendezvous.\n\n## Crew\n\nTwo.\n');
    const again = await mcp.call('note_write', { note: 'missions/Gemini', mode: 'create', text: 'x' });
    assert.equal(again.isError, true);
    assert.match(again.text, /already/i);
    const goals = await mcp.ok<{ version: string }>('note_write', { note: 'Gemini', mode: 'replaceSection', heading: 'Goals', text: '\nRendezvous and docking.\n', expectedVersion: created.version });
    assert.equal(fs.readFileSync(path.join(vault, 'missions', 'Gemini.md'), 'utf8'), '# Gemini\n\n## Goals\n\nRendezvous and docking.\n\n## Crew\n\nTwo.\n');
    const stale = await mcp.call('note_write', { note: 'Gemini', mode: 'append', text: 'late', expectedVersion: created.version });
    assert.equal(stale.isError, true);
    assert.match(stale.text, /changed since you read it \(you read version [0-9a-f]{16}; it is now [0-9a-f]{16}\)/);
    const noVersion = await mcp.call('note_write', { note: 'Gemini', mode: 'replace', text: 'all gone' });
    assert.equal(noVersion.isError, true);
    assert.match(noVersion.text, /pass expectedVersion/);
    await mcp.ok('note_write', { note: 'Gemini', mode: 'append', text: 'Launched 1965.\n', expectedVersion: goals.version });
    assert.match(fs.readFileSync(path.join(vault, 'missions', 'Gemini.md'), 'utf8'), /Two\.\nLaunched 1965\.\n$/);
    const hits = await mcp.ok<{ path: string }[]>('search', { query: 'docking', mode: 'text' });
    assert.equal(hits[0]!.path, 'missions/Gemini.md', 'indexed at once');
    for (const note of ['../escape', '/etc/evil', 'missions/../../x']) {
      const r = await mcp.call('note_write', { note, mode: 'create', text: 'x' });
      assert.equal(r.isError, true, note);
    }
    assert.ok(!fs.existsSync(path.join(path.dirname(vault), 'escape.md')), 'nothing written outside the vault');
    const [event] = JSON.parse(run('--json', 'log', '--type', 'vault', '--limit', '1')) as { actor: string; source: string }[];
    assert.deepEqual([event!.actor, event!.source], ['test-agent', 'agent']);
  });

  it('note_write keeps a note\'s line endings and byte-order mark, refuses to grow it past the indexable size, and two writers at once both land', async () => {
    fs.writeFileSync(path.join(vault, 'Windows.md'), '\ufeff# Windows\r\n\r\n## Log\r\n\r\nfirst\r\n');
    run('index');
    const appended = await mcp.ok<{ version: string }>('note_write', { note: 'Windows', mode: 'append', text: 'second\nthird\n' });
    assert.equal(fs.readFileSync(path.join(vault, 'Windows.md'), 'utf8'), '\ufeff# Windows\r\n\r\n## Log\r\n\r\nfirst\r\nsecond\r\nthird\r\n');
    await mcp.ok('note_write', { note: 'Windows', mode: 'replaceSection', heading: 'Log', text: '\nonly\n', expectedVersion: appended.version });
    assert.equal(fs.readFileSync(path.join(vault, 'Windows.md'), 'utf8'), '\ufeff# Windows\r\n\r\n## Log\r\n\r\nonly\r\n');
    const big = 'x'.repeat(900_000);
    for (let i = 0; i < 5; i++) await mcp.ok('note_write', { note: 'Windows', mode: 'append', text: big });
    const tooBig = await mcp.call('note_write', { note: 'Windows', mode: 'append', text: big });
    assert.equal(tooBig.isError, true);
    assert.match(tooBig.text, /would grow to \d+ bytes, over the 5242880 a note may have to be indexed; nothing was written/);
    assert.ok(fs.statSync(path.join(vault, 'Windows.md')).size < 5_242_880);
    // Two processes appending at once: the folder lock makes both land.
    const other = await connect(['--store', store, '--vault', vault, 'mcp'], { name: 'other-agent' });
    try {
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => mcp.ok('note_write', { note: 'Apollo', mode: 'append', text: `line a${i}\n` })),
        ...Array.from({ length: 10 }, (_, i) => other.ok('note_write', { note: 'Apollo', mode: 'append', text: `line b${i}\n` })),
      ]);
    } finally {
      await other.close();
    }
    const apollo = fs.readFileSync(path.join(vault, 'Apollo.md'), 'utf8');
    for (let i = 0; i < 10; i++) assert.ok(apollo.includes(`line a${i}\n`) && apollo.includes(`line b${i}\n`), `append ${i} of both writers is there`);
  });

  it('build_context: a task with what it waits for, its notes and runs, or a note with its neighbourhood, within the budget', async () => {
    const design = await mcp.ok<Task>('task_create', { projectId, title: 'Design the lander', description: 'Mass budget first.' });
    const build = await mcp.ok<Task>('task_create', { projectId, title: 'Build the lander', dependsOn: [design.id], notes: ['Apollo'], criteria: ['Passes drop test'] });
    const ctx = await mcp.ok<{ root: { kind: string; name: string }; items: { kind: string; name: string; distance: number; text: string }[]; tokens: number; omitted: number }>('build_context', { ref: build.id });
    assert.deepEqual(ctx.root, { kind: 'task', name: build.id });
    assert.match(ctx.items[0]!.text, /Task .*: Build the lander\npending · medium[\s\S]*- \[ \] Passes drop test[\s\S]*waits for .* Design the lander \(pending\)/);
    assert.deepEqual(ctx.items.slice(1).map((i) => [i.kind, i.name, i.distance]).sort(), [['note', 'Apollo.md', 1], ['task', design.id, 1]]);
    const note = await mcp.ok<typeof ctx>('build_context', { ref: 'Apollo', depth: 2 });
    assert.deepEqual(note.root, { kind: 'note', name: 'Apollo.md' });
    assert.ok(note.items.some((i) => i.name === 'rockets/Saturn V.md' && i.distance === 1), JSON.stringify(note.items.map((i) => i.name)));
    assert.ok(note.items.some((i) => i.kind === 'task' && i.name === build.id), 'the task linked to the note');
    await mcp.ok('note_write', { note: 'Mission log', mode: 'create', text: `# Mission log\n\nAbout [[Apollo]].\n\n${'A long day of checks. '.repeat(100)}\n` });
    const small = await mcp.ok<typeof ctx & { maxTokens: number }>('build_context', { ref: 'Apollo', depth: 2, maxTokens: 200 });
    assert.ok(small.tokens <= 200, `${small.tokens} tokens`);
    assert.ok(small.omitted > 0);
    const missing = await mcp.call('build_context', { ref: 'Atlantis' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /Nothing is called "Atlantis"/);
  });

  it('remember, recall, forget: memory that lasts across sessions (a new connection recalls it), recorded as the agent', async () => {
    const m = await mcp.ok<{ id: string; existing: boolean }>('remember', { type: 'preference', content: 'The user wants commit messages in the imperative mood', importance: 0.8, projectId });
    assert.equal(m.existing, false);
    await mcp.close();
    mcp = await connect(['--store', store, '--vault', vault, 'mcp'], { name: 'next-session' });
    const hits = await mcp.ok<{ id: string; score: number; accessCount: number }[]>('recall', { query: 'how should commit messages be written', projectId });
    assert.deepEqual(hits.map((h) => [h.id, h.accessCount]), [[m.id, 1]]);
    const bad = await mcp.call('remember', { type: 'gossip', content: 'x' });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /type must be one of fact, preference, decision, pattern, context/);
    assert.deepEqual(await mcp.ok('forget', { id: m.id }), { forgotten: m.id });
    assert.deepEqual(await mcp.ok('recall', { query: 'commit messages' }), []);
    const events = JSON.parse(run('--json', 'log', '--type', 'memory')) as { type: string; actor: string; source: string }[];
    assert.deepEqual(events.map((e) => [e.type, e.actor, e.source]), [['memory.forgotten', 'next-session', 'agent'], ['memory.created', 'test-agent', 'agent']]);
  });

  it('recent_activity: what changed since a time, newest first, one line each', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const t = await mcp.ok<Task>('task_create', { projectId, title: 'Pick a landing site' });
    await mcp.ok('task_update', { id: t.id, expectedVersion: 1, status: 'in_progress' });
    const items = await mcp.ok<{ kind: string; id: string; type: string; actor: string; summary: string }[]>('recent_activity', { since, kinds: ['task'] });
    assert.deepEqual(items.map((i) => [i.type, i.actor]), [['task.status_changed', 'test-agent'], ['task.created', 'test-agent']]);
    assert.match(items[0]!.summary, /status: "pending" → "in_progress"/);
    assert.match(items[1]!.summary, /"Pick a landing site"/);
    assert.deepEqual(await mcp.ok('recent_activity', { since: new Date(Date.now() + 60_000).toISOString() }), []);
  });

  it('a note another program writes into the vault is indexed as it changes: the agent finds it without an index call', async () => {
    fs.writeFileSync(path.join(vault, 'Skylab.md'), '# Skylab\n\nThe first space station of the United States, visited by three crews.\n');
    const hit = await waitFor('the new note searchable', async () => {
      const hits = await mcp.ok<{ path: string }[]>('search', { query: 'space station', mode: 'text' });
      if (hits[0]?.path !== 'Skylab.md') throw new Error(JSON.stringify(hits));
      return hits[0];
    });
    assert.equal(hit.path, 'Skylab.md');
  });

  it('resources: notes and tasks listed in pages and read; an unknown address is an error', async () => {
    const task = await mcp.ok<Task>('task_create', { projectId, title: 'Build the lander' });
    const listed = [];
    let cursor: string | undefined;
    do {
      const page = await mcp.client.listResources(cursor ? { cursor } : {});
      listed.push(...page.resources.map((r) => r.uri));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(listed, ['cairn://note/Apollo.md', 'cairn://note/rockets/Saturn%20V.md', `cairn://task/${task.id}`]);
    const note = await mcp.client.readResource({ uri: 'cairn://note/rockets/Saturn%20V.md' });
    assert.match((note.contents[0] as { text: string }).text, /burned kerosene/);
    const read = await mcp.client.readResource({ uri: `cairn://task/${task.id}` });
    assert.equal(JSON.parse((read.contents[0] as { text: string }).text).title, 'Build the lander');
    await assert.rejects(mcp.client.readResource({ uri: 'cairn://note/..%2F..%2Fetc%2Fpasswd' }), /not inside the vault|No note/);
    await assert.rejects(mcp.client.readResource({ uri: 'file:///etc/passwd' }), /Unknown resource/);
  });

  it('resources: a task made by another process, or a note indexed, tells the client the list changed', async () => {
    let changed = 0;
    mcp.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      changed++;
    });
    assert.deepEqual(mcp.client.getServerCapabilities()?.resources, { listChanged: true });
    run('task', 'add', '--project', projectId, 'Made in the CLI');
    await waitFor('resources/list_changed after a task was added', () => changed >= 1);
    const seen = changed;
    fs.writeFileSync(path.join(vault, 'Gemini.md'), '# Gemini\n');
    run('index');
    await waitFor('resources/list_changed after the vault was indexed', () => changed > seen);
    const listed = (await mcp.client.listResources()).resources.map((r) => r.uri);
    assert.ok(listed.includes('cairn://note/Gemini.md'), listed.join());
  });

  it('bad input on every tool is a tool error an agent can act on, nothing is written, and the server keeps serving', async () => {
    const tools = (await mcp.client.listTools()).tools;
    const before = run('--json', 'log', '--limit', '1');
    const huge = 'x'.repeat(2_000_000);
    for (const t of tools) {
      for (const args of [{ nonsense: 1 }, { ...Object.fromEntries(Object.keys(t.inputSchema.properties ?? {}).map((k) => [k, huge])) }, { ...Object.fromEntries(Object.keys(t.inputSchema.properties ?? {}).map((k) => [k, { deep: [1, null] }])) }]) {
        const r = await mcp.call(t.name, args);
        if (Object.keys(args).length === 0) continue; // a tool without params has nothing to get wrong
        assert.equal(r.isError, true, `${t.name} ${JSON.stringify(args).slice(0, 80)}: ${r.text.slice(0, 200)}`);
        assert.ok(r.text.length < 2000, `${t.name}: a short message`);
        assert.doesNotMatch(r.text, /\n\s+at |SQLITE|select |insert /i, `${t.name}: no stack or SQL`);
      }
    }
    assert.equal(run('--json', 'log', '--limit', '1'), before, 'nothing written');
    const actor = await mcp.call('create_entities', { entities: [{ name: 'Eve', entityType: 'person', observations: [] }], actor: 'someone-else' });
    assert.equal(actor.isError, true);
    assert.match(actor.text, /actor is not an argument/);
    const unknown = await mcp.call('drop_everything', {});
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /Unknown tool "drop_everything".*offers: create_entities/);
    assert.equal((await mcp.ok<Task[]>('task_list', {})).length, 0, 'still serving');
  });

  it('an answer over the token budget is cut to fit and says how to page on', async () => {
    const entities = Array.from({ length: 300 }, (_, i) => ({ name: `Entity ${String(i).padStart(3, '0')}`, entityType: 'thing', observations: [`observation number ${i} about something rather long, to take up tokens`] }));
    await mcp.ok('create_entities', { entities });
    const small = await connect(['--store', store, '--vault', vault, 'mcp', '--max-tokens', '2000']);
    try {
      const r = await small.call('read_graph', { limit: 300 });
      assert.equal(r.isError, false, r.text);
      assert.ok(r.text.length / 4 <= 2000, `${r.text.length} characters`);
      const page = JSON.parse(r.text) as { entities: unknown[]; total: number; nextOffset: number };
      assert.equal(page.nextOffset, page.entities.length, 'the next page starts after what was kept');
      assert.ok(page.entities.length > 5 && page.entities.length < 300, `${page.entities.length} entities kept`);
      const note = r.result.content[1] as { text: string };
      assert.match(note.text, /^Cut to \d+ of \d+ items \(in entities\) to stay within 2000 tokens: page on from nextOffset\.$/);
      // Paging on from nextOffset misses nothing: every entity comes, each once.
      const seen: string[] = [];
      for (let offset: number | null = 0, pages = 0; offset !== null && pages < 100; pages++) {
        const next = JSON.parse((await small.call('read_graph', { offset, limit: 300 })).text) as { entities: { name: string }[]; nextOffset: number | null };
        seen.push(...next.entities.map((e) => e.name));
        offset = next.nextOffset;
      }
      assert.deepEqual(seen.filter((n) => n.startsWith('Entity ')), entities.map((e) => e.name), 'every entity, in order, once (the notes are nodes too)');
      assert.equal(seen.length, new Set(seen).size);
    } finally {
      await small.close();
    }
  });

  it('a store that cannot be opened: every tool answers why, and the server stays up', async () => {
    const missing = path.join(tempDir('cairn-mcp-'), 'nowhere');
    const broken = await connect(['--store', missing, 'mcp']);
    try {
      const r = await broken.call('task_list', {});
      assert.equal(r.isError, true);
      assert.match(r.text, /store/i);
      assert.equal((await broken.call('search_nodes', { query: 'x' })).isError, true, 'still serving');
    } finally {
      await broken.close();
    }
    assert.ok(!fs.existsSync(missing), 'no store is created by mcp');
  });
});
