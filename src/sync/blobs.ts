// Reads many files of several commits in one git process (`git cat-file --batch`): a merge reads three versions
// of every changed shard, and one process per file would cost more than the merge itself. simple-git has no way
// to feed a command's stdin, hence the plain child process.
import { spawn } from 'node:child_process';

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The content of each `<rev>:<path>`; null where the path does not exist in that commit. */
export function readBlobs(repoDir: string, specs: string[]): Promise<(Buffer | null)[]> {
  if (!specs.length) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repoDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed (${code}): ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const result: (Buffer | null)[] = [];
      let at = 0;
      for (let i = 0; i < specs.length; i++) {
        const nl = out.indexOf(10, at);
        const header = out.subarray(at, nl).toString();
        at = nl + 1;
        if (/ missing$| ambiguous$/.test(header)) {
          result.push(null);
          continue;
        }
        const size = Number(header.split(' ')[2]);
        result.push(out.subarray(at, at + size));
        at += size + 1;
      }
      resolve(result);
    });
    child.stdin.end(specs.map((s) => `${s}\n`).join(''));
  });
}

export const blobSpec = (rev: string | null, path: string) => `${rev ?? EMPTY_TREE}:${path}`;

/** Reads many objects a batch at a time (so a whole backup is never held in memory at once), in order. */
export async function forEachBlob(repoDir: string, specs: string[], fn: (index: number, content: Buffer | null) => void, batch = 1000): Promise<void> {
  for (let i = 0; i < specs.length; i += batch) (await readBlobs(repoDir, specs.slice(i, i + batch))).forEach((b, j) => fn(i + j, b));
}
