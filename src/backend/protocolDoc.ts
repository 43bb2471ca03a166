// docs/protocol.md's method index, made from the method table so the two cannot drift: scripts/protocol-doc.ts
// writes it between its markers, and a test fails when the file's copy is stale.
import type { z } from 'zod';
import type { MethodDef } from './features/define';
import { FEATURES } from './methodTable';

export const INDEX_BEGIN = '<!-- method index: generated from src/backend/methodTable.ts by `npm run docs:protocol` -->';
export const INDEX_END = '<!-- end of method index -->';

/** The params' field names, required ones in bold (a field is optional when undefined passes its schema). */
function paramsCell(params: z.ZodType): string {
  const shape = (params as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape || Object.keys(shape).length === 0) return '—';
  const fields = Object.entries(shape).map(([name, schema]) => ({ name, required: !schema.safeParse(undefined).success }));
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)].map((f) => (f.required ? `**\`${f.name}\`**` : `\`${f.name}\``)).join(', ');
}

export function renderMethodIndex(): string {
  const lines = [INDEX_BEGIN, ''];
  for (const [feature, methods] of FEATURES) {
    lines.push(`**${feature}**`, '', '| Method | Params (required in **bold**) | Result | What it does |', '|---|---|---|---|');
    for (const [name, def] of Object.entries(methods) as [string, MethodDef][]) {
      lines.push(`| \`${name}\`${def.writes ? ' ✎' : ''} | ${paramsCell(def.params)} | ${def.result} | ${def.doc} |`);
    }
    lines.push('');
  }
  lines.push(INDEX_END);
  return lines.join('\n');
}

/** The doc with its method index replaced by a fresh one (markers included). */
export function withMethodIndex(doc: string): string {
  const begin = doc.indexOf(INDEX_BEGIN);
  const end = doc.indexOf(INDEX_END);
  if (begin < 0 || end < begin) throw new Error(`docs/protocol.md has no method index markers (${INDEX_BEGIN} … ${INDEX_END})`);
  return doc.slice(0, begin) + renderMethodIndex() + doc.slice(end + INDEX_END.length);
}
