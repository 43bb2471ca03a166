// A task's description (Markdown) as the HTML its preview shows. markdown-it (CommonMark) with raw HTML off, so
// anything that looks like a tag is shown as text; links only to http(s) and mail addresses (javascript:, data:,
// file: and the rest become plain text); images shown as a link to where they are (the page's Content-Security-
// Policy would refuse to load them anyway). The page then has nothing that runs: its CSP allows only its own
// script. Loaded with the first preview, not at activation.
import type MarkdownIt from 'markdown-it';

let md: MarkdownIt.MarkdownIt | undefined;

const SAFE_LINK = /^(https?:|mailto:|#)/i;

function renderer(): MarkdownIt.MarkdownIt {
  if (md) return md;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const MarkdownItClass = require('markdown-it') as typeof MarkdownIt;
  const it = new MarkdownItClass('commonmark', { html: false, linkify: false, typographer: false });
  it.validateLink = (url: string) => SAFE_LINK.test(url.trim());
  it.renderer.rules.image = (tokens, idx) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    const alt = it.utils.escapeHtml(String(token.content || 'image'));
    return SAFE_LINK.test(src) ? `<a href="${it.utils.escapeHtml(src)}" class="image-link">🖼 ${alt}</a>` : `<span class="image-link">🖼 ${alt}</span>`;
  };
  // Links open outside the webview (VS Code asks before opening an outside address).
  const defaultOpen = it.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  it.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx]!.attrSet('rel', 'noopener noreferrer');
    return defaultOpen(tokens, idx, options, env, self);
  };
  return (md = it);
}

export function descriptionHtml(markdown: string): string {
  return renderer().render(markdown);
}
