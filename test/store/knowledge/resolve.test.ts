import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNote } from '../../../src/store/knowledge/markdown';
import { buildLinkIndex, normalizeNoteName, resolveLink, type LinkIndex } from '../../../src/store/knowledge/resolve';
import type { ParsedLink } from '../../../src/store/knowledge/types';
import { FOAM_VAULT } from '../../fixtures';


const wiki = (target: string, extra: Partial<ParsedLink> = {}): ParsedLink => ({ kind: 'wikilink', target, line: 1, context: '', ...extra });
const embed = (target: string): ParsedLink => ({ kind: 'embed', target, line: 1, context: '' });
const md = (target: string): ParsedLink => ({ kind: 'markdown', target, line: 1, context: '' });

const NOTES = [
  { path: 'Home.md', aliases: ['Start', 'Shared Alias'] },
  { path: 'Ideas.md', aliases: ['home'] }, // an alias equal to another note's name: the name wins
  { path: 'notes/Note.md', aliases: [] },
  { path: 'notes/sub/Deep Note.md', aliases: ['Abyss'] },
  { path: 'archive/Note.md', aliases: ['abyss'] },
  { path: 'a/b/Todo.md', aliases: [] },
  { path: 'zz/Todo.md', aliases: [] },
  { path: 'aa/Todo.md', aliases: [] },
  { path: 'projects/house/Plan.md', aliases: [] },
  { path: 'projects/xhouse/Plan.md', aliases: [] },
  { path: 'Café.md', aliases: ['Shared Alias'] },
  { path: 'docs/guide.md', aliases: [] },
  { path: 'docs/Other.md', aliases: [] },
];
const FILES = ['assets/pic.png', 'docs/img/pic.png', 'src/a.ts', 'docs/report.pdf'];

describe('knowledge/resolve', () => {
  let index: LinkIndex;
  let withFiles: LinkIndex;
  before(() => {
    index = buildLinkIndex(NOTES);
    withFiles = buildLinkIndex(NOTES, FILES);
  });

  it('normalizes note names: lowercase, NFC, without .md', () => {
    assert.equal(normalizeNoteName('My Note.MD'), 'my note');
    assert.equal(normalizeNoteName('Cafe\u0301'), 'café'); // NFD input
    assert.equal(normalizeNoteName('folder/Sub Note.md'), 'folder/sub note');
    assert.equal(normalizeNoteName('archive.md.md'), 'archive.md');
    assert.equal(normalizeNoteName('plain'), 'plain');
  });

  describe('wikilinks', () => {
    it('match a file name anywhere, case-insensitively, with or without .md, NFC or NFD', () => {
      assert.equal(resolveLink(index, 'Home.md', wiki('deep note')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('Deep Note.md')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('DEEP NOTE.MD')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('Cafe\u0301')), 'Café.md');
      assert.equal(resolveLink(buildLinkIndex([{ path: 'Cafe\u0301.md', aliases: [] }]), 'x.md', wiki('Café')), 'Cafe\u0301.md');
      assert.equal(resolveLink(index, 'Home.md', embed('Ideas')), 'Ideas.md');
    });

    it('leave a missing note as a placeholder (null)', () => {
      assert.equal(resolveLink(index, 'Home.md', wiki('Nowhere')), null);
      assert.equal(resolveLink(index, 'Home.md', wiki('Note', { heading: 'Not checked' })), 'notes/Note.md', 'headings do not affect which note');
    });

    it('[[#Heading]] and [[#^block]] point at the linking note', () => {
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('', { heading: 'Local' })), 'notes/Note.md');
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('', { block: 'b1' })), 'notes/Note.md');
    });

    it('with several notes of one name: same folder, then fewest folders, then shortest, then alphabetical', () => {
      // Same folder as the linking note wins, even when deeper.
      assert.equal(resolveLink(index, 'archive/Other.md', wiki('Note')), 'archive/Note.md');
      assert.equal(resolveLink(index, 'notes/x.md', wiki('Note')), 'notes/Note.md');
      assert.equal(resolveLink(index, 'a/b/x.md', wiki('todo')), 'a/b/Todo.md');
      // Elsewhere: the fewest folders (aa/, zz/ beat a/b/), then alphabetical among equals (aa before zz).
      assert.equal(resolveLink(index, 'Home.md', wiki('todo')), 'aa/Todo.md');
      // Same depth, different length: notes/Note.md (13) beats archive/Note.md (15).
      assert.equal(resolveLink(index, 'Home.md', wiki('Note')), 'notes/Note.md');
      // Whatever order the index was built in.
      const reversed = buildLinkIndex([...NOTES].reverse());
      assert.equal(resolveLink(reversed, 'Home.md', wiki('todo')), 'aa/Todo.md');
      assert.equal(resolveLink(reversed, 'Home.md', wiki('Note')), 'notes/Note.md');
    });

    it('a target with / matches a path suffix at a folder boundary', () => {
      assert.equal(resolveLink(index, 'Home.md', wiki('house/Plan')), 'projects/house/Plan.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('xhouse/plan.md')), 'projects/xhouse/Plan.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('projects/house/Plan')), 'projects/house/Plan.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('ouse/Plan')), null, 'not in the middle of a folder name');
      assert.equal(resolveLink(index, 'Home.md', wiki('sub/Deep Note')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'Home.md', wiki('other/Deep Note')), null);
    });

    it('aliases match after names, case-insensitively', () => {
      assert.equal(resolveLink(index, 'Ideas.md', wiki('start')), 'Home.md');
      assert.equal(resolveLink(index, 'notes/sub/x.md', wiki('ABYSS')), 'notes/sub/Deep Note.md', 'two notes share an alias: the one in the same folder');
      assert.equal(resolveLink(index, 'Home.md', wiki('ABYSS')), 'archive/Note.md', 'two notes share an alias: the fewest folders');
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('Home')), 'Home.md', 'a note named Home beats the alias "home" of Ideas');
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('shared alias')), 'Café.md', 'two notes share an alias, same depth and length: alphabetical');
    });

    it('/path is from the vault root and ./ ../ are relative; climbing out of the vault is never resolved', () => {
      assert.equal(resolveLink(index, 'notes/sub/Deep Note.md', wiki('/notes/Note')), 'notes/Note.md');
      assert.equal(resolveLink(index, 'notes/sub/Deep Note.md', wiki('../Note')), 'notes/Note.md');
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('./sub/deep note')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('./Home')), null, 'an explicit path does not fall back to names');
      assert.equal(resolveLink(index, 'notes/Note.md', wiki('../../Home')), null);
      assert.equal(resolveLink(index, 'Home.md', wiki('../Home')), null);
    });

    it('images and other files resolve only when the index knows the vault files', () => {
      assert.equal(resolveLink(index, 'Home.md', embed('pic.png')), null);
      assert.equal(resolveLink(withFiles, 'Home.md', embed('pic.png')), 'assets/pic.png');
      assert.equal(resolveLink(withFiles, 'docs/guide.md', embed('PIC.png')), 'assets/pic.png', 'none in docs/ itself (docs/img is another folder): the fewest folders');
      assert.equal(resolveLink(withFiles, 'docs/img/x.md', embed('pic.png')), 'docs/img/pic.png', 'the one in the same folder');
      assert.equal(resolveLink(withFiles, 'Home.md', embed('img/pic.png')), 'docs/img/pic.png');
      assert.equal(resolveLink(withFiles, 'Home.md', wiki('report.pdf')), 'docs/report.pdf');
      assert.equal(resolveLink(withFiles, 'Home.md', embed('missing.png')), null);
    });
  });

  describe('Markdown links', () => {
    it('are relative to the linking note, or from the root with /', () => {
      assert.equal(resolveLink(index, 'docs/guide.md', md('Other.md')), 'docs/Other.md');
      assert.equal(resolveLink(index, 'docs/guide.md', md('../notes/sub/Deep Note.md')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'docs/guide.md', md('./../Home.md')), 'Home.md');
      assert.equal(resolveLink(index, 'notes/sub/Deep Note.md', md('/docs/guide.md')), 'docs/guide.md');
      assert.equal(resolveLink(index, 'docs/guide.md', md('other.md')), 'docs/Other.md', 'case-insensitive fallback');
      assert.equal(resolveLink(index, 'docs/guide.md', md('Other')), 'docs/Other.md', 'without .md');
    });

    it('never resolve when they climb out of the vault', () => {
      assert.equal(resolveLink(index, 'Home.md', md('../Home.md')), null);
      assert.equal(resolveLink(index, 'docs/guide.md', md('../../docs/guide.md')), null);
      assert.equal(resolveLink(withFiles, 'Home.md', md('../src/a.ts')), null);
    });

    it('to code and other files resolve only with the file list', () => {
      assert.equal(resolveLink(index, 'docs/guide.md', md('../src/a.ts')), null);
      assert.equal(resolveLink(withFiles, 'docs/guide.md', md('../src/a.ts')), 'src/a.ts');
      assert.equal(resolveLink(withFiles, 'Home.md', md('/src/a.ts')), 'src/a.ts');
      assert.equal(resolveLink(withFiles, 'docs/guide.md', md('img/pic.png')), 'docs/img/pic.png');
    });

    it('that are not found relative fall back to Obsidian shortest-path names, except ./ ../ and / paths', () => {
      assert.equal(resolveLink(index, 'docs/guide.md', md('Deep Note.md')), 'notes/sub/Deep Note.md');
      assert.equal(resolveLink(index, 'docs/guide.md', md('house/Plan.md')), 'projects/house/Plan.md');
      assert.equal(resolveLink(index, 'docs/guide.md', md('./Deep Note.md')), null);
      assert.equal(resolveLink(index, 'docs/guide.md', md('/Deep Note.md')), null);
      assert.equal(resolveLink(index, 'docs/guide.md', md('Missing.md')), null);
    });

    it('with an empty target point at the linking note', () => {
      assert.equal(resolveLink(index, 'docs/guide.md', { ...md(''), heading: 'x' }), 'docs/guide.md');
    });
  });

  it('resolves links parsed from notes end to end', () => {
    const sources: Record<string, string> = {
      'Home.md': '# Home\n[[Ideas]] [[notes/Note|n]] ![[pic.png]] [g](docs/guide.md#intro) [[#Home]] [[Ghost]]',
      'Ideas.md': '# Ideas',
      'notes/Note.md': '# Note',
      'docs/guide.md': '# Guide',
    };
    const idx = buildLinkIndex(Object.keys(sources).map((p) => ({ path: p, aliases: parseNote(sources[p]!, p).aliases })), ['pic.png']);
    const home = parseNote(sources['Home.md']!, 'Home.md');
    assert.deepEqual(
      home.links.map((l) => resolveLink(idx, 'Home.md', l)),
      ['Ideas.md', 'notes/Note.md', 'pic.png', 'docs/guide.md', 'Home.md', null],
    );
  });

  it('resolves over the whole Foam documentation vault', function () {
    const all: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue;
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) walk(abs);
        else all.push(path.relative(FOAM_VAULT, abs).split(path.sep).join('/'));
      }
    };
    walk(FOAM_VAULT);
    const notes = all.filter((p) => p.endsWith('.md'));
    const parsed = new Map(notes.map((p) => [p, parseNote(fs.readFileSync(path.join(FOAM_VAULT, p), 'utf8'), path.posix.basename(p))]));
    const idx = buildLinkIndex(
      notes.map((p) => ({ path: p, aliases: parsed.get(p)!.aliases })),
      all.filter((p) => !p.endsWith('.md')),
    );
    const resolve = (from: string, target: string) => {
      const link = parsed.get(from)!.links.find((l) => l.target === target);
      assert.ok(link, `${from} links to ${target}`);
      return resolveLink(idx, from, link);
    };
    // Known links, across folders.
    assert.equal(resolve('index.md', 'recommended-extensions'), 'user/getting-started/recommended-extensions.md');
    assert.equal(resolve('user/index.md', 'frequently-asked-questions'), 'user/frequently-asked-questions.md');
    assert.equal(resolve('user/index.md', 'tags'), 'user/features/tags.md');
    assert.equal(resolve('user/features/tags.md', 'tag'), 'user/tools/cli/tag.md', '[[tag]] is tag.md, not tags.md');
    assert.equal(resolve('dev/design/static-site-publishing-research.md', '../../user/publishing/publishing.md'), null);
    // Known-missing: placeholders.
    assert.equal(resolve('user/index.md', 'publishing'), null, 'there is no publishing.md in the vault');
    assert.equal(resolve('user/tools/cli/search.md', 'cli-grep'), null, 'the note is user/tools/cli/grep.md');
    assert.equal(resolve('dev/contribution-guide.md', '../../CONTRIBUTING.md'), null, 'climbs out of the vault');
    assert.equal(resolve('index.md', 'assets/images/foam-navigation-demo.gif'), null, 'the images are not part of this copy');
    // Overall: most links resolve; every wikilink of user/index.md except [[publishing]].
    const userIndex = parsed.get('user/index.md')!.links.filter((l) => l.kind === 'wikilink');
    assert.deepEqual(userIndex.filter((l) => resolveLink(idx, 'user/index.md', l) === null).map((l) => l.target), ['publishing']);
    let resolved = 0;
    let total = 0;
    for (const [p, n] of parsed) {
      for (const l of n.links) {
        total++;
        if (resolveLink(idx, p, l)) resolved++;
      }
    }
    assert.ok(resolved / total > 0.85, `${resolved} of ${total} links resolve`);
  });
});
