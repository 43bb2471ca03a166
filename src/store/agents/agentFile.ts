// Claude Code subagent definition files (`.claude/agents/**/*.md`): YAML front matter between `---` lines, then a
// Markdown body that is the agent's system prompt. parseAgentFile never throws on bad input: every problem becomes a
// diagnostic with a 1-based line in the original file and a message a person can act on.
//
// Front-matter fields as documented for Claude Code subagents ("Supported frontmatter fields"): name and description
// are required; tools, disallowedTools, model, permissionMode, maxTurns, skills, mcpServers, hooks, memory,
// background, effort, isolation, color and initialPrompt are optional. Only name, description, tools, model and color
// are checked here; the others are kept as they are in `extra`.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLError, YAMLParseError } from 'yaml';
import { plainYamlValue, repeatedKeys } from '../yamlData';

export type AgentSeverity = 'error' | 'warning' | 'info';

export interface AgentDiagnostic {
  /** 1-based line in the file as written (a BOM or CRLF line ends do not shift it). */
  line: number;
  severity: AgentSeverity;
  /**
   * missing-name, missing-description, bad-yaml, no-front-matter, unclosed-front-matter, unknown-field, bad-name,
   * name-file-mismatch, bad-description, bad-model, bad-tools, unknown-tool, bad-color, empty-body (this module);
   * duplicate-name (lint.ts).
   */
  code: string;
  message: string;
}

export interface AgentDefinition {
  name: string | null;
  description: string | null;
  /** The allowed tools; null = the field is absent (or unusable), so the agent inherits all tools. */
  tools: string[] | null;
  model: string | null;
  color: string | null;
  /** Every other front-matter field, kept as parsed (documented optional fields and unknown ones alike). */
  extra: Record<string, unknown>;
  /** The system prompt: everything after the closing `---` line, with LF line ends. */
  body: string;
  diagnostics: AgentDiagnostic[];
  /** 1-based file line of each front-matter key as written (lets cross-file checks point at the right line). */
  fieldLines?: Record<string, number>;
}

export const REQUIRED_AGENT_FIELDS = ['name', 'description'] as const;

/** Every documented front-matter field of a Claude Code subagent, in the order the documentation lists them. */
export const KNOWN_AGENT_FIELDS: readonly string[] = [
  'name',
  'description',
  'tools',
  'disallowedTools',
  'model',
  'permissionMode',
  'maxTurns',
  'skills',
  'mcpServers',
  'hooks',
  'memory',
  'background',
  'effort',
  'isolation',
  'color',
  'initialPrompt',
];

/** Model aliases a subagent may name; a full model id (e.g. `claude-sonnet-4-5`) is accepted as well. */
export const MODEL_ALIASES: readonly string[] = ['sonnet', 'opus', 'haiku', 'inherit'];

/** Colours the documentation lists for the `color` field. */
export const AGENT_COLORS: readonly string[] = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', 'cyan'];

/**
 * Built-in Claude Code tool names (exact, case-sensitive). The set grows with Claude Code releases, so a tool not
 * listed here is only reported as info; a known tool in the wrong case is a warning (the name would not match).
 */
export const KNOWN_TOOLS: readonly string[] = [
  'Agent',
  'AskUserQuestion',
  'Bash',
  'BashOutput',
  'Edit',
  'EnterPlanMode',
  'ExitPlanMode',
  'Glob',
  'Grep',
  'KillShell',
  'LS',
  'LSP',
  'MultiEdit',
  'NotebookEdit',
  'NotebookRead',
  'Read',
  'Skill',
  'SlashCommand',
  'Task',
  'TaskOutput',
  'TodoWrite',
  'ToolSearch',
  'WebFetch',
  'WebSearch',
  'Write',
];

/** Spellings people borrow from other Claude Code files (slash commands, skills) or from kebab-case habits. */
const FIELD_ALIASES: Record<string, string> = {
  'allowed-tools': 'tools',
  allowedtools: 'tools',
  'allowed_tools': 'tools',
  'disallowed-tools': 'disallowedTools',
  'permission-mode': 'permissionMode',
  'max-turns': 'maxTurns',
  'mcp-servers': 'mcpServers',
  'initial-prompt': 'initialPrompt',
  colour: 'color',
  prompt: '(the Markdown body after the closing ---)',
  'system-prompt': '(the Markdown body after the closing ---)',
  systemprompt: '(the Markdown body after the closing ---)',
};

const NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DELIMITER = /^---[ \t]*$/;

export function parseAgentFile(source: string, filePath: string): AgentDefinition {
  // A BOM is not a character of the file for line counting; CRLF and lone CR become LF, which keeps line numbers.
  const text = (source.charCodeAt(0) === 0xfeff ? source.slice(1) : source).replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const diagnostics: AgentDiagnostic[] = [];
  const def: AgentDefinition = {
    name: null,
    description: null,
    tools: null,
    model: null,
    color: null,
    extra: {},
    body: text,
    diagnostics,
    fieldLines: {},
  };
  const add = (line: number, severity: AgentSeverity, code: string, message: string) =>
    diagnostics.push({ line, severity, code, message });

  if (!DELIMITER.test(lines[0] ?? '')) {
    const later = lines.findIndex((l) => DELIMITER.test(l));
    const leadingBlank = later > 0 && lines.slice(0, later).every((l) => l.trim() === '');
    add(
      1,
      'error',
      'no-front-matter',
      leadingBlank
        ? `The front matter must start on line 1, but line ${later + 1} holds the first "---". Remove the blank lines above it.`
        : 'No front matter: an agent file must start with a "---" line, then "name:" and "description:" lines, then a closing "---" line, then the system prompt.',
    );
    finishBody(def, lines.length, add);
    return def;
  }

  const close = lines.findIndex((l, i) => i > 0 && DELIMITER.test(l));
  if (close < 0) {
    add(
      1,
      'error',
      'unclosed-front-matter',
      'The front matter opened by "---" on line 1 is never closed. Add a "---" line after the last front-matter field, before the system prompt.',
    );
    def.body = lines.slice(1).join('\n');
    return def;
  }

  def.body = lines.slice(close + 1).join('\n');
  const yamlLines = lines.slice(1, close);
  const lineCounter = new LineCounter();
  // Repeated keys are found by repeatedKeys (yaml's own uniqueKeys check is quadratic: 15 s for 30,000 keys).
  const doc = parseDocument(yamlLines.join('\n'), { lineCounter, prettyErrors: false, uniqueKeys: false });
  // Line i (1-based) of the YAML text is line i + 1 of the file (line 1 is the opening "---").
  const fileLine = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line + 1);
  const errors = doc.errors.length ? doc.errors : repeatedKeys(doc).map((k) => new YAMLParseError(k.range ? [k.range[0], k.range[1]] : [0, 0], 'DUPLICATE_KEY', 'Map keys must be unique'));

  if (errors.length > 0) {
    const seen = new Set<number>();
    for (const err of errors) {
      const line = fileLine(err.pos[0]);
      if (seen.has(line)) continue; // later errors on a line are mostly echoes of the first
      seen.add(line);
      add(line, 'error', 'bad-yaml', yamlErrorMessage(err, lines[line - 1] ?? '', line));
    }
    finishBody(def, close + 1, add);
    return def;
  }
  for (const w of doc.warnings) add(fileLine(w.pos[0]), 'warning', 'bad-yaml', `Front matter: ${firstLine(w.message)}`);

  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    add(
      fileLine(root.range?.[0]),
      'error',
      'bad-yaml',
      'The front matter must be "key: value" lines (a YAML mapping), such as "name: code-reviewer".',
    );
    finishBody(def, close + 1, add);
    return def;
  }

  // An alias bomb or an alias inside its own anchor: the text parses, but its value cannot be built.
  const read = plainYamlValue(doc);
  if ('problem' in read) {
    add(1, 'error', 'bad-yaml', `The front matter could not be read: ${read.problem}.`);
    finishBody(def, close + 1, add);
    return def;
  }
  const values = (read.value ?? {}) as Record<string, unknown>;
  const seenFields = new Map<string, Node>();
  for (const pair of root?.items ?? []) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const line = fileLine(keyNode?.range?.[0]);
    def.fieldLines![key] = line;
    const valueNode = (pair.value ?? null) as Node | null;
    seenFields.set(key, valueNode as Node);
    const valueLine = valueNode?.range ? fileLine(valueNode.range[0]) : line;
    switch (key) {
      case 'name':
        def.name = readName(valueNode, line, filePath, add);
        break;
      case 'description':
        def.description = readDescription(valueNode, line, add);
        break;
      case 'tools':
        def.tools = readTools(valueNode, line, valueLine, fileLine, add);
        break;
      case 'model':
        def.model = readModel(valueNode, line, add);
        break;
      case 'color':
        def.color = readColor(valueNode, line, add);
        break;
      default:
        def.extra[key] = values[key] ?? null;
        if (!KNOWN_AGENT_FIELDS.includes(key)) {
          const guess = suggestField(key);
          add(
            line,
            'warning',
            'unknown-field',
            `Unknown front-matter field "${key}"${guess ? `; did you mean "${guess}"?` : '.'} Claude Code ignores it. ` +
              `Known fields: ${KNOWN_AGENT_FIELDS.join(', ')}.`,
          );
        }
    }
  }

  const suggested = suggestName(fileStem(filePath));
  if (!seenFields.has('name') || (def.name === null && isEmptyValue(seenFields.get('name')))) {
    add(
      def.fieldLines!.name ?? 1,
      'error',
      'missing-name',
      `The front matter has no "name"; Claude Code will not load this agent. Add a line such as "name: ${suggested || 'my-agent'}" (lowercase letters and hyphens).`,
    );
  }
  if (!seenFields.has('description') || (def.description === null && isEmptyValue(seenFields.get('description')))) {
    add(
      def.fieldLines!.description ?? 1,
      'error',
      'missing-description',
      'The front matter has no "description"; Claude Code will not load this agent. Add "description: Use this agent when …", saying when Claude should delegate to it.',
    );
  }
  finishBody(def, close + 1, add);
  return def;
}

type Add = (line: number, severity: AgentSeverity, code: string, message: string) => void;

function finishBody(def: AgentDefinition, lastHeaderLine: number, add: Add) {
  if (def.body.trim() === '') {
    add(
      lastHeaderLine,
      'warning',
      'empty-body',
      'The agent has no system prompt: write, after the closing "---", the instructions the agent should follow.',
    );
  }
}

function isEmptyValue(node: Node | null | undefined): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && (node.value === null || (typeof node.value === 'string' && node.value.trim() === ''));
}

function readName(node: Node | null, line: number, filePath: string, add: Add): string | null {
  if (isEmptyValue(node)) return null; // reported as missing-name
  if (!isScalar(node)) {
    add(line, 'error', 'bad-name', 'The "name" must be a single word such as "code-reviewer", not a list or a mapping.');
    return null;
  }
  const name = String(node.value);
  if (!NAME_PATTERN.test(name)) {
    const fixed = suggestName(name);
    add(
      line,
      'warning',
      'bad-name',
      `The name "${name}" should use only lowercase letters, digits and hyphens` +
        (fixed ? `; use "${fixed}".` : '; for example "code-reviewer".'),
    );
  }
  const stem = fileStem(filePath);
  if (stem !== '' && stem !== name) {
    add(
      line,
      'info',
      'name-file-mismatch',
      `The name "${name}" differs from the file name "${baseName(filePath)}". Claude Code uses the name; renaming the file to "${name}.md" keeps them easy to match.`,
    );
  }
  return name;
}

function readDescription(node: Node | null, line: number, add: Add): string | null {
  if (isEmptyValue(node)) return null; // reported as missing-description
  if (!isScalar(node)) {
    add(
      line,
      'error',
      'bad-description',
      'The "description" must be text. If it contains ": ", wrap it in double quotes so YAML does not read a nested mapping.',
    );
    return null;
  }
  return String(node.value);
}

function readTools(
  node: Node | null,
  line: number,
  valueLine: number,
  fileLine: (offset: number | undefined) => number,
  add: Add,
): string[] | null {
  if (isEmptyValue(node)) {
    add(
      line,
      'warning',
      'bad-tools',
      'The "tools" field is empty, so the agent inherits all tools. Remove the line to say so, or list tools such as "tools: Read, Grep, Glob".',
    );
    return null;
  }
  const entries: { tool: string; line: number }[] = [];
  if (isScalar(node)) {
    if (typeof node.value !== 'string') {
      add(line, 'warning', 'bad-tools', `"tools" must be a comma-separated list of tool names such as "Read, Grep, Bash", not ${String(node.value)}.`);
      return null;
    }
    const parts = splitTools(node.value);
    if (parts.some((p) => p === '')) {
      add(valueLine, 'warning', 'bad-tools', `"tools" has an empty entry (two commas in a row, or a trailing comma); remove it.`);
    }
    for (const p of parts) if (p !== '') entries.push({ tool: p, line: valueLine });
  } else if (isSeq(node)) {
    for (const item of node.items as (Node | null)[]) {
      const itemLine = item?.range ? fileLine(item.range[0]) : line;
      if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
        entries.push({ tool: item.value.trim(), line: itemLine });
      } else {
        add(itemLine, 'warning', 'bad-tools', `Each "tools" entry must be a tool name such as "Read"; this one is ${describe(item)} and is ignored.`);
      }
    }
  } else {
    add(line, 'warning', 'bad-tools', '"tools" must be a comma-separated string ("Read, Grep, Bash") or a YAML list of tool names.');
    return null;
  }

  for (const { tool, line: l } of entries) {
    const base = tool.replace(/\(.*$/s, '').trim();
    if (KNOWN_TOOLS.includes(base) || /^mcp__/.test(base)) continue;
    const sameCase = KNOWN_TOOLS.find((k) => k.toLowerCase() === base.toLowerCase());
    if (sameCase) {
      add(l, 'warning', 'bad-tools', `Tool names are case-sensitive: "${tool}" will not match; write "${sameCase}".`);
      continue;
    }
    const near = closest(base, KNOWN_TOOLS);
    add(
      l,
      'info',
      'unknown-tool',
      `"${tool}" is not a built-in Claude Code tool or an MCP tool ("mcp__server__tool")` +
        (near ? `; did you mean "${near}"?` : '.') +
        ' Claude Code ignores tool names it does not know; to let this agent call other agents, use "Agent".',
    );
  }
  return entries.map((e) => e.tool);
}

/** Splits "Read, Agent(worker, researcher), Bash" at top-level commas only. */
function splitTools(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out.length === 1 && out[0] === '' ? [] : out; // empty entries ("Read,,Grep", "Read,") are kept for a warning
}

function readModel(node: Node | null, line: number, add: Add): string | null {
  const allowed = `${MODEL_ALIASES.join(', ')}, or a full model id such as "claude-sonnet-4-5"`;
  if (isEmptyValue(node)) {
    add(line, 'warning', 'bad-model', `"model" is empty, so the agent inherits the main conversation's model. Remove the line, or set one of ${allowed}.`);
    return null;
  }
  if (!isScalar(node) || typeof node.value !== 'string') {
    add(line, 'warning', 'bad-model', `"model" must be one of ${allowed}; it is ${describe(node)}.`);
    return isScalar(node) ? String(node.value) : null;
  }
  const model = node.value.trim();
  if (MODEL_ALIASES.includes(model) || /^claude-[a-z0-9][a-z0-9.@:-]*$/.test(model) || /anthropic\.claude-/.test(model)) {
    return model;
  }
  const near =
    MODEL_ALIASES.find((m) => m === model.toLowerCase()) ?? closest(model.toLowerCase(), MODEL_ALIASES) ?? null;
  add(line, 'warning', 'bad-model', `Unknown model "${model}"${near ? `; did you mean "${near}"?` : '.'} Use ${allowed}.`);
  return model;
}

function readColor(node: Node | null, line: number, add: Add): string | null {
  if (isEmptyValue(node)) return null;
  if (!isScalar(node) || typeof node.value !== 'string') {
    add(line, 'warning', 'bad-color', `"color" must be one of ${AGENT_COLORS.join(', ')}; it is ${describe(node)}.`);
    return null;
  }
  const color = node.value.trim();
  if (!AGENT_COLORS.includes(color)) {
    const near = AGENT_COLORS.find((c) => c === color.toLowerCase()) ?? closest(color.toLowerCase(), AGENT_COLORS);
    add(
      line,
      'info',
      'bad-color',
      `The colour "${color}" is not one of the documented ones (${AGENT_COLORS.join(', ')})` + (near ? `; did you mean "${near}"?` : '.'),
    );
  }
  return color;
}

function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'empty';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) return typeof node.value === 'string' ? `"${node.value}"` : `${typeof node.value} ${String(node.value)}`;
  return 'not text';
}

function yamlErrorMessage(err: YAMLError, lineText: string, line: number): string {
  const key = /^\s*([A-Za-z_][\w-]*)\s*:/.exec(lineText)?.[1];
  if ((err.code === 'BLOCK_AS_IMPLICIT_KEY' || err.code === 'UNEXPECTED_TOKEN') && key && /:\s.*:\s/.test(lineText)) {
    return `Line ${line} is not valid YAML: the value of "${key}" contains ": ", which YAML reads as a nested key. Wrap the value in double quotes: ${key}: "…".`;
  }
  if (err.code === 'DUPLICATE_KEY') {
    return `Line ${line} repeats a front-matter field${key ? ` ("${key}")` : ''}; keep only one of them.`;
  }
  if (err.code === 'TAB_AS_INDENT') {
    return `Line ${line} is indented with a tab; YAML needs spaces.`;
  }
  return `The front matter is not valid YAML (line ${line}): ${firstLine(err.message)}`;
}

function baseName(filePath: string): string {
  return filePath.split(/[\\/]/).pop() ?? '';
}

function fileStem(filePath: string): string {
  return baseName(filePath).replace(/\.md$/i, '');
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/** "Code Reviewer" → "code-reviewer"; "" when nothing usable is left. */
export function suggestName(raw: string): string {
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function suggestField(key: string): string | null {
  const lower = key.toLowerCase();
  if (FIELD_ALIASES[lower]) return FIELD_ALIASES[lower];
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const sameLetters = KNOWN_AGENT_FIELDS.find((f) => squash(f) === squash(key));
  if (sameLetters) return sameLetters;
  return closest(lower, KNOWN_AGENT_FIELDS, (f) => f.toLowerCase());
}

/** The candidate within a small edit distance of `word` (≤ 1 for short words, ≤ 2 otherwise), or null. */
function closest(word: string, candidates: readonly string[], norm: (s: string) => string = (s) => s): string | null {
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word, norm(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
