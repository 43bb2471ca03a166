// Language features for the vault's Markdown notes: `[[` completion of note names and aliases (inserting the link
// text Obsidian would write), `[[Note#` heading and `[[Note#^` block completion, `#` tag completion, go-to-definition
// and a hover preview on wikilinks, embeds and Markdown links. Lists come from notes.list / tags.list (cached until
// the store changes); where a link goes comes from notes.resolve, so the editor follows the store's own rules.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NotePage, NoteSummary, TagSummary } from '../../store/knowledge/catalog';
import type { ResolvedTarget } from '../../store/knowledge/navigate';
import type { BackendClient } from '../backendClient';
import { linkAt, typingAt } from './linkAt';

/** The vault-relative path of a document in the vault, else undefined (then no feature applies). */
export function vaultPathOf(vault: string, uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return undefined;
  const rel = path.relative(vault, uri.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

const NOTES_LIMIT = 100_000;

/** The note and tag lists, fetched when first needed after a store change. */
class VaultLists {
  private notes: Promise<NoteSummary[]> | undefined;
  private tags: Promise<TagSummary[]> | undefined;
  constructor(private readonly backend: BackendClient) {}
  invalidate(): void {
    this.notes = undefined;
    this.tags = undefined;
  }
  allNotes(): Promise<NoteSummary[]> {
    this.notes ??= this.backend.request<'notes.list', NotePage>('notes.list', { limit: NOTES_LIMIT }).then((p) => p.notes);
    this.notes.catch(() => (this.notes = undefined));
    return this.notes;
  }
  allTags(): Promise<TagSummary[]> {
    this.tags ??= this.backend.request<'tags.list', TagSummary[]>('tags.list', {});
    this.tags.catch(() => (this.tags = undefined));
    return this.tags;
  }
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1).replace(/\.md$/i, '');

/**
 * The target Obsidian writes for a note ("shortest path when possible"): the file name when no other note has it,
 * else the vault-relative path without `.md` (from the vault root, `/Name`, for a top-level note).
 */
export function linkTextFor(note: NoteSummary, nameCounts: ReadonlyMap<string, number>): string {
  const name = baseName(note.path);
  if ((nameCounts.get(name.toLowerCase()) ?? 0) <= 1) return name;
  const full = note.path.replace(/\.md$/i, '');
  return full.includes('/') ? full : `/${full}`;
}

export function registerMarkdownProviders(backend: BackendClient): vscode.Disposable[] {
  const lists = new VaultLists(backend);
  const selector: vscode.DocumentSelector = { language: 'markdown', scheme: 'file' };
  const resolve = (from: string, kind: 'wikilink' | 'embed' | 'markdown', link: string) =>
    backend.request<'notes.resolve', ResolvedTarget | null>('notes.resolve', { from, kind, link });

  const completion: vscode.CompletionItemProvider = {
    async provideCompletionItems(doc, position) {
      const from = vaultPathOf(backend.vault, doc.uri);
      if (!from) return undefined;
      const line = doc.lineAt(position.line).text;
      const typing = typingAt(line.slice(0, position.character), line.slice(position.character));
      if (!typing) return undefined;
      const range = new vscode.Range(position.line, typing.from, position.line, position.character);
      const close = 'closed' in typing && !typing.closed ? ']]' : '';

      if (typing.kind === 'tag') {
        return (await lists.allTags()).map((t) => {
          const item = new vscode.CompletionItem(`#${t.tag}`, vscode.CompletionItemKind.Keyword);
          item.insertText = t.tag;
          item.filterText = t.tag;
          item.range = range;
          item.detail = `${t.total} note${t.total === 1 ? '' : 's'}`;
          return item;
        });
      }
      if (typing.kind === 'heading' || typing.kind === 'block') {
        const target = await resolve(from, 'wikilink', typing.note || from).catch(() => null);
        if (!target?.isNote) return undefined;
        if (typing.kind === 'block') {
          return target.blocks.map((b) => {
            const item = new vscode.CompletionItem(`^${b.id}`, vscode.CompletionItemKind.Reference);
            item.insertText = b.id + close;
            item.filterText = b.id;
            item.range = range;
            item.detail = `line ${b.line}`;
            return item;
          });
        }
        return target.headings.map((h, i) => {
          const item = new vscode.CompletionItem(h.text, vscode.CompletionItemKind.Reference);
          item.insertText = h.text + close;
          item.range = range;
          item.detail = `${'#'.repeat(h.level)} line ${h.line}`;
          item.sortText = String(i).padStart(5, '0');
          return item;
        });
      }
      const notes = await lists.allNotes();
      const counts = new Map<string, number>();
      for (const n of notes) counts.set(baseName(n.path).toLowerCase(), (counts.get(baseName(n.path).toLowerCase()) ?? 0) + 1);
      const items: vscode.CompletionItem[] = [];
      for (const n of notes) {
        const link = linkTextFor(n, counts);
        const item = new vscode.CompletionItem({ label: link, description: n.title !== baseName(n.path) ? n.title : undefined, detail: n.folder ? `  ${n.folder}` : undefined }, vscode.CompletionItemKind.File);
        item.insertText = link + close;
        item.filterText = `${link} ${n.title}`;
        item.range = range;
        item.detail = n.path;
        items.push(item);
        for (const alias of n.aliases) {
          const a = new vscode.CompletionItem({ label: alias, description: `→ ${link}` }, vscode.CompletionItemKind.Reference);
          a.insertText = `${link}|${alias}${close}`;
          a.filterText = alias;
          a.range = range;
          a.detail = `alias of ${n.path}`;
          items.push(a);
        }
      }
      return new vscode.CompletionList(items, notes.length >= NOTES_LIMIT);
    },
  };

  async function targetAt(doc: vscode.TextDocument, position: vscode.Position) {
    const from = vaultPathOf(backend.vault, doc.uri);
    if (!from) return undefined;
    const link = linkAt(doc.lineAt(position.line).text, position.character);
    if (!link) return undefined;
    const target = await resolve(from, link.kind, link.text).catch(() => null);
    if (!target) return undefined;
    return { target, range: new vscode.Range(position.line, link.start, position.line, link.end) };
  }

  const uriOf = (rel: string) => vscode.Uri.file(path.join(backend.vault, ...rel.split('/')));

  const definition: vscode.DefinitionProvider = {
    async provideDefinition(doc, position) {
      const found = await targetAt(doc, position);
      if (!found) return undefined;
      const line = Math.max(found.target.line - 1, 0);
      const link: vscode.LocationLink = {
        originSelectionRange: found.range,
        targetUri: uriOf(found.target.path),
        targetRange: new vscode.Range(line, 0, line, 0),
      };
      return [link];
    },
  };

  const hover: vscode.HoverProvider = {
    async provideHover(doc, position) {
      const found = await targetAt(doc, position);
      if (!found) return undefined;
      const t = found.target;
      const md = new vscode.MarkdownString();
      md.baseUri = uriOf(t.path); // relative links and images in the preview resolve from the target note
      md.appendMarkdown(`**${escapeMarkdown(t.title)}**  \n`);
      md.appendMarkdown(`\`${t.path}\`${t.heading ? ` › ${escapeMarkdown(t.heading)}` : t.block ? ` › ^${escapeMarkdown(t.block)}` : ''}`);
      if (t.missingAnchor) md.appendMarkdown(`  \n*${t.heading ? 'No such heading' : 'No such block'} in this note.*`);
      if (t.preview) md.appendMarkdown(`\n\n---\n\n${t.preview}`);
      else if (!t.isNote && IMAGE.test(t.path)) md.appendMarkdown(`\n\n![${escapeMarkdown(t.title)}](${encodeURI(path.posix.basename(t.path))})`);
      return new vscode.Hover(md, found.range);
    },
  };

  return [
    backend.onDidChangeStore(() => lists.invalidate()),
    backend.onDidRestart(() => lists.invalidate()),
    vscode.languages.registerCompletionItemProvider(selector, completion, '[', '#', '^'),
    vscode.languages.registerDefinitionProvider(selector, definition),
    vscode.languages.registerHoverProvider(selector, hover),
  ];
}

const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp|avif)$/i;
const escapeMarkdown = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
