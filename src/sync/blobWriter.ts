// Writes files of the backup's working tree into git's object store as they are written, in one
// `git hash-object -w --stdin-paths` process, while the backup goes on with the rest: git hashes and compresses
// on the other core, and the commit only has to tell the index the blob ids (`update-index --index-info`) instead
// of git reading every changed file after the last write. A plain process, not simple-git: it answers a line per
// path while we keep writing to it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError } from 'simple-git';
import { gitEnv } from './git';

/** A path as hash-object's --stdin-paths reads it: C-quoted when it starts with a quote or holds a line break. */
export function stdinPath(rel: string): string {
  if (!/^"|[\n\r]/.test(rel)) return rel;
  const escaped = rel.replace(/[\\"\n\r]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' })[c]!);
  return `"${escaped}"`;
}

export class BlobWriter {
  private readonly proc: ChildProcessWithoutNullStreams;
  /** Paths written to git, waiting for their ids, in order. */
  private readonly waiting: { resolve: (id: string) => void; reject: (err: Error) => void }[] = [];
  private readonly ids = new Map<string, Promise<string>>();
  private stdout = '';
  private stderr = '';
  private failure: Error | null = null;

  constructor(repoDir: string) {
    this.proc = spawn('git', ['hash-object', '-w', '--no-filters', '--stdin-paths'], { cwd: repoDir, env: gitEnv({}) });
    this.proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      let nl: number;
      while ((nl = this.stdout.indexOf('\n')) !== -1) {
        const id = this.stdout.slice(0, nl).trim();
        this.stdout = this.stdout.slice(nl + 1);
        this.waiting.shift()?.resolve(id);
      }
    });
    this.proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.proc.stdin.on('error', () => undefined); // a git that died: reported by 'close'
    const fail = (why: string) => {
      this.failure ??= new GitError(undefined, this.stderr.trim() || why);
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    };
    this.proc.on('error', (err) => fail(`git hash-object could not run: ${err.message}`));
    this.proc.on('close', (code, signal) => fail(`git hash-object ended (${signal ?? `exit ${code}`}) before writing every file`));
  }

  /** Starts writing the file at repo-relative `rel` as a blob (call once the file is complete, not to be rewritten). */
  add(rel: string): void {
    if (this.ids.has(rel)) return;
    const id = new Promise<string>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(`${stdinPath(rel)}\n`);
    });
    id.catch(() => undefined); // awaited by written(): a failure is thrown there
    this.ids.set(rel, id);
  }

  has(rel: string): boolean {
    return this.ids.has(rel);
  }

  /** The blob id of each path added (path → id), once git has written them all. */
  async written(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [rel, id] of this.ids) out.set(rel, await id);
    return out;
  }

  /** The blob ids git wrote, once every path added is written or has failed: what a backup that gives up wrote. */
  async settled(): Promise<string[]> {
    return (await Promise.allSettled(this.ids.values())).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Ends the process (after written(): it has nothing left to do; otherwise what it was doing is dropped). */
  close(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      if (this.waiting.length) this.proc.kill();
      else this.proc.stdin.end();
    }
  }
}
