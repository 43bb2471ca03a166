// Making notes in the vault: a new note (optionally from a template), the daily note of a day, and a numbered
// decision record (ADR). Each writes one new file (never overwriting one) and indexes it at once, so links,
// completion and search know it before the file watcher notices.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Actor } from '../events';
import { StoreError } from '../errors';
import type { Store } from '../store';
import { formatDate, parseDay } from './dateFormat';
import { indexPaths } from './indexer';
import { withFolderLock } from './folderLock';
import { absoluteInVault, checkNoteName, checkVaultExists, checkVaultFolder, createFileInVault } from './noteFiles';
import { DEFAULT_DATE_FORMAT, DEFAULT_TEMPLATES_FOLDER, expandTemplate, readTemplate } from './templates';

export { DEFAULT_TEMPLATES_FOLDER };

export interface NewNoteResult {
  /** Vault-relative path. */
  path: string;
  absPath: string;
  /** False when the note was already there (a daily note is opened, not made twice). */
  created: boolean;
}

export interface NewNoteOptions {
  title: string;
  /** A template name in the templates folder; none: a note with just its title as heading. */
  template?: string;
  /** Vault-relative; default 'templates'. */
  templatesFolder?: string;
  /** Vault-relative folder for the note; default the vault root. */
  folder?: string;
  now?: Date;
}

export const DEFAULT_DAILY_FOLDER = 'daily';
export const DEFAULT_DECISIONS_FOLDER = 'decisions';

async function indexNew(store: Store, vault: string, rel: string, who: Actor): Promise<void> {
  await indexPaths(store, vault, [rel], who);
}

const joinRel = (...parts: string[]) => parts.filter(Boolean).join('/');

export async function createNote(store: Store, vault: string, who: Actor, o: NewNoteOptions): Promise<NewNoteResult> {
  const title = checkNoteName(o.title, 'The note title');
  const folder = checkVaultFolder(o.folder ?? '', 'The note folder');
  const now = o.now ?? new Date();
  const text = o.template ? expandTemplate(readTemplate(vault, checkVaultFolder(o.templatesFolder ?? DEFAULT_TEMPLATES_FOLDER, 'The templates folder'), o.template), { title, date: now }) : `# ${title}\n\n`;
  const rel = joinRel(folder, `${title}.md`);
  const absPath = createFileInVault(vault, rel, text);
  await indexNew(store, vault, rel, who);
  return { path: rel, absPath, created: true };
}

export interface DailyNoteOptions {
  /** YYYY-MM-DD; default today (local time). */
  date?: string;
  /** Vault-relative; default 'daily'. */
  folder?: string;
  /** Moment.js format of the file name (may hold '/' for sub-folders); default YYYY-MM-DD. */
  format?: string;
  template?: string;
  templatesFolder?: string;
  now?: Date;
}

/** The daily note of a day: opened when it exists, else made (from the daily template when one is set). */
export async function openDailyNote(store: Store, vault: string, who: Actor, o: DailyNoteOptions = {}): Promise<NewNoteResult> {
  const now = o.now ?? new Date();
  let day = now;
  if (o.date !== undefined) {
    const parsed = parseDay(o.date);
    if (!parsed) throw new StoreError('invalid', `"${o.date}" is not a day: write it YYYY-MM-DD, like 2026-11-24.`, { date: o.date });
    day = parsed;
  }
  const folder = checkVaultFolder(o.folder ?? DEFAULT_DAILY_FOLDER, 'The daily notes folder');
  const format = o.format?.trim() || DEFAULT_DATE_FORMAT;
  const formatted = formatDate(day, format).replace(/\.md$/i, '');
  const parts = formatted.split('/');
  const name = checkNoteName(parts.pop()!, `The daily note name "${formatted}" (from the format "${format}")`);
  const sub = checkVaultFolder(parts.join('/'), `The daily note format "${format}"`);
  const rel = joinRel(folder, sub, `${name}.md`);
  const absPath = absoluteInVault(vault, rel);
  if (fs.existsSync(absPath)) return { path: rel, absPath, created: false };
  const time = o.date === undefined ? now : new Date(day.getFullYear(), day.getMonth(), day.getDate(), now.getHours(), now.getMinutes(), now.getSeconds());
  const text = o.template
    ? expandTemplate(readTemplate(vault, checkVaultFolder(o.templatesFolder ?? DEFAULT_TEMPLATES_FOLDER, 'The templates folder'), o.template), { title: name, date: time, dateFormat: format.includes('/') ? DEFAULT_DATE_FORMAT : format })
    : '';
  try {
    createFileInVault(vault, rel, text);
  } catch (err) {
    // Made by someone else a moment ago: that is the daily note to open.
    if (err instanceof StoreError && err.kind === 'conflict') return { path: rel, absPath, created: false };
    throw err;
  }
  await indexNew(store, vault, rel, who);
  return { path: rel, absPath, created: true };
}

export interface DecisionOptions {
  title: string;
  /** Vault-relative; default 'decisions'. */
  folder?: string;
  now?: Date;
}

export interface DecisionResult extends NewNoteResult {
  number: number;
}

const NUMBERED = /^(\d{4,})-.+\.md$/i;
/**
 * Periodic notes (daily 2026-01-01, monthly 2026-01, weekly 2026-W01, quarterly 2026-Q1) also start with four digits
 * and a dash: their year is not a decision number.
 */
const PERIODIC = /^\d{4}-(?:\d{2}(?:-\d{2})?|W\d{2}|Q[1-4])\.md$/i;

/** The number of a decision record's file name (`NNNN-title.md`), or null for any other name. */
function decisionNumberOf(name: string): number | null {
  const m = NUMBERED.exec(name);
  return m && !PERIODIC.test(name) ? Number(m[1]) : null;
}

/** `Use SQLite for the store` → `use-sqlite-for-the-store` (letters of any script kept; the rest become '-'). */
export function slugify(title: string): string {
  return title
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/** The next decision number: one more than the highest in the folder (gaps stay gaps: numbers are never reused). */
export function nextDecisionNumber(dir: string): number {
  let max = 0;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) max = Math.max(max, decisionNumberOf(name) ?? 0);
  return max + 1;
}

export function decisionText(number: number, title: string, date: Date): string {
  return [
    `# ${number}. ${title}`,
    '',
    `Date: ${formatDate(date, DEFAULT_DATE_FORMAT)}`,
    '',
    '## Status',
    '',
    'Proposed',
    '',
    '## Context',
    '',
    'What is the issue that we are seeing that motivates this decision or change?',
    '',
    '## Decision',
    '',
    'What is the change that we are proposing and/or doing?',
    '',
    '## Consequences',
    '',
    'What becomes easier or more difficult to do because of this change?',
    '',
  ].join('\n');
}

/** A new decision record `decisions/NNNN-slug.md` with the standard sections (Michael Nygard's format). */
export async function createDecision(store: Store, vault: string, who: Actor, o: DecisionOptions): Promise<DecisionResult> {
  const title = o.title.normalize('NFC').trim();
  if (!title) throw new StoreError('invalid', 'The decision title is empty. Type what was decided, such as "Use SQLite for the store".');
  if (/[\u0000-\u001f\u007f]/.test(title)) throw new StoreError('invalid', 'The decision title must not contain control characters or line breaks.');
  const slug = slugify(title);
  if (!slug) throw new StoreError('invalid', `The decision title "${title}" has no letters or digits to name the file by.`, { title });
  const folder = checkVaultFolder(o.folder ?? DEFAULT_DECISIONS_FOLDER, 'The decisions folder');
  checkVaultExists(vault);
  const dir = folder ? absoluteInVault(vault, folder) : path.resolve(vault); // '' is the vault's top folder
  fs.mkdirSync(dir, { recursive: true });
  // Two writers at the same instant would read the same highest number and create different file names with it:
  // reading the folder and creating the file happen under the folder's lock (Cairn's writers in any process). The
  // file is still created exclusively, so a writer that takes no lock (a person, a sync) makes this one move on.
  const made = await withFolderLock(dir, 'cairn-decision', () => {
    for (let attempt = 0; ; attempt++) {
      const number = nextDecisionNumber(dir);
      const file = checkNoteName(`${String(number).padStart(4, '0')}-${slug.slice(0, 120).replace(/-+$/, '')}`, 'The decision file name');
      if (decisionNumberOf(`${file}.md`) !== number) {
        throw new StoreError('invalid', `The decision title "${title}" would make the file name ${file}.md, which reads as a date, not a numbered decision. Add a word to the title.`, { title });
      }
      const rel = joinRel(folder, `${file}.md`);
      try {
        return { path: rel, absPath: createFileInVault(vault, rel, decisionText(number, title, o.now ?? new Date())), created: true, number };
      } catch (err) {
        if (!(err instanceof StoreError && err.kind === 'conflict') || attempt >= 5) throw err;
      }
    }
  });
  await indexNew(store, vault, made.path, who);
  return made;
}
