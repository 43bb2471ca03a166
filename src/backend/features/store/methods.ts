// The store as a whole: what it is, whether it is healthy, its export, and its event log.
import { z } from 'zod';
import { recentActivity } from '../../../store/activity';
import { AGGREGATE_TYPES, listEvents } from '../../../store/events';
import { exportJson, exportMarkdown } from '../../../store/export';
import { countNotes } from '../../../store/knowledge/catalog';
import { storeEmbedderSpec } from '../../../store/knowledge/semanticIndex';
import { countTasks } from '../../../store/tasks';
import { id, isoDateTime } from '../../../store/valueRules';
import { CAIRN_VERSION } from '../../version';
import { method } from '../define';

export const storeMethods = {
  'store.info': method({
    doc: 'What this store is: version, folders, schema, counts, the embedder and who the backend writes as.',
    result: 'StoreInfo',
    params: () => z.strictObject({}),
    handler: async (store, _p, ctx) => ({
      cairnVersion: CAIRN_VERSION,
      storeDir: store.dir,
      databaseFile: store.file,
      schemaVersion: store.migration.to,
      readOnly: store.readOnly,
      vecVersion: store.vecVersion,
      lastSeq: await store.lastEventSeq(),
      taskCounts: await countTasks(store.orm),
      noteCount: await countNotes(store),
      embedder: await storeEmbedderSpec(store),
      actor: ctx.who.actor,
      source: ctx.who.source,
    }),
  }),
  'store.health': method({
    doc: "The database's integrity check, sizes and the event log's state.",
    result: 'StoreHealth',
    params: () => z.strictObject({}),
    handler: (store) => store.health(),
  }),
  'store.export': method({
    doc: 'The whole store (or one project) as JSON rows, or as one readable Markdown document per project.',
    result: 'Export',
    params: () => z.strictObject({
      format: z.enum(['json', 'markdown'], { error: 'format must be "json" or "markdown"' }).default('json'),
      projectId: id('projectId').optional(),
    }),
    handler: (store, p) => store.read<unknown>((orm) => (p.format === 'markdown' ? exportMarkdown(orm, p.projectId) : exportJson(orm, p.projectId))),
  }),
  'events.list': method({
    doc: 'The append-only event log, filtered by aggregate and paged by sequence number.',
    result: 'Event[]',
    vectorless: true,
    params: () => z.strictObject({
      aggregateType: z.enum(AGGREGATE_TYPES, { error: `aggregateType must be one of ${AGGREGATE_TYPES.join(', ')}` }).optional(),
      aggregateId: id('aggregateId').optional(),
      afterSeq: z.number().int().min(0).optional(),
      beforeSeq: z.number().int().min(1).optional(),
      limit: z.number().int().min(1).max(1000).default(100),
      order: z.enum(['asc', 'desc']).default('desc'),
    }),
    handler: (store, p) => listEvents(store.orm, p),
  }),
  'activity.recent': method({
    doc: 'What changed lately (since a time, of some kinds), newest first, one line each: who, what, and to what.',
    result: 'ActivityItem[]',
    params: () => z.strictObject({
      since: isoDateTime('since').optional(),
      kinds: z.array(z.enum(AGGREGATE_TYPES, { error: `kinds may name ${AGGREGATE_TYPES.join(', ')}` }), { error: 'kinds must be a list' }).max(AGGREGATE_TYPES.length).optional(),
      limit: z.number({ error: 'limit must be a whole number from 1 to 500' }).int().min(1).max(500).default(50),
    }),
    handler: (store, p) => recentActivity(store.orm, p),
  }),
};
