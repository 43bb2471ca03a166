// Reads a user's file (a note, an agent definition) as text, or says why it cannot be one.
import * as fs from 'node:fs';

/** Why a FIFO, socket or device is skipped where a file was expected. */
export const NOT_A_REGULAR_FILE = 'not a regular file (a FIFO, socket or device): never read';

/** Why a folder entry cannot be stat'ed, in words a person can act on. */
export function statFailure(name: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  // readdir reports a name that is not valid UTF-8 with U+FFFD in place of the bad bytes: no file has that name.
  if (code === 'ENOENT' && name.includes('\uFFFD')) return 'the file name is not valid UTF-8 (rename the file to read it)';
  return `cannot stat (${code}: a broken link or a file removed meanwhile)`;
}

export type TextFileRead = { bytes: Buffer; text: string; invalidUtf8: boolean } | { reason: string };

/**
 * Too large, unreadable (removed or renamed meanwhile), not a regular file or binary → a reason; invalid UTF-8 is
 * read with U+FFFD. Opened without blocking and checked before reading: a FIFO put where a note was never hangs the
 * reader, a device is never read.
 */
export function readTextFile(absPath: string, size: number, maxBytes: number): TextFileRead {
  if (size > maxBytes) return { reason: `larger than ${maxBytes} bytes (${size})` };
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    fd = fs.openSync(absPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { reason: NOT_A_REGULAR_FILE };
    if (stat.size > maxBytes) return { reason: `larger than ${maxBytes} bytes (${stat.size})` };
    bytes = fs.readFileSync(fd);
  } catch (err) {
    return { reason: `cannot read (${(err as NodeJS.ErrnoException).code}: removed or renamed while indexing?)` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (contains NUL bytes)' };
  try {
    return { bytes, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), invalidUtf8: false };
  } catch {
    return { bytes, text: new TextDecoder('utf-8').decode(bytes), invalidUtf8: true };
  }
}
