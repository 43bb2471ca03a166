// A backup's commit message: a one-line summary a person reads in the history ("3 tasks changed, 2 notes
// added"), and git trailers with the counts, so the history shows them without reading any tree.
//   Cairn-Kind: backup | safety | restore      Cairn-Tasks: +1 ~3 -0      Cairn-Bytes: 123456
import type { RowChanges } from './exporter';

export type BackupKind = 'backup' | 'safety' | 'restore';

/** What a backup changed, by kind of thing: tables by name, plus notes, attachments and agent files. */
export type ChangeCounts = Record<string, RowChanges>;

export interface Totals {
  rows: Record<string, number>;
  files: number;
  bytes: number;
}

/** Singular and plural names of the things counted, in the order the summary mentions them. */
const NAMES: [string, string, string][] = [
  ['tasks', 'task', 'tasks'],
  ['projects', 'project', 'projects'],
  ['sprints', 'sprint', 'sprints'],
  ['notes', 'note', 'notes'],
  ['attachments', 'attachment', 'attachments'],
  ['agent_files', 'agent file', 'agent files'],
  ['agent_runs', 'agent run', 'agent runs'],
  ['graph_entities', 'graph entity', 'graph entities'],
  ['graph_relations', 'graph relation', 'graph relations'],
  ['graph_observations', 'observation', 'observations'],
  ['events', 'event', 'events'],
];

const nameOf = (thing: string, n: number) => {
  const known = NAMES.find(([k]) => k === thing);
  const [, one, many] = known ?? [thing, thing.replace(/_/g, ' '), thing.replace(/_/g, ' ')];
  return `${n} ${n === 1 ? one : many}`;
};

const order = (thing: string) => {
  const i = NAMES.findIndex(([k]) => k === thing);
  return i === -1 ? NAMES.length - 1 : i; // unknown tables before events, which come last
};

/** "3 tasks changed, 2 notes added, 1 project removed" (events only when nothing else changed). */
export function summarize(changes: ChangeCounts, first: boolean, totals: Totals): string {
  const things = Object.keys(changes).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const parts: string[] = [];
  for (const t of things) {
    if (t === 'events' && parts.length) continue;
    const c = changes[t]!;
    if (c.changed) parts.push(`${nameOf(t, c.changed)} changed`);
    if (c.added) parts.push(`${nameOf(t, c.added)} added`);
    if (c.removed) parts.push(`${nameOf(t, c.removed)} removed`);
  }
  let text: string;
  if (first) {
    const held = ['tasks', 'projects', 'notes'].map((t) => nameOf(t, t === 'notes' ? (changes.notes?.added ?? 0) : (totals.rows[t] ?? 0)));
    text = `First backup: ${held.join(', ')}, ${totals.files} files`;
  } else {
    text = parts.length > 4 ? `${parts.slice(0, 4).join(', ')} and more` : parts.join(', ') || 'no changes';
  }
  return text;
}

const trailerName = (thing: string) =>
  'Cairn-' +
  thing
    .split('_')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('-');

export function trailers(changes: ChangeCounts, kind: BackupKind, totals: Totals, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { 'Cairn-Kind': kind };
  for (const [thing, c] of Object.entries(changes)) if (c.added || c.changed || c.removed) out[trailerName(thing)] = `+${c.added} ~${c.changed} -${c.removed}`;
  out['Cairn-Files'] = String(totals.files);
  out['Cairn-Bytes'] = String(totals.bytes);
  return { ...out, ...extra };
}

/** Reads the counts back from a commit's trailers. */
export function countsFromTrailers(t: Record<string, string>): ChangeCounts {
  const out: ChangeCounts = {};
  for (const [k, v] of Object.entries(t)) {
    const m = /^\+(\d+) ~(\d+) -(\d+)$/.exec(v);
    if (!k.startsWith('Cairn-') || !m) continue;
    const thing = k.slice('Cairn-'.length).toLowerCase().replace(/-/g, '_');
    out[thing] = { added: Number(m[1]), changed: Number(m[2]), removed: Number(m[3]) };
  }
  return out;
}
