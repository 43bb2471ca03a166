// The backup's remote: where sync pushes. Setting it only records it (in the repository's local git config,
// machine-local), after checking it is a git URL or a local repository and, unless asked not to, that it can be
// reached. Removing it only forgets it: backups stay local, the remote repository keeps what was pushed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../store/errors';
import { BackupRepo, probeRemote } from './git';
import { privateHistoryChoices, privateNotesToPush, type PrivateNoteInHistory } from './privateHistory';

export interface RemoteInfo {
  repo: string;
  url: string | null;
  reachable?: boolean;
  problem?: string;
  /** Set by `remote set`: private notes the history to push holds (sync refuses to push them until the user chooses). */
  privateHistory?: PrivateNoteInHistory[];
  /** What to do about them. */
  warning?: string;
  /** Set by `remote remove`: the URL that was removed (null: there was none). */
  removed?: string | null;
}

const URL_FORMS = [/^(https?|ssh|git|file):\/\/\S+$/i, /^[\w.-]+@[\w.-]+:\S+$/];

/** A URL git understands, or an absolute path to a local repository (made absolute when relative). */
export function normalizeRemote(url: string, cwd = process.cwd()): string {
  const u = url.trim();
  if (!u) throw new StoreError('invalid', 'The remote must not be empty: give a git URL (https://…, ssh://…, git@host:path) or a path to a repository.');
  if (u.startsWith('-')) throw new StoreError('invalid', `The remote "${u}" starts with "-": git would read it as an option. Give a git URL (https://…, ssh://…, git@host:path) or a path to a repository (./${u} for a folder of that name).`);
  if (/\s/.test(u) && !fs.existsSync(u)) throw new StoreError('invalid', `"${u}" is not a git URL (it contains spaces).`);
  if (URL_FORMS.some((r) => r.test(u))) return u;
  if (/^[a-z][\w+.-]*:\/\//i.test(u)) throw new StoreError('invalid', `"${u}" uses a transport Cairn does not accept; use https://, ssh://, git://, file:// or git@host:path.`);
  const abs = path.resolve(cwd, u);
  if (!fs.existsSync(abs)) throw new StoreError('invalid', `The remote "${u}" is neither a git URL nor an existing folder (${abs}). Create the repository first (git init --bare ${abs}).`);
  return abs;
}

export async function setRemote(repoDir: string, url: string, check: boolean): Promise<RemoteInfo> {
  const normalized = normalizeRemote(url);
  const repo = await BackupRepo.open(repoDir, true);
  if (check) {
    const problem = await probeRemote(normalized, repo.dir);
    if (problem) throw new StoreError('store_unavailable', `Cannot reach the remote ${normalized} (${problem}). It was not saved; check the URL and your access, or pass --no-check to save it anyway.`);
  }
  await repo.setRemote(normalized);
  const info: RemoteInfo = { repo: repo.dir, url: normalized, ...(check ? { reachable: true } : {}) };
  const head = await repo.head();
  const notes = head ? await privateNotesToPush(repo, head) : [];
  return notes.length ? { ...info, privateHistory: notes, warning: `${privateHistoryChoices(notes, normalized)} Until then "cairn sync" refuses to push.` } : info;
}

export async function getRemote(repoDir: string, check: boolean): Promise<RemoteInfo> {
  if (!fs.existsSync(path.join(repoDir, '.git'))) return { repo: repoDir, url: null };
  const repo = await BackupRepo.open(repoDir, false);
  const url = await repo.remoteUrl();
  if (!url || !check) return { repo: repo.dir, url };
  const problem = await probeRemote(url, repo.dir);
  return problem ? { repo: repo.dir, url, reachable: false, problem } : { repo: repo.dir, url, reachable: true };
}

/** Forgets the remote; sync then refuses until one is set again. Nothing is deleted, here or on the remote. */
export async function removeRemote(repoDir: string): Promise<RemoteInfo> {
  if (!fs.existsSync(path.join(repoDir, '.git'))) return { repo: repoDir, url: null, removed: null };
  const repo = await BackupRepo.open(repoDir, false);
  const url = await repo.remoteUrl();
  if (url) await repo.removeRemote();
  return { repo: repo.dir, url: null, removed: url };
}
