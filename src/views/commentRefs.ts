// Finds what a source file's comments name for Cairn: notes (`[[Note]]`, `[[folder/Note#Heading|alias]]`) and
// tasks (their ULID). One regular expression runs over the whole text (no split into lines, no per-line loop); a
// hit counts only when the text before it on its line holds a comment marker, so ids in strings and code do not.
// Plain TypeScript without `vscode`, so it can be tested and measured in Node.
import { TASK_ID_IN_TEXT } from '../store/knowledge/taskIds';

export interface CommentRef {
  kind: 'note' | 'task';
  /** 0-based line, and the columns of the whole reference on it (`[[…]]` brackets included). */
  line: number;
  start: number;
  end: number;
  /** note: the text between `[[` and `]]`; task: the id. */
  text: string;
}

/** More references than this in one file are not shown (a generated file, not one a person annotates). */
export const MAX_REFS = 1000;

const REF = new RegExp(String.raw`\[\[([^\[\]\n]{1,300})\]\]|${TASK_ID_IN_TEXT.source}`, 'g');
/**
 * Comment markers of the common languages: `//` `/*` `#` `--` `<!--` anywhere before the reference, and `*`
 * (inside a block comment), `;` and `%` at the start of the line.
 */
const COMMENT_BEFORE = /\/\/|\/\*|#|--|<!--|^\s*[*;%]/;
/** How far back on a long line to look for the marker (minified code has very long lines and no comments). */
const LOOK_BACK = 1000;

export function scanCommentRefs(text: string, maxRefs = MAX_REFS): CommentRef[] {
  const refs: CommentRef[] = [];
  let line = 0;
  let lineStart = 0;
  let counted = 0;
  for (const m of text.matchAll(REF)) {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < m.index; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    counted = m.index;
    const from = Math.max(lineStart, m.index - LOOK_BACK);
    const before = text.slice(from, m.index);
    if (!COMMENT_BEFORE.test(from > lineStart ? `x${before}` : before)) continue; // 'x': not the line's start
    const start = m.index - lineStart;
    const note = m[1];
    refs.push({ kind: note === undefined ? 'task' : 'note', line, start, end: start + m[0].length, text: note ?? m[0] });
    if (refs.length >= maxRefs) break;
  }
  return refs;
}
