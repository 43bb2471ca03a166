// What a valid value is, as zod schemas shared by the RPC's params (src/backend/protocol.ts) and the rows a restore
// or a sync reads (snapshot/rowRules.ts): one definition, so nothing reaches the store one way that the other
// refuses. zod and the schema's constants only: the protocol is bundled into the extension too.
import { z } from 'zod';
import { AGENT_RUN_OUTCOMES, MEMORY_SOURCES, MEMORY_TYPES, MESSAGE_ROLES, SPRINT_STATUSES, TASK_PRIORITIES, TASK_STATUSES } from './schema';

export const id = (what: string) => z.string({ error: `${what} must be a string id` }).trim().min(1, `${what} must not be empty`).max(100, `${what} is too long`);
export const name = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(200, `${what} must be at most 200 characters`)
    .refine((s) => !/[\u0000-\u001f]/.test(s), `${what} must not contain control characters or line breaks`);
/** A whole number with thousands separators (1,000,000), as toLocaleString('en') writes it, without loading ICU's
 * locale data at module load (~10 ms, paid by every CLI command). */
export const withThousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
export const TEXT_MAX = 100_000;
export const text = z.string().max(TEXT_MAX, 'text must be at most 100,000 characters');
export const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are written YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().startsWith(s), 'not a real calendar date');
export const sprintDatesInOrder = (p: { startsOn?: string | null; endsOn?: string | null }) => !p.startsOn || !p.endsOn || p.startsOn <= p.endsOn;
export const datesInOrder = { message: 'endsOn must not be before startsOn', path: ['endsOn'] };
/** Who a task is assigned to, and who made a change (an event's actor). */
export const person = (what: string) => z.string({ error: `${what} must be a string` }).trim().min(1, `${what} must not be empty`).max(200, `${what} must be at most 200 characters`);
export const agentName = z.string().trim().min(1, 'assignee must not be empty (use null to unassign)').max(200);
export const taskStatus = z.enum(TASK_STATUSES, { error: `status must be one of ${TASK_STATUSES.join(', ')}` });
export const taskPriority = z.enum(TASK_PRIORITIES, { error: `priority must be one of ${TASK_PRIORITIES.join(', ')}` });
export const sprintStatus = z.enum(SPRINT_STATUSES, { error: `status must be one of ${SPRINT_STATUSES.join(', ')}` });
export const runOutcome = z.enum(AGENT_RUN_OUTCOMES, { error: `outcome must be one of ${AGENT_RUN_OUTCOMES.join(', ')}` });
export const count = (what: string) => z.number({ error: `${what} must be a whole number` }).int(`${what} must be a whole number`).nonnegative(`${what} must not be negative`);
export const minutes = (what: string) => z.number({ error: `${what} must be a number of minutes` }).nonnegative(`${what} must not be negative`);
export const qualityScore = z.number({ error: 'qualityScore must be a number between 0 and 1' }).min(0, 'qualityScore is between 0 and 1').max(1, 'qualityScore is between 0 and 1');
export const isoDateTime = (what: string) => z.iso.datetime({ offset: true, error: `${what} must be an ISO 8601 date and time, such as 2026-11-24T09:30:00Z` });
/** The tasks a task waits for, by id. */
export const dependsOnRule = z.array(id('each of dependsOn'), { error: 'dependsOn must be a list of task ids' }).max(1000, 'a task may wait for at most 1000 tasks');
/** One acceptance criterion's text. */
export const criterionText = z.string({ error: 'a criterion must be a string' }).trim().min(1, 'a criterion must not be empty').max(2000, 'a criterion must be at most 2000 characters');
/** A task's acceptance checklist, in order. */
export const criteriaRule = z
  .array(z.strictObject({ text: criterionText, done: z.boolean({ error: 'done must be true or false' }) }), { error: 'criteria must be a list of { text, done }' })
  .max(100, 'a task may have at most 100 acceptance criteria');
export const memoryType = z.enum(MEMORY_TYPES, { error: `type must be one of ${MEMORY_TYPES.join(', ')}` });
export const memorySource = z.enum(MEMORY_SOURCES, { error: `source must be one of ${MEMORY_SOURCES.join(', ')}` });
/** What a memory says: one fact, preference, decision, pattern or piece of context. */
export const memoryContent = z.string({ error: 'content must be a string' }).trim().min(1, 'content must not be empty').max(10_000, 'content must be at most 10,000 characters');
export const unitScore = (what: string) => z.number({ error: `${what} must be a number between 0 and 1` }).min(0, `${what} is between 0 and 1`).max(1, `${what} is between 0 and 1`);
/** What a search looks for (knowledge.search; the extension's search box checks it the same way). */
export const searchQuery = z.string({ error: 'query must be a string' }).trim().min(1, 'query must not be empty').max(1000, 'query must be at most 1000 characters');
export const tags = z.array(z.string().trim().min(1).max(100)).max(100);
export const noteRef = (what: string) => z.string({ error: `${what} must be a note's vault-relative path, file name or title` }).trim().min(1, `${what} must not be empty`).max(1000, `${what} must be at most 1000 characters`);
export const noteRefs = z.array(noteRef('each of notes'), { error: 'notes must be a list of note paths, file names or titles' }).max(200, 'notes may name at most 200 notes');

/** A graph node's name (an entity's, or a note's vault-relative path); case-sensitive, kept as given. */
export const nodeName = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(1000, `${what} must be at most 1000 characters`)
    .refine((s) => s.trim().length > 0, `${what} must not be blank`)
    .refine((s) => !/[\u0000-\u001f]/.test(s), `${what} must not contain control characters or line breaks`);
export const observation = z.string({ error: 'observations must be strings' }).min(1, 'an observation must not be empty').max(10_000, 'an observation must be at most 10,000 characters');

// Agent sessions and their messages (src/store/sessions.ts).
/** The longest message content: a long answer or a tool's output fits; a whole file dump is cut by the agent. */
export const MESSAGE_CONTENT_MAX = 1_000_000;
/** The most tool calls one message holds, and the longest their JSON may be. */
export const TOOL_CALLS_MAX = 100;
export const TOOL_CALLS_JSON_MAX = 1_000_000;
export const messageRole = z.enum(MESSAGE_ROLES, { error: `role must be one of ${MESSAGE_ROLES.join(', ')}` });
export const messageContent = z
  .string({ error: 'content must be a string' })
  .max(MESSAGE_CONTENT_MAX, `content must be at most ${withThousands(MESSAGE_CONTENT_MAX)} characters (cut a long tool output, or store it as a note)`);
/** A message's tool calls: what the agent called, with its arguments and (optionally) the result, as JSON values. */
export const toolCallsRule = z
  .array(
    z.strictObject({
      id: z.string({ error: 'a tool call id must be a string' }).max(200, 'a tool call id must be at most 200 characters').optional(),
      name: z.string({ error: 'a tool call needs a name (string)' }).trim().min(1, 'a tool call name must not be empty').max(200, 'a tool call name must be at most 200 characters'),
      // Any JSON value (params arrive as JSON, so nothing else can reach here).
      arguments: z.unknown().optional(),
      result: z.unknown().optional(),
    }),
    { error: 'toolCalls must be a list of { name, arguments?, result?, id? }' },
  )
  .max(TOOL_CALLS_MAX, `a message may hold at most ${TOOL_CALLS_MAX} tool calls`)
  .refine((calls) => JSON.stringify(calls).length <= TOOL_CALLS_JSON_MAX, `toolCalls must be at most ${withThousands(TOOL_CALLS_JSON_MAX)} characters as JSON`);
/** A session's summary (it can become a memory, so it keeps to a memory's size). */
export const SESSION_SUMMARY_MAX = 10_000;
export const sessionSummary = z
  .string({ error: 'summary must be a string' })
  .trim()
  .max(SESSION_SUMMARY_MAX, `summary must be at most ${withThousands(SESSION_SUMMARY_MAX)} characters`);
