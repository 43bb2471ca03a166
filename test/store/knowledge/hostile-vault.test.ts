// A hostile vault, built for real in temp folders: symlinks leading out of the vault (a linked folder, a note linked
// to a file elsewhere, a link to a device), a FIFO named like a note, names that are not valid UTF-8, YAML that
// refers to itself or explodes, a megabyte of front matter, megabytes of links, a periodic note among the decision
// records. Nothing is read from or written to outside the vault, every bad file is skipped or indexed as far as it
// goes with a reason, and the good notes are always indexed.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexPaths, indexVault, type IndexReport } from '../../../src/store/knowledge/indexer';
import { noteLinksOf } from '../../../src/store/knowledge/links';
import { MAX_FRONT_MATTER_BYTES, MAX_LINKS_PER_NOTE } from '../../../src/store/knowledge/markdown';
import { createDecision, createNote, openDailyNote } from '../../../src/store/knowledge/newNotes';
import { createPlaceholderNote } from '../../../src/store/knowledge/placeholderNote';
import { renameNote } from '../../../src/store/knowledge/rename';
import { searchText } from '../../../src/store/knowledge/search';
import type { Store } from '../../../src/store/store';
import { cli, human, openTempStore, rejectsWith, requireBuilt, startBackend, tempDir, useTempStore, writeTree } from '../../helpers';

const found = async (store: Store, word: string) => (await searchText(store, word)).map((h) => h.path).sort();
const reasonOf = (r: IndexReport, p: string) => r.skipped.find((s) => s.path === p)?.reason;
const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : []);


/** A vault beside a folder outside it, with links from the vault to it. */
function vaultWithLinksOut(): { vault: string; outside: string } {
  const root = tempDir();
  const outside = writeTree({ 'secret.md': '# Secret\n\nzanzibarword from outside the vault\n', 'inside.md': '# Elsewhere\n\nquokkaword\n' }, path.join(root, 'outside'));
  const vault = writeTree({ 'a.md': '# A\n\n[[b]] and [[secret]]\n', 'sub/b.md': '# B\n\nwombatword\n' }, path.join(root, 'vault'));
  fs.symlinkSync(outside, path.join(vault, 'linkdir')); // a folder leading out
  fs.symlinkSync(path.join(outside, 'secret.md'), path.join(vault, 'passwd.md')); // a note leading out
  fs.symlinkSync('/dev/null', path.join(vault, 'device.md')); // a device named like a note
  fs.symlinkSync(path.join(vault, 'sub', 'b.md'), path.join(vault, 'alias.md')); // a link that stays inside: followed
  return { vault, outside };
}

describe('knowledge: a hostile vault', () => {
  let store: Store;
  useTempStore((s) => (store = s));

  describe('symlinks never carry reads or writes out of the vault', () => {
    it('the index skips, with the reason, every note whose real path is outside the vault; links inside are followed', async () => {
      const { vault, outside } = vaultWithLinksOut();
      const r = await indexVault(store, vault, human);
      assert.deepEqual((await store.conn.all<{ path: string }>('SELECT path FROM notes ORDER BY path')).map((n) => n.path), ['a.md', 'alias.md', 'sub/b.md']);
      assert.match(reasonOf(r, 'passwd.md') ?? '', new RegExp(`symbolic link to ${path.join(outside, 'secret.md')}, outside the vault`));
      assert.match(reasonOf(r, 'linkdir') ?? '', /outside the vault: not followed/);
      assert.match(reasonOf(r, 'device.md') ?? '', /symbolic link to \/dev\/null, outside the vault/);
      assert.deepEqual(await found(store, 'zanzibarword'), [], 'nothing from outside is searchable');
      assert.deepEqual(await found(store, 'quokkaword'), []);
      assert.deepEqual(await found(store, 'wombatword'), ['alias.md', 'sub/b.md']);
      assert.deepEqual((await noteLinksOf(store.orm, 'a.md')).outgoing.map((l) => [l.target, l.path]), [['b', 'sub/b.md'], ['secret', null]]);

      const byPath = await indexPaths(store, vault, ['passwd.md', 'linkdir', 'linkdir/secret.md', 'device.md'], human);
      assert.equal(byPath.added, 0, 'the watcher path reads nothing outside either');
      assert.match(reasonOf(byPath, 'passwd.md') ?? '', /outside the vault/);
      assert.match(reasonOf(byPath, 'linkdir') ?? '', /outside the vault/);
      assert.deepEqual(await found(store, 'zanzibarword'), []);
    });

    it('a note replaced by a link out of the vault leaves the index (full run and watcher run)', async () => {
      const { vault, outside } = vaultWithLinksOut();
      writeTree({ 'c.md': '# C\n\nplatypusword\n', 'd.md': '# D\n\nechidnaword\n' }, vault);
      await indexVault(store, vault, human);
      assert.deepEqual(await found(store, 'platypusword'), ['c.md']);
      for (const name of ['c.md', 'd.md']) {
        fs.rmSync(path.join(vault, name));
        fs.symlinkSync(path.join(outside, 'secret.md'), path.join(vault, name));
      }
      await indexPaths(store, vault, ['c.md'], human);
      const full = await indexVault(store, vault, human);
      assert.equal(full.removed, 1);
      assert.deepEqual([await found(store, 'platypusword'), await found(store, 'echidnaword'), await found(store, 'zanzibarword')], [[], [], []]);
    });

    it('new notes, daily notes, decisions, placeholders and renames refuse to write through a link out of the vault', async () => {
      const { vault, outside } = vaultWithLinksOut();
      writeTree({ 'c.md': '# C\n\n[[Lost]]\n' }, vault);
      await indexVault(store, vault, human);
      const before = listing(outside);
      const out = /leads outside the vault .* through a symbolic link/;
      await rejectsWith(createNote(store, vault, human, { title: 'Evil', folder: 'linkdir' }), 'invalid', out);
      await rejectsWith(createNote(store, vault, human, { title: 'Evil', folder: 'linkdir/deeper' }), 'invalid', out);
      await rejectsWith(openDailyNote(store, vault, human, { folder: 'linkdir', date: '2026-11-24' }), 'invalid', out);
      await rejectsWith(createDecision(store, vault, human, { title: 'Evil', folder: 'linkdir' }), 'invalid', out);
      await rejectsWith(createPlaceholderNote(store, vault, human, 'linkdir/Lost'), 'invalid', out);
      await rejectsWith(renameNote(store, vault, human, 'c', 'linkdir/c'), 'invalid', out);
      assert.deepEqual(listing(outside), before, 'nothing was written outside');
      assert.ok(fs.existsSync(path.join(vault, 'c.md')), 'the note was not moved');

      // A note indexed while it was a file, then made a link out of the vault: renaming it moves nothing.
      fs.rmSync(path.join(vault, 'c.md'));
      fs.symlinkSync(path.join(outside, 'inside.md'), path.join(vault, 'c.md'));
      await rejectsWith(renameNote(store, vault, human, 'c', 'e'), 'invalid', out);
      assert.ok(fs.lstatSync(path.join(vault, 'c.md')).isSymbolicLink());
      assert.deepEqual(listing(outside), before);

      // A folder linked from inside the vault is the vault's own: writing there is fine.
      fs.symlinkSync(path.join(vault, 'sub'), path.join(vault, 'inner'));
      const made = await createNote(store, vault, human, { title: 'Fine', folder: 'inner' });
      assert.equal(made.path, 'inner/Fine.md');
      assert.ok(fs.existsSync(path.join(vault, 'sub', 'Fine.md')));
    });

    it('cairn note new / rename and the notes.* methods over JSON-RPC refuse with one clear line', async () => {
      requireBuilt();
      const { vault, outside } = vaultWithLinksOut();
      const storeDir = path.join(tempDir(), 'store');
      const run = (...args: string[]) => cli(['--store', storeDir, '--vault', vault, ...args]);
      assert.equal(run('index').status, 0);
      const before = listing(outside);
      for (const args of [['note', 'new', '--folder', 'linkdir', 'Evil'], ['note', 'rename', 'a', 'linkdir/a'], ['note', 'decision', '--folder', 'linkdir', 'Evil']]) {
        const r = run(...args);
        assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
        assert.match(r.stderr, /^cairn: linkdir(\/\S+)? leads outside the vault .* through a symbolic link\. Cairn never reads or writes notes outside the vault; choose a folder that is really in it\.\n$/);
      }
      const backend = startBackend(storeDir, ['--vault', vault, '--no-watch-vault']);
      try {
        for (const [method, params] of [
          ['notes.create', { title: 'Evil', folder: 'linkdir' }],
          ['notes.daily', { folder: 'linkdir', date: '2026-11-24' }],
          ['notes.createDecision', { title: 'Evil', folder: 'linkdir' }],
          ['notes.createPlaceholder', { target: 'linkdir/Lost' }],
          ['notes.rename', { note: 'a.md', newName: 'linkdir/a' }],
        ] as const) {
          await assert.rejects(backend.rpc.sendRequest(method, params), /leads outside the vault .* through a symbolic link/, method);
        }
      } finally {
        await backend.stop();
      }
      assert.deepEqual(listing(outside), before, 'nothing was written outside');
      assert.ok(fs.existsSync(path.join(vault, 'a.md')));
    });
  });

  describe('one bad file never stops the index', () => {
    const GOOD = { 'good/one.md': '# One\n\nkoalaword [[two]]\n', 'good/two.md': '# Two\n\nkiwiword [[one]]\n' };

    it('a YAML alias inside its own anchor, an alias bomb and a megabyte of front matter: indexed without their front matter, with the reason', async () => {
      const bomb = [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
        'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
        'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
        'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      ].join('\n');
      const big = Array.from({ length: 30_000 }, (_, i) => `key${i}: "value ${i} [[Note ${i}]]"`).join('\n');
      const vault = writeTree({
        ...GOOD,
        'circular.md': '---\nx: &x\n  y: *x\n---\n# Circular\n\ndingoword\n',
        'bomb.md': `---\n${bomb}\n---\n# Bomb\n\nemuword\n`,
        'big.md': `---\n${big}\n---\n# Big\n\nwallabyword\n`,
      });
      const r = await indexVault(store, vault, human);
      assert.deepEqual([r.notes, r.added, r.skipped], [5, 5, []]);
      for (const [note, word, problem] of [
        ['circular.md', 'dingoword', /The front matter could not be read: the alias \*x is used inside the value &x names, so that value would contain itself\. It was ignored/],
        ['bomb.md', 'emuword', /The front matter could not be read: its aliases \(\*name\) expand to more than 100 copies \(an "alias bomb"\)\. It was ignored/],
        ['big.md', 'wallabyword', /The front matter is \d+ KiB, more than the 256 KiB Cairn reads\. It was ignored/],
      ] as const) {
        const row = (await store.conn.get<{ frontMatter: string | null; diagnostics: string }>('SELECT front_matter AS frontMatter, diagnostics FROM notes WHERE path = ?', [note]))!;
        assert.equal(row.frontMatter, null, note);
        assert.match((JSON.parse(row.diagnostics) as { message: string }[])[0]!.message, problem);
        assert.deepEqual(await found(store, word), [note]);
      }
      assert.deepEqual(await found(store, 'koalaword'), ['good/one.md']);
      assert.ok(Buffer.byteLength(big) > MAX_FRONT_MATTER_BYTES);
    });

    it('notes of megabytes dense with links: the first MAX_LINKS_PER_NOTE links of each, and every other note', async () => {
      const vault = writeTree({
        ...GOOD,
        'dense line.md': `# Dense\n\nnumbatword ${'[[T]]'.repeat(1_000_000)}\n`,
        'dense lines.md': `# Lines\n\nquollword\n${'[[T]] and [t](T.md)\n'.repeat(200_000)}`,
        'T.md': '# T\n',
      });
      const r = await indexVault(store, vault, human, { embedder: null });
      assert.deepEqual([r.notes, r.skipped], [5, []]);
      for (const [note, word] of [['dense line.md', 'numbatword'], ['dense lines.md', 'quollword']] as const) {
        const links = await store.conn.get<{ n: number; resolved: number }>(
          'SELECT count(*) AS n, count(target_path) AS resolved FROM note_links WHERE note_id = (SELECT id FROM notes WHERE path = ?)',
          [note],
        );
        assert.deepEqual(links, { n: MAX_LINKS_PER_NOTE, resolved: MAX_LINKS_PER_NOTE }, note);
        assert.deepEqual(await found(store, word), [note]);
      }
      assert.deepEqual(await found(store, 'kiwiword'), ['good/two.md']);
      assert.equal((await indexVault(store, vault, human, { embedder: null })).unchanged, 5, 'the next run finds everything done');
    });

    it('a note the store refuses is skipped with the reason; the rest of its batch is written', async () => {
      const vault = writeTree({ ...GOOD, 'refused.md': '# Refused\n\nyakword\n', 'z.md': '# Z\n\nzebuword\n' });
      // A real refusal by SQLite (as a full disk or a corrupt page would be, but for this one row only).
      await store.conn.run("CREATE TRIGGER refuse_one BEFORE INSERT ON notes WHEN NEW.path = 'refused.md' BEGIN SELECT RAISE(ABORT, 'refused'); END");
      const r = await indexVault(store, vault, human, { embedder: null });
      assert.deepEqual([r.notes, r.added], [3, 3]);
      assert.deepEqual(r.skipped, [{ path: 'refused.md', reason: 'could not be stored in the index (SQLITE_CONSTRAINT_TRIGGER: refused)' }]);
      assert.deepEqual([await found(store, 'zebuword'), await found(store, 'yakword')], [['z.md'], []]);
      await store.conn.run('DROP TRIGGER refuse_one');
      const again = await indexVault(store, vault, human, { embedder: null });
      assert.deepEqual([again.added, again.unchanged], [1, 3], 'the next run tries it again');
    });

    it('written in rounds (what bounds memory), the index is the one a single round makes', async () => {
      const files = {
        ...GOOD,
        'a.md': '# A\n\n[[Zed alias]] [[m]] [[gone]] [[pic.png]]\n',
        'm.md': '# M\n\n[[a]]\n',
        'z.md': '---\naliases: [Zed alias]\n---\n# Z\n\n[[a]]\n',
        'gone.md': '# Gone\n',
        'pic.png': 'png',
      };
      const outgoing = async (s: Store) => {
        const out: Record<string, string[]> = {};
        for (const p of ['a.md', 'm.md', 'z.md', 'good/one.md']) out[p] = (await noteLinksOf(s.orm, p)).outgoing.map((l) => `${l.target} -> ${l.path}`);
        return out;
      };
      const oneRound = await openTempStore();
      try {
        const vault = writeTree(files);
        await indexVault(oneRound, vault, human);
        await indexVault(store, vault, human, { roundBytes: 1 });
        assert.deepEqual(await outgoing(store), await outgoing(oneRound));
        fs.rmSync(path.join(vault, 'gone.md'));
        fs.writeFileSync(path.join(vault, 'm.md'), '---\naliases: [gone]\n---\n# M\n');
        const r = await indexVault(store, vault, human, { roundBytes: 1 });
        await indexVault(oneRound, vault, human);
        assert.deepEqual([r.updated, r.removed], [1, 1]);
        assert.deepEqual(await outgoing(store), await outgoing(oneRound));
        assert.equal((await outgoing(store))['a.md']![2], 'gone -> m.md', 'a name given by a later round reaches links written earlier');
      } finally {
        await oneRound.close();
      }
    });

    it('written in rounds, a new note that cannot be read is no link target (rounds name the notes they will read in advance)', async () => {
      const files = { 'a.md': '# A\n\n[[big]] [[b]]\n', 'b.md': '# B\n\n[[big]]\n', 'big.md': `# Big\n\n${'x'.repeat(5000)}\n` };
      const vault = writeTree(files);
      const r = await indexVault(store, vault, human, { roundBytes: 1, maxFileBytes: 1000 });
      assert.deepEqual(r.skipped.map((s) => s.path), ['big.md']);
      const links = await store.conn.all<{ path: string; target: string; targetPath: string | null }>(
        'select n.path, l.target, l.target_path as targetPath from note_links l join notes n on n.id = l.note_id order by n.path, l.target',
      );
      assert.deepEqual(links, [
        { path: 'a.md', target: 'b', targetPath: 'b.md' },
        { path: 'a.md', target: 'big', targetPath: null },
        { path: 'b.md', target: 'big', targetPath: null },
      ]);
    });
  });

  describe('files that are not notes', () => {
    it('a FIFO, and names that are not valid UTF-8, are skipped with the reason (the index never hangs on a FIFO)', async () => {
      const vault = writeTree({ 'ok.md': '# Ok\n\nmarmotword\n', 'folder/in.md': '# In\n' });
      execFileSync('mkfifo', [path.join(vault, 'pipe.md')]);
      const bad = (rel: string) => Buffer.concat([Buffer.from(`${vault}/`), Buffer.from(rel, 'latin1')]);
      fs.writeFileSync(bad('caf\xe9.md'), '# Latin-1 name\n');
      fs.mkdirSync(bad('d\xe9j\xe0'));
      fs.writeFileSync(Buffer.concat([bad('d\xe9j\xe0'), Buffer.from('/n.md')]), '# Under a Latin-1 folder\n');
      const r = await indexVault(store, vault, human);
      assert.deepEqual([r.notes, r.added], [2, 2]);
      assert.equal(reasonOf(r, 'pipe.md'), 'not a regular file (a FIFO, socket or device): never read');
      const notUtf8 = r.skipped.filter((s) => s.reason === 'the file name is not valid UTF-8 (rename the file to read it)').map((s) => s.path);
      assert.deepEqual(notUtf8.sort(), ['caf\uFFFD.md', 'd\uFFFDj\uFFFD']);
      const byPath = await indexPaths(store, vault, ['pipe.md'], human);
      assert.equal(reasonOf(byPath, 'pipe.md'), 'not a regular file (a FIFO, socket or device): never read');
      assert.deepEqual(await found(store, 'marmotword'), ['ok.md']);
    });

    it('decision numbers come only from NNNN-title.md names: daily, weekly, monthly and quarterly notes do not count', async () => {
      const vault = writeTree({
        'decisions/0002-use-sqlite.md': '# 2. Use SQLite\n',
        'decisions/2026-01-01.md': 'a daily note in the wrong folder\n',
        'decisions/2026-W01.md': 'a weekly note\n',
        'decisions/2027-03.md': 'a monthly note\n',
        'decisions/2028-Q1.md': 'a quarterly note\n',
      });
      const made = await createDecision(store, vault, human, { title: 'Keep numbers small' });
      assert.deepEqual([made.path, made.number], ['decisions/0003-keep-numbers-small.md', 3]);
      await rejectsWith(createDecision(store, vault, human, { title: '01 01' }), 'invalid', /would make the file name 0004-01-01\.md, which reads as a date/);
    });
  });
});
