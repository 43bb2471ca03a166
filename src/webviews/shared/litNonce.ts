// Imported first by every app: lit (inside @vscode-elements) gives the <style> elements it may create this page's
// nonce, which the Content-Security-Policy allows (src/views/webview/html.ts). Where constructed stylesheets are
// supported, lit uses those and creates no <style> at all.
const script = document.currentScript as HTMLScriptElement | null;
(window as unknown as { litNonce?: string }).litNonce = script?.nonce || undefined;
export {};
