// Agents' working sessions and their messages (optional capture): start, append messages in batches, end (a summary
// that can become a memory), list, read, and prune old messages (retention). A session is an aggregate: every change
// is one event on it — `session.started` (the row), `session.messagesAppended` (one per batch: the ids, seqs and
// sizes, not the contents, which the messages table holds and a backup carries: copying up to 8 MB per batch into
// the log would double the store for nothing), `session.ended` and `session.pruned` (how many messages went, which
// the backup's mass-delete guard reads: src/sync/massDelete.ts). Messages are never changed once written.
import { and, asc, count, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { sealMessage } from './crypto/fields';
import { appendEvents, type Actor } from './events';
import { notFound, StoreError } from './errors';
import { newId, nowIso } from './ids';
import { remember, type Memory } from './memory';
import type { Orm } from './orm';
import { getProject } from './projects';
import { agentSessions, projects, sessionMessages, type AgentSessionRow, type MemoryType, type MessageRole, type SessionMessageRow, type ToolCall } from './schema';
import { getTask } from './tasks';
import { MESSAGE_CONTENT_MAX } from './valueRules';

/** The most messages one append takes, and the most characters (contents and tool calls) they may hold together. */
export const APPEND_BATCH_MAX = 1000;
const APPEND_BATCH_CHARS = 8_000_000;
/** How far ahead of this clock a message's own time may be (another machine's clock). */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface SessionInput {
  agent: string;
  projectId?: string | null;
  taskId?: string | null;
  startedAt?: string;
}

export interface MessageInput {
  role: MessageRole;
  content: string;
  toolCalls?: ToolCall[] | null;
  tokens?: number | null;
  /** When it was said (a transcript appended later keeps its times); default now. */
  createdAt?: string;
  /** Store the content encrypted (needs the store's key): not searchable, shown locked while the store is locked. */
  secret?: boolean;
}

export interface EndInput {
  summary?: string;
  tokensIn?: number;
  tokensOut?: number;
  /** Keep the summary as a memory of the session's project (or the whole store), in the same transaction. */
  remember?: { type?: MemoryType; importance?: number };
}

const bad = (message: string, data?: Record<string, unknown>) => new StoreError('invalid', message, data);

async function getSessionRow(orm: Orm, id: string): Promise<AgentSessionRow> {
  const [row] = await orm.select().from(agentSessions).where(eq(agentSessions.id, id));
  if (!row) throw notFound('session', id);
  return row;
}

function refuseEnded(s: AgentSessionRow, doing: string): void {
  if (s.endedAt) throw new StoreError('conflict', `The session ${s.id} ended at ${s.endedAt}; ${doing} needs an open session (start a new one).`, { id: s.id, endedAt: s.endedAt });
}

/** Writes the session's new state at the next version with its event; refused if another writer moved it meanwhile. */
async function advance(orm: Orm, who: Actor, s: AgentSessionRow, changes: Partial<AgentSessionRow>, type: string, data: Record<string, unknown>): Promise<AgentSessionRow> {
  const [row] = await orm
    .update(agentSessions)
    .set({ ...changes, updatedAt: nowIso(), version: s.version + 1 })
    .where(and(eq(agentSessions.id, s.id), eq(agentSessions.version, s.version)))
    .returning();
  if (!row) throw new StoreError('conflict', `The session ${s.id} was changed by someone else meanwhile; try again.`, { id: s.id });
  await appendEvents(orm, who, [{ aggregateType: 'session', aggregateId: s.id, version: s.version + 1, type, data }]);
  return row;
}

/** Starts a session; a task's session belongs to the task's project. */
export async function startSession(orm: Orm, who: Actor, input: SessionInput): Promise<AgentSessionRow> {
  let projectId = input.projectId ?? null;
  if (input.taskId) {
    const task = await getTask(orm, input.taskId);
    if (projectId && projectId !== task.projectId) throw bad(`The task ${task.id} belongs to project ${task.projectId}, not ${projectId}; give one of them, or both that agree.`);
    projectId = task.projectId;
  } else if (projectId) {
    await getProject(orm, projectId);
  }
  const now = nowIso();
  const row: AgentSessionRow = {
    id: newId(),
    agent: input.agent,
    projectId,
    taskId: input.taskId ?? null,
    startedAt: input.startedAt ? new Date(input.startedAt).toISOString() : now,
    endedAt: null,
    tokensIn: null,
    tokensOut: null,
    summary: null,
    messageCount: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await orm.insert(agentSessions).values(row);
  await appendEvents(orm, who, [{ aggregateType: 'session', aggregateId: row.id, version: 1, type: 'session.started', data: { ...row } }]);
  return row;
}

/** When a message was said: its own time (not in the future), else now. */
function timeOf(m: MessageInput, i: number, now: string): string {
  if (!m.createdAt) return now;
  const at = Date.parse(m.createdAt);
  if (Number.isNaN(at)) throw bad(`messages[${i}].createdAt must be an ISO 8601 date and time.`);
  if (at > Date.now() + CLOCK_SKEW_MS) throw bad(`messages[${i}].createdAt (${m.createdAt}) is in the future; give the time it was said, or none for now.`);
  return new Date(at).toISOString();
}

/**
 * Appends a batch of messages after the session's last (seq continues from it), in one transaction with one event.
 * Tokens add up on the session: assistant messages' as output, the others' as input.
 */
export async function appendMessages(orm: Orm, who: Actor, sessionId: string, messages: readonly MessageInput[]): Promise<{ session: AgentSessionRow; appended: { id: string; seq: number }[] }> {
  if (!messages.length) throw bad('messages must hold at least one message.');
  if (messages.length > APPEND_BATCH_MAX) throw bad(`At most ${APPEND_BATCH_MAX} messages can be appended at once (this batch has ${messages.length}); append them in smaller batches.`);
  let chars = 0;
  for (const [i, m] of messages.entries()) {
    if (m.content.length > MESSAGE_CONTENT_MAX) throw bad(`messages[${i}].content has ${m.content.length.toLocaleString('en')} characters; at most ${MESSAGE_CONTENT_MAX.toLocaleString('en')} are kept per message (cut a long tool output, or store it as a note).`);
    chars += m.content.length + (m.toolCalls ? JSON.stringify(m.toolCalls).length : 0);
  }
  if (chars > APPEND_BATCH_CHARS) throw bad(`This batch holds ${chars.toLocaleString('en')} characters; at most ${APPEND_BATCH_CHARS.toLocaleString('en')} can be appended at once. Append them in smaller batches.`);

  const session = await getSessionRow(orm, sessionId);
  refuseEnded(session, 'appending messages');
  const now = nowIso();
  const rows: SessionMessageRow[] = [];
  let tokensIn = 0;
  let tokensOut = 0;
  let counted = false;
  for (const [i, m] of messages.entries()) {
    const row: SessionMessageRow = {
      id: newId(),
      sessionId,
      seq: session.messageCount + i + 1,
      role: m.role,
      content: m.content,
      toolCalls: m.toolCalls?.length ? m.toolCalls : null,
      tokens: m.tokens ?? null,
      createdAt: timeOf(m, i, now),
      sealedFields: [],
    };
    if (m.tokens != null) {
      counted = true;
      if (m.role === 'assistant') tokensOut += m.tokens;
      else tokensIn += m.tokens;
    }
    rows.push(await sealMessage(orm, row, m.secret));
  }
  // Chunked: SQLite caps the number of bound parameters per statement.
  for (let i = 0; i < rows.length; i += 100) await orm.insert(sessionMessages).values(rows.slice(i, i + 100));
  const tokens = counted ? { tokensIn: (session.tokensIn ?? 0) + tokensIn, tokensOut: (session.tokensOut ?? 0) + tokensOut } : {};
  const updated = await advance(orm, who, session, { messageCount: session.messageCount + rows.length, ...tokens }, 'session.messagesAppended', {
    count: rows.length,
    firstSeq: rows[0]!.seq,
    lastSeq: rows.at(-1)!.seq,
    ids: rows.map((r) => r.id),
    chars,
    ...(rows.some((r) => r.sealedFields.length) ? { secret: rows.filter((r) => r.sealedFields.length).length } : {}),
  });
  return { session: updated, appended: rows.map((r) => ({ id: r.id, seq: r.seq })) };
}

/** Ends a session: its summary and token totals (given ones replace those counted from its messages). */
export async function endSession(orm: Orm, who: Actor, id: string, input: EndInput): Promise<{ session: AgentSessionRow; memory: (Memory & { existing: boolean }) | null }> {
  const session = await getSessionRow(orm, id);
  refuseEnded(session, 'ending it');
  const summary = input.summary?.trim() || null;
  if (input.remember && !summary) throw bad('remember needs a summary: the summary is what becomes the memory.');
  let memory: (Memory & { existing: boolean }) | null = null;
  if (input.remember && summary) {
    // The memory belongs to the session's project while that project exists, else to the whole store.
    const [project] = session.projectId ? await orm.select({ id: projects.id }).from(projects).where(eq(projects.id, session.projectId)) : [];
    memory = await remember(orm, who, { type: input.remember.type ?? 'context', content: summary, importance: input.remember.importance, source: 'observation', projectId: project?.id ?? null });
  }
  const changes: Partial<AgentSessionRow> = {
    endedAt: nowIso(),
    summary,
    ...(input.tokensIn !== undefined ? { tokensIn: input.tokensIn } : {}),
    ...(input.tokensOut !== undefined ? { tokensOut: input.tokensOut } : {}),
  };
  const ended = await advance(orm, who, session, changes, 'session.ended', { ...changes, ...(memory ? { memoryId: memory.id } : {}) });
  return { session: ended, memory };
}

export interface SessionQuery {
  agent?: string;
  projectId?: string;
  taskId?: string;
  /** true: only sessions not yet ended; false: only ended ones. */
  open?: boolean;
  limit: number;
  offset: number;
}

/** Sessions, newest first. */
export async function listSessions(orm: Orm, q: SessionQuery): Promise<AgentSessionRow[]> {
  const where: (SQL | undefined)[] = [
    q.agent ? eq(agentSessions.agent, q.agent) : undefined,
    q.projectId ? eq(agentSessions.projectId, q.projectId) : undefined,
    q.taskId ? eq(agentSessions.taskId, q.taskId) : undefined,
    q.open === undefined ? undefined : q.open ? sql`${agentSessions.endedAt} is null` : sql`${agentSessions.endedAt} is not null`,
  ];
  return orm.select().from(agentSessions).where(and(...where)).orderBy(desc(agentSessions.startedAt), desc(agentSessions.id)).limit(q.limit).offset(q.offset);
}

/** A session with a page of its messages in order, and how many it holds now (pruned ones are gone). */
export async function getSession(orm: Orm, id: string, page: { offset: number; limit: number }): Promise<{ session: AgentSessionRow; messages: SessionMessageRow[]; total: number }> {
  const session = await getSessionRow(orm, id);
  const messages = await orm.select().from(sessionMessages).where(eq(sessionMessages.sessionId, id)).orderBy(asc(sessionMessages.seq)).limit(page.limit).offset(page.offset);
  const [held] = await orm.select({ n: count() }).from(sessionMessages).where(eq(sessionMessages.sessionId, id));
  return { session, messages, total: held?.n ?? 0 };
}

/**
 * Retention: removes the messages written more than `olderThanDays` days ago (the sessions stay, with their summaries
 * and totals), one `session.pruned` event per session saying how many went and which seqs.
 */
export async function pruneMessages(orm: Orm, who: Actor, olderThanDays: number): Promise<{ removed: number; sessions: number; before: string }> {
  if (!(olderThanDays > 0)) throw bad('olderThanDays must be more than 0.');
  const before = new Date(Date.now() - olderThanDays * 86_400_000).toISOString();
  const old = await orm
    .select({ sessionId: sessionMessages.sessionId, n: count(), firstSeq: sql<number>`min(${sessionMessages.seq})`, lastSeq: sql<number>`max(${sessionMessages.seq})` })
    .from(sessionMessages)
    .where(lt(sessionMessages.createdAt, before))
    .groupBy(sessionMessages.sessionId);
  let removed = 0;
  for (let i = 0; i < old.length; i += 500) {
    const chunk = old.slice(i, i + 500);
    const sessions = await orm.select().from(agentSessions).where(inArray(agentSessions.id, chunk.map((c) => c.sessionId)));
    const byId = new Map(sessions.map((s) => [s.id, s]));
    for (const c of chunk) {
      const s = byId.get(c.sessionId);
      if (!s) continue; // a message without its session cannot be (foreign key); nothing to explain it by
      const gone = await orm.delete(sessionMessages).where(and(eq(sessionMessages.sessionId, c.sessionId), lt(sessionMessages.createdAt, before))).returning({ id: sessionMessages.id });
      removed += gone.length;
      await advance(orm, who, s, {}, 'session.pruned', { messages: gone.length, firstSeq: c.firstSeq, lastSeq: c.lastSeq, before, olderThanDays });
    }
  }
  return { removed, sessions: old.length, before };
}

/** Sessions of a project (erase): their ids. */
export async function projectSessionIds(orm: Orm, projectId: string): Promise<string[]> {
  return (await orm.select({ id: agentSessions.id }).from(agentSessions).where(eq(agentSessions.projectId, projectId))).map((r) => r.id);
}

/** How many messages these sessions hold (erase's count). */
export async function messageCountOf(orm: Orm, sessionIds: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < sessionIds.length; i += 500) {
    const [row] = await orm.select({ n: count() }).from(sessionMessages).where(inArray(sessionMessages.sessionId, sessionIds.slice(i, i + 500)));
    n += row?.n ?? 0;
  }
  return n;
}
