// Store reports in words, for VS Code's palette commands (src/extension/store/storeCommands.ts): pure, tested on their own.
import type { EventRow } from '../store/schema';
import { historyEntry } from './taskEditor/history';

/** Events shown in one history document. */
export const HISTORY_LIMIT = 1000;

const mdEscape = (s: string) => s.replace(/[\\`*_{}[\]<>#|]/g, '\\$&');

/** An item's history, newest first, in the words of the task editor's History. */
export function historyMarkdown(title: string, events: readonly EventRow[]): string {
  const lines = [`# History of ${title}`, '', `${events.length}${events.length === HISTORY_LIMIT ? '+' : ''} events, newest first. From Cairn's append-only event log.`, ''];
  for (const e of events) {
    const h = historyEntry(e);
    lines.push(`- **${h.at.replace('T', ' ').slice(0, 19)}** · ${mdEscape(h.actor)} (${h.source}) ${mdEscape(h.summary)} · v${h.version}`);
    for (const c of h.changes) lines.push(`  - ${mdEscape(c.field)}: ${mdEscape(c.from)} → ${mdEscape(c.to)}`);
  }
  return lines.join('\n') + '\n';
}

/** "25m 12000in 3400out q0.8" → agents.recordRun measures; undefined when a part is not one of them. */
export function parseMeasures(text: string): { durationMs?: number; tokensIn?: number; tokensOut?: number; qualityScore?: number } | undefined {
  const out: { durationMs?: number; tokensIn?: number; tokensOut?: number; qualityScore?: number } = {};
  for (const part of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(?:(\d+(?:\.\d+)?)m|(\d+)in|(\d+)out|q(0(?:\.\d+)?|1(?:\.0+)?))$/i.exec(part);
    if (!m) return undefined;
    if (m[1]) out.durationMs = Math.round(Number(m[1]) * 60_000);
    if (m[2]) out.tokensIn = Number(m[2]);
    if (m[3]) out.tokensOut = Number(m[3]);
    if (m[4]) out.qualityScore = Number(m[4]);
  }
  return out;
}
