// Writing notes into the vault safely: names that work as file names and as link targets, paths that stay inside
// the vault, new files that never overwrite (written to a temp file, then hard-linked into place, which fails if
// the name was taken meanwhile), rewrites that are atomic (temp file + rename) and moves (of notes and of folders)
// that never overwrite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically, writeTempFile } from '../atomicFile';
import { StoreError } from '../errors';
import { realPathInside, realPathOf } from '../insideRoot';

/**
 * Characters a note name cannot hold: path separators and what Windows forbids (`\ / : * ? " < > |`), and what
 * would break a wikilink to it (`# ^ [ ] |`), as Obsidian refuses them.
 */
const ILLEGAL = /[\\/:*?"<>|#^[\]]/;
const MAX_NAME_BYTES = 255;

/** A valid note name (without `.md`) from what a person typed, or a StoreError 'invalid' saying what to change. */
export function checkNoteName(raw: string, what = 'The note name'): string {
  const name = raw.normalize('NFC').trim().replace(/\.md$/i, '').trim();
  if (!name) throw new StoreError('invalid', `${what} is empty. Type a name such as "Meeting notes".`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new StoreError('invalid', `${what} must not contain control characters or line breaks.`);
  const bad = ILLEGAL.exec(name);
  if (bad) throw new StoreError('invalid', `${what} "${name}" contains "${bad[0]}", which cannot be in a note name (not allowed: \\ / : * ? " < > | # ^ [ ]).`, { name });
  if (name.startsWith('.')) throw new StoreError('invalid', `${what} "${name}" starts with a dot: such files are hidden and not indexed.`, { name });
  if (/[. ]$/.test(name)) throw new StoreError('invalid', `${what} "${name}" ends with a dot or a space, which some systems drop from file names.`, { name });
  if (Buffer.byteLength(`${name}.md`) > MAX_NAME_BYTES) throw new StoreError('invalid', `${what} is too long for a file name (at most ${MAX_NAME_BYTES - 3} bytes).`, { name });
  return name;
}

/**
 * A vault-relative folder from a setting or a parameter: '/' separators, no leading or trailing '/', each part a
 * plain name (no `..`, no hidden folders). '' is the vault root.
 */
export function checkVaultFolder(raw: string, what: string): string {
  const folder = raw.replace(/\\/g, '/').trim().replace(/^\/+|\/+$/g, '');
  if (!folder) return '';
  for (const part of folder.split('/')) {
    if (!part || part === '.' || part === '..' || part.startsWith('.') || /[\u0000-\u001f:*?"<>|]/.test(part)) {
      throw new StoreError('invalid', `${what} "${raw}" is not a folder inside the vault (write it relative to the vault, like "notes/daily", without "..").`, { folder: raw });
    }
  }
  return folder;
}

/**
 * The absolute path of a vault-relative path; refuses anything that would land outside the vault, by its name or
 * through a symbolic link on the way (`linkdir/x.md` where `linkdir -> /elsewhere`): every read and write of a note
 * goes through here.
 */
export function absoluteInVault(vault: string, rel: string): string {
  const root = path.resolve(vault);
  const abs = path.resolve(root, ...rel.split('/'));
  const back = path.relative(root, abs);
  if (!back || back.startsWith('..') || path.isAbsolute(back)) {
    throw new StoreError('invalid', `${rel} is not inside the vault ${root}.`, { path: rel });
  }
  const rootReal = realPathOf(root); // none yet: the vault is created with the note, nothing to lead out of it
  if (rootReal && !realPathInside(rootReal, abs)) {
    throw new StoreError('invalid', `${rel} leads outside the vault ${root} through a symbolic link. Cairn never reads or writes notes outside the vault; choose a folder that is really in it.`, { path: rel });
  }
  return abs;
}

/** The vault-relative form ('/' separators) of an absolute or vault-relative path, or a StoreError when outside. */
export function relativeInVault(vault: string, p: string): string {
  const root = path.resolve(vault);
  const abs = path.isAbsolute(p) ? path.resolve(p) : path.resolve(root, ...p.replace(/\\/g, '/').split('/'));
  const rel = path.relative(root, abs);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new StoreError('invalid', `${p} is not inside the vault ${root}. Cairn only creates, renames and links notes of the vault (setting cairn.vaultPath, or --vault).`, { path: p });
  }
  return rel.split(path.sep).join('/');
}

export function checkVaultExists(vault: string): void {
  if (!fs.existsSync(vault) || !fs.statSync(vault).isDirectory()) {
    throw new StoreError('not_found', `The vault folder ${vault} does not exist. Create it (or point the vault path at an existing folder) and try again.`, { vault });
  }
}

const exists = (rel: string) => new StoreError('conflict', `${rel} already exists. Choose another name; Cairn never overwrites a note.`, { path: rel });

/**
 * Creates a new file in the vault with the text, creating its folders; never overwrites (a StoreError 'conflict'
 * when the path is taken, even by a file created a moment ago by someone else). Returns the absolute path.
 */
export function createFileInVault(vault: string, rel: string, text: string): string {
  checkVaultExists(vault);
  const abs = absoluteInVault(vault, rel);
  if (fs.existsSync(abs)) throw exists(rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const temp = writeTempFile(abs, text);
  try {
    fs.linkSync(temp, abs); // atomic and exclusive: EEXIST when the name was taken meanwhile
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      fs.rmSync(temp, { force: true });
      throw exists(rel);
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') {
      fs.rmSync(temp, { force: true });
      throw err;
    }
    // A file system without hard links: check again, then rename (a narrow window, the best it allows).
    if (fs.existsSync(abs)) {
      fs.rmSync(temp, { force: true });
      throw exists(rel);
    }
    fs.renameSync(temp, abs);
    return abs;
  }
  fs.rmSync(temp, { force: true });
  return abs;
}

/** Replaces an existing file's text atomically (temp file in the same folder, then rename), keeping its mode. */
export function replaceFileAtomically(abs: string, text: string): void {
  writeFileAtomically(abs, text, { mode: fs.statSync(abs).mode & 0o7777 });
}

/** Moves a file inside the vault without ever overwriting another one (a change of case alone is allowed). */
export function moveFileInVault(vault: string, fromRel: string, toRel: string): void {
  const from = absoluteInVault(vault, fromRel);
  const to = absoluteInVault(vault, toRel);
  const target = fs.statSync(to, { throwIfNoEntry: false });
  if (target) {
    const source = fs.statSync(from);
    if (target.ino !== source.ino || target.dev !== source.dev) throw exists(toRel);
    fs.renameSync(from, to); // the same file under another case, on a case-insensitive file system
    return;
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.linkSync(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(toRel);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    if (fs.existsSync(to)) throw exists(toRel);
    fs.renameSync(from, to);
    return;
  }
  fs.unlinkSync(from);
}

/**
 * Moves a folder inside the vault, never over or into an existing one (a change of case alone is allowed): the new
 * folder is made empty first (exclusive: it fails if the name is taken), then the folder is renamed onto it, which
 * the system refuses if anything arrived there meanwhile.
 */
export function moveFolderInVault(vault: string, fromRel: string, toRel: string): void {
  const from = absoluteInVault(vault, fromRel);
  const to = absoluteInVault(vault, toRel);
  const taken = () => new StoreError('conflict', `${toRel} already exists. Choose another name; Cairn never moves a folder over another or into it.`, { path: toRel });
  if (fromRel.toLowerCase() === toRel.toLowerCase()) {
    // Another case of the same name: on a case-insensitive file system it is the same folder.
    const there = fs.statSync(to, { throwIfNoEntry: false });
    const source = fs.statSync(from);
    if (there && (there.ino !== source.ino || there.dev !== source.dev)) throw taken();
    fs.renameSync(from, to);
    return;
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.mkdirSync(to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw taken();
    throw err;
  }
  try {
    fs.renameSync(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw taken();
    if (code !== 'EPERM' && code !== 'EACCES') {
      fs.rmdirSync(to);
      throw err;
    }
    // Windows will not rename onto a folder: remove the empty one just made, then rename (a narrow window).
    fs.rmdirSync(to);
    fs.renameSync(from, to);
  }
}
