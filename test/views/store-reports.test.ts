import { strict as assert } from 'node:assert';
import type { EventRow } from '../../src/store/schema';
import { historyMarkdown, parseMeasures } from '../../src/views/storeReports';

const event = (seq: number, type: string, data: unknown, actor = 'alice', source = 'extension') =>
  ({ seq, version: seq, type, data, actor, source, createdAt: `2026-12-0${seq}T10:00:00.000Z`, aggregateType: type.split('.')[0], aggregateId: 'x', id: String(seq) }) as unknown as EventRow;

describe('store reports (Show History, Log Agent Run)', () => {
  it('a project\'s or a sprint\'s history in the task editor\'s words, newest first, Markdown escaped', () => {
    const md = historyMarkdown('project Apollo', [
      event(2, 'project.updated', { from: { name: 'Apolo' }, to: { name: 'Apollo *1*' } }, 'coder', 'mcp'),
      event(1, 'project.created', {}),
    ]);
    assert.equal(
      md,
      [
        '# History of project Apollo',
        '',
        '2 events, newest first. From Cairn\'s append-only event log.',
        '',
        '- **2026-12-02 10:00:00** · coder (mcp) changed name · v2',
        '  - name: Apolo → Apollo \\*1\\*',
        '- **2026-12-01 10:00:00** · alice (extension) created the project · v1',
        '',
      ].join('\n'),
    );
    assert.match(historyMarkdown('sprint S', [event(1, 'sprint.deleted', {})]), /deleted the sprint/);
  });

  it('reads a run\'s measures in any order; anything else is refused', () => {
    assert.deepEqual(parseMeasures(''), {});
    assert.deepEqual(parseMeasures(' 25m 12000in  3400out q0.8 '), { durationMs: 1_500_000, tokensIn: 12000, tokensOut: 3400, qualityScore: 0.8 });
    assert.deepEqual(parseMeasures('q1 1.5m'), { qualityScore: 1, durationMs: 90_000 });
    for (const bad of ['q1.5', '25', '12k in', 'tokens', '-3m']) assert.equal(parseMeasures(bad), undefined, bad);
  });
});
