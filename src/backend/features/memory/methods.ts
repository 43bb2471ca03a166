// Memories that last: remember, recall, list, forget, and prune what expired.
import { z } from 'zod';
import { revealMemory } from '../../../store/crypto/fields';
import { embedPendingItems } from '../../../store/knowledge/semanticIndex';
import { forget, getMemory, listMemories, pruneExpired, recall, remember } from '../../../store/memory';
import type { Store } from '../../../store/store';
import { MEMORY_TYPES } from '../../../store/schema';
import { id, isoDateTime, memoryContent, memorySource, memoryType, searchQuery, unitScore } from '../../../store/valueRules';
import { method, pageLimit, pageOffset, who, writer } from '../define';

/** Secret content revealed when the store is unlocked, shown locked otherwise (see crypto/reveal.ts). */
const revealed =
  (store: Store) =>
  <T extends { id: string; content: string; sealedFields?: string[] }>(rows: T[]) =>
    rows.map((m) => revealMemory(store.orm, m));

export const memoryMethods = {
  'memory.remember': method({
    doc: 'Stores a memory (a fact, preference, decision, pattern or context) for a project or the whole store; the same content again gives the one already there. secret: stored encrypted, not searchable.',
    result: 'Memory + `existing`',
    writes: true,
    params: () => z.strictObject({
      type: memoryType,
      content: memoryContent,
      importance: unitScore('importance').optional(),
      confidence: unitScore('confidence').optional(),
      source: memorySource.optional(),
      projectId: id('projectId').optional(),
      expiresAt: isoDateTime('expiresAt').optional(),
      secret: z.boolean({ error: 'secret must be true or false' }).optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => store.write((orm) => remember(orm, who(ctx, p), p)).then((m) => revealMemory(store.orm, m)),
  }),
  'memory.recall': method({
    doc: 'The memories that best answer a question, ranked by relevance weighted by importance and recency; expired ones are left out.',
    result: 'RecalledMemory[]',
    params: () => z.strictObject({
      query: searchQuery,
      projectId: id('projectId').optional(),
      types: z.array(z.enum(MEMORY_TYPES, { error: `types may name ${MEMORY_TYPES.join(', ')}` }), { error: 'types must be a list' }).max(MEMORY_TYPES.length).optional(),
      limit: z.number({ error: 'limit must be a whole number from 1 to 100' }).int().min(1).max(100).default(10),
    }),
    // Each memory recalled counts as an access (machine-local, no event); read-only, it recalls without counting.
    // Memories written since the last index run get their vectors first, outside the transaction (an embedder may
    // be a remote endpoint).
    handler: async (store, p, ctx) =>
      (store.readOnly || ctx.readOnly ? store.read(() => recall(store, p, false)) : embedPendingItems(store).then(() => store.write(() => recall(store, p)))).then(revealed(store)),
  }),
  'memory.list': method({
    doc: 'Memories of a project (with the store-wide ones) or all, newest first, in pages.',
    result: 'Memory[]',
    params: () => z.strictObject({
      projectId: id('projectId').optional(),
      type: memoryType.optional(),
      includeExpired: z.boolean({ error: 'includeExpired must be true or false' }).optional(),
      limit: pageLimit(1000, 100),
      offset: pageOffset,
    }),
    handler: (store, p) => store.read((orm) => listMemories(orm, p)).then(revealed(store)),
  }),
  'memory.get': method({
    doc: 'One memory, with when it was last recalled and how often.',
    result: 'Memory',
    params: () => z.strictObject({ id: id('id') }),
    handler: (store, p) => store.read((orm) => getMemory(orm, p.id)).then((m) => revealMemory(store.orm, m)),
  }),
  'memory.forget': method({
    doc: 'Removes a memory; the event log keeps the record.',
    result: '`{"forgotten": id}`',
    writes: true,
    params: () => z.strictObject({ id: id('id'), ...writer }),
    handler: (store, p, ctx) => store.write((orm) => forget(orm, who(ctx, p), p.id)),
  }),
  'memory.prune': method({
    doc: 'Removes the memories whose expiry has passed.',
    result: '`{"removed": N}`',
    writes: true,
    params: () => z.strictObject({ ...writer }),
    handler: (store, p, ctx) => store.write((orm) => pruneExpired(orm, who(ctx, p))),
  }),
};
