// A task's history as the editor lists it (and a project's or a sprint's, as Show History does): each event of the task's aggregate in words (who, human or agent, and
// what changed from what to what). Encrypted values stay hidden (an event holds the ciphertext the row held), long
// values are cut. Pure: tested on its own.
import { isEncrypted } from '../../store/crypto/cipher';
import type { EventRow } from '../../store/schema';
import { STATUS_LABELS } from '../taskBoard/messages';
import type { HistoryEntry } from './messages';

const FIELD_NAMES: Record<string, string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  assignee: 'assignee',
  tags: 'tags',
  estimatedMinutes: 'estimate',
  actualMinutes: 'actual time',
  sprintId: 'sprint',
  parentId: 'parent',
  notes: 'related notes',
  dependsOn: 'dependencies',
  criteria: 'acceptance criteria',
  tokensIn: 'tokens in',
  tokensOut: 'tokens out',
  qualityScore: 'quality',
  sealedFields: 'encrypted fields',
  rank: 'order on the board',
};
/** Bookkeeping that follows from another change: not listed on its own. */
const DERIVED = new Set(['startedAt', 'completedAt', 'updatedAt', 'version']);
const MAX_VALUE = 80;

function show(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (isEncrypted(value)) return '🔒 encrypted';
  if (field === 'status' && typeof value === 'string') return STATUS_LABELS[value as keyof typeof STATUS_LABELS] ?? value;
  if (field === 'criteria' && Array.isArray(value)) {
    const done = value.filter((c) => (c as { done?: boolean }).done).length;
    return `${done}/${value.length} done`;
  }
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_VALUE ? `${line.slice(0, MAX_VALUE - 1)}…` : line;
}

const fieldName = (f: string) => FIELD_NAMES[f] ?? f;

export function historyEntry(e: Pick<EventRow, 'seq' | 'version' | 'type' | 'data' | 'actor' | 'source' | 'createdAt'>): HistoryEntry {
  const base = { seq: e.seq, version: e.version, at: e.createdAt, actor: e.actor, source: e.source };
  const data = (e.data ?? {}) as { from?: Record<string, unknown>; to?: Record<string, unknown>; cause?: string };
  // task.created → "created the task"; the same words serve a project's or a sprint's log.
  const [noun, kind] = e.type.includes('.') ? [e.type.slice(0, e.type.indexOf('.')), e.type.slice(e.type.indexOf('.') + 1)] : ['item', e.type];
  if (kind === 'created') return { ...base, summary: `created the ${noun}`, changes: [] };
  if (kind === 'deleted') return { ...base, summary: `deleted the ${noun}`, changes: [] };
  if (kind === 'restored') return { ...base, summary: `restored the ${noun} from a backup`, changes: [] };
  const to = data.to ?? {};
  const from = data.from ?? {};
  const fields = Object.keys(to).filter((f) => !DERIVED.has(f));
  const changes = fields.map((f) => ({ field: fieldName(f), from: show(f, from[f]), to: show(f, to[f]) }));
  let summary: string;
  if (fields.length === 1 && fields[0] === 'status') summary = `moved it to ${show('status', to.status)}`;
  else if (fields.length === 1 && fields[0] === 'assignee') summary = to.assignee ? `assigned it to ${show('assignee', to.assignee)}` : 'unassigned it';
  else if (fields.length === 1 && fields[0] === 'criteria') summary = 'changed the acceptance criteria';
  else if (fields.length) summary = `changed ${fields.map(fieldName).join(', ')}`;
  else summary = kind.replace(/_/g, ' ');
  if (data.cause === 'task.deleted') summary += ' (its parent was deleted)';
  return { ...base, summary, changes };
}
