// Note templates, as Obsidian's core Templates and Daily notes plugins read them: Markdown files in a template
// folder of the vault, with variables expanded when a note is made from one:
//   {{title}}                 the new note's name
//   {{date}} / {{time}}       the date (default format YYYY-MM-DD) and time (default HH:mm)
//   {{date:FORMAT}}           any Moment.js format, e.g. {{date:dddd, MMMM Do YYYY}}; {{time:FORMAT}} likewise
//   {{date+1d}} {{date-1w:FORMAT}}  the date moved by days, weeks, months or years (Daily notes' syntax)
//   {{yesterday}} {{tomorrow}}      the day before / after, in the date format
// Names are case-insensitive; anything else in braces is left as written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../errors';
import { formatDate } from './dateFormat';
import { absoluteInVault } from './noteFiles';
import { isNotePath } from './scan';

/** Vault-relative folder of the templates unless a setting says otherwise (cairn.templatesFolder, --templates). */
export const DEFAULT_TEMPLATES_FOLDER = 'templates';
export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD';
export const DEFAULT_TIME_FORMAT = 'HH:mm';

export interface TemplateContext {
  title: string;
  /** The moment {{date}} and {{time}} stand for (a daily note's day, else now). */
  date: Date;
  dateFormat?: string;
  timeFormat?: string;
}

const VARIABLE = /\{\{\s*(title|date|time|yesterday|tomorrow)\s*(?:([+-]\d+)\s*([dwmy]))?\s*(?::([^}]*))?\}\}/gi;

function shifted(date: Date, amount: number, unit: string): Date {
  const d = new Date(date.getTime());
  switch (unit.toLowerCase()) {
    case 'd':
      d.setDate(d.getDate() + amount);
      break;
    case 'w':
      d.setDate(d.getDate() + 7 * amount);
      break;
    case 'm':
      d.setMonth(d.getMonth() + amount);
      break;
    default:
      d.setFullYear(d.getFullYear() + amount);
  }
  return d;
}

export function expandTemplate(text: string, ctx: TemplateContext): string {
  const dateFormat = ctx.dateFormat || DEFAULT_DATE_FORMAT;
  const timeFormat = ctx.timeFormat || DEFAULT_TIME_FORMAT;
  return text.replace(VARIABLE, (whole, name: string, amount: string | undefined, unit: string | undefined, format: string | undefined) => {
    const kind = name.toLowerCase();
    if (kind === 'title') return amount || format !== undefined ? whole : ctx.title;
    const base = kind === 'yesterday' ? shifted(ctx.date, -1, 'd') : kind === 'tomorrow' ? shifted(ctx.date, 1, 'd') : ctx.date;
    const date = amount ? shifted(base, Number(amount), unit!) : base;
    const fmt = format?.trim() || (kind === 'time' ? timeFormat : dateFormat);
    return formatDate(date, fmt);
  });
}

export interface TemplateFile {
  /** What to pick it by: its path inside the template folder, without `.md`. */
  name: string;
  /** Vault-relative path. */
  path: string;
}

function missingFolder(folder: string, vault: string): StoreError {
  return new StoreError(
    'not_found',
    `The templates folder "${folder}" does not exist in the vault ${vault}. Create it and put Markdown templates in it, or set cairn.templatesFolder (CLI: --templates) to the folder that holds them.`,
    { templatesFolder: folder },
  );
}

/** The templates (Markdown files, sub-folders included) of a vault-relative folder, sorted by name. */
export function listTemplates(vault: string, folder: string): TemplateFile[] {
  const root = absoluteInVault(vault, folder || '.');
  const stat = fs.statSync(root, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw missingFolder(folder, vault);
  const out: TemplateFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), childRel);
      else if (entry.isFile() && isNotePath(entry.name)) out.push({ name: childRel.replace(/\.md$/i, ''), path: folder ? `${folder}/${childRel}` : childRel });
    }
  };
  walk(root, '');
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A template's text, by name (as listTemplates gives it, with or without `.md`), from a vault-relative folder. */
export function readTemplate(vault: string, folder: string, name: string): string {
  const templates = listTemplates(vault, folder);
  const wanted = name.replace(/\\/g, '/').replace(/\.md$/i, '').toLowerCase();
  const found = templates.find((t) => t.name.toLowerCase() === wanted);
  if (!found) {
    const known = templates.map((t) => t.name);
    throw new StoreError(
      'not_found',
      `There is no template "${name}" in the templates folder "${folder}". ${known.length ? `Templates there: ${known.join(', ')}.` : 'That folder holds no Markdown files yet.'}`,
      { template: name, templatesFolder: folder },
    );
  }
  return fs.readFileSync(absoluteInVault(vault, found.path), 'utf8');
}
