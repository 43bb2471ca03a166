// Projects and their sprints: create, list, rename, delete (the event log keeps the record), and erase.
import { z } from 'zod';
import { eraseProject } from '../../../store/erase';
import { createProject, deleteProject, getProject, listProjects, updateProject } from '../../../store/projects';
import { closeSprint, createSprint, deleteSprint, listSprints, startSprint, updateSprint } from '../../../store/sprints';
import { datesInOrder, day, id, name, sprintDatesInOrder, sprintStatus, text } from '../../../store/valueRules';
import { changesOf, expectedVersion, method, who, writer } from '../define';

const sprintFields = {
  goal: text.optional(),
  status: sprintStatus.optional(),
  startsOn: day.nullable().optional(),
  endsOn: day.nullable().optional(),
};

export const projectMethods = {
  'projects.list': method({
    doc: 'Every project, with its task counts.',
    result: 'Project[] (with `taskCounts`)',
    vectorless: true,
    params: () => z.strictObject({}),
    handler: (store) => store.read((orm) => listProjects(orm)),
  }),
  'projects.get': method({
    doc: 'One project.',
    result: 'Project',
    vectorless: true,
    params: () => z.strictObject({ id: id('id') }),
    handler: (store, p) => getProject(store.orm, p.id),
  }),
  'projects.create': method({
    doc: 'Creates a project.',
    result: 'Project',
    writes: true,
    params: () => z.strictObject({ name: name('name'), description: text.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => createProject(orm, who(ctx, p), p)),
  }),
  'projects.update': method({
    doc: "Renames a project or changes its description, if it is still at the version you read.",
    result: 'Project',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion, name: name('name').optional(), description: text.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => updateProject(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))),
  }),
  'projects.delete': method({
    doc: 'Deletes a project with its sprints and tasks; the event log keeps the record.',
    result: '`{"sprints":N,"tasks":N}`',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion: expectedVersion.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => deleteProject(orm, who(ctx, p), p.id, p.expectedVersion)),
  }),
  'projects.erase': method({
    doc: 'Removes a project and its history for good (the one exception to the append-only log).',
    result: 'EraseReport',
    writes: true,
    params: () => z.strictObject({ id: id('id'), confirm: z.literal(true, { error: 'confirm must be true: erasing removes the project and its history for good' }), ...writer }),
    handler: (store, p, ctx) => eraseProject(store, who(ctx, p), p.id),
  }),
  'sprints.list': method({
    doc: "Sprints, of one project or all.",
    result: 'Sprint[]',
    vectorless: true,
    params: () => z.strictObject({ projectId: id('projectId').optional() }),
    handler: (store, p) => listSprints(store.orm, p.projectId),
  }),
  'sprints.create': method({
    doc: 'Creates a sprint in a project.',
    result: 'Sprint',
    writes: true,
    params: () => z.strictObject({ projectId: id('projectId'), name: name('name'), ...sprintFields, ...writer }).refine(sprintDatesInOrder, datesInOrder),
    handler: (store, p, ctx) => store.write((orm) => createSprint(orm, who(ctx, p), p)),
  }),
  'sprints.update': method({
    doc: "Changes a sprint's name, goal, status or dates, if it is still at the version you read.",
    result: 'Sprint',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion, name: name('name').optional(), ...sprintFields, ...writer }).refine(sprintDatesInOrder, datesInOrder),
    handler: (store, p, ctx) => store.write((orm) => updateSprint(orm, who(ctx, p), p.id, p.expectedVersion, changesOf(p))),
  }),
  'sprints.start': method({
    doc: 'Starts a planned sprint: active, from today (or `on`) unless it has a first day. An active sprint is returned as it is.',
    result: 'Sprint',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion: expectedVersion.optional(), on: day.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => startSprint(orm, who(ctx, p), p.id, p)),
  }),
  'sprints.close': method({
    doc: 'Closes a sprint (last day today, or `on`, unless it has one); its unfinished tasks move to `moveOpenTo` (a sprint id, or null for none) or stay.',
    result: '`{"sprint": Sprint, "moved": N, "leftOpen": N}`',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion: expectedVersion.optional(), on: day.optional(), moveOpenTo: id('moveOpenTo').nullable().optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => closeSprint(orm, who(ctx, p), p.id, p)),
  }),
  'sprints.delete': method({
    doc: 'Deletes a sprint; its tasks stay, without a sprint.',
    result: '`{"tasksUnassigned":N}`',
    writes: true,
    params: () => z.strictObject({ id: id('id'), expectedVersion: expectedVersion.optional(), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => deleteSprint(orm, who(ctx, p), p.id, p.expectedVersion)),
  }),
};
