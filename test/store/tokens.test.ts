// estimateTokens counts a code unit at a time; it must count what the rule it states counts (a run of letters and
// digits is one, every other mark not a space is one), on any text: checked here against that rule as a regex.
import * as assert from 'node:assert/strict';
import { estimateTokens } from '../../src/store/tokens';
import { fitToBudget } from '../../src/backend/mcp/budget';
import { prettyJson } from '../../src/backend/mcp/tools';

const byRegex = (text: string) => {
  let words = 0;
  for (const _ of text.matchAll(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)) words++;
  return Math.max(Math.ceil(text.length / 4), words);
};

describe('estimateTokens', () => {
  it('counts as the regex rule does: ASCII, accents, CJK, emoji, Unicode spaces, lone surrogates', () => {
    const texts = ['', 'a', '  ', 'hello, world!', '{\n  "a": [1, 2.5e3]\n}', 'naïve café — 東京タワー 😀👍🏽 x\u00a0y\u2003z\ufeff', 'a\ud800b\udc00c', '\ud83d', '١٢٣ abc٣', 'x'.repeat(99)];
    for (const t of texts) assert.equal(estimateTokens(t), byRegex(t), JSON.stringify(t));
    // Random text over a mixed alphabet, so every change of class is crossed.
    const alphabet = [...'ab Z9_-.,\n\t"{}é東😀\u00a0\u2028', '\ud800', '\udfff', '٣', 'ǅ'];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 300; n++) {
      const t = Array.from({ length: Math.floor(rand() * 60) }, () => alphabet[Math.floor(rand() * alphabet.length)]!).join('');
      assert.equal(estimateTokens(t), byRegex(t), JSON.stringify(t));
    }
  });

  it("fitToBudget hands back the answer's text, whole or cut, so it is serialised once", () => {
    const graph = { entities: Array.from({ length: 50 }, (_, i) => ({ name: `e-${i}`, entityType: 'x', observations: ['some words here'] })), relations: [] };
    const whole = fitToBudget(graph, 100_000, prettyJson);
    assert.equal(whole.text, prettyJson(graph));
    assert.equal(whole.cut, undefined);
    const cut = fitToBudget(graph, 200, prettyJson);
    assert.ok(cut.cut && cut.cut.kept < 50);
    assert.equal(cut.text, prettyJson(cut.value));
    assert.ok(estimateTokens(cut.text) <= 200);
  });
});
