// What a restore would change, in words: from backup.restore's dry run, a Markdown report (tasks, projects,
// sprints and notes by name; other tables as counts) and a short summary for the confirmation dialog.
import type { TableDiff } from '../../store/snapshot/load';
import type { RestoreResult } from '../../sync/restore';

/** Tables whose rows are shown by name, in this order, with their heading. */
const NAMED: [string, string][] = [
  ['tasks', 'Tasks'],
  ['projects', 'Projects'],
  ['sprints', 'Sprints'],
];

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const changeWords = (d: { added: number; changed: number; removed: number }) =>
  [d.added && `${d.added} added`, d.changed && `${d.changed} changed`, d.removed && `${d.removed} removed`].filter(Boolean).join(', ');

const label = (row: { key: string; label: string | null }) => (row.label ? `“${row.label}” (${row.key})` : row.key);

/** "3 tasks: 1 added, 2 changed" lines for the dialog. */
export function restoreSummary(plan: RestoreResult): string[] {
  const lines: string[] = [];
  for (const [table, heading] of NAMED) {
    const d = plan.tables.find((t) => t.table === table);
    if (d && d.added + d.changed + d.removed) lines.push(`${heading}: ${changeWords(d)}`);
  }
  const f = plan.files;
  if (f.added + f.changed + f.removed) lines.push(`Notes and files: ${changeWords(f)}`);
  const others = otherTables(plan.tables);
  if (others.length) lines.push(`Also: ${others.map((d) => `${d.table.replace(/_/g, ' ')} (${changeWords(d)})`).join(', ')}`);
  return lines.length ? lines : ['Nothing would change: the store already matches this backup.'];
}

function otherTables(tables: TableDiff[]): TableDiff[] {
  return tables.filter((t) => !NAMED.some(([n]) => n === t.table) && t.added + t.changed + t.removed > 0);
}

function section(title: string, d: { added: number; changed: number; removed: number }, samples: { added: string[]; changed: string[]; removed: string[] }): string[] {
  const out = [`## ${title}: ${changeWords(d) || 'no change'}`, ''];
  for (const [kind, sign] of [['added', 'Added'], ['changed', 'Changed'], ['removed', 'Removed']] as const) {
    if (!d[kind]) continue;
    out.push(`${sign} (${d[kind]}):`, ...samples[kind].map((s) => `- ${s}`));
    if (d[kind] > samples[kind].length) out.push(`- … and ${d[kind] - samples[kind].length} more`);
    out.push('');
  }
  return out;
}

/** The full report, as Markdown. */
export function restoreReport(plan: RestoreResult): string {
  const short = plan.commit.slice(0, 10);
  const out = [
    `# Restore backup ${short}`,
    '',
    `Backup of ${new Date(plan.date).toLocaleString()}: ${plan.subject}`,
    '',
    'Restoring makes the store and its files what they were in this backup. The present state is backed up first, so the restore can itself be undone from the backup history.',
    '',
  ];
  for (const [table, heading] of NAMED) {
    const d = plan.tables.find((t) => t.table === table);
    if (!d) continue;
    const samples = { added: d.samples.added.map(label), changed: d.samples.changed.map(label), removed: d.samples.removed.map(label) };
    out.push(...section(heading, d, samples));
  }
  out.push(...section('Notes and files', plan.files, plan.files.samples));
  const others = otherTables(plan.tables);
  if (others.length) out.push('## Other data', '', ...others.map((d) => `- ${count(d.added + d.changed + d.removed, 'row', 'rows')} of ${d.table.replace(/_/g, ' ')}: ${changeWords(d)}`), '');
  if (plan.warnings.length) out.push('## Warnings', '', ...plan.warnings.map((w) => `- ${w}`), '');
  return out.join('\n');
}
