// Data portability: the whole store, or one project, as canonical JSON rows (what the store holds, encrypted values
// kept encrypted, with the wrapped keys so the passphrase still opens them) or as a readable Markdown document per
// project (sprints and their tasks, secret fields shown when the store is unlocked).
import { asc, inArray } from 'drizzle-orm';
import { revealTask } from './crypto/fields';
import type { Orm } from './orm';
import { allProjectIds, projectAggregateIds, projectRows, type ProjectRows } from './projectRows';
import { agentRuns, cryptoKeys, events, graphEntities, graphObservations, graphRelations, type EventRow, type TaskRow } from './schema';

export const EXPORT_FORMAT = 'cairn-export';
export const EXPORT_VERSION = 1;

export interface JsonExport {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  /** The project exported, or null for the whole store. */
  projectId: string | null;
  tables: Record<string, unknown[]>;
}

export interface MarkdownExport {
  format: 'markdown';
  documents: { projectId: string; name: string; fileName: string; markdown: string }[];
}

async function eventsOf(orm: Orm, aggregateIds: string[]): Promise<EventRow[]> {
  const out: EventRow[] = [];
  for (let i = 0; i < aggregateIds.length; i += 500) {
    out.push(...(await orm.select().from(events).where(inArray(events.aggregateId, aggregateIds.slice(i, i + 500)))));
  }
  return out.sort((a, b) => a.seq - b.seq);
}

async function scopeRows(orm: Orm, projectId?: string): Promise<ProjectRows[]> {
  const ids = projectId ? [projectId] : await allProjectIds(orm);
  const out: ProjectRows[] = [];
  for (const id of ids) out.push(await projectRows(orm, id));
  return out;
}

export async function exportJson(orm: Orm, projectId?: string): Promise<JsonExport> {
  const scoped = await scopeRows(orm, projectId);
  const tables: Record<string, unknown[]> = {
    projects: scoped.map((p) => p.project),
    sprints: scoped.flatMap((p) => p.sprints),
    tasks: scoped.flatMap((p) => p.tasks),
    agent_runs: scoped.flatMap((p) => p.agentRuns),
  };
  if (projectId) {
    tables.events = await eventsOf(orm, [...(await projectAggregateIds(orm, scoped[0]!))]);
  } else {
    // The whole store: every event (store-wide ones too), runs not tied to a task, the knowledge graph.
    tables.events = await orm.select().from(events).orderBy(asc(events.seq));
    tables.agent_runs = await orm.select().from(agentRuns).orderBy(asc(agentRuns.id));
    tables.graph_entities = await orm.select().from(graphEntities).orderBy(asc(graphEntities.name));
    tables.graph_observations = await orm.select().from(graphObservations).orderBy(asc(graphObservations.entityName), asc(graphObservations.content));
    tables.graph_relations = await orm.select().from(graphRelations).orderBy(asc(graphRelations.fromName), asc(graphRelations.toName), asc(graphRelations.relationType));
  }
  tables.crypto_keys = await orm.select().from(cryptoKeys).orderBy(asc(cryptoKeys.id));
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), projectId: projectId ?? null, tables };
}

const STATUS_LABEL: Record<TaskRow['status'], string> = { pending: 'pending', in_progress: 'in progress', blocked: 'blocked', done: 'done', cancelled: 'cancelled' };

/** Keeps user text from breaking the list structure: every line indented under its item. */
const indent = (text: string, by: string) => text.split(/\r?\n/).map((l) => (l ? by + l : l)).join('\n');
const fileNameOf = (name: string, id: string) => `${name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'project'}-${id}.md`;

function taskLines(orm: Orm, task: TaskRow, children: Map<string | null, TaskRow[]>, depth: number): string[] {
  const t = revealTask(orm, task);
  const pad = '  '.repeat(depth);
  const facts = [STATUS_LABEL[t.status], t.priority, t.assignee ? `@${t.assignee}` : '', ...t.tags.map((g) => `#${g}`)].filter(Boolean);
  if (t.estimatedMinutes != null) facts.push(`est. ${t.estimatedMinutes} min`);
  if (t.tokensIn != null || t.tokensOut != null) facts.push(`tokens ${t.tokensIn ?? 0} in / ${t.tokensOut ?? 0} out`);
  if (t.qualityScore != null) facts.push(`quality ${t.qualityScore}`);
  if (t.secretFields) facts.push(`encrypted: ${t.secretFields.join(', ')}`);
  const lines = [`${pad}- [${t.status === 'done' ? 'x' : ' '}] **${t.title.replace(/\s+/g, ' ')}** — ${facts.join(' · ')} (\`${t.id}\`)`];
  if (t.description) lines.push(indent(t.description, pad + '  '));
  if (t.notes.length) lines.push(`${pad}  Notes: ${t.notes.map((n) => `[[${n}]]`).join(', ')}`);
  for (const child of children.get(t.id) ?? []) lines.push(...taskLines(orm, child, children, depth + 1));
  return lines;
}

function projectMarkdown(orm: Orm, p: ProjectRows, exportedAt: string): string {
  const ids = new Set(p.tasks.map((t) => t.id));
  // Subtasks under their parent when the parent is in the same list; others at the top of their sprint's list.
  const children = new Map<string | null, TaskRow[]>();
  for (const t of p.tasks) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const done = p.tasks.filter((t) => t.status === 'done').length;
  const out = [`# ${p.project.name}`, ''];
  if (p.project.description) out.push(p.project.description, '');
  out.push(`_Exported from Cairn on ${exportedAt.slice(0, 10)} · ${p.sprints.length} sprints · ${p.tasks.length} tasks (${done} done) · project \`${p.project.id}\`_`, '');
  const section = (title: string, sprintId: string | null, extra: string[]) => {
    const top = (children.get(null) ?? []).filter((t) => t.sprintId === sprintId);
    out.push(`## ${title}`, '', ...extra);
    out.push(...(top.length ? top.flatMap((t) => taskLines(orm, t, children, 0)) : ['_No tasks._']), '');
  };
  for (const s of p.sprints) {
    const dates = s.startsOn || s.endsOn ? ` · ${s.startsOn ?? '…'} → ${s.endsOn ?? '…'}` : '';
    section(`Sprint: ${s.name} (${s.status}${dates})`, s.id, s.goal ? [`Goal: ${s.goal}`, ''] : []);
  }
  section('Not in a sprint', null, []);
  return out.join('\n');
}

export async function exportMarkdown(orm: Orm, projectId?: string): Promise<MarkdownExport> {
  const exportedAt = new Date().toISOString();
  const scoped = await scopeRows(orm, projectId);
  return {
    format: 'markdown',
    documents: scoped.map((p) => ({ projectId: p.project.id, name: p.project.name, fileName: fileNameOf(p.project.name, p.project.id), markdown: projectMarkdown(orm, p, exportedAt) })),
  };
}
