// The CLI's commands for the work model: dependencies, acceptance criteria, next / claim / done, and changing a
// task's or a sprint's fields (task update, sprint update).
import { Option, type Command } from 'commander';
import { AGENT_RUN_OUTCOMES, SPRINT_STATUSES, TASK_PRIORITIES, type SprintRow, type TaskRow } from '../../../store/schema';
import type { CompletionResult, TaskDependencies } from '../../../store/taskWork';
import type { Caller, OpenFor, TaskChanger } from '../../cli';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';

export interface WorkCliTools {
  sub: (parent: Command, name: string, description: string) => Command;
  withStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>, openFor?: OpenFor) => Promise<T>;
  print: (cmd: Command, value: unknown, text: () => string) => void;
  changeTask: TaskChanger;
  taskLine: (t: TaskRow) => string;
  wholeNumber: (v: string) => number;
  positiveInt: (v: string) => number;
  fraction: (v: string) => number;
}

const none = (v: string | undefined) => (v === undefined ? undefined : v === 'none' ? null : v);

/** A task's checklist as task show and task criteria print it, numbered from 1. */
const criteriaLines = (criteria: TaskRow['criteria']) => criteria.map((c, i) => `  ${i + 1}. [${c.done ? 'x' : ' '}] ${c.text}`);

export function dependencyLines(d: TaskDependencies, criteria: TaskRow['criteria']): string[] {
  const ref = (t: TaskDependencies['dependsOn'][number]) => `  ${t.id}  ${t.status ?? '(deleted)'}  ${t.title ?? ''}`;
  return [
    ...(d.dependsOn.length ? [`waits for (${d.ready ? 'ready' : 'not ready'}):`, ...d.dependsOn.map(ref)] : []),
    ...(d.dependants.length ? ['waited for by:', ...d.dependants.map(ref)] : []),
    ...(criteria.length ? [`acceptance criteria (${criteria.filter((c) => c.done).length}/${criteria.length}):`, ...criteriaLines(criteria)] : []),
  ];
}

export function registerTaskWorkCommands(task: Command, sprint: Command, t: WorkCliTools): void {
  const { sub, withStore, print, taskLine } = t;

  for (const [verb, method, said] of [
    ['depend', 'tasks.depend', 'now waits for'],
    ['undepend', 'tasks.undepend', 'no longer waits for'],
  ] as const) {
    sub(task, verb, verb === 'depend' ? 'make a task wait for another (a cycle is refused)' : 'stop a task waiting for another')
      .argument('<id>')
      .requiredOption('--on <other>', 'the task it waits for')
      .action(async (id: string, o: { on: string }, cmd: Command) => {
        const r = await withStore(cmd, (call) => call<typeof method, TaskRow>(method, { id, on: o.on }));
        print(cmd, r, () => `${taskLine(r)} ${said} ${o.on}`);
      });
  }

  const criteria = sub(task, 'criteria', "change a task's acceptance criteria (items numbered from 1, as task show lists them)");
  const criteriaCommand = (name: string, description: string, params: (args: string[], o: { at?: number }) => Record<string, unknown>) =>
    sub(criteria, name, description).action(async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const o = args[args.length - 2] as { at?: number };
      const [id, ...rest] = args.slice(0, -2) as string[];
      const r = await withStore(cmd, (call) => call<'tasks.criteria', TaskRow>('tasks.criteria', { id: id!, ...params(rest, o) } as never));
      print(cmd, r, () => [taskLine(r), ...criteriaLines(r.criteria)].join('\n'));
    });
  criteriaCommand('add', 'add a criterion (at the end, or --at N)', ([text], o) => ({ add: text, at: o.at }))
    .argument('<id>')
    .argument('<text>')
    .option('--at <n>', 'its place, from 1', t.positiveInt);
  for (const op of ['check', 'uncheck', 'remove'] as const) criteriaCommand(op, `${op} criterion N`, ([n]) => ({ [op]: t.positiveInt(n!) })).argument('<id>').argument('<n>');
  criteriaCommand('move', 'move criterion N to place TO', ([n, to]) => ({ move: t.positiveInt(n!), to: t.positiveInt(to!) })).argument('<id>').argument('<n>').argument('<to>');

  sub(task, 'next', 'the most urgent ready task for an agent (pending, not held by another, dependencies done)')
    .option('--agent <name>', 'the agent (default: --actor, $CAIRN_ACTOR or your user name)')
    .option('--project <id>', 'only this project')
    .option('--claim', 'claim it at once (assign + in progress), atomically')
    .action(async (o: { agent?: string; project?: string; claim?: boolean }, cmd: Command) => {
      const r = await withStore(cmd, (call) =>
        o.claim ? call<'tasks.claim', { task: TaskRow | null }>('tasks.claim', { agent: o.agent, projectId: o.project }) : call<'tasks.next', { task: TaskRow | null }>('tasks.next', { agent: o.agent, projectId: o.project }),
      );
      print(cmd, r, () => (r.task ? `${o.claim ? 'Claimed' : 'Next'}: ${taskLine(r.task)}` : 'No task is ready.'));
    });
  sub(task, 'claim', "take a task: assign it to the agent and start it (refused while another holds it)")
    .argument('<id>')
    .option('--agent <name>', 'the agent (default: --actor, $CAIRN_ACTOR or your user name)')
    .action(async (id: string, o: { agent?: string }, cmd: Command) => {
      const r = await withStore(cmd, (call) => call<'tasks.claim', { task: TaskRow }>('tasks.claim', { id, agent: o.agent }));
      print(cmd, r, () => `Claimed ${taskLine(r.task)}`);
    });
  sub(task, 'done', 'complete a task with the run that did it (refused while acceptance criteria are open, unless --force)')
    .argument('<id>')
    .option('--agent <name>', 'who did it (default: its assignee, else --actor)')
    .option('--duration-ms <n>', 'how long it took', t.wholeNumber)
    .option('--tokens-in <n>', 'tokens read', t.wholeNumber)
    .option('--tokens-out <n>', 'tokens written', t.wholeNumber)
    .option('--quality <q>', 'quality from 0 to 1', t.fraction)
    .option('--errors <n>', 'errors met', t.wholeNumber)
    .addOption(new Option('--outcome <outcome>', 'how the run went (default success)').choices(AGENT_RUN_OUTCOMES))
    .option('--summary <text>', 'what was done')
    .option('--force', 'complete it although acceptance criteria are open')
    .action(async (id: string, o: { agent?: string; durationMs?: number; tokensIn?: number; tokensOut?: number; quality?: number; errors?: number; outcome?: (typeof AGENT_RUN_OUTCOMES)[number]; summary?: string; force?: boolean }, cmd: Command) => {
      const r = await withStore(cmd, (call) =>
        call<'tasks.complete', CompletionResult>('tasks.complete', { id, agent: o.agent, durationMs: o.durationMs, tokensIn: o.tokensIn, tokensOut: o.tokensOut, qualityScore: o.quality, errors: o.errors, outcome: o.outcome, summary: o.summary, force: o.force }),
      );
      print(cmd, r, () => `Done: ${taskLine(r.task)}${r.forced ? ` (forced: ${r.openCriteria} acceptance criteria open)` : ''}; run ${r.run.id} by ${r.run.agentName}`);
    });

  sub(task, 'update', "change a task's fields (with the version just read; retried if someone writes meanwhile)")
    .argument('<id>')
    .option('--title <text>', 'its title')
    .option('--description <text>', 'what it is about')
    .addOption(new Option('--priority <priority>').choices(TASK_PRIORITIES))
    .option('--tag <tag>', 'its tags, replacing the old ones (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--estimate <minutes>', 'estimated minutes', t.positiveInt)
    .option('--sprint <id>', 'its sprint ("none": no sprint)')
    .option('--parent <id>', 'its parent task ("none": not a subtask)')
    .action(async (id: string, o: { title?: string; description?: string; priority?: (typeof TASK_PRIORITIES)[number]; tag?: string[]; estimate?: number; sprint?: string; parent?: string }, cmd: Command) => {
      const r = await withStore(cmd, (call) =>
        t.changeTask(call, id, { title: o.title, description: o.description, priority: o.priority, tags: o.tag, estimatedMinutes: o.estimate, sprintId: none(o.sprint), parentId: none(o.parent) }),
      );
      print(cmd, r, () => `Updated ${taskLine(r)}`);
    });

  sub(sprint, 'update', "change a sprint's name, goal, status or dates")
    .argument('<id>')
    .option('--name <text>', 'its name')
    .option('--goal <text>', 'what it should achieve')
    .addOption(new Option('--status <status>').choices(SPRINT_STATUSES))
    .option('--starts <day>', 'first day, YYYY-MM-DD ("none" to clear)')
    .option('--ends <day>', 'last day, YYYY-MM-DD ("none" to clear)')
    .action(async (id: string, o: { name?: string; goal?: string; status?: (typeof SPRINT_STATUSES)[number]; starts?: string; ends?: string }, cmd: Command) => {
      const r = await withStore(cmd, async (call) => {
        for (let attempt = 0; ; attempt++) {
          const current = (await call<'sprints.list', SprintRow[]>('sprints.list', {})).find((s) => s.id === id);
          if (!current) throw new MethodError(ErrorCodes.NotFound, `No sprint with id ${id}.`);
          try {
            return await call<'sprints.update', SprintRow>('sprints.update', { id, expectedVersion: current.version, name: o.name, goal: o.goal, status: o.status, startsOn: none(o.starts), endsOn: none(o.ends) });
          } catch (err) {
            // Someone wrote it between our read and our write: read it again.
            if (attempt >= 3 || !(err instanceof MethodError && err.code === ErrorCodes.Conflict)) throw err;
          }
        }
      });
      print(cmd, r, () => `Updated sprint ${r.id}  ${r.name} (${r.status})`);
    });

  sub(sprint, 'start', 'start a planned sprint: active, from today unless it has a first day')
    .argument('<id>')
    .option('--on <day>', 'its first day, YYYY-MM-DD, if it has none (default today)')
    .action(async (id: string, o: { on?: string }, cmd: Command) => {
      const r = await withStore(cmd, (call) => call<'sprints.start', SprintRow>('sprints.start', { id, on: o.on }));
      print(cmd, r, () => `Started sprint ${r.id}  ${r.name} (from ${r.startsOn}${r.endsOn ? ` to ${r.endsOn}` : ''})`);
    });

  sub(sprint, 'close', 'close a sprint; --move-open-to moves its unfinished tasks to another sprint (or "none": no sprint)')
    .argument('<id>')
    .option('--move-open-to <sprint>', 'a sprint of the same project, or "none"; without it unfinished tasks stay in the closed sprint')
    .option('--on <day>', 'its last day, YYYY-MM-DD, if it has none (default today)')
    .action(async (id: string, o: { moveOpenTo?: string; on?: string }, cmd: Command) => {
      const r = await withStore(cmd, (call) => call<'sprints.close', { sprint: SprintRow; moved: number; leftOpen: number }>('sprints.close', { id, on: o.on, moveOpenTo: none(o.moveOpenTo) }));
      print(cmd, r, () => `Closed sprint ${r.sprint.id}  ${r.sprint.name} (ended ${r.sprint.endsOn})${r.moved ? `; ${r.moved} unfinished tasks moved ${o.moveOpenTo === 'none' ? 'out of it' : `to ${o.moveOpenTo}`}` : ''}${r.leftOpen ? `; ${r.leftOpen} unfinished tasks stay in it` : ''}`);
    });
}
