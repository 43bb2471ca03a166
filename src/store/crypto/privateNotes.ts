// Notes with `private: true` in their front matter: the index keeps only what finding and linking them needs
// (path, title, aliases, the targets of their links) and nothing of their content — no full text, no passages for
// semantic search, no headings, tags, link context lines or other front matter. The file itself is never touched.
import type { ParsedNote } from '../knowledge/types';

export const isPrivateNote = (frontMatter: Record<string, unknown> | null): boolean => frontMatter?.private === true;

export function withoutPrivateContent(note: ParsedNote): ParsedNote {
  if (!isPrivateNote(note.frontMatter)) return note;
  return {
    ...note,
    frontMatter: { private: true },
    tags: [],
    headings: [],
    blockIds: [],
    links: note.links.map((l) => ({ ...l, context: '' })),
    body: '',
  };
}
