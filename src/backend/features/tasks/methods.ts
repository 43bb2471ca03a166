// Tasks: list, read, create, change, delete; and their links to notes (tasks.notes, notes.tasks, code lenses).
import * as path from 'node:path';
import { z } from 'zod';
import { revealTask, SECRET_TASK_FIELDS } from '../../../store/crypto/fields';
import type * as CodeRefs from '../../../store/knowledge/codeRefs';
import type * as TaskLinks from '../../../store/knowledge/taskLinks';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskStatus } from '../../../store/schema';
import { boardColumns, boardFacets, boardLanes } from '../../../store/taskBoard';
import { reorderTask } from '../../../store/taskRank';
import { TREE_GROUPINGS, TREE_PAGE_MAX, treePage, treeSections, type TreeGrouping, type TreeLevel, type TreeView } from '../../../store/taskTree';
import { treePlace } from '../../../store/taskTreePlace';
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
import { revealRun, revealTaskRow, revealTasks, revealTreeTask } from '../crypto/reveal';
import { changesOf, expectedVersion, method, pageLimit, pageOffset, runMeasures, who, writer } from '../define';

// The note index (markdown-it and the rest of the indexer) loads with the first method that reads notes: listing or
// changing tasks needs none of it, and a CLI command would pay for loading it at every start.
/* eslint-disable @typescript-eslint/no-require-imports */
const taskLinks = (): typeof TaskLinks => require('../../../store/knowledge/taskLinks');
const codeRefs = (): typeof CodeRefs => require('../../../store/knowledge/codeRefs');
/* eslint-enable @typescript-eslint/no-require-imports */

const absolutePath = (what: string) => pathParam(z.string({ error: `${what} must be an absolute path` }).max(4096), what).refine((p) => path.isAbsolute(p), `${what} must be an absolute path`);
// The shared schemas below are functions, built by the params that use them (define.ts's `method`).
/** Task fields stored encrypted (see crypto.*). */
const secretFields = () => z.array(z.enum(SECRET_TASK_FIELDS, { error: `secretFields may name ${SECRET_TASK_FIELDS.join(', ')}` }), { error: 'secretFields must be a list of field names' }).max(SECRET_TASK_FIELDS.length);
const item = (what: string) => z.number({ error: `${what} must be an item number (from 1)` }).int(`${what} must be a whole number`).min(1, `${what} counts from 1`).max(1000);
const criteriaChange = (p: { add?: string; at?: number; check?: number; uncheck?: number; remove?: number; move?: number; to?: number }): CriteriaChange =>
  p.add !== undefined ? { add: p.add, at: p.at } : p.check !== undefined ? { check: p.check } : p.uncheck !== undefined ? { uncheck: p.uncheck } : p.remove !== undefined ? { remove: p.remove } : { move: p.move!, to: p.to! };
const asArray = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** A new task's fields: tasks.create takes one, tasks.createMany a list. */
const taskFields = () => ({
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
  secretFields: secretFields().optional(),
});

/** Tasks one tasks.createMany makes (one transaction: all or none). */
const MAX_BATCH = 1000;

/** What the Projects tree shows of a project (tasks.tree, tasks.treeSections, tasks.treePlace). */
const treeView = () => ({
  statuses: z.array(status, { error: 'statuses must be a list of statuses' }).min(1, 'statuses must not be empty: leave it out to show every status').max(TASK_STATUSES.length).optional(),
  assignee: z.string({ error: 'assignee must be a string' }).trim().min(1, "assignee must not be empty: leave it out to show everyone's tasks").max(200, 'assignee is too long').optional(),
  groupBy: z.enum(TREE_GROUPINGS, { error: `groupBy must be one of ${TREE_GROUPINGS.join(', ')}` }).default('sprint'),
});
const viewOf = (p: { statuses?: TaskStatus[]; assignee?: string; groupBy: TreeGrouping }): TreeView => ({ statuses: p.statuses, assignee: p.assignee, groupBy: p.groupBy });
/** The keys a group may have under each grouping (any assignee, '' for the unassigned). */
const GROUP_KEYS: Partial<Record<TreeGrouping, readonly string[]>> = { status: TASK_STATUSES, priority: TASK_PRIORITIES };
const treeLevel = (p: { projectId: string; sprintId?: string; parentId?: string; group?: string }): TreeLevel =>
  p.sprintId !== undefined ? { projectId: p.projectId, sprintId: p.sprintId }
  : p.parentId !== undefined ? { projectId: p.projectId, parentId: p.parentId }
  : p.group !== undefined ? { projectId: p.projectId, group: p.group }
  : { projectId: p.projectId };

export const taskMethods = {
  'tasks.list': method({
    doc: 'Tasks filtered by project, sprint, status, assignee or parent, in pages.',
    result: 'Task[]',
    vectorless: true,
    params: () => z.strictObject({
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
  'tasks.board': method({
    doc: "A task board's columns: a page of cards per status (by rank, then urgent first, then by id) with each column's total, under the board's filters; with lanes, the swimlanes (sprints or assignees) that have cards.",
    result: '`{"columns": BoardColumn[], "facets"?: {"assignees", "tags"}, "lanes"?: [{"key", "total"}]}`',
    vectorless: true,
    params: () => z.strictObject({
      projectId: id('projectId').optional(),
      sprintId: id('sprintId').nullable().optional(),
      assignee: agentName.nullable().optional(),
      tag: z.string({ error: 'tag must be a string' }).trim().min(1, 'tag must not be empty').max(100, 'tag must be at most 100 characters').optional(),
      priority: z.array(priority, { error: 'priority must be a list of priorities' }).max(4).optional(),
      text: z.string({ error: 'text must be a string' }).max(200, 'text must be at most 200 characters').optional(),
      columns: z
        .array(
          z.strictObject({
            status,
            offset: z.number({ error: 'offset must be a whole number' }).int().min(0).default(0),
            limit: z.number({ error: 'limit must be a whole number' }).int().min(0).max(500, 'limit is at most 500 cards a page').default(100),
          }),
          { error: 'columns must be a list of {status, offset, limit}' },
        )
        .min(1, 'ask for at least one column')
        .max(TASK_STATUSES.length),
      facets: z.boolean({ error: 'facets must be true or false' }).optional(),
      lanes: z.enum(['sprint', 'assignee'], { error: 'lanes must be "sprint" or "assignee"' }).optional(),
    }),
    handler: (store, p) =>
      store.read(async (orm) => {
        const { columns, facets, lanes, priority: priorities, ...filter } = p;
        const read = await boardColumns(orm, { ...filter, priorities }, columns);
        // A card carries its title, not its description: reveal only what it holds.
        const revealed = read.map((c) => ({ ...c, cards: c.cards.map((card) => revealTask(store.orm, { ...card, sealedFields: card.sealedFields.filter((f) => f === 'title') })) }));
        return {
          columns: revealed,
          ...(facets ? { facets: await boardFacets(orm, p.projectId) } : {}),
          ...(lanes ? { lanes: await boardLanes(orm, { ...filter, priorities }, lanes, columns.map((c) => c.status)) } : {}),
        };
      }),
  }),
  'tasks.tree': method({
    doc: "One level of a project's tree (the Projects view), a page at a time in id order: the project's own tasks, a sprint's, a task's subtasks or a group's, each with how many of its subtasks show (`children`), and the level's total. Grouped by sprint, a task shows under its parent when the parent shows, else under its sprint, else under the project; grouped by status, assignee or priority, in its group.",
    result: '`{"total", "offset", "tasks": TreeTask[]}` (a task\'s id, project, sprint, parent, title, status, priority, assignee, tags, estimate, actual, tokens, quality, version, and `children`)',
    vectorless: true,
    params: () => z
      .strictObject({
        projectId: id('projectId'),
        sprintId: id('sprintId').optional(),
        parentId: id('parentId').optional(),
        group: z.string({ error: 'group must be a string: a status, a priority or an assignee ("" for the unassigned)' }).trim().max(200, 'group is too long').optional(),
        ...treeView(),
        offset: pageOffset,
        limit: pageLimit(TREE_PAGE_MAX, 500),
      })
      .refine((p) => [p.sprintId, p.parentId, p.group].filter((x) => x !== undefined).length <= 1, "give at most one of sprintId, parentId or group (none: the project's own tasks)")
      .refine((p) => p.groupBy === 'sprint' || (p.sprintId === undefined && p.parentId === undefined), 'sprintId and parentId are levels of the tree grouped by sprint; grouped by status, assignee or priority, give group')
      .refine((p) => p.group === undefined || p.groupBy !== 'sprint', 'group needs groupBy status, assignee or priority')
      .superRefine((p, ctx) => {
        const keys = GROUP_KEYS[p.groupBy];
        if (p.group !== undefined && keys && !keys.includes(p.group)) ctx.addIssue({ code: 'custom', path: ['group'], message: `grouped by ${p.groupBy}, group must be one of ${keys.join(', ')}` });
      }),
    handler: (store, p) => store.read((orm) => treePage(orm, treeLevel(p), viewOf(p), p.offset, p.limit)).then((page) => ({ ...page, tasks: page.tasks.map(revealTreeTask(store)) })),
  }),
  'tasks.treeSections': method({
    doc: "What a project's tree (the Projects view) shows before the project's own tasks: grouped by sprint, its sprints with how many tasks show directly under each; grouped by status, assignee or priority, the groups that hold shown tasks, with their counts, in the grouping's order.",
    result: '`{"sprints": [{"sprint": Sprint, "count"}]}` or `{"groups": [{"key", "count"}]}`',
    vectorless: true,
    params: () => z.strictObject({ projectId: id('projectId'), ...treeView() }),
    handler: (store, p) => store.read((orm) => treeSections(orm, p.projectId, viewOf(p))),
  }),
  'tasks.treePlace': method({
    doc: "Where a task shows in its project's tree (the Projects view) under a filter and grouping: the level its top-most shown ancestor sits in, and the chain from that ancestor down to the task, each with its position in its level; null when the view does not show it.",
    result: '`{"place": {"level", "chain": [{"task": TreeTask, "position"}]} or null}`',
    vectorless: true,
    params: () => z.strictObject({ id: id('id'), ...treeView() }),
    handler: (store, p) =>
      store.read((orm) => treePlace(orm, p.id, viewOf(p))).then((place) => ({ place: place && { ...place, chain: place.chain.map((c) => ({ ...c, task: revealTreeTask(store)(c.task) })) } })),
  }),
  'tasks.get': method({
    doc: 'One task, with the notes it is linked to if asked.',
    result: 'Task (+ `relatedNotes`)',
    vectorless: true,
    params: () => z.strictObject({ id: id('id'), includeNotes: z.boolean({ error: 'includeNotes must be true or false' }).optional() }),
    handler: (store, p) =>
      p.includeNotes
        ? store.read(async (orm) => ({ ...revealTaskRow(store, true)(await getTask(orm, p.id)), relatedNotes: await taskLinks().taskNotes(orm, p.id) }))
        : getTask(store.orm, p.id).then(revealTaskRow(store, true)),
  }),
  'tasks.create': method({
    doc: 'Creates a task in a project (optionally in a sprint, under a parent, linked to notes).',
    result: 'Task',
    writes: true,
    params: () => z.strictObject({ ...taskFields(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => createTask(orm, who(ctx, p), p)).then(revealTaskRow(store)),
  }),
  'tasks.createMany': method({
    doc: `Creates up to ${MAX_BATCH} tasks in one transaction, each with its event: all or none (a bad one names its index).`,
    result: 'Task[]',
    writes: true,
    params: () => z.strictObject({ tasks: z.array(z.strictObject(taskFields()), { error: 'tasks must be a list of tasks' }).min(1, 'tasks must not be empty').max(MAX_BATCH, `at most ${MAX_BATCH} tasks per call`), ...writer }),
    handler: (store, p, ctx) =>
      store
        .write(async (orm) => {
          const created = [];
          for (const [i, t] of p.tasks.entries()) {
            try {
              created.push(await createTask(orm, who(ctx, p), t));
            } catch (err) {
              // Which one: the rest of the batch is rolled back with it.
              if (err instanceof Error) err.message = `tasks[${i}] (${t.title}): ${err.message}`;
              throw err;
            }
          }
          return created;
        })
        .then((rows) => rows.map(revealTaskRow(store))),
  }),
  'tasks.update': method({
    doc: "Changes a task's fields, if it is still at the version you read.",
    result: 'Task',
    writes: true,
    params: () => z.strictObject({
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
      secretFields: secretFields().optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => updateTask(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))).then(revealTaskRow(store)),
  }),
  'tasks.reorder': method({
    doc: "Moves a task within its board column, between the tasks shown above (after) and below (before) it, if it is still at the version you read: writes its rank, one row (a column numbered afresh only when there is no room).",
    result: 'Task',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion, after: id('after').nullable(), before: id('before').nullable(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => reorderTask(orm, who(ctx, p), p.id, p.expectedVersion, { after: p.after, before: p.before })).then(revealTaskRow(store)),
  }),
  'tasks.delete': method({
    doc: 'Deletes a task; the event log keeps the record.',
    result: '`null`',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion: expectedVersion.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => deleteTask(orm, who(ctx, p), p.id, p.expectedVersion)),
  }),
  'tasks.counts': method({
    doc: 'How many tasks there are, by status.',
    result: 'TaskCounts',
    vectorless: true,
    params: () => z.strictObject({}),
    handler: (store) => countTasks(store.orm),
  }),
  'tasks.dependencies': method({
    doc: 'The tasks a task waits for and the tasks waiting for it, and whether it is ready.',
    result: 'TaskDependencies',
    vectorless: true,
    params: () => z.strictObject({ id: id('id') }),
    handler: (store, p) => store.read((orm) => taskDependencies(orm, p.id)),
  }),
  'tasks.depend': method({
    doc: 'Makes a task wait for another (in any project of the store); a cycle is refused, naming it.',
    result: 'Task',
    writes: true,
    params: () => z.strictObject({ id: id('id'), on: id('on'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => addDependency(orm, who(ctx, p), p.id, p.on)).then(revealTaskRow(store)),
  }),
  'tasks.undepend': method({
    doc: 'Stops a task waiting for another.',
    result: 'Task',
    writes: true,
    params: () => z.strictObject({ id: id('id'), on: id('on'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => removeDependency(orm, who(ctx, p), p.id, p.on)).then(revealTaskRow(store)),
  }),
  'tasks.criteria': method({
    doc: "Changes a task's acceptance criteria: add (at a place), check, uncheck, remove or move an item (numbered from 1); with expectedVersion, only if the task is still at that version.",
    result: 'Task',
    writes: true,
    params: () => z
      .strictObject({
        id: id('id'),
        expectedVersion: expectedVersion.optional(),
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
    handler: (store, p, ctx) => store.write((orm) => changeCriteria(orm, who(ctx, p), p.id, criteriaChange(p), p.expectedVersion)).then(revealTaskRow(store)),
  }),
  'tasks.next': method({
    doc: "The most urgent ready task for an agent: pending, not another's, every dependency finished (by priority, then how many wait for it, then age).",
    result: '`{"task": Task or null}`',
    vectorless: true,
    params: () => z.strictObject({ agent: name('agent').optional(), projectId: id('projectId').optional() }),
    handler: (store, p, ctx) => store.read((orm) => nextTask(orm, p.agent ?? ctx.who.actor, p.projectId)).then((t) => ({ task: t ? revealTaskRow(store)(t) : null })),
  }),
  'tasks.claim': method({
    doc: "Atomically assigns a task (or, without id, the next ready one) to an agent and starts it; refused, naming the holder, while another holds it.",
    result: '`{"task": Task or null}`',
    writes: true,
    params: () => z.strictObject({ id: id('id').optional(), agent: name('agent').optional(), projectId: id('projectId').optional(), ...writer }),
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
    params: () => z.strictObject({
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
    params: () => z.strictObject({ taskId: id('taskId') }),
    handler: (store, p) => store.read((orm) => taskLinks().taskNotes(orm, p.taskId)),
  }),
  'notes.tasks': method({
    doc: 'The tasks a note is linked to, either way.',
    result: 'NoteTasks',
    params: () => z.strictObject({ note: noteRef('note') }),
    handler: (store, p) => store.read((orm) => taskLinks().noteTasks(orm, p.note)),
  }),
  'codeLens.lookup': method({
    doc: "What a source file's code lenses need in one read: the notes and tasks it names, and the notes that link to it.",
    result: 'CodeRefs',
    params: () => z.strictObject({
      file: absolutePath('file').optional(),
      workspaceFolder: absolutePath('workspaceFolder').optional(),
      notes: z.array(z.string({ error: 'notes must be a list of wikilink texts' }).max(1000), { error: 'notes must be a list of wikilink texts' }).max(1000, 'notes may hold at most 1000 names').optional(),
      taskIds: z.array(id('each of taskIds'), { error: 'taskIds must be a list of task ids' }).max(1000, 'taskIds may hold at most 1000 ids').optional(),
    }),
    handler: (store, p, ctx) => codeRefs().lookupCodeRefs(store, ctx.vaultDir, p),
  }),
};
