// The knowledge graph's pure parts: the page's policy (workers from blob: only, for this page only), the search's
// ranking and focus, how nodes look (colour by kind, folder or tag; size by degree; the legend), and the messages'
// schemas refusing what a page must not send.
import * as assert from 'node:assert/strict';
import { contentSecurityPolicy } from '../../src/views/webview/html';
import { DEFAULT_FILTER, fromWebview, toWebview } from '../../src/views/knowledgeGraph/messages';
import { colorOf, groupColors, legendOf, sizeOf, type GraphTheme } from '../../src/webviews/knowledgeGraph/look';
import { matchesOf, stepFocus } from '../../src/webviews/knowledgeGraph/search';

const theme: GraphTheme = { blue: '#0000ff', purple: '#800080', orange: '#ffa500', green: '#008000', yellow: '#ffff00', red: '#ff0000', muted: '#888888', dimmed: 'rgba(136, 136, 136, 0.3)', foreground: '#cccccc', background: '#1e1e1e', edge: '#858585', font: 'sans-serif' };

describe('knowledge graph page: policy, search, look, messages', () => {
  it('the graph\'s page may start workers from blob: URLs; every other page none', () => {
    const directive = (csp: string) => csp.split('; ').find((d) => d.startsWith('worker-src'));
    assert.equal(directive(contentSecurityPolicy('https://self.example', 'N', true)), 'worker-src blob:');
    assert.equal(directive(contentSecurityPolicy('https://self.example', 'N')), "worker-src 'none'");
    assert.doesNotMatch(contentSecurityPolicy('https://self.example', 'N', true), /unsafe|\*|http:/);
  });

  it('search: every word in the label; the label itself first, then those it starts, then the most connected', () => {
    const nodes = [
      { id: 'a', label: 'Note 422', degree: 9 },
      { id: 'b', label: 'Note 42', degree: 1 },
      { id: 'c', label: 'Old note 42', degree: 50 },
      { id: 'd', label: 'Note 421', degree: 20 },
      { id: 'e', label: 'Other', degree: 99 },
    ];
    assert.deepEqual(matchesOf(nodes, 'note 42').map((n) => n.id), ['b', 'd', 'a', 'c']);
    assert.deepEqual(matchesOf(nodes, '42 old').map((n) => n.id), ['c']);
    assert.deepEqual(matchesOf(nodes, '   '), []);
    assert.equal(stepFocus(3, 4, 1), 0);
    assert.equal(stepFocus(0, 4, -1), 3);
    assert.equal(stepFocus(0, 0, 1), -1);
  });

  it('look: colour by kind, or by top folder / first tag for notes (commonest first); size grows with degree, shrinks with count', () => {
    const nodes = [
      { kind: 'note' as const, folder: 'a/x', tag: 'p/q' },
      { kind: 'note' as const, folder: 'a', tag: 'p' },
      { kind: 'note' as const, folder: '' },
      { kind: 'task' as const },
    ];
    assert.equal(colorOf(nodes[3]!, 'kind', new Map(), theme), theme.orange);
    const folders = groupColors(nodes, 'folder', theme);
    assert.deepEqual([...folders], [['a', theme.blue], ['(top)', theme.orange]]);
    assert.equal(colorOf(nodes[0]!, 'folder', folders, theme), theme.blue);
    assert.equal(colorOf(nodes[3]!, 'folder', folders, theme), theme.muted, 'other kinds are grey when colouring by folder');
    assert.deepEqual(legendOf(['note', 'task'], 'kind', folders, theme).entries.map((e) => [e.label, e.shape]), [['Note', 'circle'], ['Task', 'square']]);
    assert.deepEqual(legendOf(['note'], 'tag', groupColors(nodes, 'tag', theme), theme).entries.map((e) => e.label), ['#p', '(no tag)', 'Other kinds']);
    assert.ok(sizeOf(100, 1000) > sizeOf(1, 1000));
    assert.ok(sizeOf(5, 10) > sizeOf(5, 10_000));
  });

  it('messages: a hostile page cannot ask for more than the schema allows; the host\'s graph passes the page\'s check', () => {
    assert.ok(fromWebview.safeParse({ type: 'query', seq: 1, filter: DEFAULT_FILTER }).success);
    for (const bad of [
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, depth: 4 } },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, kinds: [] } },
      { type: 'query', seq: 1, filter: { ...DEFAULT_FILTER, center: '../../etc/passwd' } },
      { type: 'open', id: 'file:/etc/passwd' },
      { type: 'open', id: 'note:a.md', extra: 1 },
    ]) assert.equal(fromWebview.safeParse(bad).success, false, JSON.stringify(bad));
    const graph = { type: 'graph', seq: 1, center: null, hint: null, nodes: [{ id: 'note:a.md', kind: 'note', label: 'A', degree: 1 }], edges: [0, 0, 0], types: ['links to'], facets: { relationTypes: [], folders: [], tags: [] } };
    assert.ok(toWebview.safeParse(graph).success);
  });
});
