// dist/cli.js: the `cairn` command line. It opens the store in-process and calls the same methods (with the
// same validation) as the JSON-RPC backend. Exit codes: 0 ok, 1 failure (unknown id, conflict, store problem),
// 2 usage (unknown command or flag, missing or invalid argument). Errors are one line on stderr.
import { Command, CommanderError, Option } from 'commander';
import * as path from 'node:path';
import { StoreError } from '../store/errors';
import { AGENT_RUN_OUTCOMES, EVENT_SOURCES, TASK_PRIORITIES, TASK_STATUSES, type AgentRunRow, type TaskRow } from '../store/schema';
import type { AgentIndexReport, AgentLintResult, AgentSummary } from '../store/agents/indexer';
import { defaultAgentDirs } from '../store/agents/defaultDirs';
import { Store } from '../store/store';
import { AGGREGATE_TYPES, type StoreEvent } from '../store/events';
import type { Project } from '../store/projects';
import type { StoreHealth, StoreOptions } from '../store/store';
import { healthLines } from '../store/healthReport';
import type { IndexReport } from '../store/knowledge/indexer';
import type { NoteLinks } from '../store/knowledge/links';
import type { NewNoteResult } from '../store/knowledge/newNotes';
import type { RenamePlan } from '../store/knowledge/rename';
import type { NoteTasks, TaskNoteLink } from '../store/knowledge/taskLinks';
import { linkTaskNote, noteTasksLines, relatedNotesLines, unlinkTaskNote } from './features/tasks/noteLinksCli';
import type { NotePage, TagSummary } from '../store/knowledge/catalog';
import { SEARCH_KINDS, type SearchHit, type SearchKind } from '../store/knowledge/search';
import type { ConnectedNode, Entity, GraphPath, KnowledgeGraph, Neighbourhood, Relation } from '../store/graph/graph';
import { MAX_DEPTH, MAX_PATH_DEPTH } from '../store/graph/limits';
import { makeActor } from './actor';
import { holdYoungGeneration, LONG_RUNNING_COMMANDS } from './processMemory';
import { registerAgentsCommands } from './features/agents/cli';
import { registerBackupCommands } from './features/backup/cli';
import { registerGraphInteropCommands } from './features/graph/interopCli';
import { registerSyncCommands } from './features/sync/cli';
import { registerMcpCommand } from './mcp/cli';
import { registerMemoryCommands } from './features/memory/cli';
import { registerMetricsCommands } from './features/metrics/cli';
import { registerSessionCommands } from './features/sessions/cli';
import { dependencyLines, registerTaskWorkCommands } from './features/tasks/workCli';
import type { TaskDependencies } from '../store/taskWork';
import { invoke, MethodError, type Context } from './methods';
import { ErrorCodes, type MethodName, type ParamsInput } from './protocol';
import { explainSystemError } from './systemErrors';
import { formatTable } from './table';
import { CAIRN_VERSION } from './version';
import { commandWords } from './commandWords';
import { promptingWhenLocked, registerCryptoCommands, unlockFromEnvironment } from './features/crypto/cli';
import { SECRET_TASK_FIELDS, type SecretTaskField } from '../store/crypto/fields';

interface GlobalOptions {
  store?: string;
  vault?: string;
  agents?: string[];
  json?: boolean;
  actor?: string;
  source: string;
}

class UsageError extends Error {}

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
/** What a shell reports for a process stopped by Ctrl+C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

/** A search hit as text: a note by its path, anything else by its kind and id; then the snippet. */
function searchHitLines(h: SearchHit): string {
  const head = h.kind === 'note' ? `${h.id}  ${h.title}` : `${h.kind} ${h.id}${h.title && h.title !== h.id ? `  ${h.title}` : ''}${h.status ?? h.type ? `  [${h.status ?? h.type}]` : ''}`;
  return `${head}  (${h.score})\n    ${h.snippet}`;
}

function storeDir(opts: GlobalOptions): string {
  return path.resolve(opts.store ?? (process.env.CAIRN_STORE?.trim() || '.cairn'));
}

function vaultDir(opts: GlobalOptions): string {
  return path.resolve(opts.vault ?? (process.env.CAIRN_VAULT?.trim() || path.join(storeDir(opts), 'vault')));
}

function agentDirs(opts: GlobalOptions): string[] {
  return opts.agents?.length ? opts.agents.map((d) => path.resolve(d)) : defaultAgentDirs();
}

/** Methods that stop at a safe point when their request is cancelled. */
const CANCELLABLE = new Set(['backup.run', 'sync.run']);

/**
 * Runs a cancellable method with Ctrl+C as its Cancel button (the extension's): a backup or sync stops at its next
 * safe point and says what it left; a second Ctrl+C quits at once. Other commands keep Ctrl+C's default (every
 * write is a transaction: quitting loses nothing).
 */
async function cancellableByInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('cairn: stopping at the next safe point (Ctrl+C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** How a command opens the store: whether it may create it (init), or the StoreOptions of restore and doctor. */
export type OpenFor = boolean | Pick<StoreOptions, 'forRestore' | 'checkAtOpen'>;

/** The slow-query threshold (ms): $CAIRN_SLOW_QUERY_MS, else the store's default. */
const slowQueryMs = () => Number(process.env.CAIRN_SLOW_QUERY_MS) || undefined;

/** Opens the store, runs one or more methods, prints, closes. */
async function withStore<T>(opts: GlobalOptions, openFor: OpenFor, fn: (call: Caller) => Promise<T>): Promise<T> {
  const how = typeof openFor === 'boolean' ? { create: openFor } : { create: false, ...openFor };
  // sqlite-vec is loaded by invoke for the methods that may need it (methods.ts): a command that lists tasks never does.
  const store = await Store.open(storeDir(opts), { ...how, loadVec: false, busyTimeoutMs: Number(process.env.CAIRN_BUSY_TIMEOUT_MS) || 5000, processName: 'cli', slowQueryMs: slowQueryMs() });
  const ctx: Context = { store, who: makeActor(opts.source, opts.actor), vaultDir: vaultDir(opts), agentDirs: agentDirs(opts) };
  try {
    const call: Caller = (method, params) => (CANCELLABLE.has(method) ? cancellableByInterrupt((signal) => invoke(ctx, method, params, signal)) : invoke(ctx, method, params)) as Promise<never>;
    await unlockFromEnvironment(call);
    return await fn(promptingWhenLocked(call));
  } finally {
    await store.close();
  }
}

/** Runs methods that need no store (storeless in the table) without opening one. */
async function withoutStore<T>(opts: GlobalOptions, fn: (call: Caller) => Promise<T>): Promise<T> {
  const ctx: Context = { store: null, who: makeActor(opts.source, opts.actor), vaultDir: vaultDir(opts), agentDirs: agentDirs(opts) };
  return fn((method, params) => invoke(ctx, method, params) as Promise<never>);
}

export type Caller = <M extends MethodName, R = unknown>(method: M, params: ParamsInput<M>) => Promise<R>;
type TaskChanges = ParamsInput<'tasks.update'> extends infer P ? Omit<P, 'id' | 'expectedVersion'> : never;
export type TaskChanger = typeof changeTask;

function print(opts: GlobalOptions, value: unknown, text: () => string): void {
  process.stdout.write((opts.json ? JSON.stringify(value, null, 2) : text()) + '\n');
}

const taskLine = (t: TaskRow) => `${t.id}  ${t.status}  ${t.title}${t.assignee ? `  @${t.assignee}` : ''}`;
const tasksTable = (rows: TaskRow[]) =>
  rows.length === 0 ? '(no tasks)' : formatTable(['ID', 'STATUS', 'PRIORITY', 'ASSIGNEE', 'TITLE'], rows.map((t) => [t.id, t.status, t.priority, t.assignee ?? '', t.title]));

/** Reads a task and writes a change with the version just read; retried if another writer slips in between. */
async function changeTask(call: Caller, id: string, changes: TaskChanges | ((current: TaskRow) => TaskChanges)): Promise<TaskRow> {
  for (let attempt = 0; ; attempt++) {
    const current = await call<'tasks.get', TaskRow>('tasks.get', { id });
    try {
      return await call<'tasks.update', TaskRow>('tasks.update', { id, expectedVersion: current.version, ...(typeof changes === 'function' ? changes(current) : changes) });
    } catch (err) {
      if (!(err instanceof MethodError && err.code === ErrorCodes.Conflict) || attempt >= 3) throw err;
    }
  }
}

function choice(values: readonly string[]) {
  return (value: string) => {
    if (!values.includes(value)) throw new UsageError(`"${value}" is not one of ${values.join(', ')}`);
    return value;
  };
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`"${value}" is not a whole number (0 or more)`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`"${value}" is not a number between 0 and 1`);
  return n;
}

const count3 = (c: { error: number; warning: number; info: number }) => `${c.error} errors, ${c.warning} warnings, ${c.info} info`;
const foldersLine = (r: AgentIndexReport) =>
  r.dirs.map((d) => (d.exists ? `${d.dir} (${d.files})` : `${d.dir} (missing)`)).join(', ') || '(no folders)';

function embeddingsLine(e: IndexReport['embeddings']): string {
  if (!e) return 'embeddings: not updated (skipped)';
  if ('error' in e) return `embeddings: not updated: ${e.error}`;
  return `embeddings: ${e.embedded} of ${e.chunks} chunks by ${e.embedder} (${e.dimensions} dimensions; ${e.added} embedded now${e.reembedded ? ', all re-embedded' : ''}) in ${e.ms} ms`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`"${value}" is not a positive whole number`);
  return n;
}

/** Stands in for the subcommands of a command this call does not run: takes every configuring call and ignores it. */
const unbuilt: Command = new Proxy(function unbuilt() {}, { get: (_target, key) => (key === 'then' ? undefined : () => unbuilt) }) as unknown as Command;

/**
 * The command line. With `only` (the command a call names: runCli), the other commands are made (for help and
 * suggestions) but not their subcommands, which all together took ~3 ms of every call; '' (no command: --version,
 * --help) makes none. Without it, every command is made.
 */
export function buildProgram(only?: string): Command {
  const program = new Command('cairn')
    .description('Cairn: projects, sprints, tasks and their audit log, in a local SQLite store.')
    .version(CAIRN_VERSION, '-V, --version')
    .option('--store <dir>', 'store folder (default: $CAIRN_STORE, else ./.cairn)')
    .option('--vault <dir>', 'knowledge vault folder (default: $CAIRN_VAULT, else <store>/vault)')
    .option('--agents <dir>', 'Claude Code agent folder, repeatable, highest precedence first (default: ./.claude/agents, then ~/.claude/agents)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', 'print results as JSON')
    .option('--actor <name>', 'who is making the change (default: $CAIRN_ACTOR, else your user name)')
    .addOption(new Option('--source <source>', 'recorded source of changes').choices(EVENT_SOURCES).default('cli'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined }); // we print errors ourselves, as one line

  const g = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions;
  /** Whether a command's subcommands are made: the program's, and those of the command named by `only`. */
  const builds = (cmd: Command): boolean => cmd === program || only === undefined || (cmd.parent === program ? cmd.name() === only || cmd.aliases().includes(only) : cmd.parent !== null && builds(cmd.parent));
  const sub = (parent: Command, name: string, description: string) =>
    parent !== unbuilt && builds(parent) ? parent.command(name).description(description).exitOverride().configureOutput({ outputError: () => undefined }) : unbuilt;

  sub(program, 'init', 'create the store (folder and database) if it does not exist, and show it').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const info = await withStore(opts, true, (call) => call('store.info', {}));
    print(opts, info, () => `Cairn store ready at ${storeDir(opts)} (schema ${(info as { schemaVersion: number }).schemaVersion})`);
  });

  const project = sub(program, 'project', 'add, list, rename and delete projects');
  sub(project, 'add', 'create a project')
    .argument('<name...>', 'project name')
    .option('--description <text>', 'what the project is about')
    .action(async (name: string[], o: { description?: string }, cmd: Command) => {
      const opts = g(cmd);
      const p = await withStore(opts, false, (call) => call('projects.create', { name: name.join(' '), description: o.description }));
      print(opts, p, () => `Created project ${(p as Project).id}  ${(p as Project).name}`);
    });
  sub(project, 'list', 'list projects with their task counts').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const rows = await withStore(opts, false, (call) => call<'projects.list', Project[]>('projects.list', {}));
    print(opts, rows, () =>
      rows.length === 0
        ? '(no projects)'
        : formatTable(
            ['ID', 'NAME', 'OPEN', 'TOTAL'],
            rows.map((p) => {
              const c = p.taskCounts;
              const open = (c.pending ?? 0) + (c.in_progress ?? 0) + (c.blocked ?? 0);
              const total = Object.values(c).reduce((a, b) => a + (b ?? 0), 0);
              return [p.id, p.name, String(open), String(total)];
            }),
          ),
    );
  });
  sub(project, 'rename', 'rename a project')
    .argument('<id>')
    .argument('<name...>')
    .action(async (id: string, name: string[], _o, cmd: Command) => {
      const opts = g(cmd);
      const p = await withStore(opts, false, async (call) => {
        const current = await call<'projects.get', Project>('projects.get', { id });
        return call<'projects.update', Project>('projects.update', { id, expectedVersion: current.version, name: name.join(' ') });
      });
      print(opts, p, () => `Renamed project ${p.id} to ${p.name}`);
    });
  sub(project, 'delete', 'delete a project with its sprints and tasks')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'projects.delete', { sprints: number; tasks: number }>('projects.delete', { id }));
      print(opts, r, () => `Deleted project ${id} (${r.sprints} sprints, ${r.tasks} tasks)`);
    });

  const sprint = sub(program, 'sprint', 'add, list, update, start and close sprints');
  sub(sprint, 'add', 'create a sprint in a project')
    .requiredOption('--project <id>', 'the project')
    .option('--goal <text>', 'what the sprint should achieve')
    .option('--starts <day>', 'first day, YYYY-MM-DD')
    .option('--ends <day>', 'last day, YYYY-MM-DD')
    .argument('<name...>', 'sprint name')
    .action(async (name: string[], o: { project: string; goal?: string; starts?: string; ends?: string }, cmd: Command) => {
      const opts = g(cmd);
      const s = await withStore(opts, false, (call) => call<'sprints.create', { id: string; name: string }>('sprints.create', { projectId: o.project, name: name.join(' '), goal: o.goal, startsOn: o.starts, endsOn: o.ends }));
      print(opts, s, () => `Created sprint ${s.id}  ${s.name}`);
    });
  sub(sprint, 'list', 'list sprints')
    .option('--project <id>', 'only this project')
    .action(async (o: { project?: string }, cmd: Command) => {
      const opts = g(cmd);
      const rows = await withStore(opts, false, (call) => call<'sprints.list', { id: string; projectId: string; name: string; status: string; startsOn: string | null; endsOn: string | null }[]>('sprints.list', { projectId: o.project }));
      print(opts, rows, () => (rows.length === 0 ? '(no sprints)' : formatTable(['ID', 'PROJECT', 'STATUS', 'DATES', 'NAME'], rows.map((s) => [s.id, s.projectId, s.status, s.startsOn || s.endsOn ? `${s.startsOn ?? '…'} – ${s.endsOn ?? '…'}` : '', s.name]))));
    });

  const task = sub(program, 'task', 'add, list, change and delete tasks; dependencies, acceptance criteria; next, claim and done for agents');
  sub(task, 'add', 'create a task')
    .requiredOption('--project <id>', 'the project')
    .option('--sprint <id>', 'the sprint')
    .option('--parent <id>', 'make it a subtask of this task')
    .option('--assignee <agent>', 'assign it to an agent or person')
    .addOption(new Option('--priority <priority>').choices(TASK_PRIORITIES))
    .option('--tag <tag>', 'a tag (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--estimate <minutes>', 'estimated minutes', positiveInt)
    .option('--note <note>', 'a related note: vault path, file name or title (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--description <text>', 'what the task is about')
    .option('--secret <field>', `store this field encrypted, not searchable (${SECRET_TASK_FIELDS.join(', ')}; repeatable; needs cairn key init)`, (v: string, acc: string[] = []) => [...acc, choice(SECRET_TASK_FIELDS)(v)])
    .argument('<title...>', 'task title')
    .action(async (title: string[], o: { project: string; sprint?: string; parent?: string; assignee?: string; priority?: (typeof TASK_PRIORITIES)[number]; tag?: string[]; estimate?: number; note?: string[]; description?: string; secret?: string[] }, cmd: Command) => {
      const opts = g(cmd);
      const t = await withStore(opts, false, (call) =>
        call<'tasks.create', TaskRow>('tasks.create', {
          projectId: o.project,
          title: title.join(' '),
          sprintId: o.sprint,
          parentId: o.parent,
          assignee: o.assignee,
          priority: o.priority,
          tags: o.tag,
          estimatedMinutes: o.estimate,
          notes: o.note,
          description: o.description,
          secretFields: o.secret as SecretTaskField[] | undefined,
        }),
      );
      print(opts, t, () => `Created task ${taskLine(t)}`);
    });
  sub(task, 'list', 'list tasks')
    .option('--project <id>', 'only this project')
    .option('--sprint <id>', 'only this sprint')
    .option('--status <status>', `only these statuses, comma-separated (${TASK_STATUSES.join(', ')})`, (v: string) => v.split(',').map((s) => choice(TASK_STATUSES)(s.trim())))
    .option('--assignee <agent>', 'only tasks assigned to this agent')
    .option('--limit <n>', 'at most this many', positiveInt)
    .action(async (o: { project?: string; sprint?: string; status?: string[]; assignee?: string; limit?: number }, cmd: Command) => {
      const opts = g(cmd);
      const rows = await withStore(opts, false, (call) =>
        call<'tasks.list', TaskRow[]>('tasks.list', { projectId: o.project, sprintId: o.sprint, status: o.status as never, assignee: o.assignee, limit: o.limit }),
      );
      print(opts, rows, () => tasksTable(rows));
    });
  sub(task, 'show', 'show one task')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const opts = g(cmd);
      const t = await withStore(opts, false, async (call) => ({
        ...(await call<'tasks.get', TaskRow & { relatedNotes: TaskNoteLink[] }>('tasks.get', { id, includeNotes: true })),
        dependencies: await call<'tasks.dependencies', TaskDependencies>('tasks.dependencies', { id }),
      }));
      const { relatedNotes, dependencies, criteria, dependsOn: _d, ...fields } = t;
      print(opts, t, () =>
        [
          ...Object.entries(fields).map(([k, v]) => `${k.padEnd(17)} ${v === null ? '' : Array.isArray(v) ? v.join(', ') : v}`),
          ...dependencyLines(dependencies, criteria),
          ...relatedNotesLines(relatedNotes),
        ].join('\n'),
      );
    });
  sub(task, 'move', 'set a task status')
    .argument('<id>')
    .argument('<status>', TASK_STATUSES.join(' | '), choice(TASK_STATUSES))
    .action(async (id: string, status: (typeof TASK_STATUSES)[number], _o, cmd: Command) => {
      const opts = g(cmd);
      const t = await withStore(opts, false, (call) => changeTask(call, id, { status }));
      print(opts, t, () => `Moved ${taskLine(t)}`);
    });
  sub(task, 'assign', 'assign a task to an agent (or "none" to unassign)')
    .argument('<id>')
    .argument('<agent>')
    .action(async (id: string, agent: string, _o, cmd: Command) => {
      const opts = g(cmd);
      const t = await withStore(opts, false, (call) => changeTask(call, id, { assignee: agent === 'none' ? null : agent }));
      print(opts, t, () => (t.assignee ? `Assigned ${taskLine(t)}` : `Unassigned ${taskLine(t)}`));
    });
  sub(task, 'delete', 'delete a task')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const opts = g(cmd);
      await withStore(opts, false, (call) => call('tasks.delete', { id }));
      print(opts, { deleted: id }, () => `Deleted task ${id}`);
    });
  sub(task, 'link', "link a task to a note (added to the task's notes)")
    .argument('<id>')
    .argument('<note...>', 'the note: vault-relative path, file name or title')
    .action(async (id: string, note: string[], _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => linkTaskNote(call, changeTask, id, note.join(' ')));
      print(opts, r, () => (r.changed ? `Linked ${taskLine(r.task)} to ${r.note}` : `${taskLine(r.task)} already lists ${r.note}`));
    });
  sub(task, 'unlink', "unlink a task from a note (removed from the task's notes)")
    .argument('<id>')
    .argument('<note...>', 'the note: vault-relative path, file name or title, or a name as the task lists it')
    .action(async (id: string, note: string[], _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => unlinkTaskNote(call, changeTask, id, note.join(' ')));
      print(opts, r, () => `Unlinked ${taskLine(r.task)} from ${r.note}`);
    });

  sub(program, 'log', 'show the event log (newest first)')
    .addOption(new Option('--type <aggregate>', 'only events of this kind').choices(AGGREGATE_TYPES))
    .option('--id <id>', 'only events of this project, sprint or task')
    .option('--limit <n>', 'how many events (default 20, at most 1000)', positiveInt, 20)
    .option('--before <seq>', 'page back: events before this sequence number', positiveInt)
    .action(async (o: { type?: (typeof AGGREGATE_TYPES)[number]; id?: string; limit: number; before?: number }, cmd: Command) => {
      const opts = g(cmd);
      const rows = await withStore(opts, false, (call) =>
        call<'events.list', StoreEvent[]>('events.list', { aggregateType: o.type, aggregateId: o.id, limit: o.limit, beforeSeq: o.before, order: 'desc' }),
      );
      print(opts, rows, () =>
        rows.length === 0
          ? '(no events)'
          : formatTable(
              ['SEQ', 'TIME', 'EVENT', 'ID', 'ACTOR', 'SOURCE'],
              rows.map((e) => [String(e.seq), e.createdAt.replace('T', ' ').slice(0, 19), e.type, e.aggregateId, e.actor, e.source]),
            ),
      );
    });

  sub(program, 'index', 'index the knowledge vault (only what changed since the last run)')
    .option('--create', 'create the vault folder if it does not exist')
    .option('--embedder <spec>', 'embedder for semantic search, kept by the store: glove (default), transformers:FOLDER, openai:MODEL@URL; another one re-embeds everything')
    .action(async (o: { create?: boolean; embedder?: string }, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, true, (call) => call<'knowledge.index', IndexReport>('knowledge.index', { create: o.create, embedder: o.embedder }));
      print(opts, r, () =>
        [
          `Indexed ${r.vault}: ${r.notes} notes (${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.unchanged} unchanged) in ${r.ms} ms`,
          `links: ${r.links.resolved} resolved, ${r.links.unresolved} unresolved; tags: ${r.tags}; chunks: ${r.chunks}; diagnostics: ${r.diagnostics}`,
          embeddingsLine(r.embeddings),
          ...r.skipped.map((s) => `skipped ${s.path}: ${s.reason}`),
        ].join('\n'),
      );
    });

  sub(program, 'search', 'search notes, tasks, graph entities and memories (one list, the kind on each hit)')
    .argument('<query...>', 'words to find ("quoted phrase" for a phrase)')
    .addOption(new Option('--text', 'full-text search only (bm25; every word, the last as a prefix)').conflicts('semantic'))
    .addOption(new Option('--semantic', 'search by meaning only (nearest passages)').conflicts('text'))
    .option('--limit <n>', 'at most this many results (default 20)', positiveInt)
    .option('--kind <kind>', `only this kind: ${SEARCH_KINDS.join(', ')} (default: all; repeat it or separate kinds by commas)`, (v: string, prev: string[] = []) => [...prev, ...v.split(',')])
    .option('--folder <path>', 'only notes under this vault folder')
    .option('--tag <tag>', 'only notes with this tag')
    .option('--type <type>', 'only notes whose front matter type is this')
    .option('--project <name>', 'only notes whose front matter project is this')
    .addOption(new Option('--fusion <kind>', 'how hybrid search fuses its rankings: convex (scaled scores, default) or rrf (reciprocal rank)').choices(['convex', 'rrf']))
    .option('--templates <folder>', 'the vault\'s templates folder, left out of the results unless --folder is inside it (default templates; "" for none)')
    .action(async (query: string[], o: { text?: boolean; semantic?: boolean; limit?: number; kind?: string[]; folder?: string; tag?: string; type?: string; project?: string; fusion?: 'convex' | 'rrf'; templates?: string }, cmd: Command) => {
      const opts = g(cmd);
      const mode = o.text ? 'text' : o.semantic ? 'semantic' : 'hybrid';
      const hits = await withStore(opts, false, (call) =>
        call<'knowledge.search', SearchHit[]>('knowledge.search', { query: query.join(' '), mode, kind: o.kind as SearchKind[] | undefined, fusion: o.fusion, limit: o.limit, folder: o.folder, tag: o.tag, type: o.type, project: o.project, templatesFolder: o.templates }),
      );
      print(opts, hits, () => (hits.length ? hits.map(searchHitLines).join('\n') : '(no matches)'));
    });

  const note = sub(program, 'note', 'questions about notes');
  sub(note, 'links', 'backlinks and outgoing links of a note')
    .argument('<path-or-title>')
    .action(async (which: string, _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'notes.links', NoteLinks>('notes.links', { note: which }));
      const line = (l: NoteLinks['backlinks'][number], other: string | null) => `  ${other ?? `(missing: ${l.target})`}:${l.line}  ${l.context}`;
      print(opts, r, () =>
        [
          `${r.title} (${r.path})`,
          `backlinks (${r.backlinks.length}):`,
          ...r.backlinks.map((l) => line(l, l.path)),
          `outgoing (${r.outgoing.length}):`,
          ...r.outgoing.map((l) => line(l, l.path)),
        ].join('\n'),
      );
    });
  sub(note, 'placeholders', 'links to notes that do not exist yet').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const rows = await withStore(opts, false, (call) => call<'notes.placeholders', { target: string; count: number }[]>('notes.placeholders', {}));
    print(opts, rows, () => (rows.length ? formatTable(['LINKS', 'MISSING NOTE'], rows.map((r) => [String(r.count), r.target])) : '(none)'));
  });
  sub(note, 'tasks', 'tasks linked to a note: listed in its front matter, named in its text, or naming it in their notes')
    .argument('<path-or-title...>')
    .action(async (which: string[], _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'notes.tasks', NoteTasks>('notes.tasks', { note: which.join(' ') }));
      print(opts, r, () => noteTasksLines(r).join('\n'));
    });
  const notesTable = (page: NotePage) =>
    page.notes.length
      ? [formatTable(['PATH', 'TITLE', 'TAGS'], page.notes.map((n) => [n.path, n.title, n.tags.map((t) => `#${t}`).join(' ')])), ...(page.total > page.offset + page.notes.length ? [`(${page.notes.length} of ${page.total}; --offset ${page.offset + page.notes.length} for more)`] : [])].join('\n')
      : '(no notes)';
  sub(note, 'list', 'the indexed notes, sorted by path')
    .option('--folder <path>', 'only notes in this vault folder ("" for the top level)')
    .option('--recursive', 'with --folder: also the notes in its subfolders')
    .option('--tag <tag>', 'only notes with this tag')
    .option('--offset <n>', 'skip this many notes', wholeNumber)
    .option('--limit <n>', 'at most this many notes (default 1000)', positiveInt)
    .action(async (o: { folder?: string; recursive?: boolean; tag?: string; offset?: number; limit?: number }, cmd: Command) => {
      const opts = g(cmd);
      const page = await withStore(opts, false, (call) => call<'notes.list', NotePage>('notes.list', o));
      print(opts, page, () => notesTable(page));
    });
  sub(note, 'orphans', 'notes that link to no note and that no note links to')
    .option('--offset <n>', 'skip this many notes', wholeNumber)
    .option('--limit <n>', 'at most this many notes (default 1000)', positiveInt)
    .action(async (o: { offset?: number; limit?: number }, cmd: Command) => {
      const opts = g(cmd);
      const page = await withStore(opts, false, (call) => call<'notes.orphans', NotePage>('notes.orphans', o));
      print(opts, page, () => notesTable(page));
    });
  const made = (r: NewNoteResult) => `${r.created ? 'Created' : 'Exists:'} ${r.path} (${r.absPath})`;
  sub(note, 'new', 'create a note (optionally from a template in the templates folder); never overwrites')
    .argument('<title...>')
    .option('--template <name>', 'template name in the templates folder')
    .option('--templates <folder>', 'vault-relative templates folder (default: templates)')
    .option('--folder <folder>', 'vault-relative folder for the note (default: the vault root)')
    .action(async (title: string[], o: { template?: string; templates?: string; folder?: string }, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'notes.create', NewNoteResult>('notes.create', { title: title.join(' '), template: o.template, templatesFolder: o.templates, folder: o.folder }));
      print(opts, r, () => made(r));
    });
  sub(note, 'daily', "today's (or --date's) daily note: created from the daily template if missing, else shown")
    .option('--date <day>', 'YYYY-MM-DD (default: today)')
    .option('--folder <folder>', 'vault-relative daily notes folder (default: daily)')
    .option('--format <format>', 'file name date format, Moment.js tokens (default: YYYY-MM-DD)')
    .option('--template <name>', 'template name in the templates folder')
    .option('--templates <folder>', 'vault-relative templates folder (default: templates)')
    .action(async (o: { date?: string; folder?: string; format?: string; template?: string; templates?: string }, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'notes.daily', NewNoteResult>('notes.daily', { date: o.date, folder: o.folder, format: o.format, template: o.template, templatesFolder: o.templates }));
      print(opts, r, () => made(r));
    });
  sub(note, 'decision', 'create the next numbered decision record (ADR), decisions/NNNN-title.md')
    .argument('<title...>')
    .option('--folder <folder>', 'vault-relative decisions folder (default: decisions)')
    .action(async (title: string[], o: { folder?: string }, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'notes.createDecision', NewNoteResult>('notes.createDecision', { title: title.join(' '), folder: o.folder }));
      print(opts, r, () => made(r));
    });
  sub(note, 'rename', 'rename (or move, NEW with a folder) a note, or a folder with everything in it, and update every link to it')
    .argument('<old>', 'the note: vault-relative path, file name or title; or a vault folder (folder/)')
    .argument('<new>', 'the new name, or a vault-relative folder/name to move it to (/name: the top level)')
    .option('--dry-run', 'only show the links that would change')
    .action(async (old: string, newName: string, o: { dryRun?: boolean }, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) =>
        o.dryRun ? call<'notes.renamePlan', RenamePlan>('notes.renamePlan', { note: old, newName }) : call<'notes.rename', RenamePlan>('notes.rename', { note: old, newName }),
      );
      print(opts, r, () =>
        [
          `${o.dryRun ? 'Would rename' : 'Renamed'} ${r.from}${r.folder ? '/' : ''} → ${r.to}${r.folder ? '/' : ''}; ${r.edits.length} link${r.edits.length === 1 ? '' : 's'} in ${r.files.length} note${r.files.length === 1 ? '' : 's'}${r.edits.length ? ':' : ''}`,
          ...r.edits.map((e) => `  ${e.path}:${e.line + 1}  ${e.oldText} → ${e.newText}`),
        ].join('\n'),
      );
    });
  const tag = sub(program, 'tag', 'tags used in the vault');
  sub(tag, 'list', 'every tag with how many notes carry it (nested tags a/b roll up into a)').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const rows = await withStore(opts, false, (call) => call<'tags.list', TagSummary[]>('tags.list', {}));
    print(opts, rows, () => (rows.length ? formatTable(['TAG', 'NOTES', 'WITH NESTED'], rows.map((t) => [`#${t.tag}`, String(t.count), String(t.total)])) : '(no tags)'));
  });

  const agent = sub(program, 'agent', 'Claude Code agents (.claude/agents/**/*.md): list, lint, and log their runs; the MCP servers they use').alias('agents');
  sub(agent, 'list', 'index the agent folders and list the agents with their tasks and run metrics').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const { report, rows } = await withStore(opts, true, async (call) => ({
      report: await call<'agents.index', AgentIndexReport>('agents.index', {}),
      rows: await call<'agents.list', AgentSummary[]>('agents.list', {}),
    }));
    const quality = (q: number | null) => (q === null ? '' : q.toFixed(2));
    print(opts, rows, () =>
      [
        `${rows.length} agents in ${foldersLine(report)}`,
        ...(rows.length
          ? [
              formatTable(
                ['NAME', 'CATEGORY', 'MODEL', 'TASKS OPEN/ALL', 'RUNS', 'TOKENS', 'QUALITY', 'FAILURES', 'ISSUES', 'FILE'],
                rows.map((a) => [
                  (a.name ?? '(no name)') + (a.shadowed ? ' (shadowed)' : ''),
                  a.category ?? '',
                  a.model ?? '',
                  `${a.tasks.open}/${a.tasks.total}`,
                  String(a.runs.count),
                  String(a.runs.totalTokens),
                  quality(a.runs.meanQuality),
                  String(a.runs.failures),
                  a.diagnostics.error || a.diagnostics.warning ? `${a.diagnostics.error}E ${a.diagnostics.warning}W` : '',
                  path.basename(a.path),
                ]),
              ),
            ]
          : []),
      ].join('\n'),
    );
  });
  sub(agent, 'lint', 'check the agent files (exit 1 when any has an error)').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const { report, lint } = await withStore(opts, true, async (call) => ({
      report: await call<'agents.index', AgentIndexReport>('agents.index', {}),
      lint: await call<'agents.lint', AgentLintResult>('agents.lint', {}),
    }));
    print(opts, lint, () =>
      [
        ...lint.files.flatMap((f) => f.diagnostics.map((d) => `${f.path}:${d.line}: ${d.severity} ${d.code} ${d.message}`)),
        ...report.skipped.map((s) => `${s.path}: skipped: ${s.reason}`),
        `${lint.files.length} agent files in ${foldersLine(report)}: ${count3(lint.counts)}`,
      ].join('\n'),
    );
    if (lint.counts.error > 0) process.exitCode = EXIT_FAILURE;
  });
  sub(agent, 'run-log', 'record a run of an agent (time, tokens, quality, outcome)')
    .requiredOption('--agent <name>', 'the agent that ran')
    .option('--task <id>', 'the task it worked on')
    .option('--duration-ms <n>', 'how long it ran (ms)', wholeNumber)
    .option('--tokens-in <n>', 'input tokens', wholeNumber)
    .option('--tokens-out <n>', 'output tokens', wholeNumber)
    .option('--quality <score>', 'quality score, 0..1', fraction)
    .option('--errors <n>', 'errors it ran into', wholeNumber)
    .addOption(new Option('--outcome <outcome>', 'how it ended').choices(AGENT_RUN_OUTCOMES).makeOptionMandatory())
    .option('--notes <text>', 'anything worth remembering')
    .option('--secret', 'store the notes encrypted (needs cairn key init)')
    .action(
      async (
        o: { agent: string; task?: string; durationMs?: number; tokensIn?: number; tokensOut?: number; quality?: number; errors?: number; outcome: (typeof AGENT_RUN_OUTCOMES)[number]; notes?: string; secret?: boolean },
        cmd: Command,
      ) => {
        const opts = g(cmd);
        const run = await withStore(opts, false, (call) =>
          call<'agents.recordRun', AgentRunRow>('agents.recordRun', {
            agent: o.agent,
            taskId: o.task,
            durationMs: o.durationMs,
            tokensIn: o.tokensIn,
            tokensOut: o.tokensOut,
            qualityScore: o.quality,
            errors: o.errors,
            outcome: o.outcome,
            notes: o.notes,
            secret: o.secret,
          }),
        );
        print(opts, run, () => `Recorded run ${run.id}  ${run.agentName}  ${run.outcome}${run.taskId ? `  task ${run.taskId}` : ''}`);
      },
    );
  sub(agent, 'runs', 'list recorded runs, newest first')
    .option('--agent <name>', 'only this agent')
    .option('--task <id>', 'only runs on this task')
    .option('--limit <n>', 'at most this many (default 100)', positiveInt)
    .action(async (o: { agent?: string; task?: string; limit?: number }, cmd: Command) => {
      const opts = g(cmd);
      const rows = await withStore(opts, false, (call) => call<'agents.runs', AgentRunRow[]>('agents.runs', { agent: o.agent, taskId: o.task, limit: o.limit }));
      print(opts, rows, () =>
        rows.length === 0
          ? '(no runs)'
          : formatTable(
              ['ID', 'STARTED', 'AGENT', 'OUTCOME', 'MS', 'TOKENS IN/OUT', 'QUALITY', 'ERRORS', 'TASK'],
              rows.map((r) => [
                r.id,
                (r.startedAt ?? r.createdAt).replace('T', ' ').slice(0, 19),
                r.agentName,
                r.outcome,
                r.durationMs === null ? '' : String(r.durationMs),
                r.tokensIn === null && r.tokensOut === null ? '' : `${r.tokensIn ?? 0}/${r.tokensOut ?? 0}`,
                r.qualityScore === null ? '' : r.qualityScore.toFixed(2),
                String(r.errors),
                r.taskId ?? '',
              ]),
            ),
      );
    });

  const graph = sub(program, 'graph', 'the knowledge graph: entities, relations, observations, and notes as nodes');
  const depthArg = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_DEPTH) throw new UsageError(`--depth must be a whole number from 1 to ${MAX_DEPTH}, not "${value}"`);
    return n;
  };
  const edgeLine = (e: { from: string; to: string; relationType: string }) => `${e.from} -[${e.relationType}]-> ${e.to}`;
  sub(graph, 'neighbours', 'nodes within N edges of a node (either direction)')
    .argument('<node>', 'entity name, or a note (path, file name or title)')
    .option('--depth <n>', `how far to walk, 1..${MAX_DEPTH} (default 1)`, depthArg, 1)
    .action(async (node: string, o: { depth: number }, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'graph.neighbours', Neighbourhood>('graph.neighbours', { node, depth: o.depth }));
      print(opts, r, () =>
        [
          `${r.node.name} (${r.node.type}): ${r.nodes.length - 1} nodes within ${r.depth} edge${r.depth === 1 ? '' : 's'}`,
          ...(r.nodes.length > 1 ? [formatTable(['DIST', 'NODE', 'TYPE'], r.nodes.filter((n) => n.distance > 0).map((n) => [String(n.distance), n.name, n.type]))] : []),
          ...(r.edges.length ? ['edges:', ...r.edges.map((e) => `  ${edgeLine(e)}`)] : []),
        ].join('\n'),
      );
    });
  sub(graph, 'path', 'a shortest path between two nodes (edges walked either way, at most 6 steps)')
    .argument('<from>')
    .argument('<to>')
    .action(async (from: string, to: string, _o, cmd: Command) => {
      const opts = g(cmd);
      const p = await withStore(opts, false, (call) => call<'graph.path', GraphPath | null>('graph.path', { from, to }));
      print(opts, p, () =>
        p
          ? [`${p.length} step${p.length === 1 ? '' : 's'}: ${p.nodes[0]!.name}`, ...p.steps.map((s, i) => `  ${s.direction === 'forward' ? `-[${s.relationType}]->` : `<-[${s.relationType}]-`} ${p.nodes[i + 1]!.name}`)].join('\n')
          : `No path from ${from} to ${to} within ${MAX_PATH_DEPTH} steps`,
      );
    });
  sub(graph, 'top', 'the most connected nodes')
    .option('--limit <n>', 'how many (default 10)', positiveInt)
    .action(async (o: { limit?: number }, cmd: Command) => {
      const opts = g(cmd);
      const rows = await withStore(opts, false, (call) => call<'graph.mostConnected', ConnectedNode[]>('graph.mostConnected', { limit: o.limit }));
      print(opts, rows, () =>
        rows.length === 0 ? '(no edges)' : formatTable(['DEGREE', 'OUT', 'IN', 'NODE', 'TYPE'], rows.map((n) => [String(n.degree), String(n.outgoing), String(n.incoming), n.name, n.type])),
      );
    });
  sub(graph, 'add-entity', 'create an entity (an existing name is left as it is)')
    .argument('<name>')
    .requiredOption('--type <type>', 'entity type (person, project, concept, ...)')
    .option('--observation <text>', 'an observation (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .action(async (name: string, o: { type: string; observation?: string[] }, cmd: Command) => {
      const opts = g(cmd);
      const created = await withStore(opts, false, (call) =>
        call<'graph.createEntities', Entity[]>('graph.createEntities', { entities: [{ name, entityType: o.type, observations: o.observation ?? [] }] }),
      );
      print(opts, created, () => (created.length ? `Created entity ${name} (${o.type}) with ${created[0]!.observations.length} observations` : `Entity ${name} already exists; left unchanged`));
    });
  sub(graph, 'relate', 'create a relation FROM RELATION TO (ends: entities, or notes by path)')
    .argument('<from>')
    .argument('<relation>')
    .argument('<to>')
    .action(async (from: string, relationType: string, to: string, _o, cmd: Command) => {
      const opts = g(cmd);
      const created = await withStore(opts, false, (call) => call<'graph.createRelations', Relation[]>('graph.createRelations', { relations: [{ from, to, relationType }] }));
      const rel = { from, to, relationType };
      print(opts, created, () => (created.length ? `Related ${edgeLine(rel)}` : `Relation ${edgeLine(rel)} already exists`));
    });
  sub(graph, 'observe', 'add an observation to an entity')
    .argument('<name>')
    .argument('<text...>')
    .action(async (name: string, text: string[], _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) =>
        call<'graph.addObservations', { entityName: string; addedObservations: string[] }[]>('graph.addObservations', { observations: [{ entityName: name, contents: [text.join(' ')] }] }),
      );
      print(opts, r, () => (r[0]?.addedObservations.length ? `Added an observation to ${name}` : `${name} already has that observation`));
    });
  sub(graph, 'search', 'nodes whose name, type or observations contain the text')
    .argument('<query...>')
    .action(async (query: string[], _o, cmd: Command) => {
      const opts = g(cmd);
      const r = await withStore(opts, false, (call) => call<'graph.search', KnowledgeGraph>('graph.search', { query: query.join(' ') }));
      print(opts, r, () =>
        r.entities.length === 0
          ? '(no matches)'
          : [
              formatTable(['NODE', 'TYPE', 'OBSERVATIONS'], r.entities.map((e) => [e.name, e.entityType, e.observations.join('; ')])),
              ...(r.relations.length ? ['relations:', ...r.relations.map((e) => `  ${edgeLine(e)}`)] : []),
            ].join('\n'),
      );
    });

  registerAgentsCommands(agent, { sub, withoutStore: (cmd, fn) => withoutStore(g(cmd), fn), print: (cmd, value, text) => print(g(cmd), value, text) });
  registerBackupCommands(program, { sub, json: (cmd) => Boolean(g(cmd).json), withStore: (cmd, fn, openFor) => withStore(g(cmd), openFor ?? false, fn) });
  registerSyncCommands(program, { sub, json: (cmd) => Boolean(g(cmd).json), withStore: (cmd, fn) => withStore(g(cmd), false, fn) });

  registerCryptoCommands(program, project, { sub, g, withStore, print, usage: (m) => new UsageError(m) });
  registerGraphInteropCommands(program, { sub, withStore: (cmd, fn) => withStore(g(cmd), false, fn), print: (cmd, value, text) => print(g(cmd), value, text), usage: (m) => new UsageError(m) });
  registerTaskWorkCommands(task, sprint, {
    sub,
    withStore: (cmd, fn, openFor) => withStore(g(cmd), openFor ?? false, fn),
    print: (cmd, value, text) => print(g(cmd), value, text),
    changeTask,
    taskLine,
    wholeNumber,
    positiveInt,
    fraction,
  });
  registerMemoryCommands(program, { sub, withStore: (cmd, fn) => withStore(g(cmd), false, fn), print: (cmd, value, text) => print(g(cmd), value, text), positiveInt, fraction });
  registerSessionCommands(program, { sub, withStore: (cmd, fn) => withStore(g(cmd), false, fn), print: (cmd, value, text) => print(g(cmd), value, text), wholeNumber, positiveInt, fraction });
  registerMetricsCommands(program, { sub, withStore: (cmd, fn) => withStore(g(cmd), false, fn), print: (cmd, value, text) => print(g(cmd), value, text), positiveInt });
  registerMcpCommand(program, sub, (cmd) => {
    const opts = g(cmd);
    return { storeDir: storeDir(opts), vaultDir: vaultDir(opts), agentDirs: agentDirs(opts), actor: opts.actor?.trim() || process.env.CAIRN_ACTOR?.trim() || undefined };
  }, positiveInt);

  sub(program, 'doctor', 'check the store: integrity, schema, sizes, slow queries').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const h = await withStore(opts, { checkAtOpen: 'never' }, (call) => call<'store.health', StoreHealth>('store.health', {}));
    print(opts, h, () => healthLines(h).join('\n'));
    if (!h.ok) process.exitCode = EXIT_FAILURE;
  });

  return program;
}

/** The command this process ran ("search", "task list"), as commander found it; undefined before or without one. */
let ranCommand: string | undefined;
export const commandRun = (): string | undefined => ranCommand;

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: string[]): Promise<number> {
  const [command = ''] = commandWords(argv, 1);
  const program = buildProgram(command === 'help' ? undefined : command);
  program.hook('preAction', (_program, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
    ranCommand = names.join(' ');
    if (LONG_RUNNING_COMMANDS.has(ranCommand)) holdYoungGeneration();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  const line = (msg: string) => process.stderr.write(`cairn: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    // A command group without its subcommand ("cairn task"): commander printed the group's help.
    if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : EXIT_USAGE;
    // Commander's own usage errors: unknown command/option, missing argument, bad choice.
    const usage = err.code === 'commander.executeSubCommandAsync' ? EXIT_FAILURE : EXIT_USAGE;
    if (err.exitCode === 0) return 0;
    line(`${err.message.replace(/^error:\s*/, '')} (see cairn --help)`);
    return usage;
  }
  if (err instanceof UsageError) {
    line(`${err.message} (see cairn --help)`);
    return EXIT_USAGE;
  }
  if (err instanceof MethodError) {
    line(err.message);
    return err.code === ErrorCodes.InvalidParams ? EXIT_USAGE : err.code === ErrorCodes.Cancelled ? EXIT_INTERRUPTED : EXIT_FAILURE;
  }
  if (err instanceof StoreError) {
    line(err.message);
    return EXIT_FAILURE;
  }
  const system = explainSystemError(err, {}); // the CLI's own files (export --out): a full disk, a name too long, …
  if (system) {
    line(system.message);
    return system.code === ErrorCodes.InvalidParams ? EXIT_USAGE : EXIT_FAILURE;
  }
  line(`unexpected error: ${(err as Error)?.message ?? String(err)}${process.env.CAIRN_DEBUG ? '\n' + (err as Error)?.stack : ''}`);
  return EXIT_FAILURE;
}
