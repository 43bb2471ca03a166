// docs/protocol.md's method index, made from the method table so the two cannot drift: scripts/protocol-doc.ts
// writes it between its markers, and a test fails when the file's copy is stale.
import type { z } from 'zod';
import type { MethodDef } from './features/define';
import { allMethods, features, methodNames } from './methodTable';
import { allTools } from './mcp/tools';

export const INDEX_BEGIN = '<!-- method index: generated from src/backend/methodTable.ts by `npm run docs:protocol` -->';
export const INDEX_END = '<!-- end of method index -->';
export const TOOLS_BEGIN = '<!-- MCP tools: generated from src/backend/mcp/tools.ts by `npm run docs:protocol` -->';
export const TOOLS_END = '<!-- end of MCP tools -->';

/** The params' field names, required ones in bold (a field is optional when undefined passes its schema). */
function paramsCell(params: z.ZodType): string {
  const shape = (params as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape || Object.keys(shape).length === 0) return '—';
  const fields = Object.entries(shape).map(([name, schema]) => ({ name, required: !schema.safeParse(undefined).success }));
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)].map((f) => (f.required ? `**\`${f.name}\`**` : `\`${f.name}\``)).join(', ');
}

export function renderMethodIndex(): string {
  const lines = [INDEX_BEGIN, ''];
  for (const [feature, methods] of features()) {
    lines.push(`**${feature}**`, '', '| Method | Params (required in **bold**) | Result | What it does |', '|---|---|---|---|');
    for (const [name, def] of Object.entries(methods) as [string, MethodDef][]) {
      lines.push(`| \`${name}\`${def.writes ? ' ✎' : ''} | ${paramsCell(def.params)} | ${def.result} | ${def.doc} |`);
    }
    lines.push('');
  }
  lines.push(INDEX_END);
  return lines.join('\n');
}

/** The MCP tools by profile: each tool's method, so its params and result are the method's. */
export function renderToolIndex(): string {
  const lines = [TOOLS_BEGIN, '', '| Tool | Profile | Method | Writes |', '|---|---|---|---|'];
  const methods = allMethods();
  for (const t of allTools(methodNames())) lines.push(`| \`${t.name}\` | ${t.profile} | \`${t.method}\` | ${(methods[t.method] as MethodDef).writes ? 'yes' : ''} |`);
  lines.push('', TOOLS_END);
  return lines.join('\n');
}

function replaceBetween(doc: string, begin: string, end: string, fresh: string): string {
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/protocol.md lacks the markers ${begin} … ${end}`);
  return doc.slice(0, from) + fresh + doc.slice(to + end.length);
}

/** The doc with its generated parts (method index, MCP tools) made afresh from the tables. */
export function withMethodIndex(doc: string): string {
  return replaceBetween(replaceBetween(doc, INDEX_BEGIN, INDEX_END, renderMethodIndex()), TOOLS_BEGIN, TOOLS_END, renderToolIndex());
}
