// The knowledge vault's index and its search.
import * as fs from 'node:fs';
import { z } from 'zod';
import { StoreError } from '../../../store/errors';
import type * as ChangedPaths from '../../../store/knowledge/changedPaths';
import { parseEmbedderSpec } from '../../../store/knowledge/embedder';
import type * as Indexer from '../../../store/knowledge/indexer';
import { SEARCH_KINDS } from '../../../store/knowledge/search';
import { searchByMode } from '../../../store/knowledge/semanticSearch';
import { searchQuery } from '../../../store/valueRules';
import type * as Context from '../../../store/context';
import { pathParam } from '../../pathParam';
import { method, who, writer } from '../define';

// The indexer (markdown-it, YAML, the note graph) loads with the first method that indexes or builds a context: a
// search needs none of it, and a CLI command would pay for loading it at every start.
/* eslint-disable @typescript-eslint/no-require-imports */
const indexer = (): typeof Indexer => require('../../../store/knowledge/indexer');
const changedPaths = (): typeof ChangedPaths => require('../../../store/knowledge/changedPaths');
const context = (): typeof Context => require('../../../store/context');
/* eslint-enable @typescript-eslint/no-require-imports */

/** An embedder in its short form (src/store/knowledge/embedder.ts). */
const embedderSpec = z
  .string({ error: 'embedder must be a string' })
  .max(2000)
  .refine((s) => {
    try {
      parseEmbedderSpec(s);
      return true;
    } catch {
      return false;
    }
  }, 'embedder must be "glove", "transformers:/path/to/model-folder" or "openai:MODEL@http://host:port/v1"');

const searchKind = z.enum(SEARCH_KINDS, { error: `kind must be one of ${SEARCH_KINDS.join(', ')}` });

export const knowledgeMethods = {
  'knowledge.index': method({
    doc: 'Indexes the vault (only what changed since the last run): notes, links, tags, passages and embeddings.',
    result: 'IndexReport',
    writes: true,
    params: () => z.strictObject({ create: z.boolean().optional(), embedder: embedderSpec.optional(), ...writer }),
    handler: async (store, p, ctx) => {
      if (p.create) fs.mkdirSync(ctx.vaultDir, { recursive: true });
      else if (!fs.existsSync(ctx.vaultDir)) {
        throw new StoreError('not_found', `The vault folder ${ctx.vaultDir} does not exist. Create it (RPC: knowledge.index with create: true; CLI: cairn index --create), or point the vault path at an existing Obsidian vault.`, { vault: ctx.vaultDir });
      }
      return indexer().indexVault(store, ctx.vaultDir, who(ctx, p), { embedder: p.embedder ? parseEmbedderSpec(p.embedder) : undefined });
    },
  }),
  'knowledge.indexPaths': method({
    doc: 'Indexes the files and folders given (what a file watcher saw change).',
    result: 'IndexReport',
    writes: true,
    params: () => z.strictObject({
      paths: z.array(pathParam(z.string({ error: 'paths must be file or folder paths (absolute, or relative to the vault)' }).min(1).max(4096), 'each path'), { error: 'paths must be a list of file or folder paths' }).min(1, 'paths must not be empty').max(100_000),
      ...writer,
    }),
    handler: (store, p, ctx) => changedPaths().indexChangedPaths(store, ctx.vaultDir, p.paths, who(ctx, p)),
  }),
  'knowledge.search': method({
    doc: 'Searches notes, tasks, graph entities and memories by words (FTS5), by meaning (embeddings) or both (hybrid: only hits above a relevance floor): one list, the kind on each hit; kind narrows it, folder/tag/type filter notes; the templates folder (templatesFolder, default "templates"; "" for none) is left out unless folder is inside it.',
    result: 'SearchHit[]',
    vectorless: (p) => p.mode === 'text', // full text (FTS5) only
    params: () => z.strictObject({
      query: searchQuery,
      kind: z
        .union([searchKind, z.array(searchKind).max(SEARCH_KINDS.length)], { error: `kind must be one of ${SEARCH_KINDS.join(', ')}, or a list of them` })
        .optional()
        .transform((k) => (k === undefined ? undefined : typeof k === 'string' ? [k] : k)),
      mode: z.enum(['text', 'semantic', 'hybrid'], { error: 'mode must be "text", "semantic" or "hybrid"' }).default('hybrid'),
      fusion: z.enum(['convex', 'rrf'], { error: 'fusion must be "convex" (scaled scores) or "rrf" (reciprocal rank)' }).optional(),
      limit: z.number().int().min(1).max(200).optional(),
      folder: pathParam(z.string().max(1000), 'folder').optional(),
      tag: z.string().max(200).optional(),
      type: z.string().max(200).optional(),
      project: z.string().max(200).optional(),
      templatesFolder: pathParam(z.string({ error: 'templatesFolder must be a vault-relative folder' }).max(1000), 'templatesFolder').optional(),
    }),
    handler: (store, p) => searchByMode(store, p.query, p.mode, { ...p, kinds: p.kind }),
  }),
  'context.build': method({
    doc: 'A task, note or entity with its neighbourhood to a depth, cut to a token budget, most relevant first.',
    result: 'BuiltContext',
    params: () => z.strictObject({
      ref: z.string({ error: 'ref must be a task id, a note (path, file name or title) or an entity name' }).trim().min(1, 'ref must not be empty').max(4096, 'ref must be at most 4096 characters'),
      depth: z.number({ error: 'depth must be 1, 2 or 3' }).int('depth must be 1, 2 or 3').min(1, 'depth must be 1, 2 or 3').max(3, 'depth must be 1, 2 or 3').default(1),
      maxTokens: z.number({ error: 'maxTokens must be a whole number from 200 to 50000' }).int().min(200, 'maxTokens must be at least 200').max(50_000, 'maxTokens must be at most 50000').default(4000),
    }),
    handler: (store, p, ctx) => context().buildContext(store, ctx.vaultDir, p.ref, p.depth, p.maxTokens),
  }),
};
