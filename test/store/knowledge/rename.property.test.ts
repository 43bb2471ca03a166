// Property: on any small vault (notes in nested folders, with aliases, linking each other in every form —
// names, names with .md, folder paths, vault-absolute paths, relative wikilinks, embeds, relative / shortest /
// angle-bracket Markdown links, by alias, with headings and aliases, and wikilinks in front-matter properties),
// renaming or moving any note to any name — or any folder to any other place — keeps every link pointing where it
// pointed (what moved is reached at its new path), changes no link count, and a name that is taken is refused with
// nothing written. Resolution is checked with the index's own parser and
// resolver on the files as they are on disk afterwards.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { StoreError } from '../../../src/store/errors';
import { indexVault } from '../../../src/store/knowledge/indexer';
import { parseNote } from '../../../src/store/knowledge/markdown';
import { renameNote } from '../../../src/store/knowledge/rename';
import { buildLinkIndex, resolveLink } from '../../../src/store/knowledge/resolve';
import { scanVault } from '../../../src/store/knowledge/scan';
import type { Store } from '../../../src/store/store';
import { human, tempDir, useTempStore } from '../../helpers';

const NAMES = ['Alpha', 'beta', 'Gamma Ray', 'alpha', 'Delta (draft)', 'Épée'];
const FOLDERS = ['', 'f', 'f/g', 'h'];
const FORMS = ['name', 'name.md', 'path', 'abs', 'relwiki', 'embed', 'mdrel', 'mdangle', 'mdshort', 'alias', 'placeholder'] as const;

interface NoteSpec {
  folder: string;
  name: string;
  alias: boolean;
  /** Front matter `related: ["[[…]]", …]`: the notes it names (by name, or by path when `byPath`). */
  related: { to: number; byPath: boolean }[];
  links: { to: number; form: (typeof FORMS)[number]; heading: boolean; shown: boolean }[];
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const pathOf = (n: { folder: string; name: string }) => (n.folder ? `${n.folder}/${n.name}.md` : `${n.name}.md`);
const encode = (p: string) => p.split('/').map((s) => s.replace(/[ ()%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

function linkText(from: string, target: NoteSpec, l: NoteSpec['links'][number], index: number): string {
  const p = pathOf(target);
  const noMd = p.replace(/\.md$/, '');
  const rel = path.posix.relative(dirOf(from) || '.', p);
  const heading = l.heading ? '#Section' : '';
  const shown = l.shown ? '|shown' : '';
  switch (l.form) {
    case 'name':
      return `[[${target.name}${heading}${shown}]]`;
    case 'name.md':
      return `[[${target.name}.md${heading}]]`;
    case 'path':
      return `[[${noMd}${heading}${shown}]]`;
    case 'abs':
      return `[[/${noMd}]]`;
    case 'relwiki':
      return `[[${rel.startsWith('.') ? rel : `./${rel}`}]]`;
    case 'embed':
      return `![[${target.name}${heading}]]`;
    case 'mdrel':
      return `[text ${index}](${encode(rel)}${l.heading ? '#Section' : ''})`;
    case 'mdangle':
      return `[text ${index}](<${rel}>)`;
    case 'mdshort':
      return `[text ${index}](${encode(`${target.name}.md`)})`;
    case 'alias':
      return target.alias ? `[[AKA ${target.name}]]` : `[[${target.name}]]`;
    case 'placeholder':
      return `[[Nothing ${index}]]`;
  }
}

function noteText(spec: NoteSpec, all: NoteSpec[]): string {
  const from = pathOf(spec);
  const related = spec.related.map((r) => {
    const t = all[r.to % all.length]!;
    return `"[[${r.byPath ? pathOf(t).replace(/\.md$/, '') : t.name}]]"`;
  });
  const props = [spec.alias ? `aliases: [AKA ${spec.name}]` : '', related.length ? `related: [${related.join(', ')}]` : ''].filter(Boolean);
  const front = props.length ? `---\n${props.join('\n')}\n---\n` : '';
  const lines = spec.links.map((l, i) => `Line ${i}: ${linkText(from, all[l.to % all.length]!, l, i)} and \`[[${spec.name}]]\` in code.`);
  return `${front}# ${spec.name}\n\n## Section\n\n${lines.join('\n')}\n`;
}

/** Every link of every note, resolved as the index resolves it: source path → targets in order. */
function resolvedLinks(vault: string): Map<string, (string | null)[]> {
  const notes = scanVault(vault).notes.map((n) => ({ path: n.path, parsed: parseNote(fs.readFileSync(n.absPath, 'utf8'), n.path) }));
  const index = buildLinkIndex(notes.map((n) => ({ path: n.path, aliases: n.parsed.aliases })));
  return new Map(notes.map((n) => [n.path, n.parsed.links.map((l) => resolveLink(index, n.path, l))]));
}

function snapshot(vault: string): Map<string, string> {
  return new Map(scanVault(vault).notes.map((n) => [n.path, fs.readFileSync(n.absPath, 'utf8')]));
}

const noteSpec = fc.record({
  folder: fc.constantFrom(...FOLDERS),
  name: fc.constantFrom(...NAMES),
  alias: fc.boolean(),
  related: fc.array(fc.record({ to: fc.nat(20), byPath: fc.boolean() }), { maxLength: 2 }),
  links: fc.array(fc.record({ to: fc.nat(20), form: fc.constantFrom(...FORMS), heading: fc.boolean(), shown: fc.boolean() }), { maxLength: 6 }),
});

describe('knowledge: rename keeps every link (property)', () => {
  let store: Store;
  useTempStore((s) => (store = s));

  it('any vault, any note, any new name or folder', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(noteSpec, { minLength: 2, maxLength: 7, selector: (n) => pathOf(n).toLowerCase() }),
        fc.nat(20),
        fc.constantFrom(...NAMES, 'Zeta', 'New one'),
        fc.option(fc.constantFrom(...FOLDERS), { nil: undefined }),
        async (specs, which, newName, newFolder) => {
          const vault = tempDir('cairn-prop-vault-');
          for (const spec of specs) {
            fs.mkdirSync(path.join(vault, spec.folder), { recursive: true });
            fs.writeFileSync(path.join(vault, pathOf(spec)), noteText(spec, specs));
          }
          await indexVault(store, vault, human);
          const renamed = specs[which % specs.length]!;
          const from = pathOf(renamed);
          const folder = newFolder ?? renamed.folder;
          const to = pathOf({ folder, name: newName });
          const target = newFolder === undefined ? newName : `${folder}/${newName}`; // `/name`: to the vault root
          const before = resolvedLinks(vault);
          const files = snapshot(vault);
          const taken = to !== from && specs.some((s) => pathOf(s).toLowerCase() === to.toLowerCase() && pathOf(s) !== from);

          let error: unknown;
          await renameNote(store, vault, human, from, target).catch((e: unknown) => (error = e));
          if (to === from || taken) {
            assert.ok(error instanceof StoreError, `expected a refusal for ${from} → ${target}, got ${String(error)}`);
            assert.equal(error.kind, to === from ? 'invalid' : 'conflict');
            assert.deepEqual(snapshot(vault), files, 'a refused rename writes nothing');
            return;
          }
          assert.equal(error, undefined, `${from} → ${target}: ${String(error)}`);
          const map = (p: string | null) => (p === from ? to : p);
          const after = resolvedLinks(vault);
          for (const [source, targets] of before) {
            const got = after.get(map(source)!);
            assert.ok(got, `${source} is still there`);
            assert.equal(got.length, targets.length, `${source}: as many links as before`);
            targets.forEach((t, i) => {
              if (t !== null) assert.equal(got[i], map(t), `${source} link ${i}: ${noteText(specs.find((s) => pathOf(s) === source)!, specs).split('\n').find((l) => l.startsWith(`Line ${i}:`))}`);
            });
          }
          // Code spans are never touched: every line still quotes its own note's old name.
          for (const [p, text] of snapshot(vault)) {
            const original = files.get(p === to ? from : p)!;
            assert.deepEqual(text.match(/`\[\[[^`]*\]\]`/g), original.match(/`\[\[[^`]*\]\]`/g), `${p}: code spans unchanged`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any vault, any folder moved or renamed to any free place', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(noteSpec, { minLength: 2, maxLength: 7, selector: (n) => pathOf(n).toLowerCase() }),
        fc.nat(20),
        fc.constantFrom('', 'f', 'h', 'x', 'x/y'),
        fc.constantFrom('g', 'h', 'k', 'New Folder'),
        async (specs, which, parent, newName) => {
          const vault = tempDir('cairn-prop-vault-');
          for (const spec of specs) {
            fs.mkdirSync(path.join(vault, spec.folder), { recursive: true });
            fs.writeFileSync(path.join(vault, pathOf(spec)), noteText(spec, specs));
          }
          await indexVault(store, vault, human);
          const folders = [...new Set(specs.flatMap((s) => s.folder.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))).filter(Boolean))];
          if (!folders.length) return;
          const from = folders[which % folders.length]!;
          const to = parent ? `${parent}/${newName}` : newName;
          const before = resolvedLinks(vault);
          const files = snapshot(vault);
          const refused = to === from || `${to}/`.startsWith(`${from}/`) || fs.existsSync(path.join(vault, to));

          let error: unknown;
          await renameNote(store, vault, human, `${from}/`, `/${to}`).catch((e: unknown) => (error = e));
          if (refused) {
            assert.ok(error instanceof StoreError, `expected a refusal for ${from}/ → ${to}/, got ${String(error)}`);
            assert.deepEqual(snapshot(vault), files, 'a refused rename writes nothing');
            return;
          }
          assert.equal(error, undefined, `${from}/ → ${to}/: ${String(error)}`);
          const map = (p: string | null) => (p !== null && p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p);
          const after = resolvedLinks(vault);
          assert.equal(after.size, before.size, 'as many notes as before');
          for (const [source, targets] of before) {
            const got = after.get(map(source)!);
            assert.ok(got, `${source} is at ${map(source)}`);
            assert.equal(got.length, targets.length, `${source}: as many links as before`);
            targets.forEach((t, i) => {
              if (t !== null) assert.equal(got[i], map(t), `${source} link ${i}: ${files.get(source)}`);
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
