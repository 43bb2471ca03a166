// Cross-file checks over a set of parsed agent definitions (for instance every `.claude/agents/*.md` of a project).
// Today: two files declaring the same agent name, which Claude Code cannot both load.

import type { AgentDefinition, AgentDiagnostic } from './agentFile';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Returns, for every file given (in input order), its own diagnostics plus the cross-file ones, sorted by line then
 * severity. The definitions are not modified. A path given twice is one file: its diagnostics are merged.
 */
export function lintAgents(files: { path: string; definition: AgentDefinition }[]): Map<string, AgentDiagnostic[]> {
  const result = new Map<string, AgentDiagnostic[]>();
  const byName = new Map<string, { path: string; definition: AgentDefinition }[]>();

  for (const file of files) {
    const list = result.get(file.path) ?? [];
    for (const d of file.definition.diagnostics) {
      if (!list.some((x) => sameDiagnostic(x, d))) list.push({ ...d });
    }
    result.set(file.path, list);

    const name = file.definition.name;
    if (name === null) continue;
    const group = byName.get(name) ?? [];
    if (!group.some((g) => g.path === file.path)) group.push(file);
    byName.set(name, group);
  }

  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    for (const file of group) {
      const others = group.filter((g) => g !== file).map((g) => g.path);
      result.get(file.path)!.push({
        line: file.definition.fieldLines?.name ?? 1,
        severity: 'error',
        code: 'duplicate-name',
        message:
          `The agent name "${name}" is also used by ${others.join(', ')}. Claude Code loads only one agent per name, ` +
          'so the others are silently shadowed; give each agent its own name.',
      });
    }
  }

  for (const list of result.values()) {
    list.sort((a, b) => a.line - b.line || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  }
  return result;
}

function sameDiagnostic(a: AgentDiagnostic, b: AgentDiagnostic): boolean {
  return a.line === b.line && a.code === b.code && a.message === b.message;
}
