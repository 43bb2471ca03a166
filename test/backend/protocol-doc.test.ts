// docs/protocol.md and the method table cannot drift: its method index is the one the table makes, and every
// method has its own description further down.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allMethods, methodNames } from '../../src/backend/methodTable';
import { INDEX_BEGIN, INDEX_END, renderMethodIndex, renderToolIndex, TOOLS_BEGIN, TOOLS_END } from '../../src/backend/protocolDoc';

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');

describe('docs/protocol.md and the method table', () => {
  it('the method index is the one the table makes (else: npm run docs:protocol)', () => {
    const begin = doc.indexOf(INDEX_BEGIN);
    const end = doc.indexOf(INDEX_END);
    assert.ok(begin >= 0 && end > begin, 'docs/protocol.md has its method index markers');
    assert.equal(doc.slice(begin, end + INDEX_END.length), renderMethodIndex(), 'docs/protocol.md is stale: run npm run docs:protocol');
    assert.equal(doc.slice(doc.indexOf(TOOLS_BEGIN), doc.indexOf(TOOLS_END) + TOOLS_END.length), renderToolIndex(), 'its MCP tool list is stale: run npm run docs:protocol');
  });

  it('every method has a one-line doc, a result, and its own description below the index', () => {
    const rest = doc.slice(doc.indexOf(INDEX_END));
    const undocumented = methodNames().filter((m) => !rest.includes(`\`${m}\``) && !new RegExp(`^### .*\\b${m.replace(/\./g, '\\.')}\\b`, 'm').test(rest));
    assert.deepEqual(undocumented, [], 'methods with no section or entry below the index');
    const methods = allMethods();
    for (const name of methodNames()) {
      const def = methods[name];
      assert.match(def.doc, /^[A-Z`'].*[.)]$/, `${name}: its doc is one sentence`);
      assert.doesNotMatch(def.doc, /\n/, `${name}: its doc is one line`);
      assert.ok(def.result.length > 0, `${name}: names its result`);
    }
  });
});
