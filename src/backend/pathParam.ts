// The one rule for params that become paths on disk (note paths, folders, templates, the backup repository): no NUL
// byte (no system call takes one) and no file or folder name over 255 bytes of UTF-8 (the limit of ext4, APFS,
// NTFS…). Such input is refused as invalid params naming the field, before any file is touched.
import type { z } from 'zod';

export const MAX_NAME_BYTES = 255;

const namesFit = (p: string) => p.split(/[\\/]/).every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES);

/** `schema` with the path rule; `what` names the field in the messages. */
export function pathParam<T extends z.ZodString>(schema: T, what: string): T {
  return schema
    .refine((p) => !p.includes('\u0000'), `${what} must not contain a NUL byte`)
    .refine(namesFit, `${what} has a file or folder name longer than ${MAX_NAME_BYTES} bytes`);
}
