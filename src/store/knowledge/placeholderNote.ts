// "Create note" on a placeholder: makes the note a link names but no note is, where Obsidian would put it (the
// target as a vault-relative path: `[[Lost city]]` → `Lost city.md`, `[[trips/Lost city]]` → `trips/Lost city.md`).
// The file is new (never overwrites; see noteFiles.ts) and indexed at once, so the link stops being a placeholder.
import type { Actor } from '../events';
import type { Store } from '../store';
import { createNote, type NewNoteResult } from './newNotes';

export async function createPlaceholderNote(store: Store, vault: string, who: Actor, target: string): Promise<NewNoteResult> {
  const parts = target.replace(/\\/g, '/').replace(/\.md$/i, '').split('/');
  const title = parts.pop() ?? '';
  return createNote(store, vault, who, { title, folder: parts.join('/') });
}
