import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

// The extension manifest's texts as VS Code shows them. Welcome views render links (and nothing else of Markdown),
// so a code span would show its backticks to the user.
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const welcome: { view: string; contents: string }[] = manifest.contributes.viewsWelcome;
const commands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));

describe('the extension manifest', () => {
  it('welcome texts have no Markdown that VS Code would show literally (backticks, emphasis)', () => {
    for (const { view, contents } of welcome) {
      const text = contents.replace(/\[[^\]]*\]\([^)]*\)/g, ''); // links render
      assert.doesNotMatch(text, /`/, `${view}: ${contents}`);
      assert.doesNotMatch(text, /\*\*|__/, `${view}: ${contents}`);
    }
  });

  it('every command a welcome text links to is one of Cairn\'s or VS Code\'s settings', () => {
    for (const { view, contents } of welcome) {
      for (const [, id] of contents.matchAll(/\(command:([^?)]+)/g)) assert.ok(commands.has(id) || id === 'workbench.action.openSettings', `${view} links to ${id}`);
    }
  });
});
