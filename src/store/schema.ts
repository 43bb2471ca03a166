// The store's tables, as drizzle-orm schema. drizzle-kit generates the SQL migrations in drizzle/ from this file
// (npm run db:generate); never edit a generated migration that has shipped.
import { sql } from 'drizzle-orm';
import { blob, check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

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

/** One item of a task's acceptance checklist. */
export interface AcceptanceCriterion {
  text: string;
  done: boolean;
}

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
    /** JSON array of related notes, as the user named them (vault-relative path, file name or title). */
    notes: text('notes', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** JSON array of the ids of the tasks this one waits for (within or across projects); ready when all are done. */
    dependsOn: text('depends_on', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** JSON array of acceptance criteria, in order: { text, done }. */
    criteria: text('criteria', { mode: 'json' }).$type<AcceptanceCriterion[]>().notNull().default(sql`'[]'`),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
    ...timestamps,
    /** JSON array of the fields stored encrypted (src/store/crypto/fields.ts): one of them holding plain text was tampered with. */
    sealedFields: text('sealed_fields', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Place in its board column, set by moving its card (src/store/taskRank.ts): ranked cards first, lowest first;
     *  null (never moved) falls back to priority, then id. */
    rank: real('rank'),
  },
  (t) => [
    index('tasks_project_status_idx').on(t.projectId, t.status),
    // Lists a project's tasks in id order without sorting them all (paged lists; the Projects tree's groups, whose
    // keys and filter it holds, so a group's page and counts read no row: src/store/taskTree.ts).
    index('tasks_project_id_idx').on(t.projectId, t.id, t.status, t.assignee, t.priority),
    // The Projects tree grouped by sprint: a project's or a sprint's tasks in id order, with what decides whether and
    // where each shows (parent, status, assignee), so a page and its total read no row (src/store/taskTree.ts).
    index('tasks_tree_idx').on(t.projectId, t.sprintId, t.id, t.parentId, t.status, t.assignee),
    index('tasks_sprint_idx').on(t.sprintId),
    index('tasks_assignee_idx').on(t.assignee),
    // A task's subtasks in id order, and how many of them the tree shows, without reading their rows.
    index('tasks_parent_idx').on(t.parentId, t.id, t.projectId, t.status, t.assignee),
    // The dashboard's blocked and stale lists (src/store/metrics/lists.ts): by status, longest unchanged first.
    index('tasks_status_updated_idx').on(t.status, t.updatedAt, t.projectId),
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
    // Not unique: two machines that changed one aggregate offline both wrote its next version; a sync keeps both
    // events (the log is the union of both logs) and the merged row moves past both.
    index('events_aggregate_version_idx').on(t.aggregateType, t.aggregateId, t.version),
    check('events_source_check', sql.raw(`source in (${quote(EVENT_SOURCES)})`)),
  ],
);

export type ProjectRow = typeof projects.$inferSelect;
export type SprintRow = typeof sprints.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type EventRow = typeof events.$inferSelect;

// ---- Knowledge vault: an index of Markdown files that stay the source of truth ------------------------------

/** What the indexer last saw of each vault file; written in the same transaction as the file's index rows. */
export const vaultFiles = sqliteTable('vault_files', {
  /** Vault-relative path with '/' separators. */
  path: text('path').primaryKey(),
  size: integer('size').notNull(),
  mtimeMs: real('mtime_ms').notNull(),
  /** sha256 of the bytes, hex. */
  hash: text('hash').notNull(),
  indexedAt: text('indexed_at').notNull(),
});

export const notes = sqliteTable(
  'notes',
  {
    /** Also the rowid of the note's full-text row in notes_fts. */
    id: integer('id').primaryKey({ autoIncrement: true }),
    path: text('path').notNull().unique(),
    /** The file name without `.md`, lower-cased: what wikilinks match. */
    nameKey: text('name_key').notNull(),
    title: text('title').notNull(),
    frontMatter: text('front_matter', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    aliases: text('aliases', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    diagnostics: text('diagnostics', { mode: 'json' }).$type<{ line: number; severity: string; message: string }[]>().notNull().default(sql`'[]'`),
    size: integer('size').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('notes_name_key_idx').on(t.nameKey)],
);

export const noteHeadings = sqliteTable(
  'note_headings',
  {
    noteId: integer('note_id')
      .notNull()
      .references(() => notes.id, { onDelete: 'cascade' }),
    level: integer('level').notNull(),
    text: text('text').notNull(),
    line: integer('line').notNull(),
  },
  (t) => [index('note_headings_note_idx').on(t.noteId)],
);

export const noteLinks = sqliteTable(
  'note_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    noteId: integer('note_id')
      .notNull()
      .references(() => notes.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['wikilink', 'embed', 'markdown'] }).notNull(),
    /** As written (without #heading / |alias). */
    target: text('target').notNull(),
    heading: text('heading'),
    block: text('block'),
    alias: text('alias'),
    line: integer('line').notNull(),
    context: text('context').notNull(),
    /** Vault-relative path of the resolved target, or null: a placeholder (a note that does not exist yet). */
    targetPath: text('target_path'),
  },
  (t) => [index('note_links_note_idx').on(t.noteId), index('note_links_target_path_idx').on(t.targetPath)],
);

export const noteTags = sqliteTable(
  'note_tags',
  {
    noteId: integer('note_id')
      .notNull()
      .references(() => notes.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
    /** Lower-cased: tags match case-insensitively. */
    tagKey: text('tag_key').notNull(),
  },
  (t) => [index('note_tags_note_idx').on(t.noteId), index('note_tags_key_idx').on(t.tagKey)],
);

/**
 * Task ids a note names: in its front matter (`tasks: [ID]`) or anywhere in its text, first line of each. Ids that
 * are not tasks are kept too (readers join `tasks`), so a task imported later under a mentioned id is linked at once.
 */
export const noteTaskRefs = sqliteTable(
  'note_task_refs',
  {
    noteId: integer('note_id')
      .notNull()
      .references(() => notes.id, { onDelete: 'cascade' }),
    taskId: text('task_id').notNull(),
    via: text('via', { enum: ['front_matter', 'mention'] }).notNull(),
    line: integer('line').notNull(),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.taskId, t.via] }), index('note_task_refs_task_idx').on(t.taskId)],
);

/**
 * Passages of notes for semantic search (src/store/knowledge/chunk.ts). A passage keeps its row (and its vector in
 * the vec0 table note_chunk_vectors, keyed by this id) while its text is unchanged: `hash` identifies it within the
 * note, so an edit re-embeds only the passages it touched. `embedded` is 1 once its vector is stored.
 */
export const noteChunks = sqliteTable(
  'note_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    noteId: integer('note_id')
      .notNull()
      .references(() => notes.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    /** JSON array of the headings above the passage, outermost first. */
    headings: text('headings').notNull(),
    line: integer('line').notNull(),
    /** What the embedder reads (title, heading path, passage). */
    embedText: text('embed_text').notNull(),
    /** Where the passage's own text starts in embed_text (1-based, in characters; past its end: no text). */
    textAt: integer('text_at').notNull().default(1),
    /** The passage's own text: embed_text from text_at (derived, not stored: the text is kept once). */
    text: text('text')
      .notNull()
      .generatedAlwaysAs(sql`substr(embed_text, text_at)`, { mode: 'virtual' }),
    hash: text('hash').notNull(),
    embedded: integer('embedded').notNull().default(0),
  },
  // (embedded, seq): the pending passages, and every count of passages, read this small index, never the rows' text.
  (t) => [uniqueIndex('note_chunks_note_hash_idx').on(t.noteId, t.hash), index('note_chunks_pending_idx').on(t.embedded, t.seq)],
);

/** One row: which embedder made the stored vectors, their dimension, and the embedder's fitted state (if any). */
export const embeddingState = sqliteTable('embedding_state', {
  id: integer('id').primaryKey(),
  /** The embedder's short form (glove, transformers:FOLDER, openai:MODEL@URL). */
  spec: text('spec').notNull(),
  /** The embedder's id: vectors of another id are never compared with these. */
  embedderId: text('embedder_id').notNull(),
  dimensions: integer('dimensions').notNull(),
  /** Fitted state (GloVe: the vault's word counts and common component), or null. */
  state: blob('state', { mode: 'buffer' }),
  /** Passages in the vault when the state was fitted (a vault that doubled or halved since is refitted). */
  fittedChunks: integer('fitted_chunks').notNull().default(0),
  updatedAt: text('updated_at').notNull(),
});

export type NoteRow = typeof notes.$inferSelect;
export type NoteLinkRow = typeof noteLinks.$inferSelect;

// ---- Claude Code agent definitions (.claude/agents/**/*.md) and the runs recorded against them ------------------

export const AGENT_RUN_OUTCOMES = ['success', 'failure', 'partial', 'cancelled'] as const;
export type AgentRunOutcome = (typeof AGENT_RUN_OUTCOMES)[number];

/** One row per agent file found in an agent folder; the file stays the source of truth. */
export const agents = sqliteTable(
  'agents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Absolute path of the file. */
    path: text('path').notNull().unique(),
    /** The folder it was found in (one of the agent folders indexed). */
    dir: text('dir').notNull(),
    /** Null when the front matter has no usable name. */
    name: text('name'),
    /** 1-based line of the `name:` field (where cross-file diagnostics point). */
    nameLine: integer('name_line'),
    description: text('description'),
    model: text('model'),
    color: text('color'),
    /** JSON array of tool names; null = the field is absent, so the agent inherits all tools. */
    tools: text('tools', { mode: 'json' }).$type<string[] | null>(),
    /** Every other front-matter field, as parsed. */
    extra: text('extra', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    body: text('body').notNull(),
    /** The file's own diagnostics plus the cross-file ones (duplicate or shadowed names). */
    diagnostics: text('diagnostics', { mode: 'json' })
      .$type<{ line: number; severity: 'error' | 'warning' | 'info'; code: string; message: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    size: integer('size').notNull(),
    mtimeMs: real('mtime_ms').notNull(),
    /** sha256 of the bytes, hex. */
    hash: text('hash').notNull(),
    indexedAt: text('indexed_at').notNull(),
  },
  (t) => [index('agents_name_idx').on(t.name)],
);

/** A run of an agent, as reported by whoever ran it (tokens, time, outcome, a quality score). */
export const agentRuns = sqliteTable(
  'agent_runs',
  {
    /** ULID. */
    id: text('id').primaryKey(),
    agentName: text('agent_name').notNull(),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    startedAt: text('started_at'),
    durationMs: integer('duration_ms'),
    tokensIn: integer('tokens_in'),
    tokensOut: integer('tokens_out'),
    /** 0..1. */
    qualityScore: real('quality_score'),
    errors: integer('errors').notNull().default(0),
    outcome: text('outcome', { enum: AGENT_RUN_OUTCOMES }).notNull(),
    notes: text('notes').notNull().default(''),
    createdAt: text('created_at').notNull(),
    /** JSON array: ["notes"] when the notes are stored encrypted (see tasks.sealedFields). */
    sealedFields: text('sealed_fields', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  },
  (t) => [
    index('agent_runs_agent_name_idx').on(t.agentName),
    index('agent_runs_task_idx').on(t.taskId),
    check('agent_runs_outcome_check', sql.raw(`outcome in (${quote(AGENT_RUN_OUTCOMES)})`)),
    check('agent_runs_quality_check', sql`quality_score is null or (quality_score >= 0 and quality_score <= 1)`),
    check('agent_runs_errors_check', sql`errors >= 0`),
  ],
);

export type AgentRow = typeof agents.$inferSelect;
export type AgentRunRow = typeof agentRuns.$inferSelect;

// ---- Knowledge graph: entities, observations and named relations (MCP memory server compatible) -------------
// Notes are graph nodes too (name = vault-relative path, type 'note'); their wikilinks are `links_to` edges
// computed from note_links at query time, never copied here.

/** A node that lives only in the database. Names are unique and case-sensitive, as in the MCP memory server. */
export const graphEntities = sqliteTable('graph_entities', {
  name: text('name').primaryKey(),
  entityType: text('entity_type').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const graphObservations = sqliteTable(
  'graph_observations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    entityName: text('entity_name')
      .notNull()
      .references(() => graphEntities.name, { onDelete: 'cascade', onUpdate: 'cascade' }),
    content: text('content').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('graph_observations_entity_content_idx').on(t.entityName, t.content)],
);

export const graphRelations = sqliteTable(
  'graph_relations',
  {
    fromName: text('from_name')
      .notNull()
      .references(() => graphEntities.name, { onDelete: 'cascade', onUpdate: 'cascade' }),
    toName: text('to_name')
      .notNull()
      .references(() => graphEntities.name, { onDelete: 'cascade', onUpdate: 'cascade' }),
    relationType: text('relation_type').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fromName, t.toName, t.relationType] }), index('graph_relations_to_idx').on(t.toName)],
);

export type GraphEntityRow = typeof graphEntities.$inferSelect;
export type GraphRelationRow = typeof graphRelations.$inferSelect;

// ---- Field-level encryption (src/store/crypto/) -------------------------------------------------------------

/**
 * The store's data key, wrapped (AES-256-GCM) once per way of unlocking it: by a key derived from the user's
 * passphrase with scrypt (id 'passphrase'), and by each machine's VS Code keychain key (id 'keychain:<fingerprint>').
 * Only wrapped keys are stored, so this table travels with backups: a restore elsewhere unlocks with the passphrase.
 */
export const cryptoKeys = sqliteTable('crypto_keys', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['passphrase', 'keychain'] }).notNull(),
  /** The data key this row wraps (a store has one). */
  keyId: text('key_id').notNull(),
  /** `enc:v1:` + base64url(iv | ciphertext | tag) of the data key. */
  wrapped: text('wrapped').notNull(),
  /**
   * How the passphrase becomes a key: { name: 'scrypt', salt (base64url), N, r, p, check? }; null for a keychain key.
   * `check` (base64url HMAC of a fixed label under the derived key) tells a wrong passphrase from a damaged wrapped key.
   */
  kdf: text('kdf', { mode: 'json' }).$type<{ name: 'scrypt'; salt: string; N: number; r: number; p: number; check?: string } | null>(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export type CryptoKeyRow = typeof cryptoKeys.$inferSelect;

// ---- Sync (src/sync/sync.ts, merge.ts; src/store/conflicts.ts) ----------------------------------------------

export const CONFLICT_KINDS = ['row', 'file'] as const;
export const CONFLICT_RESOLUTIONS = ['mine', 'theirs', 'edit'] as const;

/**
 * What a sync could not merge: a row both machines changed in the same field(s), a row one side deleted while the
 * other changed it, or a note git could not merge. The row (or note) keeps "mine"; both versions are here until
 * someone resolves it. Synced like any table, so every machine shows the same conflicts.
 */
export const conflicts = sqliteTable(
  'conflicts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CONFLICT_KINDS }).notNull(),
    /** For a row: its table and key (the text form's key); for a file: the vault or agent path in the backup. */
    tableName: text('table_name'),
    rowKey: text('row_key'),
    path: text('path'),
    /** For a note git could not merge: where "theirs" was saved beside it. */
    copyPath: text('copy_path'),
    /** JSON list of the conflicting columns (empty for a file, ["*"] for deleted-vs-changed). */
    fields: text('fields', { mode: 'json' }).$type<string[]>().notNull(),
    /** JSON: the conflicting fields' values on each side (null = the row did not exist); a file's text. */
    mine: text('mine', { mode: 'json' }).$type<unknown>(),
    theirs: text('theirs', { mode: 'json' }).$type<unknown>(),
    base: text('base', { mode: 'json' }).$type<unknown>(),
    /** The machine that merged, and the commit it merged in. */
    machine: text('machine').notNull(),
    theirsCommit: text('theirs_commit').notNull(),
    detectedAt: text('detected_at').notNull(),
    resolution: text('resolution', { enum: CONFLICT_RESOLUTIONS }),
    resolvedAt: text('resolved_at'),
    resolvedBy: text('resolved_by'),
  },
  (t) => [index('conflicts_open_idx').on(t.resolution, t.detectedAt)],
);

export type ConflictRow = typeof conflicts.$inferSelect;

/** Machine-local (never backed up): which merge commit this store's content was last brought to by a sync. */
export const syncState = sqliteTable('sync_state', {
  id: integer('id').primaryKey(),
  appliedCommit: text('applied_commit').notNull(),
  appliedAt: text('applied_at').notNull(),
});

/**
 * Machine-local (never backed up): statements slower than the threshold, from every process that opened the store
 * (the extension's backend, the CLI, cairn mcp), so `cairn doctor` sees them all; the newest 500 are kept.
 */
export const slowQueries = sqliteTable('slow_queries', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  ms: real('ms').notNull(),
  sql: text('sql').notNull(),
  /** Which process ran it: backend (with its client), cli, mcp. */
  source: text('source').notNull(),
  pid: integer('pid').notNull(),
});

export const MEMORY_TYPES = ['fact', 'preference', 'decision', 'pattern', 'context'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];
export const MEMORY_SOURCES = ['user', 'inference', 'observation'] as const;
export type MemorySource = (typeof MEMORY_SOURCES)[number];

/** What an agent (or a person) wants remembered across sessions: one fact, preference, decision, pattern or context. */
export const memories = sqliteTable(
  'memories',
  {
    id: text('id').primaryKey(),
    type: text('type', { enum: MEMORY_TYPES }).notNull(),
    content: text('content').notNull(),
    /** 0..1: how much it matters (weights recall). */
    importance: real('importance').notNull().default(0.5),
    /** 0..1: how sure whoever wrote it was. */
    confidence: real('confidence').notNull().default(1),
    source: text('source', { enum: MEMORY_SOURCES }).notNull().default('observation'),
    /**
     * The project it belongs to; null: the whole store. No foreign key: deleting a project must not remove rows
     * without their events (the memories of a deleted project stay, out of its recall, until forgotten).
     */
    projectId: text('project_id'),
    /** After this time it leaves recall, and memory.prune removes it. */
    expiresAt: text('expires_at'),
    ...timestamps,
    /** JSON array: ["content"] when the content is stored encrypted (see tasks.sealedFields). */
    sealedFields: text('sealed_fields', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  },
  (t) => [
    index('memories_project_idx').on(t.projectId),
    index('memories_expires_idx').on(t.expiresAt),
    check('memories_type_check', sql.raw(`type in (${quote(MEMORY_TYPES)})`)),
    check('memories_source_check', sql.raw(`source in (${quote(MEMORY_SOURCES)})`)),
    check('memories_importance_check', sql`importance >= 0 and importance <= 1`),
    check('memories_confidence_check', sql`confidence >= 0 and confidence <= 1`),
  ],
);
export type MemoryRow = typeof memories.$inferSelect;

/**
 * When each memory was last recalled here, and how often: machine-local (not backed up or synced), so recalling
 * writes no event and two machines never conflict over a counter.
 */
export const memoryAccess = sqliteTable('memory_access', {
  memoryId: text('memory_id')
    .primaryKey()
    .references(() => memories.id, { onDelete: 'cascade' }),
  lastAccessedAt: text('last_accessed_at').notNull(),
  accessCount: integer('access_count').notNull().default(0),
});

// ---- Agent sessions and their messages (optional capture; src/store/sessions.ts) ----------------------------

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** One call of a tool an assistant message made (as the agent reports it). */
export interface ToolCall {
  id?: string;
  name: string;
  arguments?: unknown;
  result?: unknown;
}

/** An agent's working session: who, on what, when, how many tokens, and what came of it. */
export const agentSessions = sqliteTable(
  'agent_sessions',
  {
    id: text('id').primaryKey(),
    agent: text('agent').notNull(),
    /** No foreign keys (as memories): deleting a project or task must not remove rows without their events. */
    projectId: text('project_id'),
    taskId: text('task_id'),
    startedAt: text('started_at').notNull(),
    endedAt: text('ended_at'),
    tokensIn: integer('tokens_in'),
    tokensOut: integer('tokens_out'),
    summary: text('summary'),
    /** Messages ever appended (pruned ones included): the next message's seq is this + 1. */
    messageCount: integer('message_count').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    index('agent_sessions_agent_idx').on(t.agent, t.startedAt),
    index('agent_sessions_project_idx').on(t.projectId),
    index('agent_sessions_task_idx').on(t.taskId),
    check('agent_sessions_message_count_check', sql`message_count >= 0`),
  ],
);
export type AgentSessionRow = typeof agentSessions.$inferSelect;

/** A session's messages, in order (seq from 1); never changed once written, removed only by retention or erase. */
export const sessionMessages = sqliteTable(
  'session_messages',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => agentSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    role: text('role', { enum: MESSAGE_ROLES }).notNull(),
    content: text('content').notNull(),
    /** JSON array of the tool calls the message made, or null. */
    toolCalls: text('tool_calls', { mode: 'json' }).$type<ToolCall[] | null>(),
    tokens: integer('tokens'),
    createdAt: text('created_at').notNull(),
    /** JSON array: ["content"] when the content is stored encrypted (see tasks.sealedFields). */
    sealedFields: text('sealed_fields', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  },
  (t) => [
    uniqueIndex('session_messages_session_seq_idx').on(t.sessionId, t.seq),
    index('session_messages_created_idx').on(t.createdAt),
    check('session_messages_role_check', sql.raw(`role in (${quote(MESSAGE_ROLES)})`)),
  ],
);
export type SessionMessageRow = typeof sessionMessages.$inferSelect;

