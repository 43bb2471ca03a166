// The MCP servers agents use, read from the files that define them (the files are the source of truth; nothing is
// stored or written): the workspace's `.mcp.json` (Claude Code's project servers, `mcpServers`), `.vscode/mcp.json`
// (VS Code's, `servers`, JSON with comments), `~/.claude.json` (the user's servers and this folder's entry under
// `projects`), and the registry files a setting names. Each server comes with where it is defined (file and line)
// and the NAMES of its environment variables and headers: their values are secrets and never leave this module.
// Problems come back as diagnostics by file and line; one bad file never stops the others.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
// The ESM build: the package's UMD main hides its requires from the bundler.
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { realPathInside, realPathOf } from '../insideRoot';
import { lineIndexAt, lineStartsOf } from '../knowledge/lineStarts';
import { lookUpCommand } from './commandOnPath';

export type McpTransport = 'stdio' | 'http' | 'sse';
/**
 * project: `.mcp.json`; vscode: `.vscode/mcp.json`; claude-local / claude-user: `~/.claude.json`'s entry for the
 * folder / its top level (the file itself is listed as claude-user); registry: a file the setting names.
 */
export type McpSource = 'project' | 'vscode' | 'claude-local' | 'claude-user' | 'registry';
export type McpSeverity = 'error' | 'warning' | 'info';

export interface McpServerEntry {
  name: string;
  transport: McpTransport;
  /** stdio: the command as written (null for http/sse). */
  command: string | null;
  args: string[];
  /** http/sse: the URL, with any user name, password and secret-looking query values replaced by `***`. */
  url: string | null;
  /** The names of the variables in `env` (values are secrets: never returned). */
  envNames: string[];
  /** The names of the `headers` (values are secrets: never returned). */
  headerNames: string[];
  source: McpSource;
  /** The defining file (absolute) and the 1-based line of the server's name in it. */
  file: string;
  line: number;
  /** Problems pointing into this server's definition. */
  problems: { error: number; warning: number };
}

export interface McpDiagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: McpSeverity;
  /**
   * unreadable, too-large, outside-folder, bad-json, wrong-type, wrong-key, no-servers, missing-name,
   * no-command-or-url, unknown-transport, bad-url, command-not-found, unknown-input, duplicate-name.
   */
  code: string;
  message: string;
}

export interface McpRegistryFile {
  path: string;
  source: McpSource;
  /** read (servers from it listed), missing (not there: no problem), or the kind of problem that stopped it. */
  state: 'read' | 'missing' | 'unreadable' | 'invalid' | 'outside';
  servers: number;
}

export interface McpServersReport {
  workspaceFolder: string;
  servers: McpServerEntry[];
  diagnostics: McpDiagnostic[];
  /** Every file looked at, in the order read (the extension watches these). */
  files: McpRegistryFile[];
  counts: { error: number; warning: number; info: number };
}

export interface McpReadOptions {
  /** Absolute. */
  workspaceFolder: string;
  /** Absolute: where `~/.claude.json` is, and what `~` means in registry paths. */
  home: string;
  /** As the user wrote them: absolute, `~/…`, or relative to the workspace folder. */
  registryPaths: string[];
  /** PATH to find bare command names in (default: this process's). */
  pathEnv?: string;
}

/** A registry bigger than this is not read (`~/.claude.json` grows with history, but not this far). */
export const MAX_REGISTRY_BYTES = 32 * 1024 * 1024;

const SOURCE_LABEL: Record<McpSource, string> = {
  project: '.mcp.json',
  vscode: '.vscode/mcp.json',
  'claude-local': '~/.claude.json (this folder)',
  'claude-user': '~/.claude.json (user)',
  registry: 'registry',
};

/** `~`, `~/…` against home; relative against the workspace folder. */
function resolveRegistryPath(p: string, workspaceFolder: string, home: string): string {
  const expanded = p === '~' || p.startsWith('~/') || p.startsWith('~\\') ? path.join(home, p.slice(1)) : p;
  return path.resolve(workspaceFolder, expanded);
}

// ---- reading one file ---------------------------------------------------------------------------------------------

interface Located {
  line: number;
  column: number;
}

/** Offsets to 1-based line and column (CRLF counts as one line end; a BOM is column 0 of line 1). */
function lineIndex(text: string): (offset: number) => Located {
  const starts = lineStartsOf(text);
  return (offset) => {
    const i = lineIndexAt(starts, offset);
    return { line: i + 1, column: offset - starts[i]! + 1 };
  };
}

const PARSE_ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'an unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes is expected here (a trailing comma?)',
  ValueExpected: 'a value is expected here (a trailing comma?)',
  ColonExpected: 'a colon is expected here',
  CommaExpected: 'a comma is expected here',
  CloseBraceExpected: 'a closing } is expected here',
  CloseBracketExpected: 'a closing ] is expected here',
  EndOfFileExpected: 'nothing may follow the end of the JSON value',
  InvalidCommentToken: 'a comment, which plain JSON does not allow',
  UnexpectedEndOfComment: 'a comment that is never closed',
  UnexpectedEndOfString: 'a string that is never closed',
  UnexpectedEndOfNumber: 'a number that ends too soon',
  InvalidUnicode: 'a malformed \\u escape',
  InvalidEscapeCharacter: 'a malformed escape',
  InvalidCharacter: 'a control character inside a string',
};

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
const SECRETISH_PARAM = /key|token|secret|auth|pass|sig|credential/i;

/** A URL with its user name, password and secret-looking query values masked. */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = '***';
    url.password = '';
    changed = true;
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRETISH_PARAM.test(key)) {
      url.searchParams.set(key, '***');
      changed = true;
    }
  }
  return changed ? url.toString() : raw;
}

class FileReading {
  readonly at: (offset: number) => Located;
  readonly servers: McpServerEntry[] = [];
  constructor(
    readonly file: string,
    /** Whose servers are being read (~/.claude.json holds the folder's, then the user's). */
    public source: McpSource,
    text: string,
    readonly diagnostics: McpDiagnostic[],
    private readonly opts: McpReadOptions,
    /** `${input:…}` ids a `.vscode/mcp.json` declares (null: the file has no such inputs). */
    public inputIds: Set<string> | null = null,
  ) {
    this.at = lineIndex(text);
  }

  problem(where: Node | number, severity: McpSeverity, code: string, message: string, server?: McpServerEntry): void {
    const { line, column } = this.at(typeof where === 'number' ? where : where.offset);
    this.diagnostics.push({ file: this.file, line, column, severity, code, message });
    if (server && severity !== 'info') server.problems[severity]++;
  }

  /** A map of name → server, or (registries) a list of servers each with a `name`. */
  async serverList(list: Node, where: string): Promise<void> {
    if (list.type === 'object') {
      for (const prop of list.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (key && value) await this.server(String(key.value), key, value);
      }
    } else if (list.type === 'array' && this.source === 'registry') {
      for (const item of list.children ?? []) {
        const nameNode = item.type === 'object' ? property(item, 'name') : undefined;
        if (nameNode?.type === 'string' && nameNode.value.trim()) await this.server(nameNode.value, nameNode, item);
        else if (item.type !== 'object') this.problem(item, 'error', 'wrong-type', `An entry of ${where} must be an object with name and command or url, not ${article(item.type)}.`);
        else this.problem(item, 'error', 'missing-name', `This entry of ${where} has no "name" (a string): a server needs one.`);
      }
    } else {
      this.problem(list, 'error', 'wrong-type', `${where} must be an object of servers by name${this.source === 'registry' ? ' or a list of servers' : ''}, not ${article(list.type)}.`);
    }
  }

  private async server(name: string, key: Node, value: Node): Promise<void> {
    if (value.type !== 'object') {
      this.problem(value, 'error', 'wrong-type', `MCP server "${name}" must be an object (with command or url), not ${article(value.type)}.`);
      return;
    }
    const entry: McpServerEntry = {
      name,
      transport: 'stdio',
      command: null,
      args: [],
      url: null,
      envNames: [],
      headerNames: [],
      source: this.source,
      file: this.file,
      line: this.at(key.offset).line,
      problems: { error: 0, warning: 0 },
    };
    const str = (field: string): string | null => {
      const n = property(value, field);
      if (!n) return null;
      if (n.type === 'string') return n.value as string;
      this.problem(n, 'error', 'wrong-type', `"${field}" of MCP server "${name}" must be a string, not ${article(n.type)}.`, entry);
      return null;
    };
    /** An object's keys; its values must be strings but are never read out (secrets). */
    const names = (field: string): string[] => {
      const n = property(value, field);
      if (!n) return [];
      if (n.type !== 'object') {
        this.problem(n, 'error', 'wrong-type', `"${field}" of MCP server "${name}" must be an object of names to strings, not ${article(n.type)}.`, entry);
        return [];
      }
      const keys: string[] = [];
      for (const prop of n.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k) continue;
        keys.push(String(k.value));
        if (v && v.type !== 'string') this.problem(v, 'warning', 'wrong-type', `${field}.${k.value} of MCP server "${name}" should be a string, not ${article(v.type)}.`, entry);
      }
      return keys;
    };

    const typeNode = property(value, 'type') ?? (this.source === 'registry' ? property(value, 'transport') : undefined);
    let transport: McpTransport | null = null;
    if (typeNode) {
      const t = typeNode.type === 'string' ? String(typeNode.value).toLowerCase() : null;
      if (t === 'stdio' || t === 'http' || t === 'sse') transport = t;
      else if (t === 'streamable-http' || t === 'streamablehttp') transport = 'http';
      else {
        const shown = typeNode.type === 'string' ? `"${typeNode.value}"` : article(typeNode.type);
        this.problem(typeNode, 'error', 'unknown-transport', `MCP server "${name}" has type ${shown}: use "stdio", "http" or "sse".`, entry);
        return;
      }
    }
    const command = str('command');
    const url = str('url');
    const argsNode = property(value, 'args');
    if (argsNode && argsNode.type !== 'array') this.problem(argsNode, 'error', 'wrong-type', `"args" of MCP server "${name}" must be a list of strings, not ${article(argsNode.type)}.`, entry);
    for (const arg of argsNode?.type === 'array' ? (argsNode.children ?? []) : []) {
      if (arg.type === 'string') entry.args.push(arg.value);
      else this.problem(arg, 'error', 'wrong-type', `Each of "args" of MCP server "${name}" must be a string, not ${article(arg.type)}.`, entry);
    }
    entry.envNames = names('env');
    entry.headerNames = names('headers');

    transport ??= command !== null ? 'stdio' : url !== null ? 'http' : null;
    if (transport === null || (transport === 'stdio' ? command === null : url === null)) {
      // A command or url of the wrong type was reported as such: once is enough.
      if (property(value, transport === 'stdio' ? 'command' : transport === null ? 'command' : 'url') || (transport === null && property(value, 'url'))) return;
      const message =
        transport === null
          ? `MCP server "${name}" has neither a "command" (a program to start) nor a "url" (a server to reach).`
          : transport === 'stdio'
            ? `MCP server "${name}" is a stdio server without a "command": a client cannot start it.`
            : `MCP server "${name}" is an ${transport.toUpperCase()} server without a "url": a client cannot reach it.`;
      this.problem(key, 'error', 'no-command-or-url', message, entry);
      return;
    }
    entry.transport = transport;
    if (transport === 'stdio') {
      entry.command = command;
      await this.checkCommand(entry, property(value, 'command')!);
    } else {
      entry.url = maskUrl(url!);
      entry.args = [];
      if (!url!.includes('${')) {
        let ok = false;
        try {
          ok = ['http:', 'https:'].includes(new URL(url!).protocol);
        } catch {
          ok = false;
        }
        if (!ok) this.problem(property(value, 'url')!, 'error', 'bad-url', `The url of MCP server "${name}" is not an http:// or https:// URL.`, entry);
      }
    }
    if (this.inputIds) this.checkInputs(entry, value);
    this.servers.push(entry);
  }

  private async checkCommand(entry: McpServerEntry, node: Node): Promise<void> {
    const raw = entry.command!;
    const cmd = raw
      .replace(/\$\{workspaceFolder\}/g, this.opts.workspaceFolder)
      .replace(/\$\{userHome\}/g, this.opts.home)
      .replace(/^~(?=$|[/\\])/, this.opts.home);
    if (!cmd.trim()) {
      this.problem(node, 'error', 'command-not-found', `The command of MCP server "${entry.name}" is empty.`, entry);
      return;
    }
    if (cmd.includes('$')) return; // a variable only the client knows (${input:…}, ${env:…}, $VAR): cannot be checked here
    const found = await lookUpCommand(cmd, this.opts.workspaceFolder, this.opts.pathEnv ?? process.env.PATH ?? '');
    if (found.found) return;
    const shown = `"${raw}"`;
    if (found.reason === 'not-on-path') {
      this.problem(node, 'warning', 'command-not-found', `The command ${shown} of MCP server "${entry.name}" is not on PATH: install it, or give its full path.`, entry);
    } else {
      const why = found.reason === 'missing' ? 'does not exist' : found.reason === 'folder' ? 'is a folder, not a program' : 'is not executable';
      this.problem(node, 'error', 'command-not-found', `The command of MCP server "${entry.name}", ${found.path}, ${why}.`, entry);
    }
  }

  /** `${input:id}` in a `.vscode/mcp.json` server must name one of the file's inputs. */
  private checkInputs(entry: McpServerEntry, value: Node): void {
    const walk = (n: Node) => {
      if (n.type === 'string') {
        for (const m of String(n.value).matchAll(/\$\{input:([^}]*)\}/g)) {
          if (!this.inputIds!.has(m[1]!)) this.problem(n, 'warning', 'unknown-input', `MCP server "${entry.name}" asks for \${input:${m[1]}}, but "inputs" declares no input with that id.`, entry);
        }
      }
      for (const c of n.children ?? []) walk(c);
    };
    walk(value);
  }
}

function property(obj: Node, name: string): Node | undefined {
  if (obj.type !== 'object') return undefined;
  let found: Node | undefined;
  for (const prop of obj.children ?? []) if (prop.children?.[0]?.value === name) found = prop.children[1]; // the last wins, as in JSON.parse
  return found;
}

interface Candidate {
  file: string;
  source: McpSource;
  /** Read only while its real path stays inside this folder (files Cairn looks for, not ones the user named). */
  within?: string;
}

/** Reads one file and collects its servers; every problem becomes a diagnostic of that file. */
async function readOne(c: Candidate, opts: McpReadOptions, diagnostics: McpDiagnostic[]): Promise<{ file: McpRegistryFile; servers: McpServerEntry[] }> {
  const result = (state: McpRegistryFile['state'], servers: McpServerEntry[] = []) => ({ file: { path: c.file, source: c.source, state, servers: servers.length }, servers });
  const fileProblem = (code: string, message: string, line = 1, column = 1) => diagnostics.push({ file: c.file, line, column, severity: 'error', code, message });
  const stat = await fsp.stat(c.file).catch((err: NodeJS.ErrnoException) => err);
  if (stat instanceof Error) {
    if (stat.code === 'ENOENT' || stat.code === 'ENOTDIR') return result('missing');
    fileProblem('unreadable', `Cannot read ${c.file}: ${stat.code === 'EACCES' || stat.code === 'EPERM' ? 'no permission' : stat.code === 'ELOOP' ? 'a loop of symbolic links' : stat.message}.`);
    return result('unreadable');
  }
  if (c.within) {
    const root = realPathOf(c.within);
    if (!root || !realPathInside(root, c.file)) {
      diagnostics.push({ file: c.file, line: 1, column: 1, severity: 'warning', code: 'outside-folder', message: `${c.file} is a link to a file outside ${c.within}; Cairn does not read it.` });
      return result('outside');
    }
  }
  if (stat.isDirectory()) {
    fileProblem('unreadable', `${c.file} is a folder, not a JSON file.`);
    return result('unreadable');
  }
  if (!stat.isFile()) {
    // A pipe or a device (/dev/zero) would never end, or never start: only regular files are read.
    fileProblem('unreadable', `${c.file} is not a regular file.`);
    return result('unreadable');
  }
  if (stat.size > MAX_REGISTRY_BYTES) {
    fileProblem('too-large', `${c.file} is ${Math.round(stat.size / 1024 / 1024)} MiB; Cairn reads MCP server lists of up to ${MAX_REGISTRY_BYTES / 1024 / 1024} MiB.`);
    return result('unreadable');
  }
  let text: string;
  try {
    text = await fsp.readFile(c.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fileProblem('unreadable', `Cannot read ${c.file}: ${code === 'EACCES' || code === 'EPERM' ? 'no permission' : (err as Error).message}.`);
    return result('unreadable');
  }
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1); // a BOM: keep offsets, drop the character

  // .mcp.json and ~/.claude.json are read by Claude Code as plain JSON; VS Code reads its file as JSON with comments.
  const jsonc = c.source === 'vscode' || c.source === 'registry';
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: !jsonc, allowTrailingComma: jsonc, allowEmptyContent: false });
  const reading = new FileReading(c.file, c.source, text, diagnostics, opts);
  if (errors.length || !root) {
    const first = errors[0];
    const where = reading.at(first?.offset ?? 0);
    const what = first ? (PARSE_ERROR_TEXT[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error)) : 'no JSON value';
    // The first error only: the parser's recovery makes the ones after it mostly echoes.
    diagnostics.push({ file: c.file, ...where, severity: 'error', code: 'bad-json', message: `Not valid ${jsonc ? 'JSON (with comments)' : 'JSON'} at line ${where.line}, column ${where.column}: ${what}. No server of this file is listed until it is fixed.` });
    return result('invalid');
  }
  if (root.type !== 'object' && !(c.source === 'registry' && root.type === 'array')) {
    reading.problem(root, 'error', 'wrong-type', `${path.basename(c.file)} must hold a JSON object${c.source === 'registry' ? ' or a list of servers' : ''}, not ${article(root.type)}.`);
    return result('invalid');
  }

  switch (c.source) {
    case 'project':
    case 'vscode': {
      const [key, other] = c.source === 'project' ? ['mcpServers', 'servers'] : ['servers', 'mcpServers'];
      const list = property(root, key);
      const misplaced = property(root, other);
      if (!list && misplaced) {
        reading.problem(misplaced.parent!, 'warning', 'wrong-key', `${SOURCE_LABEL[c.source]} lists its servers under "${key}", not "${other}": ${c.source === 'project' ? 'Claude Code' : 'VS Code'} will not see these.`);
      }
      if (c.source === 'vscode') {
        const inputs = property(root, 'inputs');
        if (inputs && inputs.type !== 'array') reading.problem(inputs, 'error', 'wrong-type', `"inputs" must be a list, not ${article(inputs.type)}.`);
        reading.inputIds = new Set(
          (inputs?.type === 'array' ? (inputs.children ?? []) : []).map((i) => property(i, 'id')).filter((n): n is Node => n?.type === 'string').map((n) => n.value as string),
        );
      }
      if (list) await reading.serverList(list, `"${key}"`);
      break;
    }
    case 'claude-local':
    case 'claude-user': {
      // Claude Code's local scope (this folder's entry under "projects") wins over its user scope: read it first.
      const projects = property(root, 'projects');
      if (projects && projects.type !== 'object') reading.problem(projects, 'error', 'wrong-type', `"projects" must be an object of folders, not ${article(projects.type)}.`);
      const folders = new Set([opts.workspaceFolder, realPathOf(opts.workspaceFolder) ?? opts.workspaceFolder]);
      const entry = projects?.type === 'object' ? (projects.children ?? []).filter((p) => folders.has(String(p.children?.[0]?.value))).map((p) => p.children?.[1]).pop() : undefined;
      const local = entry ? property(entry, 'mcpServers') : undefined;
      reading.source = 'claude-local';
      if (local) await reading.serverList(local, `"projects" → "${opts.workspaceFolder}" → "mcpServers"`);
      const user = property(root, 'mcpServers');
      reading.source = 'claude-user';
      if (user) await reading.serverList(user, '"mcpServers"');
      break;
    }
    case 'registry': {
      if (root.type === 'array') {
        await reading.serverList(root, 'the registry');
        break;
      }
      const lists = ['mcpServers', 'servers'].map((k) => [k, property(root, k)] as const).filter(([, n]) => n);
      if (!lists.length) {
        reading.problem(root, 'info', 'no-servers', `${path.basename(c.file)} has no "mcpServers" or "servers": no MCP server is listed from it.`);
      }
      for (const [k, n] of lists) await reading.serverList(n!, `"${k}"`);
      break;
    }
  }
  return result('read', reading.servers);
}

/** Two or more servers of one name: a warning at each, naming every place. */
function flagDuplicates(servers: McpServerEntry[], diagnostics: McpDiagnostic[]): void {
  const byName = new Map<string, McpServerEntry[]>();
  for (const s of servers) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    const places = group.map((s) => `${s.file}:${s.line}`);
    for (const s of group) {
      diagnostics.push({
        file: s.file,
        line: s.line,
        column: 1,
        severity: 'warning',
        code: 'duplicate-name',
        message: `MCP server "${name}" is defined in ${group.length} places: ${places.join(' and ')}. A client that reads both sees only one of them; rename one, or remove the copy.`,
      });
      s.problems.warning++;
    }
  }
}

/** Reads every MCP server list that applies to the workspace folder; files are only read. */
export async function readMcpServers(opts: McpReadOptions): Promise<McpServersReport> {
  const ws = opts.workspaceFolder;
  const candidates: Candidate[] = [
    { file: path.join(ws, '.mcp.json'), source: 'project', within: ws },
    { file: path.join(ws, '.vscode', 'mcp.json'), source: 'vscode', within: ws },
    { file: path.join(opts.home, '.claude.json'), source: 'claude-user', within: opts.home },
    ...opts.registryPaths.map((p): Candidate => ({ file: resolveRegistryPath(p, ws, opts.home), source: 'registry' })),
  ];
  // A registry the setting names that is one of the files above (or named twice) is read once; a file looked for
  // that leads outside its folder is not read there, so a registry the user named that leads to it still is.
  const seen = new Set<string>();
  const unique = candidates.filter((c) => {
    const real = realPathOf(c.file);
    const key = real ?? c.file;
    if (seen.has(key)) return false;
    const within = c.within ? realPathOf(c.within) : null;
    if (!c.within || (real && within && realPathInside(within, real))) seen.add(key);
    return true;
  });

  const perFile = await Promise.all(
    unique.map(async (c) => {
      const diagnostics: McpDiagnostic[] = [];
      const read = await readOne(c, opts, diagnostics).catch((err: Error) => {
        diagnostics.push({ file: c.file, line: 1, column: 1, severity: 'error', code: 'unreadable', message: `Cannot read ${c.file}: ${err.message}.` });
        return { file: { path: c.file, source: c.source, state: 'unreadable' as const, servers: 0 }, servers: [] };
      });
      return { ...read, diagnostics };
    }),
  );
  const diagnostics = perFile.flatMap((r) => r.diagnostics);
  const servers = perFile.flatMap((r) => r.servers);
  flagDuplicates(servers, diagnostics);
  const order = new Map(unique.map((c, i) => [c.file, i]));
  diagnostics.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return { workspaceFolder: ws, servers, diagnostics, files: perFile.map((r) => r.file), counts };
}
