// One query's dot products with every stored vector, in WebAssembly SIMD: the vectors are int16 (a scale per
// vector, noteVectors.ts), the query float32, summed in float32 lanes: ~6× a JavaScript loop over the same values
// (150,000 passages × 100 dimensions in a few ms). MODULE is dotScan.wat (beside this file) compiled by wabt's
// parseWat + toBinary (test/store/knowledge/dotScan.test.ts checks they agree and prints the bytes when they do not);
// where WebAssembly SIMD is missing the caller falls back to JavaScript.

// The little of WebAssembly used here (the project's type libraries leave it out).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

export const MODULE = 'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcRAgZtZW1vcnkCAARzY2FuAAAK1wEB1AECA38DewJAA0AgBSABTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQn9DAAAAAAAAAAAAAAAAAAAAAAhCkEAIQYgAyEHAkADQCAGIAJPDQEgAP0ABAAhCCAJIAj9pwH9+gEgB/0ABAD95gH95AEhCSAKIAj9qAH9+gEgB/0ABBD95gH95AEhCiAAQRBqIQAgB0EgaiEHIAZBAWohBgwACwsgCSAK/eQBIQkgBCAJ/R8AIAn9HwGSIAn9HwIgCf0fA5KSOAIAIARBBGohBCAFQQFqIQUMAAsLCw==';

/** The values of one scan take 16 bytes per block of 8 dimensions. */
export const BLOCK = 8;

export interface DotScanner {
  /** The memory the vectors, the query and the dot products live in. */
  memory: WasmMemory;
  /** out[i] = Σ values[i][j] × query[j], for `rows` rows of `blocks` × 8 int16 values each (byte offsets). */
  scan(values: number, rows: number, blocks: number, query: number, out: number): void;
}

/** A scanner over a memory of at least `bytes`, or null where WebAssembly SIMD is unavailable. */
export function dotScanner(bytes: number): DotScanner | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(MODULE, 'base64')), {});
    const memory = instance.exports.memory as WasmMemory;
    memory.grow(Math.ceil(bytes / 65_536));
    return { memory, scan: instance.exports.scan as DotScanner['scan'] };
  } catch {
    return null;
  }
}
