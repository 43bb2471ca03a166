// The MCP tools: each is a face of one method in the method table (its schema, handler and doc), named for agents.
// The nine graph tools carry the MCP memory server's names, arguments and answers, so what was written for it works
// on Cairn unchanged. Profiles bound what an agent's context pays for the tool definitions.
import type { MethodName } from '../methodTable';

export const PROFILES = ['core', 'standard', 'all'] as const;
export type Profile = (typeof PROFILES)[number];

/** How a tool answers the memory server's way: its text, and the structured content beside it (`json`: the result as prettyJson). */
type MemoryAnswer = (result: unknown, json: string) => { text: string; structured: Record<string, unknown> };

export interface ToolDef {
  name: string;
  method: MethodName;
  /** The smallest profile that offers the tool (core ⊂ standard ⊂ all). */
  profile: Profile;
  /** What an agent should know beyond the method's one-line doc. */
  hint?: string;
  /** The memory server's answer shape (its nine tools only); other tools answer the method's result as JSON. */
  memory?: MemoryAnswer;
  /** Arguments to method params, where the memory server's defaults differ from the method's. */
  params?: (args: Record<string, unknown>) => Record<string, unknown>;
}

/** The memory server's answers are JSON indented by 2. */
export const prettyJson = (v: unknown) => JSON.stringify(v, null, 2);
const listAs =
  (key: string): MemoryAnswer =>
  (r, json) => ({ text: json, structured: { [key]: r } });
const done =
  (message: string): MemoryAnswer =>
  () => ({ text: message, structured: { success: true, message } });
const graphAnswer: MemoryAnswer = (r, json) => ({ text: json, structured: r as Record<string, unknown> });

/** Tools named for agents; every other method of the table is offered in the `all` profile as `<feature>_<verb>`. */
export const NAMED_TOOLS: ToolDef[] = [
  // The MCP memory server's nine tools.
  { name: 'create_entities', method: 'graph.createEntities', profile: 'standard', memory: listAs('entities') },
  { name: 'create_relations', method: 'graph.createRelations', profile: 'standard', memory: listAs('relations') },
  { name: 'add_observations', method: 'graph.addObservations', profile: 'standard', memory: listAs('results') },
  { name: 'delete_entities', method: 'graph.deleteEntities', profile: 'standard', memory: done('Entities deleted successfully') },
  { name: 'delete_observations', method: 'graph.deleteObservations', profile: 'standard', memory: done('Observations deleted successfully') },
  { name: 'delete_relations', method: 'graph.deleteRelations', profile: 'standard', memory: done('Relations deleted successfully') },
  { name: 'read_graph', method: 'graph.read', profile: 'standard', memory: graphAnswer, hint: 'Paged: pass offset = nextOffset for the next page.' },
  { name: 'search_nodes', method: 'graph.search', profile: 'standard', memory: graphAnswer },
  { name: 'open_nodes', method: 'graph.open', profile: 'standard', memory: graphAnswer },
  // The agent's work loop.
  { name: 'task_next', method: 'tasks.next', profile: 'core', hint: 'agent defaults to your client name.' },
  { name: 'task_claim', method: 'tasks.claim', profile: 'core', hint: 'Without id, claims the next ready task; agent defaults to your client name.' },
  { name: 'task_complete', method: 'tasks.complete', profile: 'core', hint: 'Report durationMs, tokensIn, tokensOut and qualityScore (0-1) of your work.' },
  { name: 'task_get', method: 'tasks.get', profile: 'standard' },
  { name: 'task_create', method: 'tasks.create', profile: 'core' },
  { name: 'task_update', method: 'tasks.update', profile: 'core', hint: 'Pass expectedVersion = the version you read (task_get, task_next or build_context); a task changed meanwhile is refused, so read it again.' },
  { name: 'task_list', method: 'tasks.list', profile: 'standard', params: (a) => ({ limit: 50, ...a }), hint: 'Paged by limit (default 50) and offset.' },
  { name: 'task_dependencies', method: 'tasks.dependencies', profile: 'standard' },
  { name: 'task_depend', method: 'tasks.depend', profile: 'standard' },
  { name: 'task_criteria', method: 'tasks.criteria', profile: 'standard' },
  // Memory.
  { name: 'remember', method: 'memory.remember', profile: 'core', hint: 'One fact per memory; importance 0-1 weighs recall.' },
  { name: 'recall', method: 'memory.recall', profile: 'core' },
  { name: 'forget', method: 'memory.forget', profile: 'standard' },
  // Sessions (optional capture of an agent's conversation).
  { name: 'session_start', method: 'sessions.start', profile: 'standard', hint: 'agent defaults to your client name.' },
  { name: 'session_append', method: 'sessions.append', profile: 'standard' },
  { name: 'session_end', method: 'sessions.end', profile: 'standard' },
  { name: 'session_list', method: 'sessions.list', profile: 'standard' },
  { name: 'session_get', method: 'sessions.get', profile: 'standard', hint: 'Paged by limit and offset.' },
  // Knowledge.
  { name: 'search', method: 'knowledge.search', profile: 'core' },
  { name: 'note_read', method: 'notes.read', profile: 'core' },
  { name: 'note_write', method: 'notes.write', profile: 'standard', hint: 'Read the note first (note_read) and pass its version as expectedVersion to append or replace.' },
  { name: 'build_context', method: 'context.build', profile: 'core' },
  { name: 'recent_activity', method: 'activity.recent', profile: 'standard' },
  { name: 'note_links', method: 'notes.links', profile: 'standard' },
  { name: 'note_list', method: 'notes.list', profile: 'standard', params: (a) => ({ limit: 100, ...a }), hint: 'Paged by limit (default 100) and offset.' },
  { name: 'tag_list', method: 'tags.list', profile: 'standard' },
  // Projects, agents, the log.
  { name: 'project_list', method: 'projects.list', profile: 'standard' },
  { name: 'sprint_list', method: 'sprints.list', profile: 'standard' },
  { name: 'agent_list', method: 'agents.list', profile: 'standard' },
  { name: 'agent_log_run', method: 'agents.recordRun', profile: 'standard' },
  { name: 'event_list', method: 'events.list', profile: 'standard', params: (a) => ({ limit: 50, ...a }) },
];

/**
 * Methods no agent is offered: those that take or change keys (a passphrase in a tool call ends up in transcripts),
 * and agents.mcpServers, which reads JSON files at any path it is given (the user's own registries are shown in VS
 * Code and by the CLI; an agent must not read what the user did not point Cairn at).
 */
const NOT_FOR_AGENTS = new Set<string>(['crypto.init', 'crypto.unlock', 'crypto.changePassphrase', 'crypto.lock', 'agents.mcpServers']);

export function allTools(methodNames: readonly MethodName[]): ToolDef[] {
  const named = new Set(NAMED_TOOLS.map((t) => t.method));
  const generated = methodNames
    .filter((m) => !named.has(m) && !NOT_FOR_AGENTS.has(m))
    .map((m): ToolDef => ({ name: m.replace(/\./g, '_'), method: m, profile: 'all' }));
  return [...NAMED_TOOLS, ...generated];
}

export const inProfile = (tool: ToolDef, profile: Profile) => PROFILES.indexOf(tool.profile) <= PROFILES.indexOf(profile);
