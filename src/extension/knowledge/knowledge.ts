// The knowledge-vault commands: Index Knowledge Vault (progress, missing-folder offer, summary) and Search
// Knowledge (a QuickPick that asks the backend as you type and opens the picked note at its first match).
// Given an argument (tests, other extensions), Search Knowledge runs without UI and returns the hits.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCodes } from '../../backend/protocol';
import { searchQuery } from '../../store/valueRules';
import type { IndexReport } from '../../store/knowledge/indexer';
import type { BuiltContext } from '../../store/context';
import type { SearchHit } from '../../store/knowledge/search';
import type { Memory } from '../../store/memory';
import { firstMatch, INDEX_NOW_ITEM, indexSummary, matchedTerms, memoryMarkdown, noHitsItem, searchHitItem, sessionMarkdown, type HitItem } from '../../views/knowledgeItems';
import { BackendError, type BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { isViewRowCall, safeCommands } from '../safeCommand';

export interface KnowledgeDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
  /** Extra knowledge.index params: the embedder of the cairn.embedder setting when the store's differs. */
  indexParams?: () => Promise<{ embedder?: string }>;
}

const SEARCH_DEBOUNCE_MS = 100;
const SEARCH_LIMIT = 50;
/** Read-only documents of search hits that are not files: `cairn-item:/<kind>/<id>.md`. */
const ITEM_SCHEME = 'cairn-item';

/** The read-only document of an entity, memory or session (provided below, while the knowledge commands are registered). */
export const itemUri = (kind: string, id: string) => vscode.Uri.from({ scheme: ITEM_SCHEME, path: `/${kind}/${encodeURIComponent(id)}.md` });

export function registerKnowledgeCommands(d: KnowledgeDeps): vscode.Disposable[] {
  const { backend, messages, log } = d;

  const command = safeCommands(messages);

  const isMissingVault = (err: unknown) =>
    err instanceof BackendError && err.code === ErrorCodes.NotFound && typeof (err.data as { vault?: unknown } | undefined)?.vault === 'string';

  async function indexVault(create: boolean): Promise<IndexReport | undefined> {
    let report: IndexReport;
    try {
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: create ? 'Cairn: Creating and indexing the knowledge vault…' : 'Cairn: Indexing the knowledge vault…' },
        async () => backend.request<'knowledge.index', IndexReport>('knowledge.index', { create, ...(await d.indexParams?.()) }),
      );
    } catch (err) {
      if (!isMissingVault(err)) throw err;
      const vault = (err as BackendError & { data: { vault: string } }).data.vault;
      void messages
        .error(`Cairn: The knowledge vault folder ${vault} does not exist. Create it, or set cairn.vaultPath to an existing folder (an Obsidian vault works).`, 'Create Folder', 'Open Settings')
        .then((choice) => {
          if (choice === 'Create Folder') void vscode.commands.executeCommand('cairn.indexVault', { create: true });
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'cairn.vaultPath');
        });
      return undefined;
    }
    for (const s of report.skipped) log.warn(`Index: skipped ${s.path}: ${s.reason}`);
    log.info(`Indexed ${report.vault} in ${report.ms} ms: ${JSON.stringify({ ...report, skipped: report.skipped.length })}`);
    void messages.info(indexSummary(report), ...(report.skipped.length ? ['Show Log'] : [])).then((choice) => choice === 'Show Log' && log.show(true));
    return report;
  }

  /** True when the store holds no notes: the vault was never indexed, or its last index found none. */
  async function storeHasNoNotes(): Promise<boolean> {
    const [last] = await backend.request<'events.list', { data: { notes?: number } }[]>('events.list', { aggregateType: 'vault', limit: 1, order: 'desc' });
    return !last || last.data.notes === 0;
  }

  const offerIndex = () =>
    void messages.info('Cairn: The knowledge vault has not been indexed yet, so there is nothing to search.', 'Index Now').then((choice) => {
      if (choice === 'Index Now') void vscode.commands.executeCommand('cairn.indexVault');
    });

  // The templates folder (as New Note reads it) is left out of the results: a template is no answer.
  const templatesFolder = () => vscode.workspace.getConfiguration('cairn').get<string>('templatesFolder')?.trim() || 'templates';
  const search = (query: string) => backend.request<'knowledge.search', SearchHit[]>('knowledge.search', { query, mode: 'hybrid', limit: SEARCH_LIMIT, templatesFolder: templatesFolder() });

  /** Opens a hit: a note at the first line with a matched term, a task in the Projects view, anything else as a document. */
  async function openHit(hit: SearchHit): Promise<unknown> {
    if (hit.kind === 'task') return vscode.commands.executeCommand('cairn.revealTask', hit.id);
    if (hit.kind !== 'note') return showItem(hit);
    const file = path.resolve(backend.vault, ...hit.id.split('/'));
    const rel = path.relative(backend.vault, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${hit.id} is not inside the vault ${backend.vault}.`);
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    } catch {
      throw new Error(`Cannot open ${hit.id}: it is no longer in the vault ${backend.vault}. Run "Cairn: Index Knowledge Vault" to update the index.`);
    }
    const lines = Array.from({ length: doc.lineCount }, (_, i) => doc.lineAt(i).text);
    let m = firstMatch(lines, matchedTerms(hit));
    // A hit found by meaning may show no query word: open it at its best passage.
    if (!m.length && hit.line) m = { line: Math.min(hit.line - 1, Math.max(doc.lineCount - 1, 0)), character: 0, length: 0 };
    const selection = new vscode.Range(m.line, m.character, m.line, m.character + m.length);
    const editor = await vscode.window.showTextDocument(doc, { selection, preview: true });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return editor;
  }

  /** An entity (with its neighbourhood), a memory or a session, as a read-only Markdown document (never dirty, never saved). */
  async function showItem(hit: SearchHit): Promise<vscode.TextEditor> {
    // A message opens its session, in order among the others.
    const [kind, id] = hit.kind === 'message' && hit.sessionId ? ['session', hit.sessionId] : [hit.kind, hit.id];
    const uri = itemUri(kind, id);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  const itemDocuments: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const [, kind, file] = uri.path.split('/');
      const id = decodeURIComponent(file?.replace(/\.md$/, '') ?? '');
      if (kind === 'entity') return (await backend.request<'context.build', BuiltContext>('context.build', { ref: id, depth: 1 })).items.map((i) => i.text).join('\n\n---\n\n');
      if (kind === 'memory') return memoryMarkdown(await backend.request<'memory.get', Memory>('memory.get', { id }));
      if (kind === 'session') return sessionMarkdown(await backend.request<'sessions.get', Parameters<typeof sessionMarkdown>[0]>('sessions.get', { id, limit: 200 }));
      throw new Error(`Cairn cannot show ${uri.toString()}: it names no entity, memory or session.`);
    },
  };

  function showSearchPick(): void {
    const pick = vscode.window.createQuickPick<HitItem>();
    pick.title = 'Cairn: Search Knowledge';
    pick.placeholder = 'Words or "a phrase" (the last word matches as a prefix)';
    pick.matchOnDescription = false;
    pick.matchOnDetail = true; // lets the quick pick highlight the typed text in the snippet (no proposed API)
    let seq = 0; // every keystroke bumps it; a response for an older value is dropped
    let timer: ReturnType<typeof setTimeout> | undefined;
    let errorShown = false;

    const run = async (value: string, mine: number) => {
      try {
        const hits = value.trim() ? await search(value) : [];
        const empty = hits.length === 0 && (await storeHasNoNotes());
        if (mine !== seq) return;
        pick.items = empty ? [INDEX_NOW_ITEM] : hits.length ? hits.map(searchHitItem) : value.trim() ? [noHitsItem(value)] : [];
      } catch (err) {
        if (mine !== seq) return;
        pick.items = [];
        if (!errorShown) void messages.error(`Cairn: ${(err as Error).message}`);
        errorShown = true;
      } finally {
        if (mine === seq) pick.busy = false;
      }
    };

    const disposables = [
      pick.onDidChangeValue((value) => {
        const mine = ++seq;
        clearTimeout(timer);
        pick.busy = true;
        timer = setTimeout(() => void run(value, mine), SEARCH_DEBOUNCE_MS);
      }),
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0] ?? pick.activeItems[0];
        if (!item?.hit && !item?.action) return;
        pick.hide();
        if (item.action === 'index') void vscode.commands.executeCommand('cairn.indexVault');
        else if (item.hit) openHit(item.hit).catch((err: Error) => void messages.error(`Cairn: ${err.message}`));
      }),
      pick.onDidHide(() => {
        seq++;
        clearTimeout(timer);
        for (const x of disposables) x.dispose();
        pick.dispose();
      }),
    ];
    pick.show();
    pick.busy = true;
    void run('', ++seq); // an empty vault shows "Index Now" at once
  }

  return [
    vscode.workspace.registerTextDocumentContentProvider(ITEM_SCHEME, itemDocuments),
    command('cairn.indexVault', async (...args: unknown[]) => {
      const options = isViewRowCall(args) ? undefined : (args[0] as { create?: boolean } | undefined);
      if (options !== undefined && (typeof options !== 'object' || options === null || (options.create !== undefined && typeof options.create !== 'boolean'))) {
        throw new Error('Index Knowledge Vault takes no argument, or { create: true } to create a missing vault folder.');
      }
      return indexVault(options?.create === true);
    }),

    command('cairn.searchKnowledge', async (query?: unknown, options?: { open?: boolean }) => {
      if (query === undefined || isViewRowCall([query, options])) {
        showSearchPick();
        return undefined;
      }
      const parsed = searchQuery.safeParse(query);
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'query must be a string');
      const hits = await search(parsed.data);
      if (hits.length === 0 && (await storeHasNoNotes())) offerIndex();
      if (options?.open && hits[0]) await openHit(hits[0]);
      return hits;
    }),
  ];
}
