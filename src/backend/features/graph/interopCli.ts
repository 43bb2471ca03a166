// `cairn import --format mcp-memory FILE`: the MCP memory server's memory.jsonl into the graph (registered by
// cli.ts; its other half is `cairn export --format mcp-memory`, in features/crypto/cli.ts with the other exports).
// The file is untrusted: it must be a regular file of at most MAX_IMPORT_BYTES of UTF-8, read here and handed to
// graph.import as text, which checks every line before it writes anything.
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImportResult, MemoryExport } from '../../../store/graph/memoryJsonl';
import type { Caller } from '../../cli';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';

export interface GraphInteropTools {
  sub: (parent: Command, name: string, description: string) => Command;
  withStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>) => Promise<T>;
  print: (cmd: Command, value: unknown, text: () => string) => void;
  usage: (message: string) => Error;
}

// memoryJsonl.ts's MEMORY_FORMAT and MAX_IMPORT_BYTES, written out so that building the CLI's commands does not load
// the graph code (and the note index under it) at every start; test/backend/cli-start.test.ts checks they agree.
export const IMPORT_FORMATS = ['mcp-memory'];
export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;
const FORMATS = IMPORT_FORMATS;
const MAX_IMPORT_BYTES = IMPORT_MAX_BYTES;
const MB = MAX_IMPORT_BYTES / 1024 / 1024;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A failure of the file itself (exit code 1): it cannot be read, or is not text Cairn imports. */
const failure = (message: string) => new MethodError(ErrorCodes.InvalidOperation, message);

/** The file's text. Naming no file, or a folder, is a usage error; a file that cannot be read or is too big, a failure. */
export function readImportFile(file: string, tools: Pick<GraphInteropTools, 'usage'>): string {
  if (file.trim() === '') throw tools.usage('name the memory file (memory.jsonl) to import');
  const full = path.resolve(file);
  let fd: number;
  try {
    // Checked by name first: opening a FIFO to look at it would wait for a writer.
    const st = fs.statSync(full, { throwIfNoEntry: false });
    if (!st) throw tools.usage(`${file}: no such file`);
    if (st.isDirectory()) throw tools.usage(`${file} is a folder: name the memory file (memory.jsonl) to import`);
    if (!st.isFile()) throw tools.usage(`${file} is not a regular file (a device, FIFO or socket)`);
    fd = fs.openSync(full, 'r');
  } catch (err) {
    throw readProblem(err, file);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > MAX_IMPORT_BYTES) throw failure(`${file} is too large to import (${(size / 1024 / 1024).toFixed(1)} MB; at most ${MB} MB)`);
    const bytes = Buffer.alloc(Math.min(size, MAX_IMPORT_BYTES) + 1);
    let length = 0;
    for (let n; length < bytes.length && (n = fs.readSync(fd, bytes, length, bytes.length - length, null)) > 0; ) length += n;
    if (length > MAX_IMPORT_BYTES) throw failure(`${file} is too large to import (it grew past ${MB} MB while being read)`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length));
    } catch {
      throw failure(`${file} is not UTF-8 text (an MCP memory file is JSON lines); nothing was imported`);
    }
  } catch (err) {
    throw readProblem(err, file);
  } finally {
    fs.closeSync(fd);
  }
}

/** A system error while reading, as one line (never a stack); Cairn's own errors pass through. */
function readProblem(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof MethodError || typeof code !== 'string') return err;
  const why: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', ENOENT: 'no such file', ENOTDIR: 'a folder on the path is a file', ELOOP: 'a loop of symbolic links', ENAMETOOLONG: 'the path is too long', EISDIR: 'it is a folder', EIO: 'an input/output error', ERR_INVALID_ARG_VALUE: 'a path must not contain a NUL byte' };
  return failure(`cannot read ${file}: ${why[code] ?? code}`);
}

export const importLine = (file: string, r: ImportResult) =>
  `Imported ${file}: ${plural(r.entitiesCreated, 'entity', 'entities')} created, ${r.entitiesMerged} merged; ${plural(r.observationsAdded, 'observation')} added` +
  `${r.observationsSkipped ? ` (${r.observationsSkipped} already there)` : ''}; ${plural(r.relationsCreated, 'relation')} created${r.relationsSkipped ? ` (${r.relationsSkipped} already there)` : ''}` +
  `${r.danglingEnds ? `; ${plural(r.danglingEnds, 'dangling end')} kept as placeholders` : ''}`;

export const exportLine = (file: string, r: MemoryExport) => `Exported ${plural(r.entities, 'entity', 'entities')}, ${plural(r.observations, 'observation')} and ${plural(r.relations, 'relation')} to ${file}`;

export function registerGraphInteropCommands(program: Command, tools: GraphInteropTools): void {
  tools
    .sub(program, 'import', 'import a file into the store: mcp-memory (the MCP memory server\'s memory.jsonl: entities, observations, relations), all or nothing')
    .requiredOption('--format <format>', FORMATS.join(' or '))
    .argument('<file>', `the file (at most ${MB} MB)`)
    .action(async (file: string, o: { format: string }, cmd: Command) => {
      if (!FORMATS.includes(o.format)) throw tools.usage(`"${o.format}" is not one of ${FORMATS.join(', ')}`);
      const text = readImportFile(file, tools);
      const r = await tools.withStore(cmd, (call) => call<'graph.import', ImportResult>('graph.import', { text }));
      tools.print(cmd, r, () => importLine(file, r));
    });
}
