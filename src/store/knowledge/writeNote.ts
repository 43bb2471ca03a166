// Writes a note for an agent: create (never over another file), append, replace the whole text, or replace one
// section's body; every change but create names the version it read (notes.read), and a note changed since is
// refused, never overwritten. The note is indexed at once. (A write racing another program between the check and
// the rename can still win: the check narrows the window to a few milliseconds, it cannot close it.)
import { StoreError } from '../errors';
import type { Actor } from '../events';
import type { Store } from '../store';
import { indexPaths } from './indexer';
import { absoluteInVault, checkNoteName, checkVaultFolder, createFileInVault, replaceFileAtomically } from './noteFiles';
import { readNote, type NoteText } from './readNote';

export type NoteWriteMode = 'create' | 'append' | 'replace' | 'replaceSection';

export interface NoteWrite {
  mode: NoteWriteMode;
  /** create: the new note's vault-relative path (`.md` added); else the note, as notes.read finds it. */
  note: string;
  text: string;
  /** replaceSection: the heading whose section's body is replaced (the heading line stays). */
  heading?: string;
  /** The version read (notes.read); required to replace, checked when given to append. */
  expectedVersion?: string;
}

function newNotePath(raw: string): string {
  if (/^([\\/]|[A-Za-z]:)/.test(raw)) throw new StoreError('invalid', `${raw} is an absolute path: give the new note's path relative to the vault, like "projects/Plan".`, { note: raw });
  const parts = raw.replace(/\\/g, '/').split('/');
  const name = checkNoteName(parts.pop()!, 'The note name');
  const folder = checkVaultFolder(parts.join('/'), 'The note folder');
  return [folder, `${name}.md`].filter(Boolean).join('/');
}

export async function writeNote(store: Store, vault: string, who: Actor, w: NoteWrite): Promise<NoteText> {
  if (w.mode === 'create') {
    const rel = newNotePath(w.note);
    createFileInVault(vault, rel, w.text);
    await indexPaths(store, vault, [rel], who);
    return readNote(store, vault, rel);
  }
  if ((w.mode === 'replace' || w.mode === 'replaceSection') && w.expectedVersion === undefined) {
    throw new StoreError('invalid', `To ${w.mode === 'replace' ? 'replace a note' : 'replace a section'}, pass expectedVersion: the version notes.read gave you, so a note changed meanwhile is not overwritten.`);
  }
  const current = await readNote(store, vault, w.note);
  if (w.expectedVersion !== undefined && w.expectedVersion !== current.version) {
    throw new StoreError('conflict', `${current.path} changed since you read it (you read version ${w.expectedVersion}; it is now ${current.version}). Read it again and make your change on what it says now.`, { path: current.path, version: current.version });
  }
  const lines = current.text.split('\n');
  let next: string;
  if (w.mode === 'append') next = current.text === '' || current.text.endsWith('\n') ? current.text + w.text : `${current.text}\n${w.text}`;
  else if (w.mode === 'replace') next = w.text;
  else {
    if (w.heading === undefined) throw new StoreError('invalid', 'replaceSection needs heading: the heading whose section to replace.');
    const section = await readNote(store, vault, current.path, w.heading);
    const body = w.text.replace(/\n+$/, '').split('\n');
    next = [...lines.slice(0, section.fromLine), ...body, ...lines.slice(section.toLine)].join('\n');
  }
  replaceFileAtomically(absoluteInVault(vault, current.path), next);
  await indexPaths(store, vault, [current.path], who);
  return readNote(store, vault, current.path);
}
