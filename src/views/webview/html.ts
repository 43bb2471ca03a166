// The page around a webview app: a strict Content-Security-Policy (nothing by default; scripts only with this
// page's nonce; styles and fonts only from the extension's own files, or with the nonce; no network, no frames, no
// forms), the app's bundled script and stylesheet, and nothing inline that runs. Pure (no vscode), so it is tested
// on its own.
import { randomBytes } from 'node:crypto';

/** A fresh nonce for each page: 128 random bits. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** `cspSource` is the webview's own origin for local resources (webview.cspSource). `blobWorkers`: the page may start
 * web workers from blob: URLs it makes from its own bundled code (the graph's layout runs in one), nothing else. */
export function contentSecurityPolicy(cspSource: string, nonce: string, blobWorkers = false): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // lit (inside @vscode-elements) adopts constructed stylesheets; where a browser lacks them it falls back to
    // <style> elements carrying the nonce (window.litNonce, set by src/webviews/shared/litNonce.ts).
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "connect-src 'none'",
    "frame-src 'none'",
    blobWorkers ? 'worker-src blob:' : "worker-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export interface PageParts {
  title: string;
  cspSource: string;
  nonce: string;
  /** The app's bundle (dist/webviews/<app>.js) as a webview URI. */
  script: string;
  /** Stylesheets (the app's own, codicons), as webview URIs. */
  styles: string[];
  /** Read by the app to find its root, e.g. { 'data-app': 'task-board' }. */
  bodyAttributes?: Record<string, string>;
  /** The app starts web workers from blob: URLs (contentSecurityPolicy's `blobWorkers`). */
  blobWorkers?: boolean;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function webviewHtml(p: PageParts): string {
  const attrs = Object.entries(p.bodyAttributes ?? {})
    .filter(([k]) => /^[a-z][a-z0-9-]*$/.test(k))
    .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
    .join('');
  // The codicon stylesheet keeps the id @vscode-elements looks for (vscode-icon finds the font through it).
  const styles = p.styles
    .map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}"${/codicon/.test(href) ? ' id="vscode-codicon-stylesheet"' : ''} nonce="${p.nonce}">`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(p.cspSource, p.nonce, p.blobWorkers)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(p.title)}</title>
    ${styles}
  </head>
  <body${attrs}>
    <script nonce="${p.nonce}" src="${escapeHtml(p.script)}"></script>
  </body>
</html>`;
}
