// What turns text into vectors for semantic search, and how a user names one. Three providers:
//   glove         the default: GloVe word vectors shipped with Cairn, SIF-weighted by the vault's own word
//                 frequencies (embedGlove.ts); runs offline, nothing to install;
//   transformers  a sentence-embedding model folder the user has, run by @huggingface/transformers if installed;
//   openai        any OpenAI-compatible /v1/embeddings endpoint (a local Ollama, llama.cpp server, vLLM, …).
// The store keeps which embedder made its vectors (its id); choosing another one re-embeds every passage.
import { StoreError } from '../errors';

export interface Embedder {
  /** Names what made a vector; vectors of different ids are never compared. */
  readonly id: string;
  readonly dimensions: number;
  /** One unit-length vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /**
   * The note similarity (semanticSearch.ts: mean of best passage and whole note) below which a hit found by meaning
   * alone is no evidence of relevance (hybrid search's floor); undefined where the model's scale is not known.
   */
  readonly minRelevantSimilarity?: number;
}

export type EmbedderSpec =
  | { provider: 'glove' }
  | { provider: 'transformers'; model: string }
  | { provider: 'openai'; url: string; model: string; apiKeyEnv?: string; timeoutMs?: number };

export const DEFAULT_EMBEDDER: EmbedderSpec = { provider: 'glove' };

/**
 * Parses the short form users type (CLI flag, setting): `glove`, `transformers:/path/to/model-folder`,
 * `openai:MODEL@http://host:port/v1` (e.g. `openai:nomic-embed-text@http://127.0.0.1:11434/v1`).
 */
export function parseEmbedderSpec(text: string): EmbedderSpec {
  const s = text.trim();
  if (s === '' || s === 'glove') return { provider: 'glove' };
  if (s.startsWith('transformers:') && s.length > 'transformers:'.length) return { provider: 'transformers', model: s.slice('transformers:'.length) };
  const m = /^openai:([^@\s]+)@(https?:\/\/\S+)$/.exec(s);
  if (m) return { provider: 'openai', model: m[1]!, url: m[2]!.replace(/\/+$/, '') };
  throw new StoreError(
    'invalid',
    `Unknown embedder "${text}". Use "glove" (the default, offline), "transformers:/path/to/model-folder" (a local model; needs @huggingface/transformers), or "openai:MODEL@http://host:port/v1" (an OpenAI-compatible endpoint, e.g. "openai:nomic-embed-text@http://127.0.0.1:11434/v1" for Ollama).`,
  );
}

/** The short form of a spec (what parseEmbedderSpec reads back). */
export function formatEmbedderSpec(spec: EmbedderSpec): string {
  switch (spec.provider) {
    case 'glove':
      return 'glove';
    case 'transformers':
      return `transformers:${spec.model}`;
    case 'openai':
      return `openai:${spec.model}@${spec.url}`;
  }
}

/**
 * The embedder (short form) a store must switch to so that its vectors follow `wanted` (what a user typed, e.g. the
 * cairn.embedder setting), or undefined when they already do. `stored` is the store's embedder, null when nothing
 * was embedded yet (the first index uses GloVe unless told otherwise). An invalid `wanted` throws, saying the forms.
 */
export function embedderToApply(wanted: string, stored: string | null): string | undefined {
  const spec = formatEmbedderSpec(parseEmbedderSpec(wanted));
  return spec === (stored ?? formatEmbedderSpec(DEFAULT_EMBEDDER)) ? undefined : spec;
}

/** Scales v to unit length in place (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}
