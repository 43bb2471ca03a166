/** Tokens a text costs an agent, estimated as characters ÷ 4 (the usual rule for English and JSON; the mcp bench
 * measures it against a real tokenizer). */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
