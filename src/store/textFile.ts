// Reads a user's file (a note, an agent definition) as text, or says why it cannot be one.
import * as fs from 'node:fs';

export type TextFileRead = { bytes: Buffer; text: string; invalidUtf8: boolean } | { reason: string };

/** Too large, unreadable (removed or renamed meanwhile) or binary → a reason; invalid UTF-8 is read with U+FFFD. */
export function readTextFile(absPath: string, size: number, maxBytes: number): TextFileRead {
  if (size > maxBytes) return { reason: `larger than ${maxBytes} bytes (${size})` };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(absPath);
  } catch (err) {
    return { reason: `cannot read (${(err as NodeJS.ErrnoException).code}: removed or renamed while indexing?)` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (contains NUL bytes)' };
  try {
    return { bytes, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), invalidUtf8: false };
  } catch {
    return { bytes, text: new TextDecoder('utf-8').decode(bytes), invalidUtf8: true };
  }
}
