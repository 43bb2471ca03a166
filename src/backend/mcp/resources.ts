// MCP resources: every indexed note (cairn://note/<vault-relative path>) and task (cairn://task/<id>), listed in
// pages and read through the same methods as the tools.
import { McpError, type ListResourcesResult, type ReadResourceResult, type ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { NotePage } from '../../store/knowledge/catalog';
import type { NoteText } from '../../store/knowledge/readNote';
import type { TaskRow } from '../../store/schema';
import { invoke, type Context } from '../methods';

const PAGE = 200;
const NOTE = 'cairn://note/';
const TASK = 'cairn://task/';
/** The JSON-RPC code MCP gives an unknown resource. */
const RESOURCE_NOT_FOUND = -32002;

export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  { uriTemplate: `${NOTE}{path}`, name: 'note', title: 'A note of the knowledge vault', description: 'A Markdown note by its vault-relative path (each segment URI-encoded).', mimeType: 'text/markdown' },
  { uriTemplate: `${TASK}{id}`, name: 'task', title: 'A task', description: 'A task by id, as JSON.', mimeType: 'application/json' },
];

const noteUri = (p: string) => NOTE + p.split('/').map(encodeURIComponent).join('/');

/** Notes first, then tasks; the cursor says which and from where ("notes:200", "tasks:0"). */
export async function listResources(ctx: Context, cursor?: string): Promise<ListResourcesResult> {
  const m = cursor === undefined ? ['', 'notes', '0'] : /^(notes|tasks):(\d+)$/.exec(cursor);
  if (!m) throw new McpError(-32602, `Invalid cursor "${cursor}": pass back the nextCursor of the previous page.`);
  const offset = Number(m[2]);
  if (m[1] === 'notes') {
    const page = (await invoke(ctx, 'notes.list', { offset, limit: PAGE })) as NotePage;
    const next = offset + page.notes.length;
    if (page.notes.length === 0) return listResources(ctx, 'tasks:0');
    return {
      resources: page.notes.map((n) => ({ uri: noteUri(n.path), name: n.path, title: n.title, mimeType: 'text/markdown', size: n.size })),
      nextCursor: next < page.total ? `notes:${next}` : 'tasks:0',
    };
  }
  const tasks = (await invoke(ctx, 'tasks.list', { offset, limit: PAGE })) as TaskRow[];
  return {
    resources: tasks.map((t) => ({ uri: TASK + t.id, name: t.id, title: t.title, mimeType: 'application/json', description: `${t.status}${t.assignee ? `, assigned to ${t.assignee}` : ''}` })),
    ...(tasks.length === PAGE ? { nextCursor: `tasks:${offset + PAGE}` } : {}),
  };
}

export async function readResource(ctx: Context, uri: string): Promise<ReadResourceResult> {
  if (uri.startsWith(NOTE)) {
    let path: string;
    try {
      path = uri.slice(NOTE.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      throw new McpError(-32602, `${uri} is not a valid note address (its path is not URI-encoded).`);
    }
    const note = (await invoke(ctx, 'notes.read', { note: path })) as NoteText;
    return { contents: [{ uri, mimeType: 'text/markdown', text: note.text }] };
  }
  if (uri.startsWith(TASK)) {
    let id: string;
    try {
      id = decodeURIComponent(uri.slice(TASK.length));
    } catch {
      throw new McpError(-32602, `${uri} is not a valid task address (its id is not URI-encoded).`);
    }
    const task = await invoke(ctx, 'tasks.get', { id });
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(task, null, 2) }] };
  }
  throw new McpError(RESOURCE_NOT_FOUND, `Unknown resource ${uri}: Cairn serves ${NOTE}<path> and ${TASK}<id>.`);
}
