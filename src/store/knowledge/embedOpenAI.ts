// An OpenAI-compatible embeddings endpoint (POST {url}/embeddings with { model, input: [texts] }, answering
// { data: [{ index, embedding }] }): Ollama, llama.cpp's server, vLLM, LM Studio, or a hosted service. Requests
// are batched and time out; every failure becomes a message that says what to check.
import { StoreError } from '../errors';
import { normalize, type Embedder } from './embedder';

export interface OpenAIEmbedderOptions {
  /** Base URL up to and including the API version, e.g. http://127.0.0.1:11434/v1. */
  url: string;
  model: string;
  /** Bearer token (most local servers need none). */
  apiKey?: string;
  timeoutMs?: number;
  /** Texts per request. */
  batchSize?: number;
}

export const DEFAULT_OPENAI_TIMEOUT_MS = 30_000;

const fail = (message: string) => new StoreError('store_unavailable', message);

async function post(o: OpenAIEmbedderOptions, input: string[]): Promise<Float32Array[]> {
  const endpoint = `${o.url.replace(/\/+$/, '')}/embeddings`;
  const timeoutMs = o.timeoutMs ?? DEFAULT_OPENAI_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
      body: JSON.stringify({ model: o.model, input }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw fail(`The embedding endpoint ${endpoint} did not answer within ${timeoutMs} ms. Is the server busy or loading the model "${o.model}"? Try again, or choose another embedder.`);
    }
    const code = e.cause?.code ?? e.cause?.message ?? e.message;
    throw fail(`Cannot reach the embedding endpoint ${endpoint} (${code}). Start the server (for Ollama: "ollama serve" and "ollama pull ${o.model}"), check the URL, or choose another embedder.`);
  }
  const body = await res.text();
  if (!res.ok) {
    let detail = body.slice(0, 300);
    try {
      const j = JSON.parse(body) as { error?: { message?: string } | string };
      detail = typeof j.error === 'string' ? j.error : (j.error?.message ?? detail);
    } catch {
      // not JSON: keep the text
    }
    throw fail(`The embedding endpoint ${endpoint} answered HTTP ${res.status} for model "${o.model}": ${detail.trim() || res.statusText}. Check the model name and the URL.`);
  }
  let data: { index?: number; embedding?: unknown }[];
  try {
    data = (JSON.parse(body) as { data: typeof data }).data;
    if (!Array.isArray(data)) throw new Error('no data list');
  } catch {
    throw fail(`The embedding endpoint ${endpoint} answered something other than an embeddings response ({ "data": [{ "embedding": [...] }] }). Is it OpenAI-compatible?`);
  }
  if (data.length !== input.length) throw fail(`The embedding endpoint ${endpoint} returned ${data.length} embeddings for ${input.length} texts.`);
  const out: Float32Array[] = new Array(input.length);
  data.forEach((item, i) => {
    const e = item.embedding;
    if (!Array.isArray(e) || !e.length || e.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw fail(`The embedding endpoint ${endpoint} returned an embedding that is not a list of numbers.`);
    }
    out[item.index ?? i] = normalize(Float32Array.from(e as number[]));
  });
  return out;
}

export class OpenAIEmbedder implements Embedder {
  readonly id: string;

  private constructor(
    private readonly options: OpenAIEmbedderOptions,
    readonly dimensions: number,
  ) {
    this.id = `openai:${options.model}@${options.url.replace(/\/+$/, '')}`;
  }

  /** Connects: one request tells the dimension (and that the endpoint works) before anything is stored. */
  static async connect(options: OpenAIEmbedderOptions): Promise<OpenAIEmbedder> {
    const [probe] = await post(options, ['dimension probe']);
    return new OpenAIEmbedder(options, probe!.length);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const size = this.options.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += size) {
      const vectors = await post(this.options, texts.slice(i, i + size));
      for (const v of vectors) {
        if (v.length !== this.dimensions) throw fail(`The embedding endpoint returned ${v.length} dimensions where it returned ${this.dimensions} before; did the model behind ${this.options.url} change? Index again to re-embed.`);
        out.push(v);
      }
    }
    return out;
  }
}
