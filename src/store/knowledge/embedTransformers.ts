// A sentence-embedding model from a local folder (e.g. a copy of Xenova/all-MiniLM-L6-v2 with its config.json,
// tokenizer.json and onnx/model.onnx), run by @huggingface/transformers. That package is not one of Cairn's
// dependencies (it brings ~300 MB of ONNX runtime): a user who wants this embedder installs it next to Cairn, and it
// is loaded by dynamic import only when chosen. Remote model downloads are switched off: the folder is all it reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../errors';
import { normalize, type Embedder } from './embedder';

const PACKAGE = '@huggingface/transformers';

type Extractor = (texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{ tolist(): number[][] }>;
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(task: 'feature-extraction', model: string, options: { local_files_only: boolean }): Promise<Extractor>;
}

export const TRANSFORMERS_INSTALL_HINT = `install it where Cairn runs: "npm install ${PACKAGE}" in Cairn's folder (on a machine without network access to model hubs nothing else is fetched; set ONNXRUNTIME_NODE_INSTALL=skip if its install step cannot download), or choose the "glove" embedder`;

async function importTransformers(): Promise<TransformersModule> {
  const name = PACKAGE; // a variable: the bundler must not try to resolve an optional package
  try {
    return (await import(name)) as TransformersModule;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new StoreError('invalid', `The transformers embedder needs the package ${PACKAGE}, which is not installed: ${TRANSFORMERS_INSTALL_HINT}.`);
    }
    throw new StoreError('invalid', `${PACKAGE} is installed but failed to load (${(err as Error).message}). Reinstall it, or choose the "glove" embedder.`);
  }
}

export class TransformersEmbedder implements Embedder {
  readonly id: string;

  private constructor(
    private readonly extract: Extractor,
    folder: string,
    readonly dimensions: number,
  ) {
    this.id = `transformers:${folder}`;
  }

  static async load(modelFolder: string): Promise<TransformersEmbedder> {
    const folder = path.resolve(modelFolder);
    if (!fs.existsSync(path.join(folder, 'config.json'))) {
      throw new StoreError('not_found', `${folder} is not a model folder (it has no config.json). Point the embedder at a local sentence-embedding model folder (config.json, tokenizer.json, onnx/model.onnx).`);
    }
    const t = await importTransformers();
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.localModelPath = path.dirname(folder) + path.sep;
    let extract: Extractor;
    try {
      extract = await t.pipeline('feature-extraction', path.basename(folder), { local_files_only: true });
    } catch (err) {
      throw new StoreError('invalid', `Could not load the model in ${folder}: ${(err as Error).message}. It needs an ONNX export (onnx/model.onnx) with its tokenizer.`);
    }
    const [probe] = await run(extract, ['dimension probe']);
    return new TransformersEmbedder(extract, folder, probe!.length);
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    return run(this.extract, texts);
  }
}

async function run(extract: Extractor, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 32) {
    const rows = (await extract(texts.slice(i, i + 32), { pooling: 'mean', normalize: true })).tolist();
    for (const r of rows) out.push(normalize(Float32Array.from(r)));
  }
  return out;
}
