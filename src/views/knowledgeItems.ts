// How knowledge-search hits and index reports are shown: QuickPick items and summary lines. Renders only what the
// backend returned (SearchHit, IndexReport); the search itself runs in the store.
import type * as vscode from 'vscode';
import type { IndexReport } from '../store/knowledge/indexer';
import type { SearchHit } from '../store/knowledge/search';
import type { Memory } from '../store/memory';
import type { AgentSessionRow, SessionMessageRow } from '../store/schema';

export interface HitItem extends vscode.QuickPickItem {
  hit?: SearchHit;
  action?: 'index';
}

/** `$(name)` in a title would render as an icon; a zero-width space keeps it literal. */
const literal = (s: string) => s.replace(/\$\(/g, '$\u200b(');
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * A hit as a QuickPick item: title, vault-relative path, snippet. alwaysShow keeps VS Code's own filter from hiding
 * what the store found (its matching differs: prefixes, phrases, words anywhere); with matchOnDetail the quick pick
 * highlights the typed text in label and snippet wherever it occurs literally.
 */
export function searchHitItem(hit: SearchHit): HitItem {
  if (hit.kind === 'note') return { label: literal(hit.title || hit.id), description: hit.id, detail: literal(oneLine(hit.snippet)), alwaysShow: true, hit };
  const facts = [hit.kind, hit.status ?? hit.type].filter(Boolean).join(' · ');
  return { label: `${KIND_ICONS[hit.kind]} ${literal(hit.title || hit.id)}`, description: facts, detail: literal(oneLine(hit.snippet)), alwaysShow: true, hit };
}

/** The icon before a hit that is not a note (a note's path says what it is). */
const KIND_ICONS: Record<SearchHit['kind'], string> = { note: '$(note)', task: '$(checklist)', entity: '$(symbol-class)', memory: '$(lightbulb)', session: '$(history)', message: '$(comment)' };

/** A memory as a document: what it says, then its facts. */
export function memoryMarkdown(m: Memory): string {
  const facts = [
    `type: ${m.type}`,
    `importance: ${m.importance}`,
    `confidence: ${m.confidence}`,
    `source: ${m.source}`,
    `scope: ${m.projectId ? `project ${m.projectId}` : 'the whole store'}`,
    ...(m.expiresAt ? [`expires: ${m.expiresAt}`] : []),
    `recalled: ${m.accessCount} time${m.accessCount === 1 ? '' : 's'}${m.lastAccessedAt ? `, last ${m.lastAccessedAt}` : ''}`,
    `id: ${m.id}`,
  ];
  return `# Memory (${m.type})\n\n${m.content}\n\n${facts.map((f) => `- ${f}`).join('\n')}\n`;
}

/** A session as a document: its facts, its summary, then its messages in order (the first page of them). */
export function sessionMarkdown(r: { session: AgentSessionRow; messages: SessionMessageRow[]; total: number }): string {
  const s = r.session;
  const facts = [
    `agent: ${s.agent}`,
    ...(s.projectId ? [`project: ${s.projectId}`] : []),
    ...(s.taskId ? [`task: ${s.taskId}`] : []),
    `started: ${s.startedAt}`,
    `ended: ${s.endedAt ?? 'not yet'}`,
    ...(s.tokensIn !== null || s.tokensOut !== null ? [`tokens: ${s.tokensIn ?? 0} in, ${s.tokensOut ?? 0} out`] : []),
    `id: ${s.id}`,
  ];
  const messages = r.messages.map((m) => `### ${m.seq}. ${m.role}\n\n${m.content}`);
  const more = r.total > r.messages.length ? [`(${r.messages.length} of ${r.total} messages shown; cairn session show ${s.id} --offset ${r.messages.length} for more)`] : [];
  return [`# Session of ${s.agent}`, facts.map((f) => `- ${f}`).join('\n'), ...(s.summary ? [`## Summary\n\n${s.summary}`] : []), `## Messages`, ...messages, ...more].join('\n\n') + '\n';
}

export const INDEX_NOW_ITEM: HitItem = {
  label: '$(database) Index Now',
  description: 'the knowledge vault has not been indexed yet',
  detail: 'Runs "Cairn: Index Knowledge Vault", then search again.',
  alwaysShow: true,
  action: 'index',
};

export const noHitsItem = (query: string): HitItem => ({ label: `Nothing matches "${oneLine(query)}"`, alwaysShow: true });

/** The distinct matched terms of a hit (lower case), from the highlight offsets the backend sent. */
export function matchedTerms(hit: SearchHit): string[] {
  const terms = hit.highlights.map(([start, end]) => hit.snippet.slice(start, end).trim().toLowerCase()).filter(Boolean);
  return [...new Set(terms)];
}

/** The first line (0-based) and column where any matched term occurs, with the term's length; line 0 when none does. */
export function firstMatch(lines: readonly string[], terms: readonly string[]): { line: number; character: number; length: number } {
  for (let line = 0; line < lines.length; line++) {
    const text = lines[line]!.toLowerCase();
    for (const term of terms) {
      const character = text.indexOf(term);
      if (character >= 0) return { line, character, length: term.length };
    }
  }
  return { line: 0, character: 0, length: 0 };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line summing up an index run. */
export function indexSummary(r: IndexReport): string {
  return (
    `Cairn indexed ${plural(r.notes, 'note')} (${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.unchanged} unchanged); ` +
    `links: ${r.links.resolved} resolved, ${r.links.unresolved} unresolved; ${r.skipped.length} skipped.`
  );
}
