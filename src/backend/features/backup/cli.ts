// `cairn backup`, `cairn restore REF`, `cairn history`, `cairn remote set|show|remove`: the backup methods from the
// command line (registered by cli.ts). Each takes --json; settings are flags here, settings in the extension.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { TableDiff } from '../../../store/snapshot/load';
import type { BackupResult } from '../../../sync/backup';
import type { HistoryEntry } from '../../../sync/history';
import type { RemoteInfo } from '../../../sync/remote';
import type { RestoreResult } from '../../../sync/restore';
import type { Caller, OpenFor } from '../../cli';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';
import { formatTable } from '../../table';

export interface CliTools {
  sub: (parent: Command, name: string, description: string) => Command;
  json: (cmd: Command) => boolean;
  /** openFor: how the store is opened (default: an existing, intact store; restore and history: to restore it). */
  withStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>, openFor?: OpenFor) => Promise<T>;
}

export interface SettingFlags {
  repo?: string;
  withoutVault?: boolean;
  withoutAgents?: boolean;
  exclude?: string[];
  allow?: string[];
  privateNotes?: 'auto' | 'exclude' | 'include';
}

const collect = (v: string, acc: string[] = []) => [...acc, v];

export function withSettingFlags(cmd: Command): Command {
  return cmd
    .option('--repo <dir>', 'the backup repository (default <store>/backup)')
    .option('--without-vault', 'leave the vault out')
    .option('--without-agents', 'leave the agent folders out')
    .option('--exclude <glob>', 'leave matching vault/agent files out (repeatable)', collect)
    .option('--allow <fingerprint>', 'accept one secret-scan finding (repeatable)', collect)
    .addOption(new Option('--private-notes <policy>', 'notes with private: true — auto: left out when a remote is set').choices(['auto', 'exclude', 'include']));
}

export const settingsOf = (o: SettingFlags) => ({
  repo: o.repo,
  includeVault: o.withoutVault ? false : undefined,
  includeAgents: o.withoutAgents ? false : undefined,
  exclude: o.exclude,
  allow: o.allow,
  privateNotes: o.privateNotes,
});

const size = (bytes: number | null) => (bytes === null ? '' : bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);
const out = (cmd: Command, tools: CliTools, value: unknown, text: () => string) => process.stdout.write((tools.json(cmd) ? JSON.stringify(value, null, 2) : text()) + '\n');

/** A refused backup's findings, one per line (the generic error printer would fold them into one). */
function reportFindings(err: unknown): never {
  const findings = (err instanceof MethodError ? (err.data as { findings?: unknown[] } | undefined)?.findings : undefined) as { path: string; line: number; column: number; rule: string; message: string; where: string; fingerprint: string }[] | undefined;
  if (!findings) throw err;
  process.stderr.write(`cairn: the backup was refused: ${findings.length} possible secret${findings.length === 1 ? '' : 's'}; nothing was committed\n`);
  for (const f of findings) process.stderr.write(`  ${f.path.split('#field:')[0]}:${f.line}:${f.column}  ${f.rule}: ${f.message}\n    in ${f.where}\n    allow it: --allow '${f.fingerprint}'\n`);
  process.stderr.write('Remove the secret (or encrypt the field), exclude the file with --exclude GLOB, or allow a finding you accept.\n');
  process.exitCode = 1;
  throw new HandledError();
}

/** Already reported to the user; only the exit code is left to set. */
class HandledError extends Error {}

function diffLines(r: RestoreResult): string[] {
  const row = (name: string, d: { added: number; removed: number; changed: number }) => `  ${name.padEnd(20)} ${d.added} added, ${d.removed} removed, ${d.changed} changed`;
  const lines = r.tables.filter((t) => t.added || t.removed || t.changed).map((t: TableDiff) => row(t.table, t));
  if (r.files.added || r.files.removed || r.files.changed) lines.push(row('files', r.files));
  for (const t of r.tables.filter((t) => ['tasks', 'projects', 'sprints'].includes(t.table))) {
    for (const kind of ['added', 'removed', 'changed'] as const) {
      for (const s of t.samples[kind].slice(0, 10)) lines.push(`    ${kind.padEnd(7)} ${t.table.replace(/s$/, '')} ${s.key}${s.label ? `  ${s.label}` : ''}`);
    }
  }
  for (const kind of ['added', 'removed', 'changed'] as const) for (const p of r.files.samples[kind].slice(0, 10)) lines.push(`    ${kind.padEnd(7)} ${p}`);
  if (r.newStore) lines.push("  (a new store: it takes the backup's rows and event log as they are; one backup.restored event records the restore)");
  else if (r.tables.some((t) => t.table !== 'events' && (t.added || t.removed || t.changed))) lines.push('  (the event log keeps every event it holds; each row put back is logged as <kind>.restored)');
  return lines.length ? lines : ['  nothing (the store already holds this backup)'];
}

async function confirm(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerBackupCommands(program: Command, tools: CliTools): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const guard = <A extends any[]>(fn: (...args: A) => Promise<void>) => async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof HandledError) return;
      throw err;
    }
  };

  withSettingFlags(tools.sub(program, 'backup', 'back the store up into its git repository (only what changed)'))
    .option('--full', 'compare everything, not only what the event log names (slower; a check)')
    .option('--allow-mass-delete', 'commit the removal of many rows that no deletion in the event log explains (refused otherwise)')
    .action(
      guard(async (o: SettingFlags & { full?: boolean; allowMassDelete?: boolean }, cmd: Command) => {
        const r = await tools.withStore(cmd, (call) => call<'backup.run', BackupResult>('backup.run', { ...settingsOf(o), full: o.full, allowMassDelete: o.allowMassDelete })).catch(reportFindings);
        for (const w of r.warnings) process.stderr.write(`cairn: warning: ${w}\n`);
        out(cmd, tools, r, () =>
          r.status === 'unchanged'
            ? `Nothing changed since the last backup${r.commit ? ` (${r.commit.slice(0, 10)})` : ''}; ${r.repo}`
            : `Backed up: ${r.summary}\ncommit ${r.commit!.slice(0, 10)} in ${r.repo}: ${r.files} files, ${size(r.bytes)}, ${r.ms} ms` +
              (r.privateNotesLeftOut ? `\n${r.privateNotesLeftOut} private notes left out` : ''),
        );
      }),
    );

  withSettingFlags(tools.sub(program, 'restore', 'restore the store (and its files) from a backup; see cairn history'))
    .argument('<ref>', 'a commit from cairn history (or HEAD, HEAD~1, …)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--yes', 'do it without asking')
    .option('--include-erased', 'bring back projects erased after this backup (by default they are erased again)')
    .action(
      guard(async (ref: string, o: SettingFlags & { dryRun?: boolean; yes?: boolean; includeErased?: boolean }, cmd: Command) => {
        // A store that is gone or damaged is opened to be restored: restoring is how its data comes back. A dry run
        // leaves a damaged database where it is (it then says the store is damaged: only a real restore helps).
        const restore = (dryRun: boolean) =>
          tools
            .withStore(cmd, (call) => call<'backup.restore', RestoreResult>('backup.restore', { ...settingsOf(o), ref, dryRun, includeErased: o.includeErased }), { forRestore: true, ...(dryRun ? { checkAtOpen: 'never' } : {}) })
            .catch(reportFindings);
        const describe = (r: RestoreResult) => `${r.dryRun ? 'Restoring' : 'Restored'} ${r.commit.slice(0, 10)} (${r.date.slice(0, 16).replace('T', ' ')}, "${r.subject}")${r.dryRun ? ' would change' : ' changed'}:\n${diffLines(r).join('\n')}`;
        if (!o.dryRun && !o.yes) {
          if (!process.stdin.isTTY) throw new MethodError(ErrorCodes.InvalidParams, 'cairn restore replaces the store\'s content: see what would change with --dry-run, then run it again with --yes');
          const preview = await restore(true);
          process.stderr.write(describe(preview) + '\n');
          for (const w of preview.warnings) process.stderr.write(`cairn: note: ${w}\n`);
          if (!(await confirm('Restore it? The current state is backed up first. [y/N] '))) {
            process.stderr.write('Nothing was changed.\n');
            return;
          }
        }
        const r = await restore(o.dryRun ?? false);
        for (const w of r.warnings) process.stderr.write(`cairn: warning: ${w}\n`);
        out(cmd, tools, r, () =>
          [
            describe(r),
            ...(r.safetyCommit ? [`Undo with: cairn restore ${r.safetyCommit.slice(0, 10)} (the state before, backed up first)`] : []),
            ...(r.safetyCopy ? [`The state before was copied to ${r.safetyCopy}`] : []),
          ].join('\n'),
        );
      }),
    );

  tools
    .sub(program, 'history', 'list the backups, newest first')
    .option('--limit <n>', 'how many (default 50)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new MethodError(ErrorCodes.InvalidParams, `--limit must be a positive whole number, not "${v}"`);
      return n;
    })
    .option('--repo <dir>', 'the backup repository (default <store>/backup)')
    .action(async (o: { limit?: number; repo?: string }, cmd: Command) => {
      const h = await tools.withStore(cmd, (call) => call<'backup.history', { repo: string; entries: HistoryEntry[] }>('backup.history', { limit: o.limit, repo: o.repo }), { forRestore: true, checkAtOpen: 'never' });
      out(cmd, tools, h, () =>
        h.entries.length
          ? formatTable(
              ['DATE', 'COMMIT', 'KIND', 'SIZE', 'SUMMARY'],
              h.entries.map((e) => [e.date.slice(0, 19).replace('T', ' '), e.commit.slice(0, 10), e.kind, size(e.bytes), e.summary]),
            )
          : `(no backups in ${h.repo})`,
      );
    });

  const remote = tools.sub(program, 'remote', "the backup's remote (where sync pushes)");
  tools
    .sub(remote, 'set', 'set the remote: a git URL or a path to a repository (checked unless --no-check)')
    .argument('<url>')
    .option('--no-check', 'save it without trying to reach it')
    .option('--repo <dir>', 'the backup repository (default <store>/backup)')
    .action(async (url: string, o: { check: boolean; repo?: string }, cmd: Command) => {
      const r = await tools.withStore(cmd, (call) => call<'backup.remote.set', RemoteInfo>('backup.remote.set', { url, check: o.check, repo: o.repo }));
      if (r.warning) process.stderr.write(`cairn: warning: ${r.warning}\n`);
      out(cmd, tools, r, () => `Remote set to ${r.url}${r.reachable ? ' (reachable)' : ''}; private notes are now left out of backups (--private-notes include to keep them)`);
    });
  tools
    .sub(remote, 'show', 'show the remote')
    .option('--check', 'try to reach it')
    .option('--repo <dir>', 'the backup repository (default <store>/backup)')
    .action(async (o: { check?: boolean; repo?: string }, cmd: Command) => {
      const r = await tools.withStore(cmd, (call) => call<'backup.remote.get', RemoteInfo>('backup.remote.get', { check: o.check, repo: o.repo }));
      out(cmd, tools, r, () => (r.url ? `${r.url}${r.reachable === undefined ? '' : r.reachable ? ' (reachable)' : ` (unreachable: ${r.problem})`}` : `(no remote; backups stay in ${r.repo})`));
    });
  tools
    .sub(remote, 'remove', 'forget the remote: backups stay local (the remote repository is not changed)')
    .option('--repo <dir>', 'the backup repository (default <store>/backup)')
    .action(async (o: { repo?: string }, cmd: Command) => {
      const r = await tools.withStore(cmd, (call) => call<'backup.remote.remove', RemoteInfo>('backup.remote.remove', { repo: o.repo }));
      out(cmd, tools, r, () => (r.removed ? `Removed the remote ${r.removed}: backups stay in ${r.repo} and "cairn sync" needs a remote again; the remote repository keeps what was pushed. Private notes go into local backups again (--private-notes exclude to keep them out).` : `(no remote was set; backups stay in ${r.repo})`));
    });
}
