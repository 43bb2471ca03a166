// The comment scan behind the code lenses (plain Node: it never touches vscode): which `[[Note]]` and task ids in a
// source file count (only in comments, in the comment styles of common languages), and where they are.
import * as assert from 'node:assert/strict';
import { MAX_REFS, scanCommentRefs } from '../../src/views/commentRefs';

const ID = '01JAZ3NDEKTSV4RRFFQ69G5FAV';
const refs = (text: string) => scanCommentRefs(text).map((r) => [r.kind, r.line, r.start, r.end, r.text]);

describe('code lenses: comment scan', () => {
  it('finds notes and task ids in line and block comments, with 0-based line and columns', () => {
    const text = [
      'import x from "y";',
      `// see [[Some Note]] and ${ID}`,
      'function f() {',
      `  return 1; /* [[folder/Other#Heading|shown]] */`,
      ' * [[Inside a block]]',
      `# ${ID} in a shell or Python comment`,
      `-- [[SQL]]`,
      `<!-- [[HTML]] -->`,
      `; [[Lisp]]`,
      '}',
    ].join('\n');
    assert.deepEqual(refs(text), [
      ['note', 1, 7, 20, 'Some Note'],
      ['task', 1, 25, 51, ID],
      ['note', 3, 15, 45, 'folder/Other#Heading|shown'],
      ['note', 4, 3, 21, 'Inside a block'],
      ['task', 5, 2, 28, ID],
      ['note', 6, 3, 10, 'SQL'],
      ['note', 7, 5, 13, 'HTML'],
      ['note', 8, 2, 10, 'Lisp'],
    ]);
  });

  it('leaves out what is not in a comment, not an id, or not a note name', () => {
    const text = [
      `const id = "${ID}";`,
      `const link = "[[Not a comment]]";`,
      `// ${ID.toLowerCase()} ${ID}X [[]] [[a\nb]]`,
      `let x = a * b; // fine: ${ID}`,
      `x = 3; [[Code]]`,
    ].join('\n');
    assert.deepEqual(refs(text), [['task', 4, 24, 50, ID]]);
  });

  it('handles CRLF, a marker far back on a long line, and stops at MAX_REFS', () => {
    assert.deepEqual(refs(`a\r\n// [[X]]\r\n`), [['note', 1, 3, 8, 'X']]);
    const long = `// ${'x'.repeat(5000)} [[Far]]`;
    assert.deepEqual(refs(long), [], 'the marker is more than 1000 characters back');
    const many = Array.from({ length: MAX_REFS + 10 }, (_, i) => `// [[N${i}]]`).join('\n');
    assert.equal(scanCommentRefs(many).length, MAX_REFS);
  });
});
