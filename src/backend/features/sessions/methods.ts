// Agents' working sessions and their messages: start, append (a batch), end (a summary that can become a memory),
// list, get (with messages in pages), and prune old messages (retention).
import { z } from 'zod';
import { revealMemory, revealMessage } from '../../../store/crypto/fields';
import { APPEND_BATCH_MAX, appendMessages, endSession, getSession, listSessions, pruneMessages, startSession } from '../../../store/sessions';
import { count, id, isoDateTime, memoryType, messageContent, messageRole, name, sessionSummary, toolCallsRule, unitScore } from '../../../store/valueRules';
import { method, pageLimit, pageOffset, who, writer } from '../define';

const secret = z.boolean({ error: 'secret must be true or false' });

const message = z.strictObject({
  role: messageRole,
  content: messageContent,
  toolCalls: toolCallsRule.optional(),
  tokens: count('tokens').optional(),
  createdAt: isoDateTime('createdAt').optional(),
  secret: secret.optional(),
});

export const sessionMethods = {
  'sessions.start': method({
    doc: "Starts an agent's working session (optionally on a project or a task); its messages are appended with sessions.append.",
    result: 'Session',
    writes: true,
    params: () => z.strictObject({
      agent: name('agent').optional(),
      projectId: id('projectId').optional(),
      taskId: id('taskId').optional(),
      startedAt: isoDateTime('startedAt').optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => {
      const by = who(ctx, p);
      return store.write((orm) => startSession(orm, by, { agent: p.agent ?? by.actor, projectId: p.projectId, taskId: p.taskId, startedAt: p.startedAt }));
    },
  }),
  'sessions.append': method({
    doc: `Appends messages (role, content, toolCalls, tokens; at most ${APPEND_BATCH_MAX} at once) to an open session, in order. secret: content stored encrypted, not searchable.`,
    result: '`{"session": Session, "appended": [{id, seq}]}`',
    writes: true,
    params: () => z.strictObject({
      sessionId: id('sessionId'),
      messages: z.array(message, { error: 'messages must be a list of { role, content, toolCalls?, tokens? }' }).min(1, 'messages must hold at least one message').max(APPEND_BATCH_MAX, `at most ${APPEND_BATCH_MAX} messages at once`),
      /** Every message of the batch secret (a message's own `secret` also works). */
      secret: secret.optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => appendMessages(orm, who(ctx, p), p.sessionId, p.messages.map((m) => ({ ...m, secret: m.secret ?? p.secret })))),
  }),
  'sessions.end': method({
    doc: 'Ends a session with its summary and tokens; remember: {type?, importance?} keeps the summary as a memory of its project.',
    result: '`{"session": Session, "memory": Memory | null}`',
    writes: true,
    params: () => z.strictObject({
      id: id('id'),
      summary: sessionSummary.optional(),
      tokensIn: count('tokensIn').optional(),
      tokensOut: count('tokensOut').optional(),
      remember: z.strictObject({ type: memoryType.optional(), importance: unitScore('importance').optional() }, { error: 'remember must be { type?, importance? }' }).optional(),
      ...writer,
    }),
    handler: (store, p, ctx) =>
      store.write((orm) => endSession(orm, who(ctx, p), p.id, p)).then((r) => ({ session: r.session, memory: r.memory ? revealMemory(store.orm, r.memory) : null })),
  }),
  'sessions.list': method({
    doc: 'Sessions by agent, project or task (open: only those not ended), newest first, in pages.',
    result: 'Session[]',
    params: () => z.strictObject({
      agent: name('agent').optional(),
      projectId: id('projectId').optional(),
      taskId: id('taskId').optional(),
      open: z.boolean({ error: 'open must be true or false' }).optional(),
      limit: pageLimit(1000, 50),
      offset: pageOffset,
    }),
    handler: (store, p) => store.read((orm) => listSessions(orm, p)),
  }),
  'sessions.get': method({
    doc: "A session with its messages in order, in pages (total: the messages it holds).",
    result: '`{"session": Session, "messages": Message[], "total": N}`',
    params: () => z.strictObject({ id: id('id'), limit: pageLimit(1000, 100), offset: pageOffset }),
    handler: (store, p) =>
      store.read((orm) => getSession(orm, p.id, p)).then((r) => ({ ...r, messages: r.messages.map((m) => revealMessage(store.orm, m)) })),
  }),
  'sessions.prune': method({
    doc: "Removes messages older than olderThanDays days (retention); the sessions stay, and each session's removal is an event.",
    result: '`{"removed": N, "sessions": N, "before": datetime}`',
    writes: true,
    params: () => z.strictObject({
      olderThanDays: z.number({ error: 'olderThanDays must be a number of days' }).positive('olderThanDays must be more than 0').max(36_500, 'olderThanDays must be at most 36,500'),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => pruneMessages(orm, who(ctx, p), p.olderThanDays)),
  }),
};
