// A sprint's life in VS Code: Start Sprint, Close Sprint (offering to move its unfinished tasks to another sprint)
// and Edit Sprint (goal and dates). Each asks the backend; the tree follows the store.changed notification.
import * as vscode from 'vscode';
import { OPEN_TASK_STATUSES, type SprintRow, type TaskRow } from '../../store/schema';
import { day } from '../../store/valueRules';
import { sprintDates as datesOf, type SprintNode } from '../../views/nodes';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { isOptions, safeCommands } from '../safeCommand';

type CloseResult = { sprint: SprintRow; moved: number; leftOpen: number };

/** A date box's check, with the protocol's own rule; empty is allowed (no date). */
const validateDay = (value: string) => {
  if (!value.trim()) return undefined;
  const r = day.safeParse(value.trim());
  return r.success ? undefined : `${r.error.issues[0]?.message}: e.g. 2026-12-14, or leave it empty`;
};

export function registerSprintCommands(backend: BackendClient, messages: Messages): vscode.Disposable[] {
  const command = safeCommands(messages);

  /** The sprint a command is about: its tree row, its id, or one picked from those `eligible`. */
  async function sprintOf(target: unknown, placeHolder: string, eligible: (s: SprintRow) => boolean): Promise<SprintRow | undefined> {
    const all = await backend.request<'sprints.list', SprintRow[]>('sprints.list', {});
    if (isOptions(target) && target.kind === 'sprint') target = (target as SprintNode).sprint.id;
    if (typeof target === 'string') {
      const found = all.find((s) => s.id === target);
      if (!found) throw new Error(`No sprint with id ${target}.`);
      return found;
    }
    if (target !== undefined) throw new Error('Give the sprint as its row in the Projects view or its id.');
    const candidates = all.filter(eligible);
    if (!candidates.length) {
      void messages.info('Cairn: there is no sprint to pick for this. Create one from a project\'s context menu (Create Sprint).');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: `$(milestone) ${s.name}`, description: datesOf(s), detail: s.goal || undefined, sprint: s })),
      { placeHolder, matchOnDescription: true },
    );
    return picked?.sprint;
  }

  /** Where the unfinished tasks of a sprint being closed go: another sprint's id, null (no sprint), or undefined (stay). */
  async function pickDestination(sprint: SprintRow, open: number, all: SprintRow[]): Promise<{ to: string | null | undefined } | undefined> {
    type Item = vscode.QuickPickItem & { to: string | null | undefined };
    const others = all.filter((s) => s.projectId === sprint.projectId && s.id !== sprint.id && s.status !== 'closed');
    const items: Item[] = [
      ...others.map((s): Item => ({ label: `$(arrow-right) Move them to ${s.name}`, description: [s.status, datesOf(s)].filter(Boolean).join(' · '), to: s.id })),
      { label: '$(list-flat) Move them out of any sprint', description: 'to the project\'s backlog', to: null },
      { label: '$(circle-slash) Leave them in the closed sprint', to: undefined },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Close ${sprint.name}`, placeHolder: `${open} unfinished task${open === 1 ? '' : 's'} in it: where should ${open === 1 ? 'it' : 'they'} go?` });
    return picked && { to: picked.to };
  }

  async function closeSprint(target?: unknown, options?: unknown): Promise<CloseResult | undefined> {
    if (options !== undefined && (!isOptions(options) || Object.keys(options).some((k) => k !== 'moveOpenTo') || (options.moveOpenTo !== null && options.moveOpenTo !== undefined && typeof options.moveOpenTo !== 'string'))) {
      throw new Error('Close Sprint takes a sprint, then optionally { moveOpenTo: a sprint id, or null for no sprint }.');
    }
    const sprint = await sprintOf(target, 'Sprint to close', (s) => s.status !== 'closed');
    if (!sprint) return undefined;
    let moveOpenTo = isOptions(options) && 'moveOpenTo' in options ? (options.moveOpenTo as string | null) : undefined;
    if (!isOptions(options)) {
      const [open, all] = await Promise.all([
        backend.request<'tasks.list', TaskRow[]>('tasks.list', { sprintId: sprint.id, status: [...OPEN_TASK_STATUSES] }),
        backend.request<'sprints.list', SprintRow[]>('sprints.list', { projectId: sprint.projectId }),
      ]);
      if (open.length) {
        const choice = await pickDestination(sprint, open.length, all);
        if (!choice) return undefined;
        moveOpenTo = choice.to;
      }
    }
    const r = await backend.request<'sprints.close', CloseResult>('sprints.close', { id: sprint.id, expectedVersion: sprint.version, moveOpenTo });
    void messages.info(`Cairn: closed ${r.sprint.name}${r.moved ? `; ${r.moved} unfinished task${r.moved === 1 ? '' : 's'} moved` : ''}${r.leftOpen ? `; ${r.leftOpen} unfinished task${r.leftOpen === 1 ? '' : 's'} left in it` : ''}.`);
    return r;
  }

  async function editSprint(target?: unknown, fields?: unknown): Promise<SprintRow | undefined> {
    const sprint = await sprintOf(target, 'Sprint to edit', () => true);
    if (!sprint) return undefined;
    let changes: { goal?: string; startsOn?: string | null; endsOn?: string | null };
    if (fields !== undefined) {
      if (!isOptions(fields) || Object.keys(fields).some((k) => !['goal', 'startsOn', 'endsOn'].includes(k))) throw new Error('Edit Sprint takes a sprint, then optionally { goal, startsOn, endsOn }.');
      changes = fields as typeof changes;
    } else {
      const goal = await vscode.window.showInputBox({ title: `Edit ${sprint.name} (1/3)`, prompt: 'Goal: what the sprint should achieve', value: sprint.goal, ignoreFocusOut: true });
      if (goal === undefined) return undefined;
      const askDay = (step: number, prompt: string, value: string | null) =>
        vscode.window.showInputBox({ title: `Edit ${sprint.name} (${step}/3)`, prompt: `${prompt}, YYYY-MM-DD (empty: none)`, value: value ?? '', placeHolder: 'e.g. 2026-12-14', validateInput: validateDay, ignoreFocusOut: true });
      const starts = await askDay(2, 'First day', sprint.startsOn);
      if (starts === undefined) return undefined;
      const ends = await askDay(3, 'Last day', sprint.endsOn);
      if (ends === undefined) return undefined;
      changes = { goal, startsOn: starts.trim() || null, endsOn: ends.trim() || null };
    }
    return backend.request<'sprints.update', SprintRow>('sprints.update', { id: sprint.id, expectedVersion: sprint.version, ...changes });
  }

  return [
    command('cairn.startSprint', async (target?: unknown) => {
      const sprint = await sprintOf(target, 'Sprint to start', (s) => s.status === 'planned');
      if (!sprint) return undefined;
      const started = await backend.request<'sprints.start', SprintRow>('sprints.start', { id: sprint.id, expectedVersion: sprint.version });
      void messages.info(`Cairn: ${started.name} is active, from ${started.startsOn}${started.endsOn ? ` to ${started.endsOn}` : ''}.`);
      return started;
    }),
    command('cairn.closeSprint', closeSprint),
    command('cairn.editSprint', editSprint),
  ];
}
