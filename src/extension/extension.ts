// Cairn's VS Code extension: starts the backend, shows the Projects view and the status-bar counts, wires the
// commands. Activation is lazy (its views, its commands, or a workspace that already holds a store).
import * as vscode from 'vscode';
import type { MethodName, ParamsInput, StoreChanged } from '../backend/protocol';
import { AgentsTreeProvider } from '../views/agentsTree';
import { ProjectsTreeProvider } from '../views/projectsTree';
import { TaskCountStatus } from '../views/statusBar';
import { ErrorCodes } from '../backend/protocol';
import { mcpLaunch, registerMcpServer, type McpLaunch } from './agents/mcpServer';
import { mcpQuery, watchMcpRegistries } from './agents/mcpRegistryWatch';
import { BackendClient, BackendError } from './backendClient';
import type { RestoreOutcome } from './backup/commands';
import { backupOnShutdown, disposeAfterShutdownBackup, registerBackup, type BackupApi } from './backup/backup';
import { registerCodeLenses } from './projects/codeLens';
import { registerCommands } from './commands';
import { registerEncryption } from './encryption/encryption';
import { registerTaskSecrets } from './encryption/taskSecrets';
import { myName, registerTaskBoard, type TaskBoardApi } from './board/taskBoard';
import { ProjectsViewState, registerProjectsView } from './projects/projectsView';
import { registerSprintCommands } from './projects/sprintCommands';
import { registerStoreCommands } from './store/storeCommands';
import { registerDashboard, type DashboardApi } from './dashboard/dashboard';
import { registerKnowledgeGraph, type KnowledgeGraphApi } from './graph/knowledgeGraph';
import { registerTaskEditor, type TaskEditorApi } from './editor/taskEditor';
import { registerEmbedderSetting } from './knowledge/embedderSetting';
import { registerKnowledgeCommands } from './knowledge/knowledge';
import { registerMarkdownEditing } from './markdown/markdown';
import { registerKnowledgeViews, type KnowledgeViews } from './knowledge/views';
import { Messages, type ShownMessage } from './messages';
import { safeCommands } from './safeCommand';
import { Retention, type RetentionResult } from './agents/retention';
import { resolveAgentDirs, resolveStoreDir, resolveVaultDir } from './storePath';

/** What activate() returns: a small API for other extensions and for the integration tests. */
export interface CairnApi {
  readonly storeDir: string;
  /** The knowledge vault folder (setting cairn.vaultPath, else `<store>/vault`). */
  readonly vaultDir: string;
  readonly activationMs: number;
  /** Resolves once the backend has opened the store (rejects with the reason when it cannot). */
  whenReady(): Promise<unknown>;
  request<M extends MethodName, R = unknown>(method: M, params: ParamsInput<M>): Promise<R>;
  onDidChangeStore: vscode.Event<StoreChanged>;
  tree: ProjectsTreeProvider;
  treeView: vscode.TreeView<unknown>;
  agentsTree: AgentsTreeProvider;
  /** The Knowledge, Tags, Links, Placeholders and Orphans views and the vault file watcher. */
  knowledgeViews: KnowledgeViews;
  statusBarText(): string;
  shownMessages(): readonly ShownMessage[];
  backendPid(): number | undefined;
  /** Backup status, history and conflicts views, automatic and shutdown backups. */
  backup: BackupApi;
  /** The task board webview (Cairn: Open Task Board). */
  taskBoard: TaskBoardApi;
  /** The task editor tabs (Cairn: Open Task). */
  taskEditor: TaskEditorApi;
  /** The dashboard webview (Cairn: Open Dashboard). */
  dashboard: DashboardApi;
  /** The knowledge graph webview (Cairn: Show Knowledge Graph). */
  knowledgeGraph: KnowledgeGraphApi;
  /** How VS Code starts Cairn's MCP server for this store (registered when VS Code has the MCP API). */
  mcpLaunch(): McpLaunch;
  readonly mcpRegistered: boolean;
  /** Runs retention now (cairn.retention.messagesDays, expired memories), as on start and once a day. */
  runRetention(): Promise<RetentionResult | undefined>;
}

const optional = <T>(value: T | undefined): T[] => (value === undefined ? [] : [value]);

export function activate(context: vscode.ExtensionContext): CairnApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Cairn', { log: true });
  const messages = new Messages(log);
  const storeDir = resolveStoreDir();
  const backend = new BackendClient(context.asAbsolutePath('dist/backend.js'), storeDir, resolveVaultDir(storeDir), resolveAgentDirs(), log, (message) => {
    void messages.warning(message, 'Show Log').then((choice) => choice && log.show());
  });
  /** Where opening the store stands (also the `cairn.state` context): set by setState below. */
  let storeState: 'starting' | 'ready' | 'error' = 'starting';
  const reportError = (err: unknown) => {
    // While the store is unavailable every request fails the same way: one notification is enough.
    if (storeState === 'ready') void messages.error(`Cairn: ${(err as Error).message}`);
  };
  const projectsView = new ProjectsViewState(context.workspaceState);
  const tree = new ProjectsTreeProvider(backend, reportError, { filter: () => projectsView.filter(), me: myName, isExpanded: projectsView.isExpanded });
  const treeView = vscode.window.createTreeView('cairn.projects', { treeDataProvider: tree, showCollapseAll: true });
  const status = new TaskCountStatus(backend);
  const agentsTree = new AgentsTreeProvider(backend, reportError, mcpQuery);
  const agentsView = vscode.window.createTreeView('cairn.agents', { treeDataProvider: agentsTree, showCollapseAll: true });
  const knowledgeViews = registerKnowledgeViews({ backend, messages, log, onError: reportError });
  const backup = registerBackup({ backend, messages, log, onError: reportError });
  const embedder = registerEmbedderSetting({ backend, messages, log });
  const retention = new Retention(backend, log);
  const taskBoard = registerTaskBoard({ context, backend, messages, log });
  const dashboard = registerDashboard({ context, backend, messages, log });
  const knowledgeGraph = registerKnowledgeGraph({ context, backend, messages, log });
  const taskEditor = registerTaskEditor({ context, backend, messages, log });

  const setState = (state: typeof storeState) => {
    storeState = state;
    return vscode.commands.executeCommand('setContext', 'cairn.state', state);
  };
  let ready: Promise<unknown>;
  const checkStore = () => {
    void setState('starting');
    ready = backend.request('store.info', {});
    ready.then(
      (info) => {
        log.info(`Store ready: ${JSON.stringify(info)}`);
        void setState('ready');
        void status.update();
        void retention.run();
        // Agent folders are small: index them at once, so the view and the file diagnostics are current.
        agentsTree.reindex().catch((err: Error) => log.warn(`Indexing agent folders failed: ${err.message}`));
      },
      (err: Error) => {
        void setState('error');
        status.showError(err.message);
        // A store whose database is gone or damaged comes back from a backup: the backend can still restore it.
        const restorable = err instanceof BackendError && (err.code === ErrorCodes.Corrupt || (err.data as { reason?: string } | undefined)?.reason === 'needs_restore');
        const actions = restorable ? ['Restore…', 'Show Log'] : ['Show Log', 'Open Settings'];
        void messages.error(`Cairn could not open its store: ${err.message}`, ...actions).then(async (choice) => {
          if (choice === 'Show Log') log.show();
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'cairn.storePath');
          if (choice === 'Restore…' && (await vscode.commands.executeCommand<RestoreOutcome | undefined>('cairn.restoreBackup'))?.restored) await refreshAll();
        });
      },
    );
    ready.catch(() => undefined);
    return ready;
  };

  const refreshAll = async () => {
    // A backend that could not open the store opens it again (after a restore, a permission fixed): a new process.
    // One still opening it is left to finish.
    if (storeState === 'error') await backend.restart();
    else await backend.ensureRunning();
    tree.refresh(0);
    await checkStore().catch(() => undefined);
  };

  const mcpRegistration = registerMcpServer(context.asAbsolutePath('dist/cli.js'), backend);
  context.subscriptions.push(
    log,
    disposeAfterShutdownBackup(backend),
    tree,
    treeView,
    status,
    agentsTree,
    agentsView,
    watchMcpRegistries(agentsTree, log),
    backend.onDidChangeStore((change) => {
      tree.refresh();
      void status.update();
      // Agents show their tasks and runs: redraw when either changed (or when unknown what changed).
      if (!change.aggregates || change.aggregates.some((a) => a.type === 'agents' || a.type === 'task')) void agentsTree.refresh().catch(() => undefined);
    }),
    backend.onDidRestart(() => {
      tree.refresh(0);
      void checkStore();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cairn.storePath') || e.affectsConfiguration('cairn.vaultPath') || e.affectsConfiguration('cairn.agentPaths')) {
        const store = resolveStoreDir();
        const vault = resolveVaultDir(store);
        const agentDirs = resolveAgentDirs();
        log.info(`Cairn settings changed: store ${store}, vault ${vault}, agents ${agentDirs.join(', ')}`);
        void backend.switchStore(store, vault, agentDirs);
      }
    }),
    ...registerCommands({ backend, tree, messages, log, refresh: refreshAll }),
    ...optional(mcpRegistration),
    ...registerKnowledgeCommands({ backend, messages, log, indexParams: embedder.indexParams }),
    ...registerMarkdownEditing({ backend, messages, log }),
    ...registerCodeLenses({ backend, treeView, tree, messages, log }),
    ...knowledgeViews.disposables,
    safeCommands(messages)('cairn.indexAgents', () => agentsTree.reindex()),
    ...registerProjectsView({ state: projectsView, view: treeView, tree, messages }),
    ...registerSprintCommands(backend, messages),
    ...registerStoreCommands(backend, messages),
    ...registerEncryption({ context, backend, messages, log }),
    ...registerTaskSecrets({ backend, messages }),
    ...backup.disposables,
    ...embedder.disposables,
    retention,
    ...taskBoard.disposables,
    ...taskEditor.disposables,
    ...dashboard.disposables,
    ...knowledgeGraph.disposables,
  );

  checkStore();
  void agentsTree.refreshMcp(); // needs no store: the MCP server files' problems show at once
  const activationMs = performance.now() - started;
  log.info(`Cairn activated in ${activationMs.toFixed(1)} ms; store ${backend.store}; vault ${backend.vault}`);

  return {
    get storeDir() {
      return backend.store;
    },
    get vaultDir() {
      return backend.vault;
    },
    activationMs,
    whenReady: () => ready,
    request: (method, params) => backend.request(method, params),
    onDidChangeStore: backend.onDidChangeStore,
    tree,
    treeView: treeView as vscode.TreeView<unknown>,
    agentsTree,
    knowledgeViews: knowledgeViews.api,
    statusBarText: () => status.text,
    shownMessages: () => messages.history,
    backendPid: () => backend.pid,
    mcpLaunch: () => mcpLaunch(context.asAbsolutePath('dist/cli.js'), backend),
    mcpRegistered: mcpRegistration !== undefined,
    runRetention: () => retention.run(),
    backup: backup.api,
    taskBoard: taskBoard.api,
    taskEditor: taskEditor.api,
    dashboard: dashboard.api,
    knowledgeGraph: knowledgeGraph.api,
  };
}

export function deactivate(): Promise<void> {
  // Everything else is in context.subscriptions; the backend is stopped once the shutdown backup has settled.
  return backupOnShutdown();
}
