// Writes a note for an agent: create (never over another file), append, replace the whole text, or replace one
// section's body; every change but create names the version it read (notes.read), and a note changed since is
// refused, never overwritten. The note is indexed at once. Writers in Cairn take the folder's lock for the check and
// the write; another program writing at that instant can still win (the window is milliseconds).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../errors';
import type { Actor } from '../events';
import type { Store } from '../store';
import { withFolderLock } from './folderLock';
import { DEFAULT_MAX_FILE_BYTES, indexPaths } from './indexer';
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
  const found = await readNote(store, vault, w.note);
  const abs = absoluteInVault(vault, found.path);
  // One writer of a folder's notes at a time (other Cairn processes too): the version check and the write are one step
  // for them. A program outside Cairn can still write in between.
  return withFolderLock(path.dirname(abs), 'cairn-write', async () => {
    const current = await readNote(store, vault, found.path);
    if (w.expectedVersion !== undefined && w.expectedVersion !== current.version) {
      throw new StoreError('conflict', `${current.path} changed since you read it (you read version ${w.expectedVersion}; it is now ${current.version}). Read it again and make your change on what it says now.`, { path: current.path, version: current.version });
    }
    // Work on the file as it is: its byte-order mark and line endings stay (readNote's text is normalised).
    const raw = fs.readFileSync(abs, 'utf8');
    const bom = raw.startsWith('\ufeff') ? '\ufeff' : '';
    const body = raw.slice(bom.length);
    const eol = body.includes('\r\n') ? '\r\n' : '\n';
    const text = w.text.replace(/\r\n?/g, '\n').split('\n').join(eol);
    let next: string;
    if (w.mode === 'append') next = body === '' || /\r?\n$/.test(body) ? body + text : body + eol + text;
    else if (w.mode === 'replace') next = text;
    else {
      if (w.heading === undefined) throw new StoreError('invalid', 'replaceSection needs heading: the heading whose section to replace.');
      const section = await readNote(store, vault, current.path, w.heading);
      const lines = body.split(/\r\n?|\n/);
      const replacement = w.text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
      next = [...lines.slice(0, section.fromLine), ...replacement, ...lines.slice(section.toLine)].join(eol);
    }
    next = bom + next;
    if (Buffer.byteLength(next) > DEFAULT_MAX_FILE_BYTES) {
      throw new StoreError('invalid', `${current.path} would grow to ${Buffer.byteLength(next)} bytes, over the ${DEFAULT_MAX_FILE_BYTES} a note may have to be indexed; nothing was written.`, { path: current.path });
    }
    replaceFileAtomically(abs, next);
    await indexPaths(store, vault, [current.path], who);
    return readNote(store, vault, current.path);
  });
}
