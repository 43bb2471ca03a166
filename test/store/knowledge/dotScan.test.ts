// The WebAssembly kernel of the in-memory vector scan: its bytes are its source compiled, and it computes what a
// plain loop computes.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import wabt from 'wabt';
import { BLOCK, dotScanner, MODULE } from '../../../src/store/knowledge/dotScan';

describe('dotScan: the WebAssembly kernel', () => {
  it('MODULE is dotScan.wat compiled by wabt', async () => {
    const wat = fs.readFileSync(path.join(__dirname, '../../../src/store/knowledge/dotScan.wat'), 'utf8');
    const module = (await wabt()).parseWat('dotScan.wat', wat, { simd: true });
    const bytes = Buffer.from(module.toBinary({}).buffer).toString('base64');
    module.destroy();
    assert.equal(MODULE, bytes, 'dotScan.ts MODULE differs from dotScan.wat compiled: replace MODULE with the base64 above');
  });

  it('dot products equal a plain loop over int16 rows and a float32 query', () => {
    const rows = 37;
    const blocks = 13; // 104 dimensions
    const d = blocks * BLOCK;
    const values = new Int16Array(rows * d);
    const query = new Float32Array(d);
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    for (let i = 0; i < values.length; i++) values[i] = Math.round(next() * 32767);
    for (let j = 0; j < d; j++) query[j] = next();
    const valuesAt = 0;
    const queryAt = values.byteLength;
    const outAt = queryAt + query.byteLength;
    const scanner = dotScanner(outAt + rows * 4);
    assert.ok(scanner, 'Node 20 has WebAssembly SIMD');
    new Int16Array(scanner.memory.buffer, valuesAt, values.length).set(values);
    new Float32Array(scanner.memory.buffer, queryAt, d).set(query);
    scanner.scan(valuesAt, rows, blocks, queryAt, outAt);
    const out = new Float32Array(scanner.memory.buffer, outAt, rows);
    for (let i = 0; i < rows; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += values[i * d + j]! * query[j]!;
      assert.ok(Math.abs(out[i]! - dot) <= 1e-4 * Math.max(1, Math.abs(dot)), `row ${i}: ${out[i]} vs ${dot}`);
    }
  });
});
