// The setting cairn.embedder chooses what makes the vectors of search by meaning: `glove` (default),
// `transformers:/path/to/model-folder` or `openai:MODEL@http://host:port/v1`. The store remembers the embedder its
// vectors were made with (store.info `embedder`). Whenever the backend starts (activation, a restart, another store)
// and whenever the setting changes, a store that has vectors is brought to the setting: knowledge.index with that
// embedder re-embeds every passage, under a progress notification. The first index of a store embeds with the
// setting too (indexParams, used by Index Knowledge Vault). A value that does not parse, or an embedder that cannot
// work here (an endpoint that does not answer, a model folder that does not load), is one error message naming the
// setting; the backend refuses it before changing anything, so search goes on with the embedder the store has.
import * as vscode from 'vscode';
import { ErrorCodes } from '../../backend/protocol';
import { embedderToApply } from '../../store/knowledge/embedder';
import type { IndexReport } from '../../store/knowledge/indexer';
import { BackendError, type BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { resolveFolderSetting } from '../storePath';

export interface EmbedderSettingDeps {
  backend: BackendClient;
  messages: Messages;
  log: vscode.LogOutputChannel;
}

export interface EmbedderSetting {
  /** Params for knowledge.index: the setting's embedder when the store's differs (or it has none yet). */
  indexParams(): Promise<{ embedder?: string }>;
  readonly disposables: vscode.Disposable[];
}

const TRANSFORMERS = 'transformers:';

/** The setting as typed, with a model folder resolved like other folder settings (relative to the workspace). */
function settingText(): string {
  const text = (vscode.workspace.getConfiguration('cairn').get<string>('embedder') ?? '').trim() || 'glove';
  return text.startsWith(TRANSFORMERS) && text.length > TRANSFORMERS.length ? TRANSFORMERS + resolveFolderSetting(text.slice(TRANSFORMERS.length)) : text;
}

export function registerEmbedderSetting({ backend, messages, log }: EmbedderSettingDeps): EmbedderSetting {
  let queue: Promise<void> = Promise.resolve();

  const storeEmbedder = async () => (await backend.request<'store.info', { embedder: string | null }>('store.info', {})).embedder;

  const openSettings = (choice: string | undefined) => {
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'cairn.embedder');
    if (choice === 'Show Log') log.show(true);
  };

  /** Brings a store that has vectors to the setting's embedder (nothing to do for a store that has none yet). */
  async function sync(): Promise<void> {
    let stored: string | null;
    try {
      stored = await storeEmbedder();
    } catch {
      return; // the store is unavailable: the extension already says so
    }
    let target: string | undefined;
    try {
      target = embedderToApply(settingText(), stored);
    } catch (err) {
      const keeps = stored ? ` Search by meaning keeps using "${stored}".` : '';
      void messages.error(`Cairn: The setting cairn.embedder is not valid. ${(err as Error).message}${keeps}`, 'Open Settings').then(openSettings);
      return;
    }
    if (!target || !stored) return;
    log.info(`cairn.embedder is "${target}", the store's vectors were made by "${stored}": re-embedding every passage`);
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Cairn: Re-embedding the knowledge vault with ${target}…` },
        () => backend.request<'knowledge.index', IndexReport>('knowledge.index', { embedder: target }),
      );
      const e = report.embeddings;
      if (e && 'embedded' in e) void messages.info(`Cairn: Search by meaning now uses ${e.embedder}: ${e.embedded} passages embedded (${e.dimensions} dimensions) in ${(e.ms / 1000).toFixed(1)} s.`);
    } catch (err) {
      if (err instanceof BackendError && err.code === ErrorCodes.NotFound && typeof (err.data as { vault?: unknown } | undefined)?.vault === 'string') {
        log.info(`The vault does not exist; it will be embedded with ${target} when it is indexed`);
        return;
      }
      void messages
        .error(`Cairn: Could not switch search by meaning to "${target}" (setting cairn.embedder): ${(err as Error).message} Search keeps using "${stored}".`, 'Open Settings', 'Show Log')
        .then(openSettings);
    }
  }

  const requestSync = () => {
    queue = queue.then(sync).catch((err: Error) => log.error(`Applying cairn.embedder failed: ${err.message}`));
  };

  const disposables = [
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('cairn.embedder') && requestSync()),
    backend.onDidRestart(requestSync),
  ];
  requestSync(); // the backend's first start

  return {
    async indexParams() {
      try {
        const embedder = embedderToApply(settingText(), await storeEmbedder());
        return embedder ? { embedder } : {};
      } catch {
        return {}; // an invalid setting was reported when it was read; index with the store's embedder
      }
    },
    disposables,
  };
}
