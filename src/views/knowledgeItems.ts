// How knowledge-search hits and index reports are shown: QuickPick items and summary lines. Renders only what the
// backend returned (SearchHit, IndexReport); the search itself runs in the store.
import type * as vscode from 'vscode';
import type { IndexReport } from '../store/knowledge/indexer';
import type { SearchHit } from '../store/knowledge/search';

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
  return { label: literal(hit.title || hit.path), description: hit.path, detail: literal(oneLine(hit.snippet)), alwaysShow: true, hit };
}

export const INDEX_NOW_ITEM: HitItem = {
  label: '$(database) Index Now',
  description: 'the knowledge vault has not been indexed yet',
  detail: 'Runs "Cairn: Index Knowledge Vault", then search again.',
  alwaysShow: true,
  action: 'index',
};

export const noHitsItem = (query: string): HitItem => ({ label: `No notes match "${oneLine(query)}"`, alwaysShow: true });

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
