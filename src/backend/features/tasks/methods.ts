// Tasks: list, read, create, change, delete; and their links to notes (tasks.notes, notes.tasks, code lenses).
import * as path from 'node:path';
import { z } from 'zod';
import { SECRET_TASK_FIELDS } from '../../../store/crypto/fields';
import { lookupCodeRefs } from '../../../store/knowledge/codeRefs';
import { noteTasks, taskNotes } from '../../../store/knowledge/taskLinks';
import { TASK_STATUSES } from '../../../store/schema';
import { countTasks, createTask, deleteTask, getTask, listTasks, updateTask } from '../../../store/tasks';
import {
  agentName,
  count,
  id,
  minutes,
  name,
  noteRef,
  noteRefs,
  qualityScore,
  tags,
  taskPriority as priority,
  taskStatus as status,
  text,
} from '../../../store/valueRules';
import { pathParam } from '../../pathParam';
import { revealTaskRow, revealTasks } from '../crypto/reveal';
import { changesOf, expectedVersion, method, who, writer } from '../define';

const absolutePath = (what: string) => pathParam(z.string({ error: `${what} must be an absolute path` }).max(4096), what).refine((p) => path.isAbsolute(p), `${what} must be an absolute path`);
/** Task fields stored encrypted (see crypto.*). */
const secretFields = z.array(z.enum(SECRET_TASK_FIELDS, { error: `secretFields may name ${SECRET_TASK_FIELDS.join(', ')}` }), { error: 'secretFields must be a list of field names' }).max(SECRET_TASK_FIELDS.length);
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
