// The CLI side of encryption, export and erase: `cairn key init|change|status`, `cairn export`, `cairn project
// erase`, and the unlocking every command gets — from $CAIRN_PASSPHRASE when set, else by asking in a terminal the
// first time a command needs an encrypted field.
import { type Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Readline from 'node:readline';
import type { KeyStatus } from '../../../store/crypto/keys';
import type { EraseReport } from '../../../store/erase';
import type { JsonExport, MarkdownExport } from '../../../store/export';
import { exportText } from '../../../store/exportText';
import { writeFileAtomically } from '../../../store/atomicFile';
import type { MemoryExport } from '../../../store/graph/memoryJsonl';
import { exportLine } from '../graph/interopCli';
import { MethodError } from '../../methods';
import { ErrorCodes } from '../../protocol';
import type { Caller } from '../../cli';

export interface CliKit {
  sub(parent: Command, name: string, description: string): Command;
  /** The global options of a command (--json, --store…). */
  g(cmd: Command): { json?: boolean };
  withStore<T>(opts: object, create: boolean, fn: (call: Caller) => Promise<T>): Promise<T>;
  print(opts: object, value: unknown, text: () => string): void;
  usage(message: string): Error;
}

/** Asks for a passphrase without echoing it; undefined when there is no terminal to ask in. */
async function ask(question: string, hidden = true): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only to ask (a terminal, a locked field)
  const rl = (require('node:readline') as typeof Readline).createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput(s: string): void };
  let prompted = false;
  out._writeToOutput = (s: string) => {
    if (!hidden || !prompted) {
      process.stderr.write(s);
      prompted = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    if (hidden) process.stderr.write('\n');
    rl.close();
  }
}

const fromEnv = (name: string) => (process.env[name] !== undefined && process.env[name] !== '' ? process.env[name] : undefined);

async function passphrase(kit: CliKit, envName: string, question: string, confirm = false): Promise<string> {
  const given = fromEnv(envName);
  if (given !== undefined) return given;
  const first = await ask(question);
  if (first === undefined) throw kit.usage(`no passphrase: set ${envName} or run this in a terminal`);
  if (confirm && (await ask('Repeat it: ')) !== first) throw kit.usage('the two passphrases differ; nothing was changed');
  return first;
}

/** Unlocks with $CAIRN_PASSPHRASE when it is set and the store has encryption set up. */
export async function unlockFromEnvironment(call: Caller): Promise<void> {
  const given = fromEnv('CAIRN_PASSPHRASE');
  if (given === undefined) return;
  const status = await call<'crypto.status', KeyStatus>('crypto.status', {});
  if (status.initialised && !status.unlocked) await call('crypto.unlock', { passphrase: given });
}

/** A caller that, when a method answers "locked" and a terminal is there, asks for the passphrase once and retries. */
export function promptingWhenLocked(call: Caller): Caller {
  return (async (method, params) => {
    try {
      return await call(method, params);
    } catch (err) {
      if (!(err instanceof MethodError && err.code === ErrorCodes.Locked)) throw err;
      const given = await ask('The store is locked. Passphrase: ');
      if (given === undefined) throw err;
      await call('crypto.unlock', { passphrase: given });
      return call(method, params);
    }
  }) as Caller;
}

const statusLines = (s: KeyStatus) =>
  !s.initialised
    ? 'encryption   not set up (cairn key init)'
    : [
        `encryption   set up (key ${s.keyId})`,
        `unlocked     ${s.unlocked ? 'yes' : 'no (set CAIRN_PASSPHRASE, or a command asks when it needs the key)'}`,
        `passphrase   ${s.passphrase ? 'yes' : 'no'}`,
        `keychains    ${s.keychains} VS Code machine${s.keychains === 1 ? '' : 's'}`,
      ].join('\n');

export function registerCryptoCommands(program: Command, project: Command, kit: CliKit): void {
  const { sub, g, withStore, print } = kit;
  const key = sub(program, 'key', "encryption of secret fields: the store's key, unlocked by a passphrase");
  sub(key, 'init', 'set up encryption: choose the passphrase that unlocks the store ($CAIRN_PASSPHRASE, or asked twice)').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const pass = await passphrase(kit, 'CAIRN_PASSPHRASE', 'New passphrase: ', true);
    const s = await withStore(opts, false, (call) => call<'crypto.init', KeyStatus>('crypto.init', { passphrase: pass }));
    print(opts, s, () => `Encryption set up (key ${s.keyId}). Keep the passphrase safe: without it (or a VS Code keychain that was unlocked once) encrypted fields cannot be read, also from backups.`);
  });
  sub(key, 'change', 'choose a new passphrase (old: $CAIRN_PASSPHRASE or asked; new: $CAIRN_NEW_PASSPHRASE or asked twice)').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const oldPass = await passphrase(kit, 'CAIRN_PASSPHRASE', 'Current passphrase: ');
    const newPass = await passphrase(kit, 'CAIRN_NEW_PASSPHRASE', 'New passphrase: ', true);
    const s = await withStore(opts, false, (call) => call<'crypto.changePassphrase', KeyStatus>('crypto.changePassphrase', { oldPassphrase: oldPass, newPassphrase: newPass }));
    print(opts, s, () => 'Passphrase changed. Encrypted values were not rewritten (the store key is the same, now wrapped by the new passphrase).');
  });
  sub(key, 'status', 'is encryption set up, and what can unlock it').action(async (_o, cmd: Command) => {
    const opts = g(cmd);
    const s = await withStore(opts, false, (call) => call<'crypto.status', KeyStatus>('crypto.status', {}));
    print(opts, s, () => statusLines(s));
  });

  sub(program, 'export', 'export the store or one project: json (canonical rows) or markdown (a readable document per project); or the graph as mcp-memory (the MCP memory server\'s memory.jsonl)')
    .option('--format <format>', 'json, markdown or mcp-memory', 'json')
    .option('--project <id>', 'only this project (json and markdown)')
    .option('--out <file>', 'write to this file (written whole, then renamed into place) instead of printing')
    .action(async (o: { format: string; project?: string; out?: string }, cmd: Command) => {
      const opts = g(cmd);
      if (o.format !== 'json' && o.format !== 'markdown' && o.format !== 'mcp-memory') throw kit.usage(`"${o.format}" is not one of json, markdown, mcp-memory`);
      if (opts.json && o.format !== 'json' && !o.out) throw kit.usage(`--json prints JSON, and --format ${o.format} prints ${o.format === 'markdown' ? 'Markdown' : 'JSON lines'}: choose one (or write the ${o.format === 'markdown' ? 'Markdown' : 'file'} with --out FILE)`);
      if (o.format === 'mcp-memory' && o.project !== undefined) throw kit.usage('--format mcp-memory exports the whole graph: it has no --project');
      const file = o.out === undefined ? undefined : exportTarget(o.out, kit);
      if (o.format === 'mcp-memory') {
        // The memory server writes no newline at the end: the file is its text as it is; a terminal gets one.
        const graph = await withStore(opts, false, (call) => call<'graph.export', MemoryExport>('graph.export', {}));
        if (!file) return void process.stdout.write(graph.text ? graph.text + '\n' : '');
        writeFileAtomically(file, graph.text);
        return print(opts, { file, format: o.format, entities: graph.entities, observations: graph.observations, relations: graph.relations }, () => exportLine(file, graph));
      }
      const result = await withStore(opts, false, (call) => call<'store.export', JsonExport | MarkdownExport>('store.export', { format: o.format as 'json' | 'markdown', projectId: o.project }));
      const text = exportText(result);
      if (!file) {
        process.stdout.write(text);
        return;
      }
      writeFileAtomically(file, text);
      const what = 'tables' in result ? Object.entries(result.tables).map(([t, rows]) => `${rows.length} ${t}`).join(', ') : `${result.documents.length} project document(s)`;
      print(opts, { file, format: o.format }, () => `Exported ${what} to ${file}`);
    });

  sub(project, 'erase', 'remove a project, its sprints, tasks, agent runs and their whole event history from the store')
    .argument('<id>')
    .option('--yes', 'do it without asking')
    .action(async (id: string, o: { yes?: boolean }, cmd: Command) => {
      const opts = g(cmd);
      if (!o.yes) {
        const answer = await ask(`Erase project ${id} and its whole history from the store? This cannot be undone. Type "erase" to confirm: `, false);
        if (answer === undefined) throw kit.usage('erasing needs confirmation: add --yes');
        if (answer.trim() !== 'erase') throw kit.usage('not confirmed; nothing was erased');
      }
      const r = await withStore(opts, false, (call) => call<'projects.erase', EraseReport>('projects.erase', { id, confirm: true }));
      print(opts, r, () =>
        [`Erased project ${id}: ${r.removed.sprints} sprints, ${r.removed.tasks} tasks, ${r.removed.agentRuns} agent runs and ${r.removed.events} events removed from the store.`, r.backups].join('\n'),
      );
    });
}

/** The file `--out` names, refused before the export runs when it cannot be one: a folder, a device, or in a missing folder. */
function exportTarget(out: string, kit: CliKit): string {
  const file = path.resolve(out);
  const existing = fs.statSync(file, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw kit.usage(`--out ${out} is a folder: name the file to write, e.g. ${path.join(out, 'export.json')}`);
  // The export replaces a file whole (a rename): a device or FIFO there would be replaced, not written to.
  if (existing && !existing.isFile()) throw kit.usage(`--out ${out} is not a regular file (a device, FIFO or socket): name a file to write`);
  if (!fs.statSync(path.dirname(file), { throwIfNoEntry: false })?.isDirectory()) throw kit.usage(`--out ${out}: the folder ${path.dirname(file)} does not exist (create it first)`);
  return file;
}
