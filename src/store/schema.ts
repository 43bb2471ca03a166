// The store's tables, as drizzle-orm schema. drizzle-kit generates the SQL migrations in drizzle/ from this file
// (npm run db:generate); never edit a generated migration that has shipped.
import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

export const TASK_STATUSES = ['pending', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const OPEN_TASK_STATUSES: readonly TaskStatus[] = ['pending', 'in_progress', 'blocked'];

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const SPRINT_STATUSES = ['planned', 'active', 'closed'] as const;
export type SprintStatus = (typeof SPRINT_STATUSES)[number];

export const EVENT_SOURCES = ['extension', 'cli', 'agent'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

const quote = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** Optimistic concurrency: bumped by every change; equals the aggregate's latest event version. */
  version: integer('version').notNull().default(1),
};

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  ...timestamps,
});

export const sprints = sqliteTable(
  'sprints',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    goal: text('goal').notNull().default(''),
    status: text('status', { enum: SPRINT_STATUSES }).notNull().default('planned'),
    startsOn: text('starts_on'),
    endsOn: text('ends_on'),
    ...timestamps,
  },
  (t) => [
    index('sprints_project_idx').on(t.projectId),
    check('sprints_status_check', sql.raw(`status in (${quote(SPRINT_STATUSES)})`)),
  ],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    sprintId: text('sprint_id').references(() => sprints.id, { onDelete: 'set null' }),
    parentId: text('parent_id').references((): AnySQLiteColumn => tasks.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('pending'),
    priority: text('priority', { enum: TASK_PRIORITIES }).notNull().default('medium'),
    /** The agent (or person) the task is assigned to, by name. */
    assignee: text('assignee'),
    /** JSON array of strings. */
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    estimatedMinutes: real('estimated_minutes'),
    actualMinutes: real('actual_minutes'),
    tokensIn: integer('tokens_in'),
    tokensOut: integer('tokens_out'),
    /** 0..1, set by whoever reviews the result. */
    qualityScore: real('quality_score'),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
    ...timestamps,
  },
  (t) => [
    index('tasks_project_status_idx').on(t.projectId, t.status),
    // Lists a project's tasks in id order without sorting them all (the tree, paged lists).
    index('tasks_project_id_idx').on(t.projectId, t.id),
    index('tasks_sprint_idx').on(t.sprintId),
    index('tasks_assignee_idx').on(t.assignee),
    index('tasks_parent_idx').on(t.parentId),
    check('tasks_status_check', sql.raw(`status in (${quote(TASK_STATUSES)})`)),
    check('tasks_priority_check', sql.raw(`priority in (${quote(TASK_PRIORITIES)})`)),
    check('tasks_quality_check', sql`quality_score is null or (quality_score >= 0 and quality_score <= 1)`),
  ],
);

/** The append-only audit log: one row per change, written in the same transaction as the change. */
export const events = sqliteTable(
  'events',
  {
    /** Local order of arrival; what change watchers follow. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Globally unique (ULID), so events from several machines never collide. */
    id: text('id').notNull().unique(),
    aggregateType: text('aggregate_type').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    /** Version of the aggregate after this event (1 for its creation). */
    version: integer('version').notNull(),
    type: text('type').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    actor: text('actor').notNull(),
    source: text('source', { enum: EVENT_SOURCES }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('events_aggregate_version_idx').on(t.aggregateType, t.aggregateId, t.version),
    check('events_source_check', sql.raw(`source in (${quote(EVENT_SOURCES)})`)),
  ],
);

export type ProjectRow = typeof projects.$inferSelect;
export type SprintRow = typeof sprints.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type EventRow = typeof events.$inferSelect;
