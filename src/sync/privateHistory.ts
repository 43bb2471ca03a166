// Private notes in the history a push would send. Notes with `private: true` are committed while no remote is
// set (they stay on the machine); once a remote is set, new backups leave them out, but the earlier commits still
// hold them and a push sends every commit the remote lacks. So before a push (and when a remote is set) the
// objects the push would send — `git rev-list --objects` of what is not on the remote-tracking refs — are looked
// at: every Markdown blob under files/ is read (one `git cat-file --batch`) and judged by its own front matter,
// i.e. as the note was at that commit. Found any: the push is refused unless the user allows it, or starts a
// fresh history for the remote (a new root commit of the current state; the old history stays on a local branch).
import { StoreError } from '../store/errors';
import { readBlobs } from './blobs';
import { isNote, isPrivateNote } from './files';
import type { BackupRepo } from './git';

const FILES_PREFIX = 'files/';

export interface PrivateNoteInHistory {
  /** The note's path in the backup (files/vault/…, files/agents/…). */
  path: string;
  /** How many versions of it (blobs) would be pushed. */
  versions: number;
}

/** Private notes among the objects reachable from `rev` but not from the remote's refs (origin/*). */
export const privateNotesToPush = (repo: BackupRepo, rev: string) => privateNotesAmong(repo, [rev, '--not', '--remotes=origin']);

/** Private notes among the objects `git rev-list --objects <revs>` lists. */
async function privateNotesAmong(repo: BackupRepo, revs: string[]): Promise<PrivateNoteInHistory[]> {
  const out = await repo.git.raw(['rev-list', '--objects', ...revs, '--']);
  const blobs: { sha: string; path: string }[] = [];
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue; // a commit (no path)
    const p = line.slice(space + 1);
    if (p.startsWith(FILES_PREFIX) && isNote(p)) blobs.push({ sha: line.slice(0, space), path: p });
  }
  const contents = await readBlobs(repo.dir, blobs.map((b) => b.sha));
  const found = new Map<string, number>();
  blobs.forEach((b, i) => {
    const text = contents[i];
    if (text && isPrivateNote(text.toString('utf8'))) found.set(b.path, (found.get(b.path) ?? 0) + 1);
  });
  return [...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, versions]) => ({ path, versions }));
}

const listed = (notes: PrivateNoteInHistory[]) =>
  notes
    .slice(0, 20)
    .map((n) => `${n.path}${n.versions > 1 ? ` (${n.versions} versions)` : ''}`)
    .join(', ') + (notes.length > 20 ? `, and ${notes.length - 20} more` : '');

/** What the user can do about private notes in the history (shared by sync's refusal and `remote set`). */
export function privateHistoryChoices(notes: PrivateNoteInHistory[], url: string): string {
  return (
    `The backup history that would be pushed to ${url} holds ${notes.length} private note${notes.length === 1 ? '' : 's'} (front matter private: true, committed before the remote was set): ${listed(notes)}. ` +
    'Choose one: "cairn sync --allow-private-history" pushes that history as it is; "cairn sync --fresh-history" pushes a new history that starts from the current state without private notes ' +
    '(the local history is kept on a local branch and never pushed); or set privateNotes to include if these notes may leave the machine.'
  );
}

export function privateHistoryRefusal(notes: PrivateNoteInHistory[], url: string, localCommit: string | null): StoreError {
  return new StoreError('invalid', `Nothing was pushed. ${privateHistoryChoices(notes, url)} Your changes are backed up${localCommit ? ` locally (commit ${localCommit.slice(0, 10)})` : ' locally'}.`, {
    privateNotes: notes,
  });
}

/**
 * Starts a fresh history for the remote: a root commit with the tree of HEAD (which, with a remote set, holds no
 * private note), made the branch's head; the previous history stays on the branch `private-history-<time>`, which
 * sync never pushes (and a restore can still use). Refused when the current state itself holds a private note.
 */
export async function startFreshHistory(repo: BackupRepo, url: string): Promise<{ commit: string; previous: string; branch: string }> {
  const previous = await repo.head();
  if (!previous) throw new StoreError('invalid', 'There is no backup yet to start a fresh history from; run "cairn backup" first.');
  const [entry] = await repo.log(1, previous);
  const keep = Object.entries(entry?.trailers ?? {}).filter(([k]) => ['Cairn-Files', 'Cairn-Bytes', 'Cairn-Schema', 'Cairn-Version'].includes(k));
  const trailers = [['Cairn-Kind', 'fresh'], ...keep].map(([k, v]) => `${k}: ${v}`).join('\n');
  const commit = (await repo.git.raw(['commit-tree', `${previous}^{tree}`, '-m', `Fresh history for ${url}: the state of ${previous.slice(0, 10)}, without the earlier commits`, '-m', trailers])).trim();
  const still = await privateNotesAmong(repo, [commit]);
  if (still.length) {
    throw new StoreError('invalid', `The current backup itself holds private notes (${listed(still)}): with privateNotes set to include they go into every backup. Set privateNotes to auto or exclude and sync again; nothing was pushed.`);
  }
  const branch = `private-history-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}`;
  await repo.git.raw(['update-ref', `refs/heads/${branch}`, previous, '']);
  await repo.git.raw(['update-ref', '-m', 'cairn: fresh history for the remote', 'refs/heads/main', commit, previous]);
  return { commit, previous, branch };
}
