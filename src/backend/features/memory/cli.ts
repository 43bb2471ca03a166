// cairn memory add | recall | list | forget | prune.
import { Option, type Command } from 'commander';
import type { Memory, RecalledMemory } from '../../../store/memory';
import { MEMORY_SOURCES, MEMORY_TYPES } from '../../../store/schema';
import type { Caller } from '../../cli';
import { formatTable } from '../../table';

export interface MemoryCliTools {
  sub: (parent: Command, name: string, description: string) => Command;
  withStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>) => Promise<T>;
  print: (cmd: Command, value: unknown, text: () => string) => void;
  positiveInt: (v: string) => number;
  fraction: (v: string) => number;
}

const table = (rows: Memory[], score = false) =>
  rows.length === 0
    ? '(no memories)'
    : formatTable([...(score ? ['SCORE'] : []), 'ID', 'TYPE', 'IMPORTANCE', 'CONTENT'], rows.map((m) => [...(score ? [String((m as RecalledMemory).score)] : []), m.id, m.type, String(m.importance), m.content.replace(/\s+/g, ' ').slice(0, 100)]));

export function registerMemoryCommands(program: Command, t: MemoryCliTools): void {
  const memory = t.sub(program, 'memory', 'memories that last across sessions: add, recall, list, forget, prune');
  t.sub(memory, 'add', 'remember something')
    .addOption(new Option('--type <type>', 'what kind of memory').choices(MEMORY_TYPES).default('fact'))
    .option('--importance <0..1>', 'how much it matters (weighs recall; default 0.5)', t.fraction)
    .option('--confidence <0..1>', 'how sure it is (default 1)', t.fraction)
    .addOption(new Option('--source <source>', 'where it comes from').choices(MEMORY_SOURCES))
    .option('--project <id>', 'the project it belongs to (default: the whole store)')
    .option('--expires <datetime>', 'when it stops being true (ISO 8601, e.g. 2027-01-31T00:00:00Z)')
    .option('--secret', 'store the content encrypted (needs cairn key init; not searchable)')
    .argument('<content...>')
    .action(async (content: string[], o: { type: (typeof MEMORY_TYPES)[number]; importance?: number; confidence?: number; source?: (typeof MEMORY_SOURCES)[number]; project?: string; expires?: string; secret?: boolean }, cmd: Command) => {
      const m = await t.withStore(cmd, (call) =>
        call<'memory.remember', Memory & { existing: boolean }>('memory.remember', { type: o.type, content: content.join(' '), importance: o.importance, confidence: o.confidence, source: o.source, projectId: o.project, expiresAt: o.expires, secret: o.secret }),
      );
      t.print(cmd, m, () => `${m.existing ? 'Already remembered' : 'Remembered'} ${m.id}  ${m.type}  ${m.content}`);
    });
  t.sub(memory, 'recall', 'the memories that best answer a question')
    .option('--project <id>', "a project's memories (and the store-wide ones)")
    .option('--limit <n>', 'at most this many (default 10)', t.positiveInt)
    .argument('<query...>')
    .action(async (query: string[], o: { project?: string; limit?: number }, cmd: Command) => {
      const rows = await t.withStore(cmd, (call) => call<'memory.recall', RecalledMemory[]>('memory.recall', { query: query.join(' '), projectId: o.project, limit: o.limit }));
      t.print(cmd, rows, () => table(rows, true));
    });
  t.sub(memory, 'list', 'memories, newest first')
    .option('--project <id>', "a project's memories (and the store-wide ones)")
    .addOption(new Option('--type <type>').choices(MEMORY_TYPES))
    .option('--expired', 'include expired ones')
    .option('--limit <n>', 'at most this many (default 100)', t.positiveInt)
    .action(async (o: { project?: string; type?: (typeof MEMORY_TYPES)[number]; expired?: boolean; limit?: number }, cmd: Command) => {
      const rows = await t.withStore(cmd, (call) => call<'memory.list', Memory[]>('memory.list', { projectId: o.project, type: o.type, includeExpired: o.expired, limit: o.limit }));
      t.print(cmd, rows, () => table(rows));
    });
  t.sub(memory, 'forget', 'remove a memory (the event log keeps the record)')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'memory.forget', { forgotten: string }>('memory.forget', { id }));
      t.print(cmd, r, () => `Forgot ${r.forgotten}`);
    });
  t.sub(memory, 'prune', 'remove the memories whose expiry has passed')
    .action(async (_o, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'memory.prune', { removed: number }>('memory.prune', {}));
      t.print(cmd, r, () => `Removed ${r.removed} expired memor${r.removed === 1 ? 'y' : 'ies'}`);
    });
}
