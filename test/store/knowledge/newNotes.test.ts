// Making notes on real temp vaults: template variables (Obsidian's Templates / Daily notes syntax, Moment.js
// formats), New Note from a template, the daily note (made once, then opened), numbered decision records with gaps,
// and bad input (existing names, illegal characters, a missing template folder, paths outside the vault) that
// writes nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDate } from '../../../src/store/knowledge/dateFormat';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { noteLinksOf } from '../../../src/store/knowledge/links';
import { createDecision, createNote, openDailyNote } from '../../../src/store/knowledge/newNotes';
import { expandTemplate, listTemplates } from '../../../src/store/knowledge/templates';
import type { Store } from '../../../src/store/store';
import { human, rejectsWith, tempDir, useTempStore } from '../../helpers';

function write(vault: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(vault, rel)), { recursive: true });
  fs.writeFileSync(path.join(vault, rel), content);
}
const read = (vault: string, rel: string) => fs.readFileSync(path.join(vault, rel), 'utf8');
const files = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : []);


// Tuesday 24 November 2026, 09:05:07 local time.
const NOW = new Date(2026, 10, 24, 9, 5, 7);

describe('knowledge: templates and date formats', () => {
  it('formats Moment.js tokens, escapes and weeks', () => {
    assert.equal(formatDate(NOW, 'YYYY-MM-DD'), '2026-11-24');
    assert.equal(formatDate(NOW, 'dddd, MMMM Do YYYY'), 'Tuesday, November 24th 2026');
    assert.equal(formatDate(NOW, 'ddd D MMM YY, h:mm A'), 'Tue 24 Nov 26, 9:05 AM');
    assert.equal(formatDate(NOW, 'HH:mm:ss [at] Q[Q]'), '09:05:07 at 4Q');
    assert.equal(formatDate(NOW, 'GGGG-[W]WW'), '2026-W48');
    assert.equal(formatDate(new Date(2027, 0, 1), 'GGGG-[W]WW E'), '2026-W53 5', 'ISO: Friday 1 January 2027 is in week 53 of 2026');
    assert.equal(formatDate(new Date(2026, 11, 31), 'gggg-[W]ww'), '2027-W01', 'US weeks: the week holding 1 January is week 1');
    assert.equal(formatDate(NOW, 'DDDD'), '328');
  });

  it('expands title, date, time, formats, offsets and yesterday/tomorrow; leaves unknown braces', () => {
    const text = '# {{title}}\nCreated {{date}} {{time}} / {{ DATE:dddd }} / {{time:HH.mm}} / {{date+1d}} {{date-1w:MM-DD}} / {{yesterday}} {{tomorrow}} / {{author}} {{title:x}}';
    assert.equal(
      expandTemplate(text, { title: 'Weekly sync', date: NOW }),
      '# Weekly sync\nCreated 2026-11-24 09:05 / Tuesday / 09.05 / 2026-11-25 11-17 / 2026-11-23 2026-11-25 / {{author}} {{title:x}}',
    );
    assert.equal(expandTemplate('{{date}} {{time}}', { title: 't', date: NOW, dateFormat: 'DD/MM/YYYY', timeFormat: 'h:mm a' }), '24/11/2026 9:05 am');
  });
});

describe('knowledge: new notes, daily notes and decision records', () => {
  let store: Store;
  let vault: string;
  useTempStore((s) => (store = s));
  beforeEach(async () => {
    vault = tempDir('cairn-vault-');
    write(vault, 'templates/Meeting.md', '---\ntags: [meeting]\n---\n# {{title}}\n\nDate: {{date:YYYY-MM-DD}} {{time}}\nSee [[Index]].\n');
    write(vault, 'templates/daily/Day.md', '# {{date:dddd D MMMM}}\n\n← [[{{yesterday}}]] · [[{{tomorrow}}]] →\n');
    write(vault, 'Index.md', '# Index\n');
    await indexVault(store, vault, human);
  });

  it('lists templates, sub-folders included', () => {
    assert.deepEqual(listTemplates(vault, 'templates'), [
      { name: 'daily/Day', path: 'templates/daily/Day.md' },
      { name: 'Meeting', path: 'templates/Meeting.md' },
    ]);
  });

  it('New Note from a template: variables expanded, file created and indexed at once', async () => {
    const r = await createNote(store, vault, human, { title: 'Sprint review', template: 'Meeting', now: NOW });
    assert.deepEqual([r.path, r.created], ['Sprint review.md', true]);
    assert.equal(r.absPath, path.join(vault, 'Sprint review.md'));
    assert.equal(read(vault, 'Sprint review.md'), '---\ntags: [meeting]\n---\n# Sprint review\n\nDate: 2026-11-24 09:05\nSee [[Index]].\n');
    const links = await noteLinksOf(store.orm, 'Sprint review');
    assert.deepEqual(links.outgoing.map((l) => l.path), ['Index.md'], 'indexed: its link already resolves');

    const plain = await createNote(store, vault, human, { title: 'Ideas.md', folder: 'inbox/2026' });
    assert.equal(plain.path, 'inbox/2026/Ideas.md');
    assert.equal(read(vault, 'inbox/2026/Ideas.md'), '# Ideas\n\n');
  });

  it('never overwrites: an existing note (or one made meanwhile) is refused and kept as it was', async () => {
    await rejectsWith(createNote(store, vault, human, { title: 'Index' }), 'conflict', /^Index\.md already exists\. Choose another name; Cairn never overwrites a note\.$/);
    assert.equal(read(vault, 'Index.md'), '# Index\n');
    // Two writers racing for one name: exactly one wins, the other is told.
    const results = await Promise.allSettled([createNote(store, vault, human, { title: 'Race', template: 'Meeting' }), createNote(store, vault, human, { title: 'Race' })]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.deepEqual(files(vault).filter((f) => f.includes('Race') || f.endsWith('.tmp')), ['Race.md'], 'no temp file left behind');
  });

  it('bad input: illegal names, a missing template folder or template, a folder outside the vault — nothing written', async () => {
    const before = files(vault);
    await rejectsWith(createNote(store, vault, human, { title: 'a/b' }), 'invalid', /contains "\/", which cannot be in a note name/);
    await rejectsWith(createNote(store, vault, human, { title: 'What?' }), 'invalid', /contains "\?"/);
    await rejectsWith(createNote(store, vault, human, { title: '[[x]]' }), 'invalid', /contains "\["/);
    await rejectsWith(createNote(store, vault, human, { title: 'two\nlines' }), 'invalid', /control characters or line breaks/);
    await rejectsWith(createNote(store, vault, human, { title: '' }), 'invalid', /is empty/);
    await rejectsWith(createNote(store, vault, human, { title: 'x'.repeat(300) }), 'invalid', /too long for a file name/);
    await rejectsWith(createNote(store, vault, human, { title: 'Ok', folder: '../outside' }), 'invalid', /is not a folder inside the vault/);
    await rejectsWith(createNote(store, vault, human, { title: 'Ok', template: 'Meeting', templatesFolder: 'no-such' }), 'not_found', /The templates folder "no-such" does not exist in the vault .*set cairn\.templatesFolder/);
    await rejectsWith(createNote(store, vault, human, { title: 'Ok', template: 'Nope' }), 'not_found', /There is no template "Nope" in the templates folder "templates"\. Templates there: daily\/Day, Meeting\./);
    await rejectsWith(createNote(store, path.join(vault, 'missing-vault'), human, { title: 'Ok' }), 'not_found', /The vault folder .* does not exist/);
    assert.deepEqual(files(vault), before);
  });

  it('Open Daily Note: made once from the daily template, then opened as it is', async () => {
    const first = await openDailyNote(store, vault, human, { template: 'daily/Day', now: NOW });
    assert.deepEqual([first.path, first.created], ['daily/2026-11-24.md', true]);
    assert.equal(read(vault, first.path), '# Tuesday 24 November\n\n← [[2026-11-23]] · [[2026-11-25]] →\n');
    fs.appendFileSync(path.join(vault, first.path), 'My notes.\n');
    const again = await openDailyNote(store, vault, human, { template: 'daily/Day', now: new Date(2026, 10, 24, 18, 0) });
    assert.deepEqual([again.path, again.created], ['daily/2026-11-24.md', false]);
    assert.match(read(vault, first.path), /My notes\.\n$/, 'the existing note is untouched');

    const nested = await openDailyNote(store, vault, human, { date: '2026-02-03', folder: 'journal', format: 'YYYY/MM/YYYY-MM-DD ddd', now: NOW });
    assert.equal(nested.path, 'journal/2026/02/2026-02-03 Tue.md');
    assert.equal(read(vault, nested.path), '', 'no template: an empty note, as Obsidian makes');
    await rejectsWith(openDailyNote(store, vault, human, { date: '2026-02-30' }), 'invalid', /"2026-02-30" is not a day: write it YYYY-MM-DD/);
    await rejectsWith(openDailyNote(store, vault, human, { format: 'YYYY: MM' }), 'invalid', /contains ":"/);
  });

  it('New Decision Record: numbered after the highest (gaps kept), slugged, with the standard sections', async () => {
    write(vault, 'decisions/0001-first.md', '# 1. First\n');
    write(vault, 'decisions/0003-third.md', '# 3. Third\n');
    write(vault, 'decisions/README.md', 'not numbered\n');
    const r = await createDecision(store, vault, human, { title: 'Use SQLite (WAL) for the store!', now: NOW });
    assert.deepEqual([r.path, r.number], ['decisions/0004-use-sqlite-wal-for-the-store.md', 4]);
    assert.equal(
      read(vault, r.path),
      '# 4. Use SQLite (WAL) for the store!\n\nDate: 2026-11-24\n\n## Status\n\nProposed\n\n## Context\n\nWhat is the issue that we are seeing that motivates this decision or change?\n\n## Decision\n\nWhat is the change that we are proposing and/or doing?\n\n## Consequences\n\nWhat becomes easier or more difficult to do because of this change?\n',
    );
    const [a, b] = await Promise.all([createDecision(store, vault, human, { title: 'Ä second' }), createDecision(store, vault, human, { title: 'Third one' })]);
    assert.deepEqual([a!.path, b!.path].sort(), ['decisions/0005-ä-second.md', 'decisions/0006-third-one.md']);
    const first = await createDecision(store, tempDir('cairn-vault-'), human, { title: 'Start' });
    assert.deepEqual([first.path, first.number], ['decisions/0001-start.md', 1], 'the folder is created for the first one');
    const top = await createDecision(store, vault, human, { title: 'At the top', folder: '' });
    assert.deepEqual([top.path, top.number], ['0001-at-the-top.md', 1], 'the folder "" is the vault itself');
    await rejectsWith(createDecision(store, vault, human, { title: '  ' }), 'invalid', /decision title is empty/);
    await rejectsWith(createDecision(store, vault, human, { title: '!!!' }), 'invalid', /has no letters or digits/);
  });
});
