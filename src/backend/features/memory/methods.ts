// Memories that last: remember, recall, list, forget, and prune what expired.
import { z } from 'zod';
import { forget, listMemories, pruneExpired, recall, remember } from '../../../store/memory';
import { MEMORY_TYPES } from '../../../store/schema';
import { id, isoDateTime, memoryContent, memorySource, memoryType, searchQuery, unitScore } from '../../../store/valueRules';
import { method, who, writer } from '../define';

export const memoryMethods = {
  'memory.remember': method({
    doc: 'Stores a memory (a fact, preference, decision, pattern or context) for a project or the whole store; the same content again gives the one already there.',
    result: 'Memory + `existing`',
    writes: true,
    params: z.strictObject({
      type: memoryType,
      content: memoryContent,
      importance: unitScore('importance').optional(),
      confidence: unitScore('confidence').optional(),
      source: memorySource.optional(),
      projectId: id('projectId').optional(),
      expiresAt: isoDateTime('expiresAt').optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => remember(orm, who(ctx, p), p)),
  }),
  'memory.recall': method({
    doc: 'The memories that best answer a question, ranked by relevance weighted by importance and recency; expired ones are left out.',
    result: 'RecalledMemory[]',
    params: z.strictObject({
      query: searchQuery,
      projectId: id('projectId').optional(),
      types: z.array(z.enum(MEMORY_TYPES, { error: `types may name ${MEMORY_TYPES.join(', ')}` }), { error: 'types must be a list' }).max(MEMORY_TYPES.length).optional(),
      limit: z.number({ error: 'limit must be a whole number from 1 to 100' }).int().min(1).max(100).default(10),
    }),
    // Each memory recalled counts as an access (machine-local, no event); read-only, it recalls without counting.
    handler: (store, p, ctx) => (store.readOnly || ctx.readOnly ? store.read(() => recall(store, p, false)) : store.write(() => recall(store, p))),
  }),
  'memory.list': method({
    doc: 'Memories of a project (with the store-wide ones) or all, newest first, in pages.',
    result: 'Memory[]',
    params: z.strictObject({
      projectId: id('projectId').optional(),
      type: memoryType.optional(),
      includeExpired: z.boolean({ error: 'includeExpired must be true or false' }).optional(),
      limit: z.number({ error: 'limit must be a whole number from 1 to 1000' }).int().min(1).max(1000).default(100),
      offset: z.number({ error: 'offset must be a whole number' }).int().min(0).default(0),
    }),
    handler: (store, p) => store.read((orm) => listMemories(orm, p)),
  }),
  'memory.forget': method({
    doc: 'Removes a memory; the event log keeps the record.',
    result: '`{"forgotten": id}`',
    writes: true,
    params: z.strictObject({ id: id('id'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => forget(orm, who(ctx, p), p.id)),
  }),
  'memory.prune': method({
    doc: 'Removes the memories whose expiry has passed.',
    result: '`{"removed": N}`',
    writes: true,
    params: z.strictObject({ ...writer }),
    handler: (store, p, ctx) => store.write((orm) => pruneExpired(orm, who(ctx, p))),
  }),
};
