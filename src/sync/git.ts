// The backup repository: a normal git repository (default <store>/backup), driven through simple-git. It sets
// its own committer identity and turns off what a user's global git config could add (signing, line-ending
// conversion), so a backup commits the bytes as they are on any machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError, simpleGit, type SimpleGit } from 'simple-git';
import { StoreError } from '../store/errors';

const GITATTRIBUTES = '# Written by Cairn: files are stored byte for byte (no line-ending conversion).\n* -text\n';
const README = `# Cairn backup

This repository is written by Cairn (\`cairn backup\`). Restore it with \`cairn restore <commit>\`; see
\`cairn history\`. Layout: \`manifest.json\` (versions, tables, a sha256 per file), \`db/<table>/<xx>.jsonl\` (one row
per line, sorted by key; <xx> = first two hex digits of sha256 of the row's key), \`files/vault/\` (the notes),
\`files/agents/<folder>/\` (agent definitions). Do not edit these files by hand: a restore checks them first.
`;

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

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
  const first = msg.split('\n').find((l) => l.trim()) ?? msg;
  if (/No space left on device|ENOSPC/i.test(msg)) {
    return new StoreError('disk_full', `The disk holding the backup repository ${repo} is full (${doing}). The store was not changed; free some space and run the backup again.`);
  }
  if (/not a git repository|can only be used inside a git repository|bad object|corrupt|unable to read|loose object|fatal: bad/i.test(msg)) {
    return new StoreError(
      'corrupt',
      `The backup repository ${repo} is damaged (${doing}: ${first}). Your store was not changed. Move the folder away (the next backup starts a new one) or repair it with git.`,
    );
  }
  return new StoreError('store_unavailable', `git failed while ${doing} in ${repo}: ${first}`);
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
      if (!hasGit) await git.init(['--quiet', '--initial-branch=main']);
      await repo.configure(); // reading the local config also fails in a folder that is not a repository
    } catch (err) {
      throw explainGitError(err, abs, hasGit ? 'opening the repository' : 'creating the repository');
    }
    fs.mkdirSync(repo.cairnDir, { recursive: true });
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
    const current = await this.git.listConfig('local');
    for (const [k, v] of Object.entries(wanted)) if (current.all[k] !== v) await this.git.addConfig(k, v, false, 'local');
    this.remoteAtOpen = current.all['remote.origin.url'] !== undefined;
  }

  async head(): Promise<string | null> {
    try {
      return (await this.git.revparse(['--verify', '--quiet', 'HEAD^{commit}'])).trim() || null;
    } catch {
      return null;
    }
  }

  /** Removes lock files a killed git left behind. Call only while holding Cairn's backup lock. */
  clearStaleGitLocks(): void {
    for (const f of ['index.lock', 'HEAD.lock', 'refs/heads/main.lock', 'config.lock']) fs.rmSync(path.join(this.dir, '.git', f), { force: true });
  }

  /** Puts the working tree and index back to the last commit (after an interrupted or refused backup). */
  async resetToHead(): Promise<void> {
    if (await this.head()) {
      await this.git.raw(['reset', '--quiet', '--hard', 'HEAD']);
      await this.git.raw(['clean', '-fdq', '--', 'db', 'files']);
    } else {
      fs.rmSync(path.join(this.dir, '.git', 'index'), { force: true });
      for (const p of ['db', 'files', 'manifest.json']) fs.rmSync(path.join(this.dir, p), { recursive: true, force: true });
    }
  }

  async stageAll(): Promise<void> {
    await this.git.raw(['add', '--all', '--', '.']);
  }

  /** Stages just these paths (written, changed or removed), taken literally: git need not look at the rest. */
  async stagePaths(paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += 500) {
      await this.git.raw(['add', '--all', '--', ...paths.slice(i, i + 500).map((p) => `:(literal)${p}`)]);
    }
  }

  /** What is staged against the last commit: [status letter, path]. */
  async staged(head?: string | null): Promise<{ status: string; path: string }[]> {
    const base = (head === undefined ? await this.head() : head) ? 'HEAD' : EMPTY_TREE;
    const out = await this.git.raw(['diff', '--cached', '--name-status', '--no-renames', '-z', base, '--']);
    const parts = out.split('\0').filter(Boolean);
    const rows: { status: string; path: string }[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) rows.push({ status: parts[i]!, path: parts[i + 1]! });
    return rows;
  }

  async commit(subject: string, trailers: Record<string, string>): Promise<string> {
    const body = Object.entries(trailers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    await this.git.raw(['commit', '--quiet', '--no-verify', '-m', subject, '-m', body]);
    return (await this.head())!;
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

  /** Writes every file of a commit into dest (a scratch folder) without touching the repository's index or tree. */
  async extract(commit: string, dest: string): Promise<void> {
    const index = path.join(this.cairnDir, `extract-${process.pid}.index`);
    try {
      const git = simpleGit({ baseDir: this.dir, allowEnvironment: ['GIT_INDEX_FILE'] }).env(gitEnv({ GIT_INDEX_FILE: index }));
      await git.raw(['read-tree', commit]);
      await git.raw(['checkout-index', '--all', '--force', `--prefix=${dest.replace(/\\/g, '/').replace(/\/?$/, '/')}`]);
    } finally {
      fs.rmSync(index, { force: true });
    }
  }

  async remoteUrl(name = 'origin'): Promise<string | null> {
    const remotes = await this.git.getRemotes(true);
    return remotes.find((r) => r.name === name)?.refs.fetch ?? null;
  }

  async setRemote(url: string, name = 'origin'): Promise<void> {
    const before = await this.remoteUrl(name);
    if (before === url) return;
    if (before) await this.git.remote(['set-url', name, url]);
    else await this.git.addRemote(name, url);
    // What the old remote had says nothing about the new one (sync reads these refs as "already there").
    const stale = (await this.git.raw(['for-each-ref', '--format=%(refname)', `refs/remotes/${name}/`])).split('\n').filter(Boolean);
    for (const ref of stale) await this.git.raw(['update-ref', '-d', ref]);
  }
}

/** Tries to reach a remote (git ls-remote), never prompting for credentials. Returns the failure, if any. */
export async function probeRemote(url: string, cwd: string): Promise<string | null> {
  const git = simpleGit({ baseDir: cwd, allowEnvironment: ['GIT_TERMINAL_PROMPT'], timeout: { block: 20_000 } }).env(gitEnv({ GIT_TERMINAL_PROMPT: '0' }));
  try {
    await git.listRemote(['--heads', url]);
    return null;
  } catch (err) {
    const msg = err instanceof GitError ? err.message : String(err);
    return msg.split('\n').find((l) => l.trim())?.trim() ?? msg;
  }
}
