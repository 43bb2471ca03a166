// Node's own errors that reached the method table unexplained (a full disk, a path too long, a NUL byte, a file where
// a folder must be or the reverse, nothing there, a loop of links, something in the way, no right to write, a busy
// file, too many open files) as the protocol's errors, with a message a person can act on: it names the param the
// path came from, and never the server's absolute paths (the client may be another machine): a place in the store or
// the vault is given relative to it, any other by its name.
import * as path from 'node:path';
import type { StoreErrorKind } from '../store/errors';
import { ErrorCodes } from './protocol';

interface SystemError extends Error {
  code?: string;
  path?: string;
  /** The second path of a rename or link: the one in the way when it fails with EEXIST or ENOTEMPTY. */
  dest?: string;
  syscall?: string;
}

export interface ErrorScope {
  method?: string;
  /** The request's params, to name the one a failing path came from. */
  params?: unknown;
  /**
   * Folders whose places are named relative to them, most specific first: [folder, its name]. Without roots (the
   * CLI's own files, on this machine) a place is its full path.
   */
  roots?: [dir: string, name: string][];
}

const PERMISSION: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system' };

/** Every string param, with its name as describeIssues writes it (`paths.1`). */
function* stringParams(value: unknown, name = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [name, value];
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringParams(v, name ? `${name}.${k}` : k);
}

/** Whether `value` is whole names of the path `failed` (a title may be followed by its extension). */
function namesIn(failed: string, value: string): boolean {
  for (let at = failed.indexOf(value); at !== -1; at = failed.indexOf(value, at + 1)) {
    const before = failed[at - 1];
    const after = failed[at + value.length];
    if ((before === undefined || before === '/' || before === path.sep) && (after === undefined || after === '/' || after === path.sep || after === '.')) return true;
  }
  return false;
}

/** The param whose value the failing path holds (the longest such, so "a" does not win over "a/b"). */
function paramIn(scope: ErrorScope, failed: string): [string, string] | undefined {
  let best: [string, string] | undefined;
  for (const [name, value] of stringParams(scope.params)) {
    const v = value.trim().replace(/^\/+|\/+$/g, '');
    if (v && (namesIn(failed, v) || failed === path.resolve(value.trim())) && v.length > (best?.[1].length ?? 0)) best = [name, value];
  }
  return best;
}

/** A place without the server's absolute path: relative to a known folder, else the file's name alone. */
function placeOf(scope: ErrorScope, p: string): string {
  if (!scope.roots) return `"${p}"`;
  for (const [dir, name] of scope.roots) {
    const rel = path.relative(dir, p);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return `${rel.split(path.sep).join('/')} in the ${name}`;
  }
  return `"${nameOf(p)}"`;
}

/** A path's last name ("/" stays "/"). */
const nameOf = (p: string) => path.basename(p) || p;

/** What goes back to the client: a JSON-RPC error's fields. */
export interface ExplainedError {
  code: number;
  message: string;
  data?: { kind: StoreErrorKind };
}

/** Something Cairn would have to overwrite or remove is where it writes: it never does. */
const inTheWayError = (what: string): ExplainedError => ({
  code: ErrorCodes.Conflict,
  message: `${what}: Cairn never overwrites or removes what is in its way. Move it away or choose another name, and try again.`,
  data: { kind: 'conflict' },
});

/** A state of the system that passes (a busy file, too many open files): the request may be tried again. */
const busy = (message: string): ExplainedError => ({ code: ErrorCodes.Busy, message, data: { kind: 'busy' } });

const invalidParams = (scope: ErrorScope, field: string | undefined, problem: string): ExplainedError => ({
  code: ErrorCodes.InvalidParams,
  message: scope.method ? `Invalid params for ${scope.method}: ${field ? `${field}: ` : ''}${problem}` : problem[0]!.toUpperCase() + problem.slice(1),
});

/** The JSON-RPC error for a system error, or undefined when it is not one this knows. */
export function explainSystemError(err: unknown, scope: ErrorScope): ExplainedError | undefined {
  const e = err as SystemError;
  if (!(e instanceof Error) || typeof e.code !== 'string') return undefined;
  const inTheWay = e.code === 'EEXIST' || e.code === 'ENOTEMPTY';
  const failed = (inTheWay && e.dest) || e.path || '';
  const field = failed ? paramIn(scope, failed) : undefined;
  const place = field ? `${field[0]} "${field[1]}"` : failed ? placeOf(scope, failed) : undefined;
  /** The place, for a message that names the field instead (when it can). */
  const at = field || !place ? '' : ` (${place})`;
  const pathProblem = (problem: string) => invalidParams(scope, field?.[0], problem + at);
  switch (e.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        code: ErrorCodes.DiskFull,
        message: `The disk is full: ${place ? `writing ${place} failed` : `${scope.method ?? 'Cairn'} could not write its files`}. Free some space and try again.`,
        data: { kind: 'disk_full' },
      };
    case 'ENOTDIR':
      return pathProblem('a file is in the way: a folder on the path is a file');
    case 'EISDIR':
      return pathProblem('a folder is in the way: the path names a folder, not a file');
    case 'ENOENT':
      return pathProblem('nothing is there: a folder on the path does not exist (or a symbolic link on it leads nowhere)');
    case 'ELOOP':
      return pathProblem('the path goes round a loop of symbolic links (or through too many of them)');
    case 'ENAMETOOLONG':
      return pathProblem('the path is too long for the file system (at most 255 bytes a name, about 4096 in all)');
    case 'EEXIST':
      if (e.syscall === 'mkdir') return pathProblem('a file is in the way: the path names a file, not a folder');
      return inTheWayError(`There is already a file or folder at ${place ?? 'that place'}`);
    case 'ENOTEMPTY':
      return inTheWayError(`A folder that is not empty is at ${place ?? 'that place'}`);
    case 'EBUSY':
      return busy(`${scope.method ?? 'Cairn'} could not use ${place ?? 'a file'}: it is busy (in use by another program, or a mount point). Try again later.`);
    case 'EMFILE':
    case 'ENFILE':
      return busy(
        `Too many files are open (${e.code === 'EMFILE' ? "this process's" : "the system's"} limit): ${scope.method ?? 'Cairn'} could not open ${place ?? 'a file'}. Try again later; if it goes on, raise the limit of open files (ulimit -n).`,
      );
    case 'ERR_INVALID_ARG_VALUE': {
      if (!/null bytes/.test(e.message)) return undefined;
      const nul = [...stringParams(scope.params)].find(([, v]) => v.includes('\u0000'));
      return invalidParams(scope, nul?.[0], 'a path must not contain a NUL byte');
    }
    default: {
      const reason = PERMISSION[e.code];
      if (!reason) return undefined;
      return {
        code: ErrorCodes.StoreUnavailable,
        message: `Cairn may not write ${place ?? 'there'} (${reason}). Check its permissions, or choose another place.`,
        data: { kind: 'store_unavailable' },
      };
    }
  }
}

/**
 * An unexpected error's message without the server's absolute paths: the roots become `<store folder>`, …, and any
 * other absolute path (a backup repository elsewhere, the home folder) its last name in quotes.
 */
export function withoutServerPaths(message: string, scope: ErrorScope): string {
  const relative = (scope.roots ?? []).reduce((m, [dir, name]) => m.split(dir).join(`<${name}>`), message);
  return relative
    .replace(/(['"])(\/[^'"\n]*)\1/g, (_, quote: string, p: string) => `${quote}${nameOf(p)}${quote}`)
    .replace(/(^|[\s(=[,])(\/[^\s'"(),;\]]*[^\s'"(),;\].:])/g, (_, before: string, p: string) => `${before}"${nameOf(p)}"`);
}
