// build_context: a note, task or graph entity with its neighbourhood to a depth, cut to a token budget, most
// relevant first (the item itself, then the nearest, the best-connected of them first). What an agent reads before
// it works on something, in one call instead of a dozen.
import { listAgentRuns } from './agents/runs';
import { StoreError } from './errors';
import { findNode, neighbours, openNodes } from './graph/graph';
import { noteTasks, taskNotes } from './knowledge/taskLinks';
import { readNote } from './knowledge/readNote';
import type { TaskRow } from './schema';
import type { Store } from './store';
import { revealTask } from './crypto/fields';
import { getTask } from './tasks';
import { taskDependencies } from './taskWork';
import { estimateTokens } from './tokens';

export type ContextKind = 'task' | 'note' | 'entity';

export interface ContextItem {
  kind: ContextKind;
  /** A task's id, a note's vault-relative path, an entity's name. */
  name: string;
  distance: number;
  text: string;
  /** Cut to fit the budget (only the item asked about is ever cut; others are left out whole). */
  truncated?: boolean;
}

export interface BuiltContext {
  root: { kind: ContextKind; name: string };
  depth: number;
  maxTokens: number;
  /** Estimated tokens of the items (as JSON; src/store/tokens.ts). */
  tokens: number;
  items: ContextItem[];
  /** Items of the neighbourhood left out for the budget. */
  omitted: number;
}

/** How much of a neighbour's note text is shown (the item asked about shows whole, budget permitting). */
const EXCERPT = 1200;
const excerpt = (text: string, max = EXCERPT) => (text.length > max ? `${text.slice(0, max).trimEnd()}…` : text);

function taskText(t: Omit<TaskRow, 'sealedFields'>, full: boolean): string {
  const head = `Task ${t.id}: ${t.title}\n${t.status} · ${t.priority}${t.assignee ? ` · ${t.assignee}` : ''}${t.tags.length ? ` · #${t.tags.join(' #')}` : ''}`;
  const criteria = t.criteria.length ? `\nAcceptance criteria:\n${t.criteria.map((c) => `- [${c.done ? 'x' : ' '}] ${c.text}`).join('\n')}` : '';
  return `${head}${t.description ? `\n\n${full ? t.description : excerpt(t.description, 400)}` : ''}${criteria}`;
}

async function noteItem(store: Store, vault: string, path: string, distance: number): Promise<ContextItem | null> {
  try {
    const note = await readNote(store, vault, path);
    return { kind: 'note', name: note.path, distance, text: `Note ${note.path}\n\n${distance === 0 ? note.text : excerpt(note.text)}` };
  } catch {
    return null; // indexed but gone, or unreadable: the rest of the context still helps
  }
}

async function gather(store: Store, vault: string, ref: string, depth: number): Promise<ContextItem[]> {
  let task: TaskRow | null = null;
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(ref)) task = await getTask(store.orm, ref).catch(() => null);
  if (task) {
    const t = task;
    const deps = await store.read((orm) => taskDependencies(orm, t.id));
    const runs = await listAgentRuns(store.orm, { taskId: t.id, limit: 5 });
    const runLines = runs.map((r) => `- ${r.startedAt} ${r.agentName}: ${r.outcome}${r.notes && !r.notes.startsWith('enc:') ? ` — ${excerpt(r.notes, 200)}` : ''}`);
    const waits = deps.dependsOn.map((d) => `- waits for ${d.id} ${d.title ?? '(deleted)'} (${d.status ?? 'deleted'})`);
    const items: ContextItem[] = [{ kind: 'task', name: t.id, distance: 0, text: [taskText(revealTask(store.orm, t), true), ...(waits.length ? ['', ...waits] : []), ...(runLines.length ? ['', 'Runs:', ...runLines] : [])].join('\n') }];
    for (const d of [...deps.dependsOn, ...deps.dependants]) {
      const other = d.status ? await getTask(store.orm, d.id).catch(() => null) : null;
      if (other) items.push({ kind: 'task', name: other.id, distance: 1, text: taskText(revealTask(store.orm, other), false) });
    }
    const notes = await store.read((orm) => taskNotes(orm, t.id));
    for (const n of notes) if (n.path) items.push(...[await noteItem(store, vault, n.path, 1)].filter((x): x is ContextItem => x !== null));
    if (depth > 1) {
      for (const n of notes.filter((x) => x.path)) {
        const around = await neighbours(store, n.path!, depth - 1).catch(() => null);
        if (around) items.push(...(await nodeItems(store, vault, around.nodes.filter((x) => x.distance > 0).map((x) => ({ ...x, distance: x.distance + 1 })))));
      }
    }
    return items;
  }
  const node = await findNode(store, ref).catch(() => {
    throw new StoreError('not_found', `Nothing is called "${ref}": give a task id, a note (path, file name or title) or an entity name.`, { ref });
  });
  // The note asked about must be readable: its error (gone from the vault, not a note) is the answer, not a neighbour.
  if (node.type === 'note') await readNote(store, vault, node.name);
  const around = await neighbours(store, node.name, depth);
  const degree = new Map<string, number>();
  for (const e of around.edges) for (const n of [e.from, e.to]) degree.set(n, (degree.get(n) ?? 0) + 1);
  const ordered = [...around.nodes].sort((a, b) => a.distance - b.distance || (degree.get(b.name) ?? 0) - (degree.get(a.name) ?? 0) || a.name.localeCompare(b.name));
  const items = await nodeItems(store, vault, ordered);
  if (node.type === 'note') {
    const linked = await store.read((orm) => noteTasks(orm, node.name)).catch(() => null);
    for (const t of linked?.tasks ?? []) {
      const row = await getTask(store.orm, t.id).catch(() => null);
      if (row) items.push({ kind: 'task', name: row.id, distance: 1, text: taskText(revealTask(store.orm, row), false) });
    }
  }
  return items.sort((a, b) => a.distance - b.distance);
}

async function nodeItems(store: Store, vault: string, nodes: { name: string; type: string; distance: number }[]): Promise<ContextItem[]> {
  const graph = await openNodes(store, nodes.map((n) => n.name));
  const entities = new Map(graph.entities.map((e) => [e.name, e]));
  const items: ContextItem[] = [];
  for (const n of nodes) {
    if (n.type === 'note') {
      const item = await noteItem(store, vault, n.name, n.distance);
      if (item) items.push(item);
      continue;
    }
    const e = entities.get(n.name);
    const relations = graph.relations.filter((r) => r.from === n.name || r.to === n.name).map((r) => `- ${r.from} ${r.relationType} ${r.to}`);
    items.push({ kind: 'entity', name: n.name, distance: n.distance, text: [`Entity ${n.name} (${n.type})`, ...(e?.observations ?? []).map((o) => `- ${o}`), ...(relations.length ? ['Relations:', ...relations] : [])].join('\n') });
  }
  return items;
}

export async function buildContext(store: Store, vault: string, ref: string, depth = 1, maxTokens = 4000): Promise<BuiltContext> {
  const all = await gather(store, vault, ref, depth);
  const seen = new Set<string>();
  const unique = all.filter((i) => !seen.has(`${i.kind}:${i.name}`) && seen.add(`${i.kind}:${i.name}`));
  const items: ContextItem[] = [];
  let tokens = 0;
  let omitted = 0;
  // Each item costs what it adds to the answer: its JSON, not its text alone.
  for (const item of unique) {
    const cost = estimateTokens(JSON.stringify(item));
    if (tokens + cost <= maxTokens) {
      items.push(item);
      tokens += cost;
    } else if (item.distance === 0) {
      // The item asked about always comes, cut to the budget (the longest head whose estimate fits).
      let lo = 0;
      let hi = item.text.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (estimateTokens(JSON.stringify({ ...item, text: `${item.text.slice(0, mid)}…`, truncated: true })) <= maxTokens) lo = mid;
        else hi = mid - 1;
      }
      const text = `${item.text.slice(0, lo).trimEnd()}…`;
      items.push({ ...item, text, truncated: true });
      tokens += estimateTokens(JSON.stringify(items[items.length - 1]));
    } else omitted++;
  }
  return { root: { kind: unique[0]!.kind, name: unique[0]!.name }, depth, maxTokens, tokens, items, omitted };
}
