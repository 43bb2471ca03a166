// Tasks: list, read, create, change, delete; and their links to notes (tasks.notes, notes.tasks, code lenses).
import * as path from 'node:path';
import { z } from 'zod';
import { SECRET_TASK_FIELDS } from '../../../store/crypto/fields';
import { lookupCodeRefs } from '../../../store/knowledge/codeRefs';
import { noteTasks, taskNotes } from '../../../store/knowledge/taskLinks';
import { TASK_STATUSES } from '../../../store/schema';
import { countTasks, createTask, deleteTask, getTask, listTasks, updateTask } from '../../../store/tasks';
import { addDependency, changeCriteria, claimNext, claimTask, completeTask, nextTask, removeDependency, taskDependencies, type CriteriaChange } from '../../../store/taskWork';
import {
  agentName,
  count,
  criterionText,
  dependsOnRule,
  id,
  minutes,
  name,
  noteRef,
  noteRefs,
  qualityScore,
  runOutcome,
  tags,
  taskPriority as priority,
  taskStatus as status,
  text,
} from '../../../store/valueRules';
import { pathParam } from '../../pathParam';
import { runMeasures } from '../agents/methods';
import { revealRun, revealTaskRow, revealTasks } from '../crypto/reveal';
import { changesOf, expectedVersion, method, who, writer } from '../define';

const absolutePath = (what: string) => pathParam(z.string({ error: `${what} must be an absolute path` }).max(4096), what).refine((p) => path.isAbsolute(p), `${what} must be an absolute path`);
/** Task fields stored encrypted (see crypto.*). */
const secretFields = z.array(z.enum(SECRET_TASK_FIELDS, { error: `secretFields may name ${SECRET_TASK_FIELDS.join(', ')}` }), { error: 'secretFields must be a list of field names' }).max(SECRET_TASK_FIELDS.length);
const item = (what: string) => z.number({ error: `${what} must be an item number (from 1)` }).int(`${what} must be a whole number`).min(1, `${what} counts from 1`).max(1000);
const criteriaChange = (p: { add?: string; at?: number; check?: number; uncheck?: number; remove?: number; move?: number; to?: number }): CriteriaChange =>
  p.add !== undefined ? { add: p.add, at: p.at } : p.check !== undefined ? { check: p.check } : p.uncheck !== undefined ? { uncheck: p.uncheck } : p.remove !== undefined ? { remove: p.remove } : { move: p.move!, to: p.to! };
const asArray = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export const taskMethods = {
  'tasks.list': method({
    doc: 'Tasks filtered by project, sprint, status, assignee or parent, in pages.',
    result: 'Task[]',
    params: z.strictObject({
      projectId: id('projectId').optional(),
      sprintId: id('sprintId').nullable().optional(),
      status: z.union([status, z.array(status)], { error: `status must be one of ${TASK_STATUSES.join(', ')}, or a list of them` }).optional(),
      assignee: agentName.optional(),
      parentId: id('parentId').optional(),
      limit: z.number().int().min(1).max(100_000).optional(),
      offset: z.number().int().min(0).optional(),
    }),
    handler: (store, p) => listTasks(store.orm, { ...p, status: asArray(p.status) }).then(revealTasks(store)),
  }),
  'tasks.get': method({
    doc: 'One task, with the notes it is linked to if asked.',
    result: 'Task (+ `relatedNotes`)',
    params: z.strictObject({ id: id('id'), includeNotes: z.boolean({ error: 'includeNotes must be true or false' }).optional() }),
    handler: (store, p) =>
      p.includeNotes
        ? store.read(async (orm) => ({ ...revealTaskRow(store, true)(await getTask(orm, p.id)), relatedNotes: await taskNotes(orm, p.id) }))
        : getTask(store.orm, p.id).then(revealTaskRow(store, true)),
  }),
  'tasks.create': method({
    doc: 'Creates a task in a project (optionally in a sprint, under a parent, linked to notes).',
    result: 'Task',
    writes: true,
    params: z.strictObject({
      projectId: id('projectId'),
      title: name('title'),
      sprintId: id('sprintId').nullable().optional(),
      parentId: id('parentId').nullable().optional(),
      description: text.optional(),
      status: status.optional(),
      priority: priority.optional(),
      assignee: agentName.nullable().optional(),
      tags: tags.optional(),
      estimatedMinutes: minutes('estimatedMinutes').nullable().optional(),
      notes: noteRefs.optional(),
      dependsOn: dependsOnRule.optional(),
      criteria: z.array(criterionText, { error: 'criteria must be a list of texts' }).max(100, 'a task may have at most 100 acceptance criteria').optional(),
      secretFields: secretFields.optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => createTask(orm, who(ctx, p), p)).then(revealTaskRow(store)),
  }),
  'tasks.update': method({
    doc: "Changes a task's fields, if it is still at the version you read.",
    result: 'Task',
    writes: true,
    params: z.strictObject({
      id: id('id'),
      expectedVersion,
      title: name('title').optional(),
      description: text.optional(),
      status: status.optional(),
      priority: priority.optional(),
      assignee: agentName.nullable().optional(),
      tags: tags.optional(),
      sprintId: id('sprintId').nullable().optional(),
      parentId: id('parentId').nullable().optional(),
      estimatedMinutes: minutes('estimatedMinutes').nullable().optional(),
      actualMinutes: minutes('actualMinutes').nullable().optional(),
      tokensIn: count('tokensIn').nullable().optional(),
      tokensOut: count('tokensOut').nullable().optional(),
      qualityScore: qualityScore.nullable().optional(),
      notes: noteRefs.optional(),
      secretFields: secretFields.optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => updateTask(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))).then(revealTaskRow(store)),
  }),
  'tasks.delete': method({
    doc: 'Deletes a task; the event log keeps the record.',
    result: '`null`',
    writes: true,
    params: z.strictObject({ id: id('id'), expectedVersion: expectedVersion.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => deleteTask(orm, who(ctx, p), p.id, p.expectedVersion)),
  }),
  'tasks.counts': method({
    doc: 'How many tasks there are, by status.',
    result: 'TaskCounts',
    params: z.strictObject({}),
    handler: (store) => countTasks(store.orm),
  }),
  'tasks.dependencies': method({
    doc: 'The tasks a task waits for and the tasks waiting for it, and whether it is ready.',
    result: 'TaskDependencies',
    params: z.strictObject({ id: id('id') }),
    handler: (store, p) => store.read((orm) => taskDependencies(orm, p.id)),
  }),
  'tasks.depend': method({
    doc: 'Makes a task wait for another (in any project of the store); a cycle is refused, naming it.',
    result: 'Task',
    writes: true,
    params: z.strictObject({ id: id('id'), on: id('on'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => addDependency(orm, who(ctx, p), p.id, p.on)).then(revealTaskRow(store)),
  }),
  'tasks.undepend': method({
    doc: 'Stops a task waiting for another.',
    result: 'Task',
    writes: true,
    params: z.strictObject({ id: id('id'), on: id('on'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => removeDependency(orm, who(ctx, p), p.id, p.on)).then(revealTaskRow(store)),
  }),
  'tasks.criteria': method({
    doc: "Changes a task's acceptance criteria: add (at a place), check, uncheck, remove or move an item (numbered from 1).",
    result: 'Task',
    writes: true,
    params: z
      .strictObject({
        id: id('id'),
        add: criterionText.optional(),
        at: item('at').optional(),
        check: item('check').optional(),
        uncheck: item('uncheck').optional(),
        remove: item('remove').optional(),
        move: item('move').optional(),
        to: item('to').optional(),
        ...writer,
      })
      .refine((p) => ['add', 'check', 'uncheck', 'remove', 'move'].filter((k) => p[k as keyof typeof p] !== undefined).length === 1, 'give one of add, check, uncheck, remove or move')
      .refine((p) => (p.move === undefined) === (p.to === undefined), 'move goes with to (the place to move the item to)')
      .refine((p) => p.at === undefined || p.add !== undefined, 'at goes only with add'),
    handler: (store, p, ctx) => store.write((orm) => changeCriteria(orm, who(ctx, p), p.id, criteriaChange(p))).then(revealTaskRow(store)),
  }),
  'tasks.next': method({
    doc: "The most urgent ready task for an agent: pending, not another's, every dependency finished (by priority, then how many wait for it, then age).",
    result: '`{"task": Task or null}`',
    params: z.strictObject({ agent: name('agent').optional(), projectId: id('projectId').optional() }),
    handler: (store, p, ctx) => store.read((orm) => nextTask(orm, p.agent ?? ctx.who.actor, p.projectId)).then((t) => ({ task: t ? revealTaskRow(store)(t) : null })),
  }),
  'tasks.claim': method({
    doc: "Atomically assigns a task (or, without id, the next ready one) to an agent and starts it; refused, naming the holder, while another holds it.",
    result: '`{"task": Task or null}`',
    writes: true,
    params: z.strictObject({ id: id('id').optional(), agent: name('agent').optional(), projectId: id('projectId').optional(), ...writer }),
    handler: (store, p, ctx) => {
      const agent = p.agent ?? who(ctx, p).actor;
      return store
        .write((orm) => (p.id ? claimTask(orm, who(ctx, p), p.id, agent, p.projectId) : claimNext(orm, who(ctx, p), agent, p.projectId)))
        .then((t) => ({ task: t ? revealTaskRow(store)(t) : null }));
    },
  }),
  'tasks.complete': method({
    doc: "Marks a task done with the agent run that did it; the task's tokens, quality and actual time follow from its runs.",
    result: 'Completion',
    writes: true,
    params: z.strictObject({
      id: id('id'),
      agent: name('agent').optional(),
      ...runMeasures,
      outcome: runOutcome.optional(),
      summary: text.optional(),
      force: z.boolean({ error: 'force must be true or false' }).optional(),
      ...writer,
    }),
    handler: async (store, p, ctx) => {
      const { id: taskId, actor: _a, ...completion } = p;
      const r = await store.write((orm) => completeTask(orm, who(ctx, p), taskId, completion));
      return { ...r, task: revealTaskRow(store)(r.task), run: revealRun(store)(r.run) };
    },
  }),
  'tasks.notes': method({
    doc: 'The notes a task is linked to, either way (its notes field, or a note that names the task).',
    result: 'TaskNoteLink[]',
    params: z.strictObject({ taskId: id('taskId') }),
    handler: (store, p) => store.read((orm) => taskNotes(orm, p.taskId)),
  }),
  'notes.tasks': method({
    doc: 'The tasks a note is linked to, either way.',
    result: 'NoteTasks',
    params: z.strictObject({ note: noteRef('note') }),
    handler: (store, p) => store.read((orm) => noteTasks(orm, p.note)),
  }),
  'codeLens.lookup': method({
    doc: "What a source file's code lenses need in one read: the notes and tasks it names, and the notes that link to it.",
    result: 'CodeRefs',
    params: z.strictObject({
      file: absolutePath('file').optional(),
      workspaceFolder: absolutePath('workspaceFolder').optional(),
      notes: z.array(z.string({ error: 'notes must be a list of wikilink texts' }).max(1000), { error: 'notes must be a list of wikilink texts' }).max(1000, 'notes may hold at most 1000 names').optional(),
      taskIds: z.array(id('each of taskIds'), { error: 'taskIds must be a list of task ids' }).max(1000, 'taskIds may hold at most 1000 ids').optional(),
    }),
    handler: (store, p, ctx) => lookupCodeRefs(store, ctx.vaultDir, p),
  }),
};
