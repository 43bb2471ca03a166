// Fuzzing the indexer (indexVault, in-process, on a real store) with hostile vaults: random Markdown with wikilinks,
// tags and front matter, YAML anchors and aliases (self-referential ones too), huge front matter, thousands of links,
// invalid UTF-8 in names and text, control characters, empty files, deep nesting, symlinks inside, outside, dangling
// and in loops, a FIFO named x.md. Properties: indexVault resolves; every *.md in the vault is indexed or listed in
// `skipped` with a reason; nothing outside the vault is indexed or read (atime of the files there); a second run
// finds everything unchanged; search in every mode never throws; the store passes integrity_check.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { indexVault, type IndexReport } from '../../src/store/knowledge/indexer';
import { listNotes } from '../../src/store/knowledge/catalog';
import { isNotePath } from '../../src/store/knowledge/scan';
import { searchByMode } from '../../src/store/knowledge/semanticSearch';
import { Store } from '../../src/store/store';
import { cleanupTempDirs, human, tempDir } from '../helpers';
import { budget, CANARY_WORD, fuzz, hostileString, Tally } from './fuzz';

const NAMES = ['Alpha', 'beta', 'Gamma Ray', 'alpha', 'Épée', '日本語', 'emoji 😀', 'a\tb', 'ctl\u0001x', 'new\nline', '-dash', '#hash', '[[x]]', 'x|y', 'a^b', 'CON', '...', ' lead', 'trail '];
const FOLDERS = ['a', 'b', 'Deep', 'ünï', 'sp ace', 'x.md', '.hidden', 'node_modules', '-f'];

/** One thing in the vault: a note (name as bytes, so it can be invalid UTF-8), a FIFO, or a symlink. */
type Entry =
  | { kind: 'note'; dir: string[]; name: Buffer; content: Buffer }
  | { kind: 'fifo'; dir: string[]; name: string }
  | { kind: 'link'; dir: string[]; name: string; to: 'note' | 'folder' | 'ancestor' | 'outside note' | 'outside folder' | 'outside fifo' | 'dangling' };

const nameArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('.md', '.md', '.md', '.MD', '.md.md', '.markdown')).map(([n, ext]) => Buffer.from(n + ext)) },
  { weight: 1, arbitrary: fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80]).map((bad) => Buffer.concat([Buffer.from('bad'), Buffer.from(bad), Buffer.from('.md')])) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 250 }).map((n) => Buffer.from('l'.repeat(n) + '.md')) },
);
const dirArb = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.constantFrom(...FOLDERS), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 60 }).map((n) => Array.from({ length: n }, (_, i) => `d${i}`)) },
);

const linkTarget = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom('', '|', '#', '#^', '../../outside/canary', '/etc/passwd', 'a'.repeat(5000), '..', 'x#^block', '日本語#見出し'));
const inline = fc.oneof(
  fc.constantFrom('alpha', 'beta', 'gamma', 'naïve', '日本語', 'emoji😀', 'word', '`[[in code]]`', '<b>html</b>', '$x^2$', '\\[[escaped]]', '**bold**'),
  linkTarget.map((t) => `[[${t}]]`),
  fc.tuple(linkTarget, fc.constantFrom('alias', '', '|', '[[x]]')).map(([t, a]) => `[[${t}|${a}]]`),
  linkTarget.map((t) => `![[${t}]]`),
  linkTarget.map((t) => `[text](${encodeURI(t)}.md)`),
  fc.constantFrom('[x](../../outside/canary.md)', '[x](</etc/passwd>)', '[x](<>)', '[x](', '![[', '[['),
  fc.constantFrom('#tag', '#a/b/c', '#123', '#ünï', '#', '##', '#a//b', '#-x'),
);
const line = fc.oneof(
  { weight: 6, arbitrary: fc.array(inline, { minLength: 1, maxLength: 8 }).map((w) => w.join(' ')) },
  { weight: 1, arbitrary: fc.constantFrom('# Heading', '## ', '###### deep', '```', '```js', '~~~', '> quote', '- [ ] task', '| a | b |', '---', '^block-id', ' ^x', '<!-- [[hidden]] -->') },
  { weight: 1, arbitrary: hostileString },
);
const billionLaughs = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');
const frontMatter = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '---\ntitle: T\ntags: [a, b/c]\naliases: [Alias One]\n---\n',
      '---\na: &x [*x]\n---\n',
      '---\n&a [*a]\n---\n',
      '---\nb: &b\n  c: *b\n---\n',
      '---\nx: *undefined\n---\n',
      `---\n${billionLaughs}\n---\n`,
      '---\ntags: 5\naliases: {a: 1}\ntasks: [1, null, {x: y}]\n---\n',
      '---\nkey: value\nkey: dup\n---\n',
      '---\n: bad\n  - [\n---\n',
      '---\n',
      '---\n---\n',
      '---\ntags: !!binary aGVsbG8=\ndate: !!timestamp 2001-12-14\n---\n',
      '---\n!!python/object:os.system x\n---\n',
      '---\r\ntitle: crlf\r\n---\r\n',
      '\uFEFF---\ntitle: bom\n---\n',
      '---\nrelated: ["[[Alpha]]", "[[../../outside/canary]]"]\n---\n',
      '---\nprivate: true\n---\n',
      '---\naliases: [[[[[[[[[[x]]]]]]]]]]\n---\n',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 40_000 }).map((n) => `---\n${Array.from({ length: n }, (_, i) => `k${i}: value ${i}`).join('\n')}\n---\n`) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => `---\nx: ${'['.repeat(n)}${']'.repeat(n)}\n---\n`) },
);
const contentArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(frontMatter, fc.array(line, { maxLength: 25 }), fc.constantFrom('\n', '\r\n')).map(([fm, lines, eol]) => Buffer.from(fm + lines.join(eol))) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 5_000 }).map((n) => Buffer.from(Array.from({ length: n }, (_, i) => `[[n${i % 97}]] #t${i % 13}`).join(' '))) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constantFrom([0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80]).map((bad) => Buffer.concat([Buffer.from('# Bad bytes\n\ntext '), Buffer.from(bad), Buffer.from(' [[Alpha]]\n')])) },
);

/** An entry that prints short in a counterexample (a note's content as its size and first bytes). */
function shown(e: Entry): Entry {
  const where = [...e.dir.slice(0, 4), ...(e.dir.length > 4 ? [`…${e.dir.length - 4} more`] : [])].join('/');
  const what =
    e.kind === 'note'
      ? `note ${JSON.stringify(e.name.toString('latin1'))} (${e.content.length} bytes: ${JSON.stringify(e.content.subarray(0, 60).toString('latin1'))})`
      : e.kind === 'fifo'
        ? `fifo ${e.name}`
        : `link ${e.name} → ${e.to}`;
  return Object.assign(e, { [fc.toStringMethod]: () => `${what} in /${where}` });
}

const entryArb: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('note' as const), dir: dirArb, name: nameArb, content: contentArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fifo' as const), dir: dirArb, name: fc.constantFrom('x.md', 'pipe.md', 'pipe') }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('link' as const),
      dir: dirArb,
      name: fc.constantFrom('link.md', 'link', 'out.md', 'loop', 'dangling.md'),
      to: fc.constantFrom('note' as const, 'folder' as const, 'ancestor' as const, 'outside note' as const, 'outside folder' as const, 'outside fifo' as const, 'dangling' as const),
    }),
  },
).map(shown);

/** Writes the entries under vault (one that cannot be made where another already is is left out); returns the FIFOs made. */
function writeVault(vault: string, outside: string, entries: Entry[]): string[] {
  const fifos: string[] = [];
  for (const e of entries) {
    try {
      const dir = path.join(vault, ...e.dir);
      fs.mkdirSync(dir, { recursive: true });
      if (e.kind === 'note') {
        fs.writeFileSync(Buffer.concat([Buffer.from(dir + '/'), e.name]), e.content);
      } else if (e.kind === 'fifo') {
        execFileSync('mkfifo', [path.join(dir, e.name)], { stdio: 'ignore' });
        fifos.push(path.join(dir, e.name));
      } else {
        const target = {
          note: path.join(vault, 'Alpha.md'),
          folder: path.join(vault, 'a'),
          ancestor: vault,
          'outside note': path.join(outside, 'canary.md'),
          'outside folder': outside,
          'outside fifo': path.join(outside, 'fifo.md'),
          dangling: path.join(vault, 'nowhere', 'gone.md'),
        }[e.to];
        fs.symlinkSync(path.relative(dir, target) || '.', path.join(dir, e.name));
      }
    } catch (err) {
      if (!['EEXIST', 'ENOTDIR', 'ENAMETOOLONG', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '') && !String(err).includes('mkfifo')) throw err;
    }
  }
  return fifos;
}

/**
 * What the vault holds, walked by lstat: every *.md entry that must be indexed or skipped, those that must be
 * skipped (not regular files: a FIFO), and the links that lead outside.
 */
function expectations(vault: string): { notes: string[]; special: string[]; outside: string[] } {
  const vaultReal = fs.realpathSync(vault);
  const notes: string[] = [];
  const special: string[] = [];
  const outside: string[] = [];
  const walk = (abs: Buffer, rel: string, ancestors: Set<string>) => {
    for (const name of fs.readdirSync(abs, { encoding: 'buffer' })) {
      const shown = name.toString('utf8');
      if (shown.startsWith('.') || shown === 'node_modules') continue; // the scan's documented exclusions
      const childAbs = Buffer.concat([abs, Buffer.from('/'), name]);
      const childRel = rel ? `${rel}/${shown}` : shown;
      const lst = fs.lstatSync(childAbs);
      let real: string;
      try {
        real = fs.realpathSync(childAbs);
      } catch {
        if (isNotePath(shown)) notes.push(childRel); // a dangling link named *.md
        continue;
      }
      if (lst.isSymbolicLink() && real !== vaultReal && !real.startsWith(vaultReal + '/')) {
        outside.push(childRel);
        if (isNotePath(shown)) notes.push(childRel);
        continue;
      }
      const stat = fs.statSync(childAbs);
      if (stat.isDirectory()) {
        if (!ancestors.has(real)) walk(childAbs, childRel, new Set([...ancestors, real]));
      } else if (isNotePath(shown)) (stat.isFile() ? notes : special).push(childRel);
    }
  };
  walk(Buffer.from(vault), '', new Set([vaultReal]));
  return { notes, special, outside };
}

/**
 * After 20 s, opens each FIFO for writing and closes it, so an indexer stuck reading one gets end-of-file instead
 * of hanging CI; `fired` then says it had to.
 */
function fifoWatchdog(fifos: string[], marker: string) {
  const child = spawn('sh', ['-c', 'sleep 20; : > "$0"; for f in "$@"; do exec 3<>"$f"; exec 3>&-; done', marker, ...fifos], { stdio: 'ignore', detached: true });
  return {
    fired: () => fs.existsSync(marker),
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // it already ran to its end
      }
    },
  };
}

const within = (p: string, roots: string[]) => roots.some((r) => p === r || p.startsWith(`${r}/`));

describe('fuzz: the indexer on hostile vaults', function () {
  after(() => cleanupTempDirs());

  // A bound on a hang, not on speed: 150 runs take 130–160 s in CI, and twice that on a loaded machine.
  const b = budget(150, 7304, 600_000);
  it(`indexVault resolves, accounts for every note, reads nothing outside the vault, and search never throws (${b.label})`, async function () {
    this.timeout(b.timeoutMs);
    const tally = new Tally('vault');
    await fuzz(
      tally,
      b,
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 25 }), fc.boolean(), fc.array(fc.oneof(fc.constantFrom('alpha', 'beta', 'naïve', '日本語', CANARY_WORD, 'n7', 't3'), hostileString), { minLength: 1, maxLength: 4 }), async (entries, embed, queries) => {
        tally.add('vaults');
        tally.add('entries', entries.length);
        const root = tempDir('cairn-fuzz-vault-');
        const vault = path.join(root, 'vault');
        const outside = path.join(root, 'outside');
        fs.mkdirSync(path.join(vault, 'a'), { recursive: true });
        fs.mkdirSync(path.join(outside, 'sub'), { recursive: true });
        fs.writeFileSync(path.join(vault, 'Alpha.md'), '# Alpha\n\n[[Beta]] #start\n');
        fs.writeFileSync(path.join(outside, 'canary.md'), `# Canary\n\n${CANARY_WORD}\n`);
        fs.writeFileSync(path.join(outside, 'sub', 'deeper.md'), `# Deeper\n\n${CANARY_WORD}\n`);
        execFileSync('mkfifo', [path.join(outside, 'fifo.md')]);
        const fifos = [path.join(outside, 'fifo.md'), ...writeVault(vault, outside, entries)];
        // Reading a file moves its atime past its mtime (relatime): set it well before, to see any read.
        const past = new Date('2001-01-01T00:00:00Z');
        for (const f of ['canary.md', 'sub/deeper.md']) fs.utimesSync(path.join(outside, f), past, new Date());
        const atimes = () => ['canary.md', 'sub/deeper.md'].map((f) => `${f} ${fs.statSync(path.join(outside, f)).atimeMs}`);
        const atimesBefore = atimes();
        const expected = expectations(vault);

        const store = await Store.open(path.join(root, 'store'));
        const watchdog = fifoWatchdog(fifos, path.join(root, 'watchdog-fired'));
        try {
          const options = { embedder: embed ? undefined : null };
          let first: IndexReport;
          try {
            first = await indexVault(store, vault, human, options);
          } catch (err) {
            assert.fail(`indexVault threw: ${(err as Error).stack}`);
          }
          tally.add('notes indexed', first.notes);
          tally.add('skipped', first.skipped.length);
          const indexed = new Set((await listNotes(store, { limit: 100_000 })).notes.map((n) => n.path));
          const skipped = first.skipped.map((s) => s.path);
          for (const s of first.skipped) assert.ok(s.reason.trim().length > 0, `skipped ${s.path} has a reason`);
          assert.ok(!watchdog.fired(), 'the indexer blocked on a FIFO (20 s)');
          const missing = [...expected.notes, ...expected.special].filter((p) => !indexed.has(p) && !within(p, skipped));
          assert.deepEqual(missing, [], 'every *.md in the vault is indexed or listed in skipped with a reason');
          assert.deepEqual(expected.special.filter((p) => indexed.has(p)), [], 'a FIFO named *.md is skipped, never read as a note');
          const leaked = [...indexed].filter((p) => within(p, expected.outside));
          assert.deepEqual(leaked, [], 'nothing outside the vault is indexed');
          assert.deepEqual(atimes(), atimesBefore, 'nothing outside the vault is read');

          const second = await indexVault(store, vault, human, options);
          assert.deepEqual([second.added, second.updated, second.removed, second.notes], [0, 0, 0, first.notes], 'a second run finds everything unchanged');

          for (const q of [...queries, CANARY_WORD]) {
            // Without embeddings, semantic search refuses by design ("Nothing is embedded yet…").
            for (const mode of embed ? (['text', 'hybrid', 'semantic'] as const) : (['text', 'hybrid'] as const)) {
              tally.add('searches');
              let hits;
              try {
                hits = await searchByMode(store, q, mode, {});
              } catch (err) {
                assert.fail(`search ${JSON.stringify(q)} (${mode}) threw: ${(err as Error).stack}`);
              }
              if (q === CANARY_WORD && mode === 'text') assert.deepEqual(hits, [], 'the note outside the vault is not found');
            }
          }
          const health = await store.health();
          assert.ok(health.ok, `integrity_check: ${health.integrity.join('; ')}`);
        } finally {
          watchdog.stop();
          await store.close();
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
    );
  });
});
