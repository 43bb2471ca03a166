// Sync = back up, fetch, merge, apply, push — never a force-push.
//
// 1. A backup commits the local state (so "mine" is a commit).
// 2. `git fetch` the remote's main. Nothing new → push ours if ahead; the remote ahead → fast-forward to it;
//    both moved → mergeTree.ts merges theirs into the working tree and a commit with both parents is made.
// 3. The store and the folders are brought to that commit (applyTree.ts: one transaction for the rows; a marker
//    in .git/cairn/ until done, see pendingSync.ts). If the store was written since the backup, nothing is
//    applied and the sync starts over from step 1.
// 4. `git push` without force. Refused because another machine pushed first (or was updating the remote's branch
//    at that instant: its ref lock) → a jittered backoff, then fetch and merge again, up to maxAttempts rounds.
//    Before it, the objects to push are checked for private notes committed before the remote was set
//    (privateHistory.ts): found, the push is refused unless allowed, or a fresh history is asked for.
// An erased project stays erased: the merge drops rows of it that the other side still had (tombstones.ts), and
// the rows a sync removes because another machine erased them are removed with secure_delete.
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleGit } from 'simple-git';
import { ERASED, withSecureDelete } from '../store/erase';
import { StoreError } from '../store/errors';
import { foreignKeysOf } from '../store/snapshot/apply';
import { tableCatalog } from '../store/snapshot/tables';
import { countOpenConflicts } from '../store/conflicts';
import { applyFiles, applyRows, deltaOf, StoreMovedOn, treeDelta, type FileChange, type TreeDelta } from './applyTree';
import { backupLocked, repoDirOf, type BackupEnv, type BackupSettings } from './backup';
import { checkCancelled, isCancelled, resetUnfinished } from './cancel';
import { crashPoint } from './crashPoints';
import { BackupRepo, explainGitError, gitEnv, pushRaceOf } from './git';
import { MANIFEST } from './layout';
import { incomingMassRemovals, massDeleteRefusal } from './massDelete';
import { withBackupLock } from './lock';
import { mergeIntoWorkingTree, type FoundConflict, type ForeignKey, type TreeMerge } from './mergeTree';
import { clearPendingSync, resumePendingSync, writePendingSync } from './pendingSync';
import { privateHistoryRefusal, privateNotesToPush, startFreshHistory } from './privateHistory';
import { resumePendingRestore, roots } from './restore';
import { clearInProgress, markInProgress, readState, writeState } from './state';

export interface SyncSettings extends BackupSettings {
  maxAttempts?: number;
  /** Push private notes that earlier commits (made before the remote was set) hold. */
  allowPrivateHistory?: boolean;
  /** When the history to push holds private notes: push a new root commit of the current state instead. */
  freshHistory?: boolean;
  /** Back up and apply removals that no logged deletion explains, however many (massDelete.ts). */
  allowMassDelete?: boolean;
}

export interface SyncResult {
  status: 'up_to_date' | 'pushed' | 'fast_forward' | 'merged';
  remote: string;
  head: string | null;
  backupCommit: string | null;
  theirs: string | null;
  base: string | null;
  pushed: boolean;
  attempts: number;
  changes: { fromTheirs: Record<string, number>; merged: Record<string, number> };
  conflicts: FoundConflict[];
  openConflicts: number;
  /** Erased projects whose rows the merge dropped (they came from a side that still had them). */
  erased: { projects: string[]; rows: Record<string, number> };
  /** The fresh history started for the remote (freshHistory), and the local branch keeping the previous one. */
  freshHistory: { commit: string; branch: string } | null;
  warnings: string[];
  ms: number;
}

export interface SyncProgress {
  phase: 'backup' | 'fetch' | 'merge' | 'apply' | 'push';
  attempt: number;
  /** Whether cancelling still stops the sync: until the merge is applied to the store (or the push starts). */
  cancellable: boolean;
}

const BRANCH = 'main';
const REMOTE_REF = `refs/remotes/origin/${BRANCH}`;
const NETWORK_TIMEOUT_MS = 120_000;
/**
 * Rounds of fetch-merge-push when other machines keep pushing first (bench/sync-race.bench.ts: of 8 machines syncing
 * at once, the last needed 5).
 */
const DEFAULT_MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 10_000;

/**
 * The wait after round `attempt` lost a push race, before fetching again. The machines racing spend about as long
 * from fetch to push as this one did (`windowMs`): a random wait within a span that doubles from that window each
 * round spreads them over as many windows as there are machines, so each one's push finds the remote unmoved.
 */
function raceBackoffMs(attempt: number, windowMs: number): number {
  return Math.random() * Math.min(MAX_BACKOFF_MS, windowMs * 2 ** (attempt - 1));
}

const firstLine = (err: unknown) => {
  const msg = ((err as Error)?.message ?? String(err)).trim();
  return msg.split('\n').find((l) => l.trim() && !/^(hint|To |From )/.test(l.trim()))?.trim() ?? msg;
};

/** A git for the network steps: never prompts for credentials, gives up when the remote stays silent; `abort` kills it. */
const networkGit = (dir: string, abort?: AbortSignal) =>
  simpleGit({ baseDir: dir, allowEnvironment: ['GIT_TERMINAL_PROMPT'], timeout: { block: NETWORK_TIMEOUT_MS }, ...(abort ? { abort } : {}) } as never).env(gitEnv({ GIT_TERMINAL_PROMPT: '0' }));

async function revOrNull(repo: BackupRepo, ref: string): Promise<string | null> {
  const out = await repo.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
  return out.trim() || null;
}

async function mergeBase(repo: BackupRepo, a: string, b: string): Promise<string | null> {
  return (await repo.git.raw(['merge-base', a, b]).catch(() => '')).trim() || null;
}

/** One sync, holding the store's backup lock. */
export function runSync(env: BackupEnv & { onSyncProgress?: (p: SyncProgress) => void }, settings: SyncSettings): Promise<SyncResult> {
  return withBackupLock(env.store.dir, 'sync', async () => {
    await resumePendingRestore(env, settings);
    const warnings = await resumePendingSync(env, settings);
    return syncLocked(env, settings, warnings);
  });
}

async function syncLocked(env: BackupEnv & { onSyncProgress?: (p: SyncProgress) => void }, settings: SyncSettings, warnings: string[]): Promise<SyncResult> {
  const started = performance.now();
  const repoDir = repoDirOf(env.store, settings);
  const maxAttempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const result: SyncResult = { status: 'up_to_date', remote: '', head: null, backupCommit: null, theirs: null, base: null, pushed: false, attempts: 0, changes: { fromTheirs: {}, merged: {} }, conflicts: [], openConflicts: 0, erased: { projects: [], rows: {} }, freshHistory: null, warnings, ms: 0 };
  const finish = async () => ({ ...result, openConflicts: await countOpenConflicts(env.store.orm), ms: Math.round(performance.now() - started) });

  let retryReason = '';
  // Whether a round applied its merge (or fast-forward) to the store: a later round's refusal must not say "nothing".
  let appliedBefore = false;
  // Cancelling stops the sync until the merge is applied to the store (or the push starts); after that it runs to the end.
  let cancellable = true;
  const stopIfCancelled = (backedUp: string) => {
    if (cancellable) checkCancelled(env.signal, `The sync was cancelled before the store was changed: nothing was merged or pushed; your changes are backed up locally (commit ${backedUp.slice(0, 10)}). Sync again when you like.`);
  };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    result.attempts = attempt;
    const progress = (phase: SyncProgress['phase']) => {
      if (phase === 'apply' || phase === 'push') cancellable = false;
      env.onSyncProgress?.({ phase, attempt, cancellable });
    };
    progress('backup');
    const backup = await backupLocked(cancellable ? env : { ...env, signal: undefined }, settings, { kind: 'backup', allowMassDelete: settings.allowMassDelete, inSync: true }).catch((err: unknown) => {
      throw isCancelled(err) ? new StoreError('cancelled', 'The sync was cancelled before anything was committed, fetched or merged: the store was not changed. Sync again when you like.') : err;
    });
    if (backup.status === 'committed') result.backupCommit ??= backup.commit;
    result.warnings.push(...backup.warnings.filter((w) => !result.warnings.includes(w)));
    crashPoint('sync:backed-up');

    const repo = await BackupRepo.open(repoDir, false);
    const url = await repo.remoteUrl();
    if (!url) throw new StoreError('invalid', `This store has no remote to sync with. Set one with "cairn remote set URL" (or Cairn: Configure Backup Remote); your changes are backed up locally in ${repoDir}.`);
    result.remote = url;
    let ours = (await repo.head())!;
    const net = networkGit(repo.dir);

    stopIfCancelled(ours);
    progress('fetch');
    const fetchedAt = performance.now();
    try {
      // --prune: a remote-tracking ref left from an earlier remote must not hide what this push would send.
      // --verbose: it prints its refs even when nothing is new (simple-git waits 50 ms more after a silent command).
      await networkGit(repo.dir, cancellable ? env.signal : undefined).raw(['fetch', '--verbose', '--no-tags', '--prune', 'origin']);
    } catch (err) {
      stopIfCancelled(ours); // the fetch was stopped: git drops its unfinished ref updates and packs itself
      throw new StoreError('store_unavailable', `Cannot reach the remote ${url} (${firstLine(err)}). Nothing was merged and the store was not changed; your changes are backed up locally (commit ${ours.slice(0, 10)}). Sync again when the remote is reachable.`);
    }
    crashPoint('sync:fetched');
    stopIfCancelled(ours);
    const theirs = await revOrNull(repo, REMOTE_REF);
    result.theirs = theirs;
    if (settings.freshHistory && !result.freshHistory && (await privateNotesToPush(repo, ours)).length) {
      const fresh = await startFreshHistory(repo, url);
      const state = readState(repo.cairnDir);
      if (state?.head === ours) writeState(repo.cairnDir, { ...state, head: fresh.commit }); // same tree: still valid
      result.freshHistory = { commit: fresh.commit, branch: fresh.branch };
      ours = fresh.commit;
    }

    let target: string | null = null;
    let mergeWrites: FileChange[] | null = null;
    let roundMerge: TreeMerge | null = null;
    // One merge-base says it all: theirs behind ours (push), ours behind theirs (fast-forward), or both moved on.
    const base = theirs === null || theirs === ours ? null : await mergeBase(repo, ours, theirs);
    if (theirs === null || theirs === ours || base === theirs) {
      // A round after a merge that lost its push race may find the remote unmoved: the sync still merged.
      if (result.status !== 'merged') result.status = theirs === ours ? 'up_to_date' : 'pushed';
    } else if (base === ours) {
      result.status = 'fast_forward';
      target = theirs;
    } else {
      progress('merge');
      result.status = 'merged';
      result.base = base;
      markInProgress(repo.cairnDir);
      const fks = await foreignKeyMap(env);
      const merged = await mergeIntoWorkingTree({ repo, base, ours, theirs, foreignKeys: fks, machine: os.hostname() || 'this machine', who: env.who }).catch(async (err: unknown) => {
        await resetUnfinished(repo); // a merge refused (a damaged line, another schema) leaves nothing behind
        throw err;
      });
      crashPoint('sync:merged');
      await repo.stageFiles([...merged.writes.map((w) => w.path), MANIFEST]); // the working tree was ours: only these changed
      mergeWrites = merged.writes;
      const tree = await repo.writeTree();
      const subject = `Sync: merged ${theirs.slice(0, 10)} from ${url}${merged.conflicts.length ? ` (${merged.conflicts.length} conflict${merged.conflicts.length === 1 ? '' : 's'})` : ''}`;
      target = (await repo.git.raw(['commit-tree', tree, '-p', ours, '-p', theirs, '-m', subject, '-m', `Cairn-Kind: sync\nCairn-Conflicts: ${merged.conflicts.length}`])).trim();
      roundMerge = merged;
      if (env.signal?.aborted) {
        await resetUnfinished(repo); // the merge commit made by commit-tree is referenced by nothing
        stopIfCancelled(ours);
      }
    }

    if (target) {
      progress('apply');
      markInProgress(repo.cairnDir);
      writePendingSync(repo.cairnDir, { ours, target });
      crashPoint('sync:committed');
      const state = readState(repo.cairnDir);
      let delta: TreeDelta;
      let newest;
      try {
        // Reading the rows checks each one (applyTree.ts): a bad row refuses the sync, which then drops its merge too.
        delta = mergeWrites ? await deltaOf(env.store, mergeWrites, roots(env, settings)) : await treeDelta(env.store, repo, ours, target, roots(env, settings));
        if (result.status === 'fast_forward') result.changes.fromTheirs = Object.fromEntries(delta.rows.map((t) => [t.spec.name, t.upserted.length + t.deleted.length]).filter(([, n]) => n));
        // Removals that no deletion logged on the other machines explains are not applied unless allowed.
        const massRemovals = settings.allowMassDelete ? {} : await incomingMassRemovals(env.store, delta, roundMerge?.erasedHere);
        if (Object.keys(massRemovals).length) throw massDeleteRefusal('sync-apply', massRemovals, ours, appliedBefore);
        const apply = () => applyRows(env.store, delta, target, { seq: state?.lastSeq ?? 0, id: state?.lastEventId ?? null });
        newest = bringsErase(delta) ? await withSecureDelete(env.store, apply) : await apply();
      } catch (err) {
        await repo.resetToHead();
        clearPendingSync(repo.cairnDir);
        clearInProgress(repo.cairnDir);
        if (err instanceof StoreMovedOn) {
          retryReason = 'the store was written while it was being merged';
          continue;
        }
        throw err;
      }
      crashPoint('sync:applied');
      appliedBefore = true;
      result.warnings.push(...applyFiles(delta));
      crashPoint('sync:files');
      // After a merge the index and working tree already hold the merge commit's tree (staged above): only the branch
      // moves. A fast-forward brings the working tree to theirs.
      if (result.status === 'merged') await repo.moveHead(target, ours, `sync: merged ${result.theirs!.slice(0, 10)}`);
      else await fastForward(repo, ours, target);
      if (state) writeState(repo.cairnDir, { ...state, head: target, tree: undefined, lastSeq: newest?.seq ?? 0, lastEventId: newest?.id ?? null });
      clearPendingSync(repo.cairnDir);
      clearInProgress(repo.cairnDir);
    }
    // Applied: what this round merged adds to what earlier rounds (that lost their push race) merged.
    if (roundMerge) addMerge(result, roundMerge);
    result.head = target ?? ours;
    if (result.status === 'up_to_date') return finish();

    if ((settings.privateNotes ?? 'auto') !== 'include' && !settings.allowPrivateHistory) {
      const notes = await privateNotesToPush(repo, result.head!);
      if (notes.length) throw privateHistoryRefusal(notes, url, result.head);
    }
    progress('push');
    crashPoint('sync:before-push');
    try {
      await net.raw(['push', '--quiet', '--porcelain', 'origin', `${BRANCH}:refs/heads/${BRANCH}`]);
      result.pushed = true;
      return finish();
    } catch (err) {
      const race = pushRaceOf(err);
      if (race) {
        retryReason = `the remote refused the push (${firstLine(err).replace(/\s+/g, ' ')}): ${race}`;
        if (attempt < maxAttempts) await sleep(raceBackoffMs(attempt, performance.now() - fetchedAt));
        continue;
      }
      if (/No space left|corrupt/i.test((err as Error)?.message ?? String(err))) throw explainGitError(err, repoDir, 'pushing');
      throw new StoreError('store_unavailable', `Cannot push to the remote ${url} (${firstLine(err)}). The merge is kept locally (commit ${result.head?.slice(0, 10)}); sync again to push it.`);
    }
  }
  const kept = result.status === 'merged' ? 'your changes and the merge' : 'your changes';
  throw new StoreError('busy', `The sync with ${result.remote} did not go through in ${maxAttempts} attempts (last: ${retryReason}); nothing was force-pushed, and the local backup holds ${kept}${result.head ? ` (commit ${result.head.slice(0, 10)})` : ''}. Sync again in a moment.`);
}

/**
 * Brings the index and working tree from ours to target and moves the branch. A two-tree `read-tree -m -u` touches
 * only the paths that differ, where `reset --hard` would re-check every file (and re-read each one written in the
 * same second as the index); anything in its way (a file changed by hand) and it is `reset --hard` after all.
 * A plain process: simple-git waits 50 ms more after a command that prints nothing.
 */
async function fastForward(repo: BackupRepo, ours: string, target: string): Promise<void> {
  try {
    await promisify(execFile)('git', ['-C', repo.dir, 'read-tree', '-m', '-u', ours, target], { env: gitEnv({}) });
    await repo.moveHead(target, ours, `sync: fast-forward to ${target.slice(0, 10)}`);
  } catch {
    await repo.git.raw(['reset', '--quiet', '--hard', target]);
  }
}

function addMerge(result: SyncResult, merge: TreeMerge): void {
  const add = (into: Record<string, number>, counts: Record<string, number>) => {
    for (const [k, n] of Object.entries(counts)) into[k] = (into[k] ?? 0) + n;
  };
  add(result.changes.fromTheirs, merge.fromTheirs);
  add(result.changes.merged, merge.merged);
  result.conflicts.push(...merge.conflicts);
  result.erased.projects = [...new Set([...result.erased.projects, ...merge.erased.projects])];
  add(result.erased.rows, merge.erased.rows);
}

/** Whether the rows to apply carry an erase made on another machine (its rows then go with secure_delete). */
function bringsErase(delta: TreeDelta): boolean {
  const events = delta.rows.find((t) => t.spec.name === 'events');
  const type = events?.spec.columns.indexOf('type') ?? -1;
  return type >= 0 && events!.upserted.some((row) => row[type] === ERASED);
}

async function foreignKeyMap(env: BackupEnv): Promise<Map<string, ForeignKey[]>> {
  const out = new Map<string, ForeignKey[]>();
  for (const spec of (await tableCatalog(env.store.conn)).source) {
    const fks = await foreignKeysOf(env.store.conn, spec.name);
    if (fks.length) out.set(spec.name, fks);
  }
  return out;
}
