// Search that knows when to stop, on real stores and real vault files through the same `invoke` the RPC server, the
// MCP server and the CLI use: hybrid search's relevance floor (a small vault's question lists its answer, not every
// note; a task with every word of the question is never hidden), the templates folder left out of every mode, and
// the passage index (note_passages_fts) that hybrid ranks each note's best passage by, kept by the store's triggers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { searchPassages, type SearchHit } from '../../../src/store/knowledge/search';
import { RELEVANCE_FLOOR, searchHybrid } from '../../../src/store/knowledge/semanticSearch';
import { cleanupTempDirs, tempDir, writeTree } from '../../helpers';
import { opened, openCaller, type Call } from '../crypto/calls';

/** A new user's vault: six notes about their week, and the template their daily notes come from. */
const VAULT = {
  'Welcome.md': '# Welcome\n\nThis is my vault. I keep notes about work, home and the books I read.\n',
  'Groceries.md': '# Groceries\n\n- oat milk\n- eggs\n- spinach\n- coffee beans\n- rye bread\n',
  'Trip to Lisbon.md': '# Trip to Lisbon\n\nFlights booked for May. Hotel near the river in Alfama; visit the tile museum and eat pastéis de nata in Belém.\n',
  'Dentist.md': '# Dentist\n\nCheck-up and cleaning on Thursday at 9:30 with Dr. Moreau. Bring the insurance card; the clinic is on Rue Victor Hugo.\n',
  'Reading list.md': '# Reading list\n\n- Sapiens\n- The Design of Everyday Things\n- Thinking, Fast and Slow\n',
  'Project Atlas kickoff.md': '# Project Atlas kickoff\n\nAttendees: Ana, Ben, Chloé. We agreed on the scope of the first milestone and a weekly meeting on Mondays.\n\n## Action items\n\n- Ben drafts the plan\n- Ana books the room\n',
  'templates/Meeting.md': '# {{title}}\n\nDate: {{date}}\n\nAttendees:\n\n## Agenda\n\n## Notes\n\n## Action items\n',
};

const paths = (hits: SearchHit[]) => hits.map((h) => h.id);

describe('search: a relevance floor, templates left out, passages indexed', function () {
  this.timeout(60_000);
  let dir: string;
  let call: Call;
  const search = (query: string, more: object = {}): Promise<SearchHit[]> => call('knowledge.search', { query, ...more });

  beforeEach(async () => {
    dir = path.join(tempDir(), 'store');
    call = await openCaller(dir);
    writeTree(VAULT, path.join(dir, 'vault'));
    await call('knowledge.index', {});
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanupTempDirs();
  });

  it('a question over a small vault shows its answer first and stops; the template is not among the hits', async () => {
    const hits = await search('when is my appointment at the dentist');
    assert.equal(hits[0]?.id, 'Dentist.md', JSON.stringify(paths(hits)));
    assert.ok(hits.length < 6, `only the notes above the floor, not all six: ${JSON.stringify(paths(hits))}`);
    // Without the floor every note would be listed (each is somewhat near in meaning), and the hits' scores go down.
    const all = await searchHybrid(opened[0]!, 'when is my appointment at the dentist', { limit: 20, floor: false });
    assert.equal(all.length, 6, JSON.stringify(paths(all)));
    assert.deepEqual(paths(hits), paths(all).slice(0, hits.length), 'the floor cuts the tail, it does not reorder');

    const meeting = await search('meeting attendees and action items');
    assert.equal(meeting[0]?.id, 'Project Atlas kickoff.md', JSON.stringify(paths(meeting)));
    assert.ok(!paths(meeting).includes('templates/Meeting.md'), 'the template has the same words, but is no answer');
  });

  it('a question the vault cannot answer gets at most the nearest note by meaning, not every note', async () => {
    for (const question of ['how do I repot a cactus', 'football scores', 'quarterly tax return deadline']) {
      const hits = await search(question);
      assert.ok(hits.length <= 1, `${question}: ${JSON.stringify(paths(hits))}`);
      assert.equal((await searchHybrid(opened[0]!, question, { limit: 20, floor: false })).length, 6, 'without the floor: all six');
    }
    // Text search (every word, as typed) never needed a floor: nothing matches.
    assert.deepEqual(await search('football scores', { mode: 'text' }), []);
  });

  it('the templates folder is left out of every mode unless the search asks for it', async () => {
    for (const mode of ['text', 'semantic', 'hybrid']) {
      assert.ok(!paths(await search('agenda attendees notes', { mode })).includes('templates/Meeting.md'), mode);
      // A folder inside the templates folder is asked for on purpose.
      assert.deepEqual(paths(await search('agenda attendees', { mode, folder: 'templates' })), ['templates/Meeting.md'], mode);
    }
    // "" names no templates folder: everything is searched; another folder can be named (case as on disk or not).
    assert.ok(paths(await search('agenda', { mode: 'text', templatesFolder: '' })).includes('templates/Meeting.md'));
    fs.mkdirSync(path.join(dir, 'vault', 'Meta', 'Templates'), { recursive: true });
    fs.renameSync(path.join(dir, 'vault', 'templates', 'Meeting.md'), path.join(dir, 'vault', 'Meta', 'Templates', 'Meeting.md'));
    await call('knowledge.index', {});
    assert.deepEqual(paths(await search('agenda', { mode: 'text' })), ['Meta/Templates/Meeting.md'], 'not in the default templates folder: found');
    assert.deepEqual(paths(await search('agenda', { mode: 'text', templatesFolder: 'meta/templates/' })), []);
    assert.deepEqual(paths(await search('agenda', { mode: 'text', templatesFolder: 'Meta/Templates', folder: 'Meta/Templates/' })), ['Meta/Templates/Meeting.md']);
  });

  it('a task with every word of the question is shown even below the floor', async () => {
    const { id: projectId } = await call('projects.create', { name: 'Home' });
    // Notes that talk at length about the dentist and the clinic score far above a short task that names both once.
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(
        path.join(dir, 'vault', `Dental care ${i}.md`),
        `# Dental care ${i}\n\nThe dentist at the clinic said to floss daily. The dentist cleans teeth at the clinic twice a year; the clinic reminds patients of the dentist's advice.\n`,
      );
    }
    await call('knowledge.index', {});
    const task = await call('tasks.create', { projectId, title: 'Pay the bill', description: 'Dentist clinic invoice, due Friday.' });
    const question = 'dentist clinic';
    const unfloored = await searchHybrid(opened[0]!, question, { limit: 50, floor: false });
    const taskHit = unfloored.find((h) => h.kind === 'task')!;
    assert.ok(taskHit, JSON.stringify(unfloored.map((h) => [h.kind, h.id, h.score])));
    assert.ok(taskHit.score < RELEVANCE_FLOOR * unfloored[0]!.score, `the task (${taskHit.score}) is under the floor (${RELEVANCE_FLOOR} × ${unfloored[0]!.score})`);
    const hits = await search(question);
    assert.ok(hits.some((h) => h.kind === 'task' && h.id === task.id), JSON.stringify(hits.map((h) => [h.kind, h.id])));
    // A task with only some of the words, and as far under the floor, is not.
    await call('tasks.update', { id: task.id, expectedVersion: task.version, description: 'Invoice from the clinic, due Friday.' });
    const partial = await search(question);
    assert.ok(!partial.some((h) => h.kind === 'task'), JSON.stringify(partial.map((h) => [h.kind, h.id, h.score])));
  });

  it("the passage index follows every change to a note's passages, and hybrid shows the best passage's line", async () => {
    const store = opened[0]!;
    const kickoff = path.join(dir, 'vault', 'Project Atlas kickoff.md');
    const hit = (await searchPassages(store, 'room'))[0]!;
    assert.deepEqual([hit.id, hit.line], ['Project Atlas kickoff.md', 7], 'the action items passage (its list starts on line 7, under its heading)');
    assert.match(hit.snippet, /room/);
    fs.writeFileSync(kickoff, fs.readFileSync(kickoff, 'utf8').replace('books the room', 'orders the catering'));
    await call('knowledge.index', {});
    assert.deepEqual(paths(await searchPassages(store, 'room')), []);
    assert.deepEqual(paths(await searchPassages(store, 'catering')), ['Project Atlas kickoff.md']);
    fs.rmSync(kickoff);
    await call('knowledge.index', {});
    assert.deepEqual(paths(await searchPassages(store, 'catering')), []);
    // The index and the passages it was made from agree (FTS5 checks every row of the external content).
    await store.conn.run(`insert into note_passages_fts (note_passages_fts, rank) values ('integrity-check', 1)`);
    const passages = (await store.conn.get<{ n: number }>('select count(*) as n from note_chunks where seq >= 0'))!.n;
    const indexed = (await store.conn.get<{ n: number }>(`select count(*) as n from note_passages_fts_docsize`))!.n;
    assert.equal(indexed, passages);
  });
});
