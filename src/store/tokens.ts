/**
 * Tokens a text costs an agent, estimated without a tokenizer: the larger of characters ÷ 4 (prose) and the count of
 * words and punctuation marks (Markdown, JSON, code, where characters ÷ 4 falls short by up to a quarter). Against a
 * real tokenizer (o200k) on the Foam vault's notes, JSON answers and docs/protocol.md: 0.99 to 1.5 times the true
 * count, median 1.11; the mcp bench measures it again.
 */
export function estimateTokens(text: string): number {
  // Counts what /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu would match, a code unit at a time (ASCII from a table, the rest
  // by the same classes): matchAll made an object per match, a third of an MCP answer's cost at 100 entities.
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let kind: number;
    if (c < 128) kind = ASCII_KIND[c]!;
    else {
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      const ch = pair ? text.slice(i, i + 2) : text[i]!;
      if (pair) i++;
      kind = WORD_CHAR.test(ch) ? WORD : SPACE.test(ch) ? BLANK : MARK;
    }
    if (kind === WORD) {
      if (!inWord) words++;
      inWord = true;
    } else {
      inWord = false;
      if (kind === MARK) words++;
    }
  }
  return Math.max(Math.ceil(text.length / 4), words);
}

const [BLANK, WORD, MARK] = [0, 1, 2];
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const SPACE = /^\s$/u;
const ASCII_KIND = Uint8Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  return WORD_CHAR.test(ch) ? WORD : SPACE.test(ch) ? BLANK : MARK;
});
