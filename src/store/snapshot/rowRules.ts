// What a valid row of each exported table is: the rules a write's params follow (../valueRules.ts), applied to the
// columns as the backup's text form holds them (JSON columns as their text, encrypted fields as ciphertext). A
// restore checks every row it writes, a sync every row it takes from the remote, before anything changes: a row
// no write could have made (a version "one", a 5 MB description) would leave something that can never be changed.
// Every exported table needs its entry here (a test holds tablesWithoutRules to none).
import { z } from 'zod';
import { ENCRYPTED_PREFIX, isEncrypted } from '../crypto/cipher';
import { SECRET_TASK_FIELDS } from '../crypto/fields';
import { AGGREGATE_TYPES, type AggregateType } from '../events';
import { CONFLICT_KINDS, CONFLICT_RESOLUTIONS, EVENT_SOURCES } from '../schema';
import {
  agentName,
  count,
  criteriaRule,
  memoryContent,
  memorySource,
  memoryType,
  MESSAGE_CONTENT_MAX,
  messageContent,
  messageRole,
  sessionSummary,
  toolCallsRule,
  unitScore,
  dependsOnRule,
  day,
  id,
  isoDateTime,
  minutes,
  name,
  nodeName,
  noteRefs,
  observation,
  person,
  qualityScore,
  runOutcome,
  sprintDatesInOrder,
  sprintStatus,
  tags,
  taskPriority,
  taskStatus,
  text,
  TEXT_MAX,
  withThousands,
} from '../valueRules';
import type { TableSpec } from './tables';

type Row = Record<string, unknown>;

const version = z.number({ error: 'version must be a whole number from 1 up' }).int('version must be a whole number from 1 up').positive('version must be a whole number from 1 up');
const optionalText = (what: string, max: number) => z.string({ error: `${what} must be a string` }).max(max, `${what} must be at most ${withThousands(max)} characters`).nullable();

const JSON_RULES = new WeakSet<z.ZodType>();

/** A JSON column: text holding JSON that `rule` accepts (or SQL null, when `nullable`). */
function json(what: string, rule: z.ZodType, nullable = false): z.ZodType {
  const parsed = z
    .string({ error: `${what} must be JSON text` })
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${what} must be JSON text` });
        return z.NEVER;
      }
    })
    .pipe(rule);
  const out = nullable ? parsed.nullable() : parsed;
  JSON_RULES.add(out);
  return out;
}

/** The longest ciphertext a value of `chars` UTF-16 units can become (≤ 3 UTF-8 bytes each, IV and tag, base64url). */
const sealedLength = (chars: number) => ENCRYPTED_PREFIX.length + Math.ceil(((12 + 16 + 3 * chars) * 4) / 3);

/** A field a user encrypted: the ciphertext of a value of at most `chars` characters. */
const sealedRule = (column: string, chars: number) =>
  z.string().max(sealedLength(chars), `${column} must be an encrypted value no longer than a ${withThousands(chars)}-character value encrypts to`);

interface TableRules {
  columns: Record<string, z.ZodType>;
  /** Fields a user may encrypt (crypto/fields.ts), with the length of the longest value: ciphertext is checked instead. */
  sealable?: Record<string, number>;
  /** How the log names a row of this table: its `<name>.restored` events, under this aggregate type (none for the log itself). */
  aggregate?: { type: AggregateType; name: string };
  /** A rule across columns: the column it is about and what is wrong, or null. */
  row?: (row: Row) => { column: string; message: string } | null;
}

const timestamps = { created_at: isoDateTime('created_at'), updated_at: isoDateTime('updated_at'), version };

export const ROW_RULES: Readonly<Record<string, TableRules>> = {
  projects: { aggregate: { type: 'project', name: 'project' }, columns: { id: id('id'), name: name('name'), description: text, ...timestamps } },
  sprints: {
    aggregate: { type: 'sprint', name: 'sprint' },
    columns: { id: id('id'), project_id: id('project_id'), name: name('name'), goal: text, status: sprintStatus, starts_on: day.nullable(), ends_on: day.nullable(), ...timestamps },
    row: (r) => (sprintDatesInOrder({ startsOn: r.starts_on as string | null, endsOn: r.ends_on as string | null }) ? null : { column: 'ends_on', message: 'must not be before starts_on' }),
  },
  tasks: {
    aggregate: { type: 'task', name: 'task' },
    sealable: { title: 200, description: TEXT_MAX },
    columns: {
      id: id('id'),
      project_id: id('project_id'),
      sprint_id: id('sprint_id').nullable(),
      parent_id: id('parent_id').nullable(),
      title: name('title'),
      description: text,
      status: taskStatus,
      priority: taskPriority,
      assignee: agentName.nullable(),
      tags: json('tags', tags),
      estimated_minutes: minutes('estimated_minutes').nullable(),
      actual_minutes: minutes('actual_minutes').nullable(),
      tokens_in: count('tokens_in').nullable(),
      tokens_out: count('tokens_out').nullable(),
      quality_score: qualityScore.nullable(),
      notes: json('notes', noteRefs),
      depends_on: json('depends_on', dependsOnRule),
      criteria: json('criteria', criteriaRule),
      started_at: isoDateTime('started_at').nullable(),
      completed_at: isoDateTime('completed_at').nullable(),
      ...timestamps,
      sealed_fields: json('sealed_fields', z.array(z.enum(SECRET_TASK_FIELDS), { error: `sealed_fields must list some of ${SECRET_TASK_FIELDS.join(', ')}` })),
      rank: z.number({ error: 'rank must be a number' }).finite('rank must be a finite number').nullable(),
    },
  },
  events: {
    columns: {
      id: id('id'),
      aggregate_type: z.enum(AGGREGATE_TYPES, { error: `aggregate_type must be one of ${AGGREGATE_TYPES.join(', ')}` }),
      // A row's key text for aggregates without a row id of their own (a graph observation: entity and content).
      aggregate_id: z.string({ error: 'aggregate_id must be a string' }).min(1, 'aggregate_id must not be empty').max(20_000, 'aggregate_id must be at most 20,000 characters'),
      version,
      type: z.string({ error: 'type must be a string' }).min(1, 'type must not be empty').max(200, 'type must be at most 200 characters'),
      // An object, whatever its fields (a record schema would walk every one: events are half of a backup's rows).
      data: json('data', z.custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: 'data must be a JSON object' })),
      actor: person('actor'),
      source: z.enum(EVENT_SOURCES, { error: `source must be one of ${EVENT_SOURCES.join(', ')}` }),
      created_at: isoDateTime('created_at'),
    },
  },
  agent_runs: {
    aggregate: { type: 'agents', name: 'agent_run' },
    sealable: { notes: TEXT_MAX },
    columns: {
      id: id('id'),
      agent_name: name('agent_name'),
      task_id: id('task_id').nullable(),
      started_at: isoDateTime('started_at').nullable(),
      duration_ms: count('duration_ms').nullable(),
      tokens_in: count('tokens_in').nullable(),
      tokens_out: count('tokens_out').nullable(),
      quality_score: qualityScore.nullable(),
      errors: count('errors'),
      outcome: runOutcome,
      notes: text,
      created_at: isoDateTime('created_at'),
      sealed_fields: json('sealed_fields', z.array(z.literal('notes'), { error: 'sealed_fields must be [] or ["notes"]' })),
    },
  },
  memories: {
    aggregate: { type: 'memory', name: 'memory' },
    sealable: { content: 10_000 },
    columns: {
      id: id('id'),
      type: memoryType,
      content: memoryContent,
      importance: unitScore('importance'),
      confidence: unitScore('confidence'),
      source: memorySource,
      project_id: id('project_id').nullable(),
      expires_at: isoDateTime('expires_at').nullable(),
      ...timestamps,
      sealed_fields: json('sealed_fields', z.array(z.literal('content'), { error: 'sealed_fields must be [] or ["content"]' })),
    },
  },
  agent_sessions: {
    aggregate: { type: 'session', name: 'session' },
    columns: {
      id: id('id'),
      agent: name('agent'),
      project_id: id('project_id').nullable(),
      task_id: id('task_id').nullable(),
      started_at: isoDateTime('started_at'),
      ended_at: isoDateTime('ended_at').nullable(),
      tokens_in: count('tokens_in').nullable(),
      tokens_out: count('tokens_out').nullable(),
      summary: sessionSummary.nullable(),
      message_count: count('message_count'),
      ...timestamps,
    },
  },
  session_messages: {
    aggregate: { type: 'session', name: 'session_message' },
    sealable: { content: MESSAGE_CONTENT_MAX },
    columns: {
      id: id('id'),
      session_id: id('session_id'),
      seq: z.number({ error: 'seq must be a whole number from 1 up' }).int('seq must be a whole number from 1 up').positive('seq must be a whole number from 1 up'),
      role: messageRole,
      content: messageContent,
      tool_calls: json('tool_calls', toolCallsRule.nullable(), true),
      tokens: count('tokens').nullable(),
      created_at: isoDateTime('created_at'),
      sealed_fields: json('sealed_fields', z.array(z.literal('content'), { error: 'sealed_fields must be [] or ["content"]' })),
    },
  },
  graph_entities: { aggregate: { type: 'graph', name: 'graph_entity' }, columns: { name: nodeName('name'), entity_type: nodeName('entity_type'), created_at: isoDateTime('created_at'), updated_at: isoDateTime('updated_at') } },
  graph_observations: { aggregate: { type: 'graph', name: 'graph_observation' }, columns: { entity_name: nodeName('entity_name'), content: observation, created_at: isoDateTime('created_at') } },
  graph_relations: { aggregate: { type: 'graph', name: 'graph_relation' }, columns: { from_name: nodeName('from_name'), to_name: nodeName('to_name'), relation_type: nodeName('relation_type'), created_at: isoDateTime('created_at') } },
  crypto_keys: {
    aggregate: { type: 'crypto', name: 'crypto_key' },
    columns: {
      id: id('id'),
      kind: z.enum(['passphrase', 'keychain'], { error: 'kind must be passphrase or keychain' }),
      key_id: id('key_id'),
      wrapped: z.string({ error: 'wrapped must be an encrypted value' }).startsWith(ENCRYPTED_PREFIX, 'wrapped must be an encrypted value').max(1000, 'wrapped must be at most 1,000 characters'),
      kdf: json('kdf', z.object({ name: z.literal('scrypt'), salt: z.string().min(1).max(200), N: z.number().int().positive(), r: z.number().int().positive(), p: z.number().int().positive(), check: z.string().max(200).optional() }).nullable(), true),
      created_at: isoDateTime('created_at'),
      updated_at: isoDateTime('updated_at'),
    },
  },
  conflicts: {
    aggregate: { type: 'sync', name: 'conflict' },
    columns: {
      id: id('id'),
      kind: z.enum(CONFLICT_KINDS, { error: `kind must be one of ${CONFLICT_KINDS.join(', ')}` }),
      table_name: optionalText('table_name', 200),
      row_key: optionalText('row_key', 20_000),
      path: optionalText('path', 4096),
      copy_path: optionalText('copy_path', 4096),
      fields: json('fields', z.array(z.string(), { error: 'fields must be a list of column names' })),
      mine: json('mine', z.unknown(), true),
      theirs: json('theirs', z.unknown(), true),
      base: json('base', z.unknown(), true),
      machine: z.string({ error: 'machine must be a string' }).min(1, 'machine must not be empty').max(1000, 'machine must be at most 1,000 characters'),
      theirs_commit: z.string({ error: 'theirs_commit must be a commit id' }).regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'theirs_commit must be a commit id'),
      detected_at: isoDateTime('detected_at'),
      resolution: z.enum(CONFLICT_RESOLUTIONS, { error: `resolution must be one of ${CONFLICT_RESOLUTIONS.join(', ')}` }).nullable(),
      resolved_at: isoDateTime('resolved_at').nullable(),
      resolved_by: person('resolved_by').nullable(),
    },
  },
};

/**
 * One schema per table, over the columns it has: a row from an older backup may lack columns added since (the
 * migrations fill them), and one this version does not know is named by the build, not here. A row with encrypted
 * fields gets the schema whose rules for those fields are sealedRule's (made once per combination).
 */
const schemas = new Map<string, z.ZodType>(Object.entries(ROW_RULES).map(([table, rules]) => [table, z.object(rules.columns).partial()]));

function schemaFor(table: string, row: Row): z.ZodType | undefined {
  const sealable = ROW_RULES[table]?.sealable;
  const sealed = sealable ? Object.keys(sealable).filter((c) => isEncrypted(row[c])) : [];
  const key = sealed.length ? `${table}:${sealed.join()}` : table;
  let schema = schemas.get(key);
  if (!schema && sealed.length) {
    schema = z.object({ ...ROW_RULES[table]!.columns, ...Object.fromEntries(sealed.map((c) => [c, sealedRule(c, sealable![c]!)])) }).partial();
    schemas.set(key, schema);
  }
  return schema;
}

/** What is wrong with a row of `table` as the backup holds it ("version: must be …"), or null when it is valid. */
export function rowProblem(table: string, row: Row): string | null {
  const schema = schemaFor(table, row);
  if (!schema) return null;
  const result = schema.safeParse(row);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const column = String(issue.path[0] ?? '');
    const where = issue.path.map(String).join('.');
    const message = issue.message.startsWith(`${column} `) ? issue.message.slice(column.length + 1) : issue.message;
    return `${where || 'row'}: ${message}`;
  }
  const across = ROW_RULES[table]!.row?.(row);
  return across ? `${across.column}: ${across.message}` : null;
}

/** The columns of `table` that hold JSON text. */
export const jsonColumns = (table: string): ReadonlySet<string> => new Set(Object.entries(ROW_RULES[table]?.columns ?? {}).filter(([, rule]) => JSON_RULES.has(rule)).map(([c]) => c));

/** Exported tables, columns of them ("table.column"), or their restore events ("table.aggregate") that have no rules here. */
export function tablesWithoutRules(specs: readonly TableSpec[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const rules = ROW_RULES[spec.name];
    if (!rules) {
      out.push(spec.name);
      continue;
    }
    for (const c of spec.columns) if (!(c in rules.columns)) out.push(`${spec.name}.${c}`);
    if (!spec.immutable && !rules.aggregate) out.push(`${spec.name}.aggregate`);
  }
  return out;
}
