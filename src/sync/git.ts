// The backup repository: a normal git repository (default <store>/backup), driven through simple-git. It sets
// its own committer identity and turns off what a user's global git config could add (signing, line-ending
// conversion), so a backup commits the bytes as they are on any machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError, simpleGit, type SimpleGit } from 'simple-git';
import { StoreError } from '../store/errors';
import { readConfigCheck, writeConfigCheck } from './state';
import { fileStamp } from './stamps';
import { EMPTY_TREE } from './blobs';
import { DB_DIR, FILES_DIR, MANIFEST } from './layout';

const GITATTRIBUTES = '# Written by Cairn: files are stored byte for byte (no line-ending conversion).\n* -text\n';
const README = `# Cairn backup

This repository is written by Cairn (\`cairn backup\`). Restore it with \`cairn restore <commit>\`; see
\`cairn history\`. Layout: \`manifest.json\` (versions, tables, a sha256 per file), \`db/<table>/<xx>.jsonl\` (one row
per line, sorted by key; <xx> = first two hex digits of sha256 of the row's key), \`files/vault/\` (the notes),
\`files/agents/<folder>/\` (agent definitions). Do not edit these files by hand: a restore checks them first.
`;


/**
 * For `git add` of many files (a first backup writes as many blobs as the store and vault have files): each blob goes
 * into one pack (git add's bulk check-in, for files over core.bigFileThreshold) instead of a file of its own, since
 * creating files is the costliest part; compressed as fast as loose objects are (level 1). gc repacks as usual.
 */
const BULK_CHECKIN = ['-c', 'core.bigFileThreshold=1', '-c', 'pack.compression=1'];

/** Variables that steer git (editors, pagers, ssh, config paths): simple-git refuses them when set explicitly. */
const GIT_STEERING = /^(git_.*|editor|visual|pager|prefix|ssh_askpass)$/i;

/** The process environment without the variables that steer git, plus extra. */
export function gitEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !GIT_STEERING.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface LogEntry {
  commit: string;
  date: string;
  subject: string;
  trailers: Record<string, string>;
}

/** Turns a git failure into a message a person can act on (disk full, damaged repository, …). */
export function explainGitError(err: unknown, repo: string, doing: string): StoreError {
  if (err instanceof StoreError) return err;
  const msg = ((err as Error)?.message ?? String(err)).trim();
  // git's own complaint, not what --verbose printed before it (simple-git puts stdout first when both are there).
  const lines = msg.split('\n').filter((l) => l.trim());
  const first = lines.find((l) => /^(fatal|error):/i.test(l.trim())) ?? lines.find((l) => !/^(add|remove) '/.test(l)) ?? lines[0] ?? msg;
  if (/No space left on device|ENOSPC/i.test(msg)) {
    return new StoreError('disk_full', `The disk holding the backup repository ${repo} is full (${doing}). The store was not changed; free some space and run the backup again.`);
  }
  if (/not a git repository|can only be used inside a git repository|bad object|corrupt|unable to read|unable to unpack|is not a valid '|loose object|fatal: bad/i.test(msg)) {
    return new StoreError(
      'corrupt',
      `The backup repository ${repo} is damaged (${doing}: ${first}). Your store was not changed. Move the folder away (the next backup starts a new one) or repair it with git.`,
    );
  }
  return new StoreError('store_unavailable', `git failed while ${doing} in ${repo}: ${first}`);
}

/**
 * Why a push lost a race with another machine's push, or null when it failed for any other reason (then retrying
 * would not help). Lost: the remote moved on since our fetch (non-fast-forward, fetch first, stale info), or another
 * push was updating its branch at that instant (`[remote rejected] (failed to update ref)`, `cannot lock ref`).
 */
export function pushRaceOf(err: unknown): string | null {
  if (!(err instanceof GitError)) return null;
  const msg = err.message;
  if (/\[rejected\]|non-fast-forward|fetch first|\(stale info\)/i.test(msg)) return 'another machine pushed first';
  if (/\[remote rejected\][^\n]*\(failed to update ref|cannot lock ref/i.test(msg)) {
    // The remote's own line names the lock file ("Unable to create '…/main.lock': File exists"): the way out when it stays.
    const lock = /^remote: (?:error: )?(cannot lock ref.*?)\s*$/im.exec(msg)?.[1];
    const stale = lock && /File exists/i.test(lock) ? '; if no other machine is syncing, a git that died on the remote left that lock file: remove it' : '';
    return `another push was updating the remote's branch${lock ? ` (${lock}${stale})` : ''}`;
  }
  return null;
}

export class BackupRepo {
  private constructor(
    readonly dir: string,
    readonly git: SimpleGit,
  ) {}

  /** Whether the remote "origin" was configured when the repository was opened (read with its config, no git call). */
  remoteAtOpen = false;

  /** Cairn's own machine-local files (state, markers) inside .git/, where they are never committed or merged. */
  get cairnDir(): string {
    return path.join(this.dir, '.git', 'cairn');
  }

  static async open(dir: string, create: boolean): Promise<BackupRepo> {
    const abs = path.resolve(dir);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) throw new StoreError('store_unavailable', `The backup repository path ${abs} is a file, not a folder. Choose another backup location.`);
    const hasGit = fs.existsSync(path.join(abs, '.git'));
    if (!hasGit) {
      if (!create) throw new StoreError('not_found', `There is no backup repository at ${abs}. Run "cairn backup" first.`);
      if (st && fs.readdirSync(abs).length > 0) {
        throw new StoreError('store_unavailable', `${abs} exists, is not empty and is not a git repository; Cairn will not write its backup there. Choose an empty or new folder.`);
      }
      fs.mkdirSync(abs, { recursive: true });
    }
    const git = simpleGit({ baseDir: abs });
    const repo = new BackupRepo(abs, git);
    try {
      if (!hasGit) await git.init(['--initial-branch=main']); // not --quiet: see withInput
      fs.mkdirSync(repo.cairnDir, { recursive: true });
      await repo.configure(); // reading the local config also fails in a folder that is not a repository
    } catch (err) {
      throw explainGitError(err, abs, hasGit ? 'opening the repository' : 'creating the repository');
    }
    for (const [name, text] of [['.gitattributes', GITATTRIBUTES], ['README.md', README]] as const) {
      if (!fs.existsSync(path.join(abs, name))) fs.writeFileSync(path.join(abs, name), text);
    }
    return repo;
  }

  /** Local config only (never the user's global one): identity, no signing, bytes as they are. */
  private async configure(): Promise<void> {
    const wanted: Record<string, string> = {
      'user.name': 'Cairn backup',
      'user.email': `cairn@${os.hostname() || 'localhost'}`,
      'commit.gpgsign': 'false',
      'core.autocrlf': 'false',
      'core.quotepath': 'false',
      'core.checkstat': 'default', // the inode is compared: a changed copy keeps its original's mtime (files.ts)
    };
    // Checked once per change of .git/config (git rewrites it whole: a new stamp), not at every backup.
    const configFile = path.join(this.dir, '.git', 'config');
    const checked = readConfigCheck(this.cairnDir);
    if (checked && checked.stamp === fileStamp(configFile) && checked.wanted === JSON.stringify(wanted)) {
      this.remoteAtOpen = checked.remote;
      return;
    }
    const current = await this.git.listConfig('local');
    for (const [k, v] of Object.entries(wanted)) if (current.all[k] !== v) await this.git.addConfig(k, v, false, 'local');
    this.remoteAtOpen = current.all['remote.origin.url'] !== undefined;
    const stamp = fileStamp(configFile);
    if (stamp) writeConfigCheck(this.cairnDir, { stamp, wanted: JSON.stringify(wanted), remote: this.remoteAtOpen });
  }

  async head(): Promise<string | null> {
    try {
      return (await this.git.revparse(['--verify', '--quiet', 'HEAD^{commit}'])).trim() || null;
    } catch {
      return null;
    }
  }

  /** The commit HEAD's branch names, from .git/HEAD and the loose or packed ref; null when it is not that simple. */
  private branchTipFromFiles(): string | null {
    const gitDir = path.join(this.dir, '.git');
    const read = (rel: string) => {
      try {
        return fs.readFileSync(path.join(gitDir, rel), 'utf8');
      } catch {
        return null;
      }
    };
    const ref = /^ref: (refs\/heads\/\S+)\n?$/.exec(read('HEAD') ?? '')?.[1];
    if (!ref) return null;
    // The loose ref; else a packed one (after gc); none at all is no commit yet: git decides.
    const loose = read(ref)?.trim();
    if (loose !== undefined) return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose) ? loose : null;
    const line = read('packed-refs')?.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.slice(0, line.indexOf(' ')) : null;
  }

  /** Removes lock files a killed git left behind. Call only while holding Cairn's backup lock. */
  clearStaleGitLocks(): void {
    for (const f of ['index.lock', 'HEAD.lock', 'refs/heads/main.lock', 'config.lock']) fs.rmSync(path.join(this.dir, '.git', f), { force: true });
  }

  /** Puts the working tree and index back to the last commit (after an interrupted or refused backup). */
  async resetToHead(): Promise<void> {
    if (await this.head()) {
      await this.git.raw(['reset', '--quiet', '--hard', 'HEAD']);
      await this.git.raw(['clean', '-fdq', '--', DB_DIR, FILES_DIR]);
    } else {
      fs.rmSync(path.join(this.dir, '.git', 'index'), { force: true });
      for (const p of [DB_DIR, FILES_DIR, MANIFEST]) fs.rmSync(path.join(this.dir, p), { recursive: true, force: true });
    }
  }

  /**
   * Stages every change in the working tree; `--force`: a .gitignore copied from the vault hides nothing. The new
   * blobs go into one pack (see BULK_CHECKIN).
   */
  async stageAll(): Promise<void> {
    await this.git.raw([...BULK_CHECKIN, 'add', '--all', '--force', '--verbose', '--', '.']);
  }

  /**
   * Stages exactly these files (written, changed or removed since the last commit), looking at no other file: no
   * refresh of the whole index, no ignore rules. A path that is gone is removed; a file replacing a folder replaces it.
   */
  async stageFiles(paths: readonly string[]): Promise<void> {
    if (paths.length) await this.withInput(paths.join('\0') + '\0').raw(['update-index', '--add', '--remove', '--replace', '--verbose', '-z', '--stdin']);
  }

  /**
   * Stages blobs already written (BlobWriter: path → blob id) and removes `removed`, without git reading any file.
   * The entries carry no stat data, as after a `read-tree`: git compares such a file's content when it next looks.
   */
  async stageBlobs(blobs: ReadonlyMap<string, string>, removed: readonly string[]): Promise<void> {
    const zero = '0'.repeat(40);
    const lines = [...blobs].map(([rel, id]) => `100644 ${id}\t${rel}\0`).concat(removed.map((rel) => `0 ${zero}\t${rel}\0`));
    if (lines.length) await this.withInput(lines.join('')).raw(['update-index', '--add', '--remove', '--replace', '--verbose', '-z', '--index-info']);
  }

  /**
   * Stages a batch of files that exist (a backup staging everything stages what it wrote while it goes on), their
   * blobs in one pack as stageAll's.
   */
  async stageBatch(paths: readonly string[]): Promise<void> {
    if (!paths.length) return;
    const pathspecs = paths.map((p) => `:(literal)${p}\0`).join('');
    await this.withInput(pathspecs).raw([...BULK_CHECKIN, 'add', '--all', '--force', '--verbose', '--pathspec-from-file=-', '--pathspec-file-nul']);
  }

  /**
   * The last commit and its tree; null before the first commit. `known`: a commit and tree recorded earlier (the
   * backup state), used as they are when HEAD's branch still names that commit, read from the ref files: no git call.
   */
  async tip(known?: { commit: string; tree?: string }): Promise<{ commit: string; tree: string } | null> {
    if (known?.tree && this.branchTipFromFiles() === known.commit) return { commit: known.commit, tree: known.tree };
    try {
      const [commit, tree] = (await this.git.raw(['rev-parse', 'HEAD^{commit}', 'HEAD^{tree}'])).trim().split('\n');
      return commit && tree ? { commit, tree } : null;
    } catch (err) {
      // No commit yet (an unborn branch) is null; a HEAD that names a commit git cannot read is a damaged repository.
      if (await this.git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).then((out) => out.trim() !== '', () => false)) throw err;
      return null;
    }
  }

  /** The tree of what is staged (written as git objects). */
  async writeTree(): Promise<string> {
    return (await this.git.raw(['write-tree'])).trim();
  }

  /** The files that differ between two trees (`from` null: the empty tree): [status letter, path]. */
  async changedFiles(from: string | null, to: string): Promise<{ status: string; path: string }[]> {
    const out = await this.git.raw(['diff-tree', '-r', '--name-status', '--no-renames', '-z', from ?? EMPTY_TREE, to, '--']);
    const parts = out.split('\0').filter(Boolean);
    const rows: { status: string; path: string }[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) rows.push({ status: parts[i]!, path: parts[i + 1]! });
    return rows;
  }

  /**
   * Commits `tree` on top of `parent` and moves the branch there, only from `parent` (null: the first commit).
   * Plumbing, not `git commit`: no hooks, and no refresh of the whole index (the caller staged what it wrote).
   */
  async commit(tree: string, parent: string | null, subject: string, trailers: Record<string, string>): Promise<string> {
    const body = Object.entries(trailers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    const commit = (await this.git.raw(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', subject, '-m', body])).trim();
    // From all zeros: the branch must not exist yet.
    await this.moveHead(commit, parent ?? '0'.repeat(commit.length), `commit${parent ? '' : ' (initial)'}: ${subject}`);
    return commit;
  }

  /**
   * git's housekeeping when objects pile up, which `git commit` would start and plumbing does not: `gc --auto` (it
   * applies the user's gc settings, in the background) once git's own estimate, taken here without a git call, is over
   * git's default limits: loose objects in one of the 256 object folders, or packs.
   */
  async maintain(): Promise<void> {
    const objects = path.join(this.dir, '.git', 'objects');
    const count = (dir: string, counted: (name: string) => boolean) => {
      try {
        return fs.readdirSync(path.join(objects, dir)).filter(counted).length;
      } catch {
        return 0;
      }
    };
    if (count('17', () => true) * 256 > 6700 || count('pack', (f) => f.endsWith('.pack')) > 50) await this.git.raw(['gc', '--auto']);
  }

  /**
   * Moves the branch from `from` to `to` and nothing else: for when the index and working tree already hold `to`'s
   * tree (a sync's merge staged what it wrote), where `reset --hard` would only re-check every file.
   */
  async moveHead(to: string, from: string, reason: string): Promise<void> {
    await this.withInput(`start\nupdate HEAD ${to} ${from}\ncommit\n`).raw(['update-ref', '-m', reason, '--stdin']);
  }

  /**
   * git with `input` on its standard input. The backup's commands all print something (--verbose, update-ref's
   * transaction verbs): simple-git waits 50 ms more after any command that prints nothing.
   */
  private withInput(input: string): SimpleGit {
    return simpleGit({ baseDir: this.dir, input: () => input });
  }

  async resolve(ref: string): Promise<string> {
    if (!/^[\w./~^@{}:-]+$/.test(ref) || ref.startsWith('-')) throw new StoreError('invalid', `"${ref}" is not a backup reference; use a commit from "cairn history" (or HEAD~N).`);
    const commit = await this.git.revparse(['--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
    if (!/^[0-9a-f]{40,64}$/.test(commit.trim())) throw new StoreError('not_found', `There is no backup "${ref}" in ${this.dir}. "cairn history" lists the backups.`);
    return commit.trim();
  }

  async log(limit: number, ref = 'HEAD'): Promise<LogEntry[]> {
    if (!(await this.head())) return [];
    const out = await this.git.raw(['log', `-n${limit}`, '--format=%H%x1f%aI%x1f%s%x1f%(trailers:only,unfold)%x1e', ref, '--']);
    return out
      .split('\x1e')
      .map((r) => r.trim())
      .filter(Boolean)
      .map((r) => {
        const [commit, date, subject, trailerText] = r.split('\x1f');
        const trailers: Record<string, string> = {};
        for (const line of (trailerText ?? '').split('\n')) {
          const m = /^([\w-]+):\s*(.*)$/.exec(line.trim());
          if (m) trailers[m[1]!] = m[2]!;
        }
        return { commit: commit!, date: date!, subject: subject!, trailers };
      });
  }

  /** Every file of a commit (path → blob id), read from its tree alone: no file content is read. */
  async listTree(commit: string): Promise<Map<string, string>> {
    const out = await this.git.raw(['ls-tree', '-r', '-z', '--full-tree', commit]);
    const files = new Map<string, string>();
    for (const entry of out.split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab === -1) continue;
      const [, type, id] = entry.slice(0, tab).split(' ');
      if (type === 'blob') files.set(entry.slice(tab + 1), id!);
    }
    return files;
  }

  async remoteUrl(name = 'origin'): Promise<string | null> {
    const remotes = await this.git.getRemotes(true);
    return remotes.find((r) => r.name === name)?.refs.fetch ?? null;
  }

  /** Forgets the remote: its config and remote-tracking refs (`git remote remove`). The remote repository is not touched. */
  async removeRemote(name = 'origin'): Promise<void> {
    await this.git.removeRemote(name);
  }

  async setRemote(url: string, name = 'origin'): Promise<void> {
    const before = await this.remoteUrl(name);
    if (before === url) return;
    // `--`: the URL is a value, never a switch (see normalizeRemote, which refuses one starting with "-").
    await this.git.raw(['remote', before ? 'set-url' : 'add', '--', name, url]);
    // What the old remote had says nothing about the new one (sync reads these refs as "already there").
    const stale = (await this.git.raw(['for-each-ref', '--format=%(refname)', `refs/remotes/${name}/`])).split('\n').filter(Boolean);
    for (const ref of stale) await this.git.raw(['update-ref', '-d', ref]);
  }
}

/** Tries to reach a remote (git ls-remote), never prompting for credentials. Returns the failure, if any. */
export async function probeRemote(url: string, cwd: string): Promise<string | null> {
  const git = simpleGit({ baseDir: cwd, allowEnvironment: ['GIT_TERMINAL_PROMPT'], timeout: { block: 20_000 } }).env(gitEnv({ GIT_TERMINAL_PROMPT: '0' }));
  try {
    await git.listRemote(['--heads', '--', url]);
    return null;
  } catch (err) {
    const msg = err instanceof GitError ? err.message : String(err);
    return msg.split('\n').find((l) => l.trim())?.trim() ?? msg;
  }
}
