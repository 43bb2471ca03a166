// Notes in the vault: their links, folders, tags and orphans; where a link points; making and renaming notes.
import { z } from 'zod';
import { listFolders, listNotes, listOrphans, listTags } from '../../../store/knowledge/catalog';
import { noteLinksOf, placeholders } from '../../../store/knowledge/links';
import { resolveForEditor } from '../../../store/knowledge/navigate';
import { createDecision, createNote, DEFAULT_TEMPLATES_FOLDER, openDailyNote } from '../../../store/knowledge/newNotes';
import { checkVaultFolder } from '../../../store/knowledge/noteFiles';
import { createPlaceholderNote } from '../../../store/knowledge/placeholderNote';
import { planRename, renameNote } from '../../../store/knowledge/rename';
import { listTemplates } from '../../../store/knowledge/templates';
import { readNote } from '../../../store/knowledge/readNote';
import { writeNote } from '../../../store/knowledge/writeNote';
import { pathParam } from '../../pathParam';
import { method, who, writer } from '../define';

/** Params that name places in the vault (see pathParam.ts). */
const vaultFolder = (what: string, error = `${what} must be a vault-relative folder`) => pathParam(z.string({ error }).max(1000), what);
const templateName = pathParam(z.string({ error: 'template must be a template name' }).trim().min(1, 'template must not be empty').max(1000), 'template');
const notePath = (max: number) => pathParam(z.string({ error: 'note must be a path or a title' }).trim().min(1, 'note must not be empty').max(max), 'note');
const newName = pathParam(z.string({ error: 'newName must be a string' }).max(1000), 'newName');
const page = {
  offset: z.number({ error: 'offset must be a whole number' }).int().min(0).optional(),
  limit: z.number({ error: 'limit must be a whole number from 1 to 100000' }).int().min(1).max(100_000).optional(),
};

export const noteMethods = {
  'notes.read': method({
    doc: "A note's text as it is on disk, whole or one section by heading, with its version.",
    result: 'NoteText',
    params: () => z.strictObject({
      note: notePath(4096),
      heading: z.string({ error: 'heading must be the text of a heading in the note' }).trim().min(1, 'heading must not be empty').max(1000).optional(),
    }),
    handler: (store, p, ctx) => readNote(store, ctx.vaultDir, p.note, p.heading),
  }),
  'notes.write': method({
    doc: 'Writes a note: create it (never over another file), append to it, replace it or one section, refused if it changed since the version you read.',
    result: 'NoteText',
    writes: true,
    params: () => z
      .strictObject({
        note: notePath(4096),
        mode: z.enum(['create', 'append', 'replace', 'replaceSection'], { error: 'mode must be create, append, replace or replaceSection' }),
        text: z.string({ error: 'text must be a string' }).max(1_000_000, 'text must be at most 1,000,000 characters'),
        heading: z.string({ error: 'heading must be the text of a heading in the note' }).trim().min(1, 'heading must not be empty').max(1000).optional(),
        expectedVersion: z.string({ error: 'expectedVersion must be the version notes.read gave you' }).regex(/^[0-9a-f]{16}$/, 'expectedVersion must be the version notes.read gave you (16 hex digits)').optional(),
        ...writer,
      })
      .refine((p) => (p.mode === 'replaceSection') === (p.heading !== undefined), 'heading goes with mode replaceSection, and only with it'),
    handler: (store, p, ctx) => writeNote(store, ctx.vaultDir, who(ctx, p), p),
  }),
  'notes.links': method({
    doc: "A note's backlinks and outgoing links, each with its line and context.",
    result: 'NoteLinks',
    params: () => z.strictObject({ note: notePath(1000) }),
    handler: (store, p) => noteLinksOf(store.orm, p.note),
  }),
  'notes.placeholders': method({
    doc: 'Links to notes that do not exist, grouped by name, most-linked first.',
    result: '`[{"target":…,"count":N}]`',
    params: () => z.strictObject({}),
    handler: (store) => placeholders(store.orm),
  }),
  'notes.list': method({
    doc: 'A page of the indexed notes, by folder or tag, sorted by path.',
    result: 'NotePage',
    params: () => z.strictObject({
      folder: vaultFolder('folder', 'folder must be a vault-relative folder path ("" for the top level)').optional(),
      recursive: z.boolean().optional(),
      tag: z.string({ error: 'tag must be a string' }).trim().min(1, 'tag must not be empty').max(200).optional(),
      ...page,
    }),
    handler: (store, p) => listNotes(store, p),
  }),
  'notes.folders': method({
    doc: 'The folders that hold notes, with their counts.',
    result: 'FolderSummary[]',
    params: () => z.strictObject({ parent: vaultFolder('parent', 'parent must be a vault-relative folder path ("" for the top level)').optional() }),
    handler: (store, p) => listFolders(store, p.parent),
  }),
  'notes.orphans': method({
    doc: 'A page of the notes that link to no note and that no note links to.',
    result: 'NotePage',
    params: () => z.strictObject(page),
    handler: (store, p) => listOrphans(store, p),
  }),
  'tags.list': method({
    doc: "The vault's tags, nested tags with their parents, and how many notes carry each.",
    result: 'TagSummary[]',
    params: () => z.strictObject({}),
    handler: (store) => listTags(store),
  }),
  'notes.createPlaceholder': method({
    doc: 'Creates the note a placeholder link names, where Obsidian would.',
    result: '`{"path","absPath","created":true}`',
    writes: true,
    params: () => z.strictObject({
      target: pathParam(z.string({ error: 'target must be the note name a link uses, such as "Lost city" or "trips/Lost city"' }).trim().min(1, 'target must not be empty').max(1000), 'target'),
      ...writer,
    }),
    handler: (store, p, ctx) => createPlaceholderNote(store, ctx.vaultDir, who(ctx, p), p.target),
  }),
  'notes.resolve': method({
    doc: 'Where a link written in a note points (file, heading or block line), with a preview.',
    result: 'ResolvedTarget or `null`',
    params: () => z.strictObject({
      from: pathParam(z.string({ error: 'from must be the path of the note that holds the link' }).trim().min(1, 'from must not be empty').max(4096), 'from'),
      link: z.string({ error: 'link must be the text inside [[…]], or a Markdown link destination' }).trim().min(1, 'link must not be empty').max(4096),
      kind: z.enum(['wikilink', 'embed', 'markdown'], { error: 'kind must be one of wikilink, embed, markdown' }).default('wikilink'),
    }),
    handler: (store, p, ctx) => resolveForEditor(store, ctx.vaultDir, p.from, p.kind, p.link),
  }),
  'notes.templates': method({
    doc: 'The note templates in the templates folder.',
    result: '`[{"name","path"}]`',
    params: () => z.strictObject({ templatesFolder: vaultFolder('templatesFolder').optional() }),
    handler: async (_store, p, ctx) => listTemplates(ctx.vaultDir, checkVaultFolder(p.templatesFolder ?? DEFAULT_TEMPLATES_FOLDER, 'The templates folder')),
  }),
  'notes.create': method({
    doc: 'Creates a note, from a template if given; never overwrites.',
    result: 'NewNoteResult',
    writes: true,
    params: () => z.strictObject({
      title: pathParam(z.string({ error: 'title must be a string' }).max(1000), 'title'),
      template: templateName.optional(),
      templatesFolder: vaultFolder('templatesFolder').optional(),
      folder: vaultFolder('folder').optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => createNote(store, ctx.vaultDir, who(ctx, p), p),
  }),
  'notes.daily': method({
    doc: "Today's (or a given day's) daily note, created once from its template.",
    result: 'NewNoteResult',
    writes: true,
    params: () => z.strictObject({
      date: z.string({ error: 'date must be a day written YYYY-MM-DD' }).trim().optional(),
      folder: vaultFolder('folder').optional(),
      format: pathParam(z.string({ error: 'format must be a date format such as YYYY-MM-DD' }).max(200), 'format').optional(),
      template: templateName.optional(),
      templatesFolder: vaultFolder('templatesFolder').optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => openDailyNote(store, ctx.vaultDir, who(ctx, p), p),
  }),
  'notes.createDecision': method({
    doc: 'Creates the next numbered decision record.',
    result: 'NewNoteResult + `number`',
    writes: true,
    params: () => z.strictObject({
      title: z.string({ error: 'title must be a string' }).max(1000),
      folder: vaultFolder('folder').optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => createDecision(store, ctx.vaultDir, who(ctx, p), p),
  }),
  'notes.renamePlan': method({
    doc: 'What renaming a note would change: its file and every link to it.',
    result: 'RenamePlan',
    params: () => z.strictObject({ note: notePath(4096), newName }),
    handler: (store, p, ctx) => planRename(store, ctx.vaultDir, p.note, p.newName),
  }),
  'notes.rename': method({
    doc: 'Renames a note and rewrites every link to it.',
    result: 'RenamePlan + `written`',
    writes: true,
    params: () => z.strictObject({ note: notePath(4096), newName, ...writer }),
    handler: (store, p, ctx) => renameNote(store, ctx.vaultDir, who(ctx, p), p.note, p.newName),
  }),
};
