import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_DIAGNOSTICS_PER_NOTE, MAX_LINKS_PER_NOTE, MAX_TOKENS_PER_NOTE, parseNote } from '../../../src/store/knowledge/markdown';
import type { ParsedLink, ParsedNote } from '../../../src/store/knowledge/types';
import { FOAM_VAULT } from '../../fixtures';

const parse = (lines: string[] | string, fileName = 'note.md'): ParsedNote => parseNote(Array.isArray(lines) ? lines.join('\n') : lines, fileName);
/** The links without their context (asserted separately), for compact comparisons. */
const bare = (n: ParsedNote) => n.links.map(({ context: _c, ...rest }) => rest);
const targets = (n: ParsedNote) => n.links.map((l) => l.target);


describe('knowledge/markdown parseNote', () => {
  describe('wikilinks and embeds', () => {
    it('reads every wikilink form with its parts, line and context', () => {
      const n = parse([
        '# Title',
        '',
        'See [[Note]] and [[Note|the alias]].',
        'Then [[Note#Some Heading]], [[Note#^blk-1]] and [[#Local heading]].',
        'Also [[#^here]], [[ Spaced Name ]], [[folder/Deep Note|x]], [[Note#A#B]] and [[Note#Heading|shown]].',
      ]);
      assert.deepEqual(bare(n), [
        { kind: 'wikilink', target: 'Note', line: 3 },
        { kind: 'wikilink', target: 'Note', alias: 'the alias', line: 3 },
        { kind: 'wikilink', target: 'Note', heading: 'Some Heading', line: 4 },
        { kind: 'wikilink', target: 'Note', block: 'blk-1', line: 4 },
        { kind: 'wikilink', target: '', heading: 'Local heading', line: 4 },
        { kind: 'wikilink', target: '', block: 'here', line: 5 },
        { kind: 'wikilink', target: 'Spaced Name', line: 5 },
        { kind: 'wikilink', target: 'folder/Deep Note', alias: 'x', line: 5 },
        { kind: 'wikilink', target: 'Note', heading: 'A#B', line: 5 },
        { kind: 'wikilink', target: 'Note', heading: 'Heading', alias: 'shown', line: 5 },
      ]);
      assert.equal(n.links[0]!.context, 'See [[Note]] and [[Note|the alias]].');
      assert.equal(n.links[4]!.context, 'Then [[Note#Some Heading]], [[Note#^blk-1]] and [[#Local heading]].');
    });

    it('reads embeds of notes, blocks and images', () => {
      const n = parse(['![[Other Note]]', '![[pic.png]] and ![[diagram.svg|300]]', '![[Note#^quote]] ![[Note#Part]]']);
      assert.deepEqual(bare(n), [
        { kind: 'embed', target: 'Other Note', line: 1 },
        { kind: 'embed', target: 'pic.png', line: 2 },
        { kind: 'embed', target: 'diagram.svg', alias: '300', line: 2 },
        { kind: 'embed', target: 'Note', block: 'quote', line: 3 },
        { kind: 'embed', target: 'Note', heading: 'Part', line: 3 },
      ]);
    });

    it('reads wikilinks in tables, with the \\| alias escape Obsidian uses there', () => {
      const n = parse(['| Col | Link |', '| --- | ---- |', '| a | [[Target\\|Shown]] |', '| b | [[Plain]] |']);
      assert.deepEqual(bare(n), [
        { kind: 'wikilink', target: 'Target', alias: 'Shown', line: 3 },
        { kind: 'wikilink', target: 'Plain', line: 4 },
      ]);
    });

    it('finds links in lists, quotes and on later lines of a paragraph', () => {
      const n = parse(['- item [[A]]', '  - nested [[B]]', '', '> quoted', '> [[C]]', '', 'first line', 'second line', 'third [[D]]', '', '1. [[E]]']);
      assert.deepEqual(
        n.links.map((l) => [l.target, l.line]),
        [['A', 1], ['B', 2], ['C', 5], ['D', 9], ['E', 11]],
      );
      assert.equal(n.links[2]!.context, '> [[C]]');
    });

    it('rejects what is not a wikilink: [[]], [[|x]], unclosed, across lines, escaped', () => {
      const n = parse(['empty [[]] and [[|alias only]] and [[#]]', 'unclosed [[Nope and more', 'split [[across', 'lines]]', 'escaped \\[[not a link]]', 'after all that: [[Yes]]']);
      assert.deepEqual(bare(n), [{ kind: 'wikilink', target: 'Yes', line: 6 }]);
    });

    it('takes the innermost link when brackets pile up', () => {
      const n = parse(['[[a [[Inner]] and [[[Triple]]]']);
      assert.deepEqual(targets(n), ['Inner', 'Triple']);
    });
  });

  describe('Markdown links', () => {
    it('reads links to notes and code paths, decoded, with fragments', () => {
      const n = parse([
        '[b](notes/b.md#sec) and [code](../src/a.ts) and [spaced](my%20note.md)',
        '[angle](<other note.md>) [blk](c.md#^id) [plain](notes/extensionless) [abs](/root/x.md)',
        '[q](d.md?plain=1#top) [enc](%C3%A9t%C3%A9.md)',
      ]);
      assert.deepEqual(bare(n), [
        { kind: 'markdown', target: 'notes/b.md', heading: 'sec', alias: 'b', line: 1 },
        { kind: 'markdown', target: '../src/a.ts', alias: 'code', line: 1 },
        { kind: 'markdown', target: 'my note.md', alias: 'spaced', line: 1 },
        { kind: 'markdown', target: 'other note.md', alias: 'angle', line: 2 },
        { kind: 'markdown', target: 'c.md', block: 'id', alias: 'blk', line: 2 },
        { kind: 'markdown', target: 'notes/extensionless', alias: 'plain', line: 2 },
        { kind: 'markdown', target: '/root/x.md', alias: 'abs', line: 2 },
        { kind: 'markdown', target: 'd.md', heading: 'top', alias: 'q', line: 3 },
        { kind: 'markdown', target: 'été.md', alias: 'enc', line: 3 },
      ]);
    });

    it('skips URLs with a scheme, protocol-relative URLs and pure #anchors', () => {
      const n = parse([
        '[w](https://example.com/a.md) [h](http://x.y/b.md) [m](mailto:a@b.c) [o](obsidian://open?vault=x)',
        '[f](file:///etc/passwd) [c](//cdn.example.com/x.md) [a](#just-an-anchor) [q](?x=1) [e]()',
        '<https://autolink.example.com> [kept](kept.md)',
      ]);
      assert.deepEqual(targets(n), ['kept.md']);
    });

    it('counts reference-style links where they are used, not their definitions', () => {
      const n = parse(['Use [the guide][guide] and [guide].', '', '[guide]: docs/guide.md "Guide"']);
      assert.deepEqual(bare(n), [
        { kind: 'markdown', target: 'docs/guide.md', alias: 'the guide', line: 1 },
        { kind: 'markdown', target: 'docs/guide.md', alias: 'guide', line: 1 },
      ]);
    });

    it('prefers [[wikilink]] over a reference definition of the same name (Foam writes both)', () => {
      const n = parse(['See [[graph-view]].', '', '[graph-view]: graph-view.md "Graph"']);
      assert.deepEqual(bare(n), [{ kind: 'wikilink', target: 'graph-view', line: 1 }]);
    });

    it('reads images as Markdown links with their alt text', () => {
      const n = parse(['![A *nice* picture](assets/pic%201.png) ![](https://x.y/remote.png)']);
      assert.deepEqual(bare(n), [{ kind: 'markdown', target: 'assets/pic 1.png', alias: 'A nice picture', line: 1 }]);
    });
  });

  describe('nothing in code counts', () => {
    it('ignores links, tags and block ids in fenced, tilde, indented and inline code', () => {
      const n = parse([
        'Text `[[InlineCode]] #inlinetag` and ``[[Double `tick`]]``.',
        '',
        '```markdown',
        '[[Fenced]] #fencedtag [x](fenced.md)',
        'para ^fenced-id',
        '```',
        '',
        '~~~',
        '![[TildeFence]] #tildetag',
        '~~~',
        '',
        '    [[Indented]] #indentedtag',
        '',
        '<div>',
        '[[InHtmlBlock]] #htmltag',
        '</div>',
        '',
        'Comment <!-- [[InComment]] #commenttag --> and [[Real]] #realtag',
      ]);
      assert.deepEqual(targets(n), ['Real']);
      assert.deepEqual(n.tags, ['realtag']);
      assert.deepEqual(n.blockIds, []);
      assert.equal(n.links[0]!.line, 18);
    });

    it('treats an unclosed fence as code to the end of the note', () => {
      const n = parse(['[[Before]]', '```', '[[After]]']);
      assert.deepEqual(targets(n), ['Before']);
    });
  });

  describe('tags', () => {
    it('reads inline tags, nested and with dashes, and not numbers, URLs, C# or heading markers', () => {
      const n = parse([
        '# Heading with #headtag',
        '',
        '#start of paragraph, #nested/tag and #tag-with_dash, #café.',
        'Not: #123 #2023/01 C#sharp https://example.com/#frag (#paren) [x](http://a.b/#c) a#b',
        '## Another heading',
        '#trailing/ #with-digit1',
      ]);
      assert.deepEqual(n.tags, ['headtag', 'start', 'nested/tag', 'tag-with_dash', 'café', 'trailing', 'with-digit1']);
      assert.deepEqual(
        n.headings.map((h) => h.text),
        ['Heading with #headtag', 'Another heading'],
      );
    });

    it('merges front-matter tags (list, comma or space string, with or without #) first, de-duplicated case-insensitively', () => {
      const list = parse(['---', 'tags: [alpha, "#beta", Project/Sub]', '---', 'Body #ALPHA #gamma #project/sub']);
      assert.deepEqual(list.tags, ['alpha', 'beta', 'Project/Sub', 'gamma']);
      const commas = parse(['---', 'tags: one, two,#three', '---']);
      assert.deepEqual(commas.tags, ['one', 'two', 'three']);
      const spaces = parse(['---', 'tags: "#one two  three"', 'tag: single', '---']);
      assert.deepEqual(spaces.tags, ['one', 'two', 'three', 'single']);
      const yamlList = parse(['---', 'tags:', '  - "#x"', '  - y/z', '---']);
      assert.deepEqual(yamlList.tags, ['x', 'y/z']);
      assert.deepEqual(yamlList.diagnostics, []);
    });

    it('drops invalid front-matter tags with a warning', () => {
      const n = parse(['---', 'tags: [2023, ok, "bad tag!"]', '---']);
      assert.deepEqual(n.tags, ['ok', 'bad']);
      assert.equal(n.diagnostics.length, 1);
      assert.equal(n.diagnostics[0]!.severity, 'warning');
      assert.match(n.diagnostics[0]!.message, /"2023".*"tag!"/);
    });
  });

  describe('front matter, aliases and title', () => {
    it('reads aliases from a list, a string, and alias', () => {
      assert.deepEqual(parse(['---', 'aliases: [First, Second, first]', 'alias: Third, with comma', '---']).aliases, ['First', 'Second', 'Third, with comma']);
      assert.deepEqual(parse(['---', 'aliases: Only One', '---']).aliases, ['Only One']);
      assert.deepEqual(parse(['---', 'aliases:', '  - 2024', '  - ""', '---']).aliases, ['2024']);
    });

    it('takes the title from front matter, else the first H1, else the file name', () => {
      assert.equal(parse(['---', 'title: From YAML', '---', '# From H1']).title, 'From YAML');
      assert.equal(parse(['## Not H1', '# The *First* `H1` [[Link|Shown]]', '# Second H1']).title, 'The First H1 Shown');
      assert.equal(parse(['Setext Title', '============', '', 'text']).title, 'Setext Title');
      assert.equal(parse(['---', 'title: ""', '---', 'no heading'], 'folder/My Note.MD').title, 'My Note');
      assert.equal(parse('', 'notes.v2.md').title, 'notes.v2');
    });

    it('keeps the front matter as parsed and the body without it', () => {
      const n = parse(['---', 'title: T', 'n: 3', 'list: [a, b]', 'nested: {k: v}', '---', '# Body', 'text']);
      assert.deepEqual(n.frontMatter, { title: 'T', n: 3, list: ['a', 'b'], nested: { k: 'v' } });
      assert.equal(n.body, '# Body\ntext');
      assert.deepEqual(n.headings, [{ level: 1, text: 'Body', line: 7 }]);
      assert.deepEqual(n.diagnostics, []);
    });

    it('accepts ... as the closing delimiter and an empty front matter', () => {
      const dots = parse(['---', 'title: Dots', '...', '[[Link]]']);
      assert.equal(dots.title, 'Dots');
      assert.equal(dots.links[0]!.line, 4);
      const empty = parse(['---', '---', '[[Link]]']);
      assert.deepEqual(empty.frontMatter, {});
      assert.equal(empty.links[0]!.line, 3);
    });

    it('does not take a --- later in the file, or a --- line with text, as front matter', () => {
      const later = parse(['', '---', 'title: no', '---', 'text']);
      assert.equal(later.frontMatter, null);
      const notFence = parse(['--- not a fence', 'title: x', '---']);
      assert.equal(notFence.frontMatter, null);
      assert.deepEqual(notFence.diagnostics, []);
    });
  });

  describe('headings and block ids', () => {
    it('reads headings with levels, stripped text and file lines', () => {
      const n = parse(['---', 'a: 1', '---', '# One', '', '## Two **bold** and `code` [link](x.md)', '', '### Three \\*escaped\\* &amp; entity', 'Setext two', '---', '> ## Quoted']);
      assert.deepEqual(n.headings, [
        { level: 1, text: 'One', line: 4 },
        { level: 2, text: 'Two bold and code link', line: 6 },
        { level: 3, text: 'Three *escaped* & entity', line: 8 },
        { level: 2, text: 'Setext two', line: 9 },
        { level: 2, text: 'Quoted', line: 11 },
      ]);
    });

    it('reads block ids at the end of paragraphs, list items and headings', () => {
      const n = parse([
        'A paragraph. ^para-1',
        '',
        'Multi-line paragraph',
        'ending here ^multi',
        '',
        '- item one ^item-1',
        '- item two',
        '^whole-list',
        '',
        '## Methodology ^method',
        '',
        'mid ^not-at-end here',
        'glued^nope',
        '',
        '> quoted',
        '> ^quote-id',
      ]);
      assert.deepEqual(n.blockIds, [
        { id: 'para-1', line: 1 },
        { id: 'multi', line: 4 },
        { id: 'item-1', line: 6 },
        { id: 'whole-list', line: 8 },
        { id: 'method', line: 10 },
        { id: 'quote-id', line: 16 },
      ]);
      assert.equal(n.headings[0]!.text, 'Methodology');
    });

    it('warns about a repeated block id', () => {
      const n = parse(['one ^same', '', 'two ^same']);
      assert.equal(n.blockIds.length, 2);
      assert.equal(n.diagnostics.length, 1);
      assert.equal(n.diagnostics[0]!.line, 3);
      assert.match(n.diagnostics[0]!.message, /\^same.*line 1/);
    });
  });

  describe('bad and unusual input', () => {
    it('reports broken YAML at its file line, with null front matter, and still parses the rest', () => {
      const n = parse(['---', 'title: ok', 'tags: [unclosed', 'other: x', '---', '# Real Title', 'See [[Target]] #tag']);
      assert.equal(n.frontMatter, null);
      assert.equal(n.title, 'Real Title');
      assert.equal(n.diagnostics.length, 1);
      const d = n.diagnostics[0]!;
      assert.equal(d.severity, 'error');
      assert.match(d.message, /not valid YAML/);
      assert.ok(d.line >= 3 && d.line <= 5, `YAML error line ${d.line} should be inside the front matter (3..5)`);
      assert.deepEqual(bare(n), [{ kind: 'wikilink', target: 'Target', line: 7 }]);
      assert.deepEqual(n.tags, ['tag']);
      assert.equal(n.body, '# Real Title\nSee [[Target]] #tag');
    });

    it('points at the exact line of a YAML error', () => {
      const n = parse(['---', 'a: 1', 'b: 2', 'a: 3', '---', 'x']); // duplicate key on file line 4
      assert.equal(n.frontMatter, null);
      assert.equal(n.diagnostics[0]!.line, 4);
      const bad = parse(['---', 'good: 1', 'bad: : :', '  - nope', '---']);
      assert.equal(bad.frontMatter, null);
      assert.equal(bad.diagnostics[0]!.line, 3);
    });

    it('rejects front matter that is a list or a string', () => {
      for (const yamlLines of [['- a', '- b'], ['just a string'], ['42']]) {
        const n = parse(['---', ...yamlLines, '---', '[[Still]]']);
        assert.equal(n.frontMatter, null, yamlLines.join('|'));
        assert.equal(n.diagnostics.length, 1);
        assert.match(n.diagnostics[0]!.message, /not a mapping/);
        assert.deepEqual(targets(n), ['Still']);
      }
    });

    it('warns about a front matter that is never closed and reads the note as Markdown', () => {
      const n = parse(['---', 'title: x', '', '[[Link]]']);
      assert.equal(n.frontMatter, null);
      assert.match(n.diagnostics[0]!.message, /never closed/);
      assert.deepEqual(bare(n), [{ kind: 'wikilink', target: 'Link', line: 4 }]);
    });

    it('parses an empty or blank file', () => {
      for (const src of ['', '\n\n', '   ', '\uFEFF']) {
        const n = parseNote(src, 'Empty.md');
        assert.equal(n.title, 'Empty');
        assert.deepEqual([n.links, n.tags, n.headings, n.blockIds, n.aliases, n.diagnostics], [[], [], [], [], [], []]);
        assert.equal(n.frontMatter, null);
      }
    });

    it('handles a BOM and CRLF line endings, with correct lines', () => {
      const src = '\uFEFF---\r\ntitle: Windows\r\ntags: [win]\r\n---\r\n# H\r\n\r\nline [[A]]\r\nnext [[B]] ^blk\r\n';
      const n = parseNote(src, 'w.md');
      assert.equal(n.title, 'Windows');
      assert.deepEqual(n.frontMatter, { title: 'Windows', tags: ['win'] });
      assert.deepEqual(n.links.map((l) => [l.target, l.line, l.context]), [['A', 7, 'line [[A]]'], ['B', 8, 'next [[B]] ^blk']]);
      assert.deepEqual(n.headings, [{ level: 1, text: 'H', line: 5 }]);
      assert.deepEqual(n.blockIds, [{ id: 'blk', line: 8 }]);
      assert.ok(!n.body.includes('\r'));
      const crlfError = parseNote('---\r\na: 1\r\na: 2\r\n---\r\n', 'e.md');
      assert.equal(crlfError.diagnostics[0]!.line, 3);
      const oldMac = parseNote('one\r[[Two]]', 'm.md');
      assert.equal(oldMac.links[0]!.line, 2);
    });

    it('parses a huge line and a line full of unclosed brackets; keeps MAX_LINKS_PER_NOTE links and says so', () => {
      const many = parseNote('[[Note]] #tag '.repeat(50_000), 'big.md');
      assert.equal(many.links.length, MAX_LINKS_PER_NOTE);
      assert.ok(many.links.every((l) => l.line === 1 && l.target === 'Note'));
      assert.deepEqual(many.tags, ['tag']);
      assert.deepEqual(many.diagnostics.map((d) => d.severity), ['warning']);
      assert.match(many.diagnostics[0]!.message, new RegExp(`only the first ${MAX_LINKS_PER_NOTE} are indexed`));
      const unclosed = parseNote('[['.repeat(100_000) + '\n[[Last]]', 'open.md');
      assert.deepEqual(bare(unclosed), [{ kind: 'wikilink', target: 'Last', line: 2 }]);
      const brackets = parseNote('x [ '.repeat(50_000) + '![['.repeat(50_000), 'br.md');
      assert.deepEqual(brackets.links, []);
    });

    it('reads at most MAX_TOKENS_PER_NOTE Markdown elements (the rest is text) and lists at most MAX_DIAGNOSTICS_PER_NOTE problems', () => {
      const headings = parseNote(`# Top\n${'# h\n'.repeat(300_000)}`, 'headings.md');
      const read = Math.ceil(MAX_TOKENS_PER_NOTE / 3); // heading_open, inline, heading_close
      assert.equal(headings.headings.length, read);
      assert.deepEqual(headings.diagnostics, [{ line: read + 1, severity: 'warning', message: `This note has more than ${MAX_TOKENS_PER_NOTE} Markdown elements: from line ${read + 1} on, its text is searchable but its links, tags, headings and block ids are not indexed.` }]);
      assert.equal(headings.body.length, 6 + 4 * 300_000, 'the whole text is kept for search');
      const oneParagraph = parseNote('#t '.repeat(150_000), 'tags.md');
      assert.ok(oneParagraph.tags.length === 1 && /past its first part/.test(oneParagraph.diagnostics[0]!.message));
      const blocks = parseNote('x ^a\n\n'.repeat(2000), 'blocks.md');
      assert.equal(blocks.diagnostics.length, MAX_DIAGNOSTICS_PER_NOTE);
      assert.match(blocks.diagnostics[0]!.message, /Block id \^a is already used on line 1/);
      assert.equal(blocks.diagnostics.at(-1)!.message, `${2000 - MAX_DIAGNOSTICS_PER_NOTE} more problems in this note are not listed.`);
    });

    it('caps the problems listed last: at most MAX_DIAGNOSTICS_PER_NOTE in all, keeping the warnings that say why the note was cut', () => {
      const repeatedIds = 'x ^a\n\n'.repeat(2000); // 1999 repeated block ids
      const cut = parseNote(`${repeatedIds}${'[[Note]] '.repeat(MAX_LINKS_PER_NOTE)}\n\n${'# h\n'.repeat(300_000)}`, 'cut.md');
      assert.equal(cut.diagnostics.length, MAX_DIAGNOSTICS_PER_NOTE);
      const [more, links, elements] = cut.diagnostics.slice(-3).map((d) => d.message);
      assert.equal(more, `${1999 - (MAX_DIAGNOSTICS_PER_NOTE - 3)} more problems in this note are not listed.`);
      assert.match(links!, new RegExp(`^This note has ${MAX_LINKS_PER_NOTE} links or more`));
      assert.match(elements!, new RegExp(`^This note has more than ${MAX_TOKENS_PER_NOTE} Markdown elements`));
    });

    it('gives each link the trimmed whole line as context', () => {
      const n = parse(['   indented text with [[X]] in it   ']);
      const link: ParsedLink = n.links[0]!;
      assert.equal(link.context, 'indented text with [[X]] in it');
    });
  });

  describe('the Foam documentation vault', () => {
    it('parses every note and finds known facts', function () {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          if (e.name.startsWith('.')) continue;
          const abs = path.join(dir, e.name);
          if (e.isDirectory()) walk(abs);
          else if (e.name.endsWith('.md')) files.push(path.relative(FOAM_VAULT, abs).split(path.sep).join('/'));
        }
      };
      walk(FOAM_VAULT);
      assert.ok(files.length >= 80, `expected the ~86 notes of the Foam docs, found ${files.length}`);
      const notes = new Map(files.map((f) => [f, parseNote(fs.readFileSync(path.join(FOAM_VAULT, f), 'utf8'), path.posix.basename(f))]));
      for (const [f, n] of notes) {
        assert.deepEqual(n.diagnostics, [], `${f} should parse cleanly`);
        for (const l of n.links) assert.ok(l.line >= 1 && l.context.length > 0, `${f}: link ${l.target} has line ${l.line}`);
      }

      // user/index.md: a list of wikilinks; `[[publishing]]` on line 69; wikilinks in backticks (line 9) are code.
      const userIndex = notes.get('user/index.md')!;
      assert.equal(userIndex.title, 'Using Foam');
      const publishing = userIndex.links.find((l) => l.target === 'publishing')!;
      assert.deepEqual(publishing, { kind: 'wikilink', target: 'publishing', line: 69, context: 'See [[publishing]] for more details.' });
      assert.ok(!userIndex.links.some((l) => l.target === 'double bracket'));
      assert.deepEqual(userIndex.links[0], { kind: 'wikilink', target: 'frequently-asked-questions', line: 5, context: '> See also [[frequently-asked-questions]].' });

      // user/features/note-properties.md: front matter with a tags list.
      const props = notes.get('user/features/note-properties.md')!;
      assert.deepEqual(props.frontMatter, { type: 'feature', keywords: 'hello world, bonjour', tags: ['hello', 'bonjour'] });
      assert.equal(props.title, 'Note Properties');
      assert.deepEqual(props.tags, ['hello', 'bonjour']);
      assert.deepEqual(props.headings[0], { level: 1, text: 'Note Properties', line: 7 });

      // user/features/tags.md: all its example tags sit in code blocks; only "#book" is prose.
      const tags = notes.get('user/features/tags.md')!;
      assert.deepEqual(tags.tags, ['book']);
      assert.deepEqual(tags.headings.slice(0, 3), [
        { level: 1, text: 'Tags', line: 1 },
        { level: 2, text: 'Creating Tags', line: 5 },
        { level: 3, text: 'Inline Tags', line: 7 },
      ]);
      assert.ok(!tags.headings.some((h) => h.text === 'Machine Learning Fundamentals'), 'a heading inside a fence is not a heading');
      assert.deepEqual(
        tags.links.find((l) => l.target === 'tag'),
        { kind: 'wikilink', target: 'tag', alias: 'CLI tag command', line: 90, context: 'To manage tags from the terminal, see [[tag|CLI tag command]].' },
      );

      // A #tag in prose, and a Discord channel name that is also a valid tag.
      assert.deepEqual(notes.get('user/recipes/take-notes-from-mobile-phone.md')!.tags, ['recipe', 'mobile-apps']);
      // block-anchors.md shows ^ids only inside fences.
      assert.deepEqual(notes.get('user/features/block-anchors.md')!.blockIds, []);
      // A table of wikilinks: line numbers inside a table.
      const obsidian = notes.get('user/recipes/migrating-from-obsidian.md')!;
      assert.equal(obsidian.links.find((l) => l.target === 'block-anchors')!.line, 19);
      // A Markdown link that climbs out of the vault.
      assert.deepEqual(
        notes.get('dev/contribution-guide.md')!.links.map((l) => [l.kind, l.target, l.line]),
        [['markdown', '../../CONTRIBUTING.md', 3]],
      );
      // Front matter with a list value, title from the H1.
      const coc = notes.get('dev/code-of-conduct.md')!;
      assert.deepEqual(coc.frontMatter, { redirect_from: ['/code-of-conduct'] });
      assert.equal(coc.title, 'Code of Conduct');
    });
  });
});
