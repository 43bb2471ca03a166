// What a rename moves: one note, or a whole folder (every note and file under it). Reads and checks what the caller
// asked for — the note by path, file name or title; a folder by its vault-relative path — and the new place — a name
// (same parent folder) or a vault-relative `folder/name` (`/name`: the top level) — without changing anything.
// A note wins over a folder of the same name (`Ideas` is `Ideas.md` when both exist); `Ideas/` names the folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../errors';
import type { Store } from '../store';
import { findNote } from './links';
import { absoluteInVault, checkNoteName, checkVaultFolder, relativeInVault } from './noteFiles';

export interface RenameTarget {
  /** Vault-relative paths before and after (folders without a trailing '/'). */
  from: string;
  to: string;
  folder: boolean;
  /** Where a vault path is after the rename (itself when it does not move). */
  map: (p: string) => string;
}

/** The folder of a vault-relative '/' path ('' at the root). */
export const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** The folder the caller named, when it names an existing folder of the vault and no note. */
function folderNamed(vault: string, wanted: string): string | undefined {
  const explicit = /[\\/]$/.test(wanted.trim());
  let rel: string;
  try {
    rel = relativeInVault(vault, wanted.trim().replace(/[\\/]+$/, '') || '.');
  } catch (err) {
    if (explicit) throw err;
    return undefined; // a title, not a path
  }
  const abs = absoluteInVault(vault, rel);
  if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
    if (explicit) throw new StoreError('not_found', `${rel}/ is not a folder of the vault.`, { path: rel });
    return undefined;
  }
  return explicit || !fs.existsSync(`${abs}.md`) ? checkVaultFolder(rel, 'The folder to rename') : undefined;
}

/** The note to rename: a vault-relative or absolute path, or a file name or title the store knows. */
async function noteToRename(store: Store, vault: string, wanted: string): Promise<string> {
  const found = await findNote(store.orm, wanted);
  if (!fs.existsSync(absoluteInVault(vault, found.path))) {
    throw new StoreError('not_found', `${found.path} is in the index but no longer in the vault. Index the vault again.`, { path: found.path });
  }
  return found.path;
}

/** `newName` split into the parent folder ('' the top level; `fromRel`'s own for a bare name) and the name. */
function parentAndName(fromRel: string, newName: string): { parent: string; name: string } {
  const raw = newName.replace(/\\/g, '/').trim();
  const slash = raw.lastIndexOf('/');
  return { parent: slash === -1 ? dirOf(fromRel) : checkVaultFolder(raw.slice(0, slash), 'The new folder'), name: slash === -1 ? raw : raw.slice(slash + 1) };
}

/** The entry of `dir` with this name in any case, if there is one. */
function entryInAnyCase(dir: string, name: string): string | undefined {
  return fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.normalize('NFC').toLowerCase() === name.normalize('NFC').toLowerCase()) : undefined;
}

/** The new vault-relative path of a note: a name (same folder) or a vault-relative path ending in a name (a move). */
function newNotePath(vault: string, fromRel: string, newName: string): string {
  const { parent, name: raw } = parentAndName(fromRel, newName);
  const name = checkNoteName(raw, 'The new note name');
  const toRel = parent ? `${parent}/${name}.md` : `${name}.md`;
  if (toRel === fromRel) throw new StoreError('invalid', `${fromRel} already has that name: nothing to rename.`, { path: fromRel });
  const clash = entryInAnyCase(path.dirname(absoluteInVault(vault, toRel)), `${name}.md`);
  if (clash !== undefined && toRel.toLowerCase() !== fromRel.toLowerCase()) {
    throw new StoreError('conflict', `${parent ? `${parent}/` : ''}${clash} already exists. Choose another name; Cairn never overwrites a note.`, { path: toRel });
  }
  return toRel;
}

/** The new vault-relative path of a folder; never an existing folder or file, nor a place inside the folder itself. */
function newFolderPath(vault: string, fromRel: string, newName: string): string {
  const { parent, name: raw } = parentAndName(fromRel, newName);
  const name = checkVaultFolder(raw, 'The new folder name');
  if (!name || name.includes('/')) throw new StoreError('invalid', `The new folder name "${raw}" is not a folder name.`, { name: raw });
  const toRel = parent ? `${parent}/${name}` : name;
  if (toRel === fromRel) throw new StoreError('invalid', `${fromRel}/ already has that name: nothing to rename.`, { path: fromRel });
  if (`${toRel}/`.startsWith(`${fromRel}/`)) throw new StoreError('invalid', `${fromRel}/ cannot be moved into itself (${toRel}/).`, { path: fromRel });
  const clash = entryInAnyCase(parent ? absoluteInVault(vault, parent) : path.resolve(vault), name);
  if (clash !== undefined && toRel.toLowerCase() !== fromRel.toLowerCase()) {
    throw new StoreError('conflict', `${parent ? `${parent}/` : ''}${clash} already exists. Choose another name; Cairn never moves a folder over another or into it.`, { path: toRel });
  }
  return toRel;
}

export async function renameTargetOf(store: Store, vault: string, note: string, newName: string): Promise<RenameTarget> {
  const wanted = path.isAbsolute(note) ? relativeInVault(vault, note) + (/[\\/]$/.test(note) ? '/' : '') : note;
  const folder = folderNamed(vault, wanted);
  if (folder !== undefined) {
    const to = newFolderPath(vault, folder, newName);
    const prefix = `${folder}/`;
    return { from: folder, to, folder: true, map: (p) => (p.startsWith(prefix) ? `${to}/${p.slice(prefix.length)}` : p) };
  }
  const from = await noteToRename(store, vault, wanted);
  const to = newNotePath(vault, from, newName);
  return { from, to, folder: false, map: (p) => (p === from ? to : p) };
}
