// `cairn sync` and `cairn conflicts [resolve ID --mine|--theirs|--value JSON]` (registered by cli.ts).
import type { Command } from 'commander';
import type { ConflictView } from '../../../sync/resolve';
import type { SyncResult } from '../../../sync/sync';
import { settingsOf, withSettingFlags, type CliTools, type SettingFlags } from '../backup/cli';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';
import { formatTable } from '../../table';

const out = (cmd: Command, tools: CliTools, value: unknown, text: () => string) => process.stdout.write((tools.json(cmd) ? JSON.stringify(value, null, 2) : text()) + '\n');
const counts = (c: Record<string, number>) => Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
const short = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

function describeSync(r: SyncResult): string {
  const lines = [
    {
      up_to_date: `Up to date with ${r.remote} (${r.head?.slice(0, 10)})`,
      pushed: `Pushed to ${r.remote} (${r.head?.slice(0, 10)})`,
      fast_forward: `Took the remote's changes (${counts(r.changes.fromTheirs)}); now at ${r.head?.slice(0, 10)}`,
      merged: `Merged ${r.theirs?.slice(0, 10)} from ${r.remote}: from theirs ${counts(r.changes.fromTheirs)}; merged ${counts(r.changes.merged)}; ${r.pushed ? 'pushed' : 'not pushed'} ${r.head?.slice(0, 10)}`,
    }[r.status],
  ];
  if (r.freshHistory) lines.push(`Started a fresh history for the remote at ${r.freshHistory.commit.slice(0, 10)}; the previous history (with the private notes) stays on the local branch ${r.freshHistory.branch}`);
  if (r.erased.rows && Object.keys(r.erased.rows).length) lines.push(`Kept erased: ${counts(r.erased.rows)} of erased project${r.erased.projects.length === 1 ? '' : 's'} ${r.erased.projects.join(', ')} dropped`);
  if (r.conflicts.length) lines.push(`${r.conflicts.length} new conflict${r.conflicts.length === 1 ? '' : 's'} (mine kept for now): see "cairn conflicts"`);
  else if (r.openConflicts) lines.push(`${r.openConflicts} open conflict${r.openConflicts === 1 ? '' : 's'}: see "cairn conflicts"`);
  return lines.join('\n');
}

export function registerSyncCommands(program: Command, tools: CliTools): void {
  withSettingFlags(tools.sub(program, 'sync', 'back up, fetch the remote, merge, push (never a force-push)'))
    .option('--max-attempts <n>', 'fetch-merge-push rounds when other machines push first (default 8)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new MethodError(ErrorCodes.InvalidParams, `--max-attempts must be a whole number from 1 to 10, not "${v}"`);
      return n;
    })
    .option('--allow-private-history', 'push private notes that commits made before the remote was set hold')
    .option('--fresh-history', 'if the history to push holds private notes, push a new history from the current state instead (the old one stays on a local branch)')
    .option('--allow-mass-delete', 'back up and apply the removal of many rows that no logged deletion explains (refused otherwise)')
    .action(async (o: SettingFlags & { maxAttempts?: number; allowPrivateHistory?: boolean; freshHistory?: boolean; allowMassDelete?: boolean }, cmd: Command) => {
      if (o.allowPrivateHistory && o.freshHistory) throw new MethodError(ErrorCodes.InvalidParams, 'give --allow-private-history or --fresh-history, not both');
      const r = await tools.withStore(cmd, (call) =>
        call<'sync.run', SyncResult>('sync.run', { ...settingsOf(o), maxAttempts: o.maxAttempts, allowPrivateHistory: o.allowPrivateHistory, freshHistory: o.freshHistory, allowMassDelete: o.allowMassDelete }),
      );
      for (const w of r.warnings) process.stderr.write(`cairn: warning: ${w}\n`);
      out(cmd, tools, r, () => describeSync(r));
    });

  const conflicts = tools
    .sub(program, 'conflicts', 'list what syncs could not merge (open ones unless --all or --resolved)')
    .option('--all', 'open and resolved')
    .option('--resolved', 'only resolved ones')
    .action(async (o: { all?: boolean; resolved?: boolean }, cmd: Command) => {
      const status = o.all ? 'all' : o.resolved ? 'resolved' : 'open';
      const r = await tools.withStore(cmd, (call) => call<'conflicts.list', { conflicts: ConflictView[]; open: number }>('conflicts.list', { status }));
      out(cmd, tools, r, () =>
        r.conflicts.length
          ? formatTable(
              ['ID', 'WHAT', 'FIELDS', 'MINE', 'THEIRS', 'STATUS'],
              r.conflicts.map((c) => [
                c.id,
                c.kind === 'row' ? `${c.table} ${c.rowKey}${c.label ? ` "${c.label}"` : ''}` : `${c.path}${c.copyPath ? ` (theirs: ${c.copyPath})` : ''}`,
                c.fields.join(','),
                c.kind === 'row' ? short(c.mine) : '(in place)',
                c.kind === 'row' ? short(c.theirs) : c.copyPath ? '(the copy)' : short(c.theirs),
                c.resolution ?? 'open',
              ]),
            ) + '\nResolve: cairn conflicts resolve ID --mine | --theirs | --value JSON'
          : status === 'open'
            ? 'No open conflicts.'
            : 'No conflicts.',
      );
    });
  tools
    .sub(conflicts, 'resolve', 'keep mine, take theirs, or write a value (JSON: an object of the fields, or a note\'s text)')
    .argument('<id>')
    .option('--mine', 'keep what is there')
    .option('--theirs', "take the other machine's version")
    .option('--value <json>', 'write this instead')
    .action(async (id: string, o: { mine?: boolean; theirs?: boolean; value?: string }, cmd: Command) => {
      const picked = [o.mine && 'mine', o.theirs && 'theirs', o.value !== undefined && 'edit'].filter(Boolean) as ('mine' | 'theirs' | 'edit')[];
      if (picked.length !== 1) throw new MethodError(ErrorCodes.InvalidParams, 'give exactly one of --mine, --theirs or --value JSON');
      let value: unknown;
      if (o.value !== undefined) {
        try {
          value = JSON.parse(o.value);
        } catch {
          throw new MethodError(ErrorCodes.InvalidParams, `--value must be JSON (an object like '{"title":"New"}', or a quoted string for a note's text), not ${o.value}`);
        }
      }
      const r = await tools.withStore(cmd, (call) => call<'conflicts.resolve', { conflict: ConflictView }>('conflicts.resolve', { id, choice: picked[0]!, ...(value !== undefined ? { value } : {}) }));
      out(cmd, tools, r, () => `Resolved ${r.conflict.id} (${r.conflict.resolution}); the next sync carries it to the other machines.`);
    });
}
