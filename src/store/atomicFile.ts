// Writing a whole file so that a reader (or a crash) sees the old content or the new, never a part: a temp file in
// the same folder, then a rename over the name. A write that fails leaves no temp file behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from './lazyCrypto';

/** A fresh hidden name beside `file`, for its next content. */
export const tempPathFor = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);

export interface AtomicWriteOptions {
  /** The new file's mode (default 0o666 less the umask). */
  mode?: number;
  /** Flush the content to the disk before the rename, so a power cut cannot leave an empty file (default true). */
  flush?: boolean;
}

/** Writes `data` to a new temp file beside `file` (exclusively, flushed unless told not to); returns its path. */
export function writeTempFile(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): string {
  const temp = tempPathFor(file);
  const fd = fs.openSync(temp, 'wx', options.mode ?? 0o666);
  try {
    fs.writeFileSync(fd, data);
    if (options.flush ?? true) fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return temp;
}

/** Replaces (or creates) `file` with `data` atomically. */
export function writeFileAtomically(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = writeTempFile(file, data, options);
  try {
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
