// cairn session list | show | start | log | end | prune.
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import type { Memory } from '../../../store/memory';
import { MEMORY_TYPES, MESSAGE_ROLES, type AgentSessionRow, type MessageRole, type SessionMessageRow, type ToolCall } from '../../../store/schema';
import type { Caller } from '../../cli';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';
import { formatTable } from '../../table';

export interface SessionCliTools {
  sub: (parent: Command, name: string, description: string) => Command;
  withStore: <T>(cmd: Command, fn: (call: Caller) => Promise<T>) => Promise<T>;
  print: (cmd: Command, value: unknown, text: () => string) => void;
  wholeNumber: (v: string) => number;
  positiveInt: (v: string) => number;
  fraction: (v: string) => number;
}

type Message = Omit<SessionMessageRow, 'sealedFields'> & { secretFields?: string[] };
interface MessageInput {
  role: MessageRole;
  content: string;
  toolCalls?: ToolCall[];
  tokens?: number;
  createdAt?: string;
  secret?: boolean;
}

const usage = (message: string) => new MethodError(ErrorCodes.InvalidParams, message);
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');
const tokens = (s: AgentSessionRow) => (s.tokensIn === null && s.tokensOut === null ? '' : `${s.tokensIn ?? 0}/${s.tokensOut ?? 0}`);

const sessionsTable = (rows: AgentSessionRow[]) =>
  rows.length === 0
    ? '(no sessions)'
    : formatTable(
        ['ID', 'STARTED', 'ENDED', 'AGENT', 'MESSAGES', 'TOKENS IN/OUT', 'TASK', 'SUMMARY'],
        rows.map((s) => [s.id, when(s.startedAt), s.endedAt ? when(s.endedAt) : '(open)', s.agent, String(s.messageCount), tokens(s), s.taskId ?? '', (s.summary ?? '').replace(/\s+/g, ' ').slice(0, 60)]),
      );

function sessionText(s: AgentSessionRow, messages: Message[], total: number, offset: number): string {
  const head = [
    `session   ${s.id}`,
    `agent     ${s.agent}`,
    ...(s.projectId ? [`project   ${s.projectId}`] : []),
    ...(s.taskId ? [`task      ${s.taskId}`] : []),
    `started   ${when(s.startedAt)}`,
    `ended     ${s.endedAt ? when(s.endedAt) : '(open)'}`,
    ...(tokens(s) ? [`tokens    ${tokens(s)} (in/out)`] : []),
    ...(s.summary ? [`summary   ${s.summary}`] : []),
    `messages  ${total} held${s.messageCount > total ? ` (${s.messageCount - total} pruned)` : ''}${messages.length < total ? `, showing ${offset + 1}–${offset + messages.length}` : ''}`,
  ];
  const body = messages.map((m) =>
    [
      `#${m.seq}  ${m.role}  ${when(m.createdAt)}${m.tokens !== null ? `  ${m.tokens} tokens` : ''}${m.secretFields ? '  (secret)' : ''}`,
      ...(m.content ? m.content.split('\n').map((l) => `  ${l}`) : []),
      ...(m.toolCalls ?? []).map((c) => `  → ${c.name}(${c.arguments === undefined ? '' : JSON.stringify(c.arguments).slice(0, 200)})`),
    ].join('\n'),
  );
  return [...head, ...(body.length ? ['', ...body] : [])].join('\n');
}

/** The messages of `cairn session log --jsonl FILE`: one JSON object a line; a bad line is named and nothing is sent. */
function readJsonl(file: string): MessageInput[] {
  const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  const out: MessageInput[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw usage(`line ${i + 1} of ${file === '-' ? 'standard input' : file} is not JSON: give one message a line, {"role": "user", "content": "…"}. Nothing was appended.`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw usage(`line ${i + 1} of ${file === '-' ? 'standard input' : file} is not a JSON object ({"role": …, "content": …}). Nothing was appended.`);
    out.push(value as MessageInput);
  }
  if (!out.length) throw usage(`${file === '-' ? 'standard input' : file} holds no message.`);
  return out;
}

export function registerSessionCommands(program: Command, t: SessionCliTools): void {
  const session = t.sub(program, 'session', "agents' working sessions and their messages: list, show, start, log, end, prune");
  t.sub(session, 'list', 'sessions, newest first')
    .option('--agent <name>', 'only this agent')
    .option('--project <id>', 'only this project')
    .option('--task <id>', 'only this task')
    .option('--open', 'only sessions not ended')
    .option('--limit <n>', 'at most this many (default 50)', t.positiveInt)
    .option('--offset <n>', 'skip this many', t.wholeNumber)
    .action(async (o: { agent?: string; project?: string; task?: string; open?: boolean; limit?: number; offset?: number }, cmd: Command) => {
      const rows = await t.withStore(cmd, (call) =>
        call<'sessions.list', AgentSessionRow[]>('sessions.list', { agent: o.agent, projectId: o.project, taskId: o.task, open: o.open ? true : undefined, limit: o.limit, offset: o.offset }),
      );
      t.print(cmd, rows, () => sessionsTable(rows));
    });
  t.sub(session, 'show', 'a session and its messages, in order')
    .argument('<id>')
    .option('--limit <n>', 'at most this many messages (default 100)', t.positiveInt)
    .option('--offset <n>', 'skip this many messages', t.wholeNumber)
    .action(async (id: string, o: { limit?: number; offset?: number }, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'sessions.get', { session: AgentSessionRow; messages: Message[]; total: number }>('sessions.get', { id, limit: o.limit, offset: o.offset }));
      t.print(cmd, r, () => sessionText(r.session, r.messages, r.total, o.offset ?? 0));
    });
  t.sub(session, 'start', 'start a session (prints its id)')
    .option('--agent <name>', 'the agent working (default: --actor, else your user name)')
    .option('--project <id>', 'the project it works on')
    .option('--task <id>', 'the task it works on (its project follows)')
    .action(async (o: { agent?: string; project?: string; task?: string }, cmd: Command) => {
      const s = await t.withStore(cmd, (call) => call<'sessions.start', AgentSessionRow>('sessions.start', { agent: o.agent, projectId: o.project, taskId: o.task }));
      t.print(cmd, s, () => `Started session ${s.id}  ${s.agent}${s.taskId ? `  task ${s.taskId}` : s.projectId ? `  project ${s.projectId}` : ''}`);
    });
  t.sub(session, 'log', 'append a message (TEXT, or standard input) or, with --jsonl, a batch of messages')
    .argument('<id>', 'the session')
    .argument('[text...]', 'the message (default: read from standard input)')
    .addOption(new Option('--role <role>', 'who said it').choices(MESSAGE_ROLES).default('user'))
    .option('--tokens <n>', 'its tokens', t.wholeNumber)
    .option('--tool-calls <json>', 'the tool calls it made, as a JSON list of {name, arguments?, result?, id?}')
    .option('--jsonl <file>', 'append the messages of a JSON Lines file instead (- for standard input), one {role, content, toolCalls?, tokens?, createdAt?} a line')
    .option('--secret', 'store the content encrypted (needs cairn key init; not searchable)')
    .action(async (id: string, text: string[], o: { role: MessageRole; tokens?: number; toolCalls?: string; jsonl?: string; secret?: boolean }, cmd: Command) => {
      let messages: MessageInput[];
      if (o.jsonl) {
        if (text.length || o.toolCalls || o.tokens !== undefined) throw usage('--jsonl takes the messages from the file: give no TEXT, --tool-calls or --tokens with it.');
        messages = readJsonl(o.jsonl);
      } else {
        let toolCalls: ToolCall[] | undefined;
        if (o.toolCalls) {
          try {
            toolCalls = JSON.parse(o.toolCalls) as ToolCall[];
          } catch {
            throw usage('--tool-calls must be JSON: a list of {"name": …, "arguments": …}.');
          }
        }
        if (!text.length && process.stdin.isTTY) throw usage('give the message as TEXT, or pipe it on standard input.');
        // A piped message ends with the newline its last line had; that line break is not part of what was said.
        const content = text.length ? text.join(' ') : fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
        messages = [{ role: o.role, content, toolCalls, tokens: o.tokens }];
      }
      const r = await t.withStore(cmd, (call) =>
        call<'sessions.append', { session: AgentSessionRow; appended: { id: string; seq: number }[] }>('sessions.append', { sessionId: id, messages: messages as never, secret: o.secret }),
      );
      t.print(cmd, r, () => `Appended ${r.appended.length} message${r.appended.length === 1 ? '' : 's'} to ${id} (#${r.appended[0]!.seq}${r.appended.length > 1 ? `–#${r.appended.at(-1)!.seq}` : ''})`);
    });
  t.sub(session, 'end', 'end a session with its summary (--remember keeps the summary as a memory)')
    .argument('<id>')
    .option('--summary <text>', 'what came of it')
    .option('--tokens-in <n>', 'input tokens in all (default: the sum of its messages)', t.wholeNumber)
    .option('--tokens-out <n>', 'output tokens in all (default: the sum of its messages)', t.wholeNumber)
    .option('--remember', 'keep the summary as a memory of the project (or the whole store)')
    .addOption(new Option('--memory-type <type>', 'the memory type (default context)').choices(MEMORY_TYPES))
    .option('--importance <0..1>', "the memory's importance (default 0.5)", t.fraction)
    .action(async (id: string, o: { summary?: string; tokensIn?: number; tokensOut?: number; remember?: boolean; memoryType?: (typeof MEMORY_TYPES)[number]; importance?: number }, cmd: Command) => {
      if (!o.remember && (o.memoryType || o.importance !== undefined)) throw usage('--memory-type and --importance go with --remember.');
      const r = await t.withStore(cmd, (call) =>
        call<'sessions.end', { session: AgentSessionRow; memory: Memory | null }>('sessions.end', {
          id,
          summary: o.summary,
          tokensIn: o.tokensIn,
          tokensOut: o.tokensOut,
          remember: o.remember ? { type: o.memoryType, importance: o.importance } : undefined,
        }),
      );
      t.print(cmd, r, () => `Ended session ${id}  ${r.session.messageCount} messages${tokens(r.session) ? `  tokens ${tokens(r.session)}` : ''}${r.memory ? `\nRemembered ${r.memory.id}  ${r.memory.type}` : ''}`);
    });
  t.sub(session, 'prune', 'remove messages older than N days (the sessions stay)')
    .requiredOption('--older-than <days>', 'age in days (more than 0)', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw usage(`--older-than must be a number of days (more than 0), not "${v}"`);
      return n;
    })
    .action(async (o: { olderThan: number }, cmd: Command) => {
      const r = await t.withStore(cmd, (call) => call<'sessions.prune', { removed: number; sessions: number; before: string }>('sessions.prune', { olderThanDays: o.olderThan }));
      t.print(cmd, r, () => `Removed ${r.removed} message${r.removed === 1 ? '' : 's'} written before ${when(r.before)} from ${r.sessions} session${r.sessions === 1 ? '' : 's'}`);
    });
}
