// Hostile agent folders, built for real: YAML that refers to itself or explodes, a file linked from outside the
// folder, a FIFO named like an agent. Each gives a diagnostic or is skipped with the reason; the good agents are
// always indexed.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAgentFile } from '../../../src/store/agents/agentFile';
import { indexAgents } from '../../../src/store/agents/indexer';
import { agents } from '../../../src/store/schema';
import type { Store } from '../../../src/store/store';
import { human, tempDir, useTempStore, writeTree } from '../../helpers';

const good = '---\nname: good\ndescription: Use good for its job.\n---\n\nYou are good.\n';
const circular = '---\nname: loop\ndescription: Use loop.\nx: &x\n  y: *x\n---\n\nYou loop.\n';
const bomb = [
  '---',
  'name: bomb',
  'description: Use bomb.',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  '---',
  '',
  'You explode.',
  '',
].join('\n');

describe('agents: a hostile agent folder', () => {
  let store!: Store;
  useTempStore((s) => (store = s));

  it('an alias inside its own anchor or an alias bomb is a bad-yaml diagnostic, never a crash', async () => {
    assert.deepEqual(
      parseAgentFile(circular, 'loop.md').diagnostics.map((d) => [d.code, d.message]),
      [['bad-yaml', 'The front matter could not be read: the alias *x is used inside the value &x names, so that value would contain itself.']],
    );
    assert.deepEqual(
      parseAgentFile(bomb, 'bomb.md').diagnostics.map((d) => [d.code, d.message]),
      [['bad-yaml', 'The front matter could not be read: its aliases (*name) expand to more than 100 copies (an "alias bomb").']],
    );
    const dir = writeTree({ 'good.md': good, 'loop.md': circular, 'bomb.md': bomb }, tempDir('cairn-agents-'));
    const r = await indexAgents(store, [dir], human);
    assert.deepEqual([r.added, r.skipped], [3, []]);
    const rows = new Map((await store.orm.select().from(agents)).map((a) => [path.basename(a.path), a]));
    assert.equal(rows.get('good.md')!.name, 'good');
    assert.deepEqual(rows.get('loop.md')!.diagnostics.map((d) => d.code), ['bad-yaml']);
    assert.deepEqual(rows.get('bomb.md')!.diagnostics.map((d) => d.code), ['bad-yaml']);
  });

  it('a file linked from outside the folder and a FIFO are skipped with the reason; a link inside the folder is read', async () => {
    const root = tempDir();
    const outside = writeTree({ 'elsewhere.md': good.replace(/good/g, 'elsewhere') }, path.join(root, 'outside'));
    const dir = writeTree({ 'good.md': good, 'kept/original.md': good.replace(/good/g, 'original') }, path.join(root, 'agents'));
    fs.symlinkSync(path.join(outside, 'elsewhere.md'), path.join(dir, 'linked.md'));
    fs.symlinkSync(path.join(dir, 'kept', 'original.md'), path.join(dir, 'inside.md'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.md')]);
    const r = await indexAgents(store, [dir], human);
    // kept/original.md is read too (sub-folders are): the link and its target are two files of one name.
    const rows = await store.orm.select().from(agents);
    assert.deepEqual(rows.map((a) => a.name).sort(), ['good', 'original', 'original']);
    assert.deepEqual(rows.filter((a) => a.name === 'original').map((a) => [path.relative(dir, a.path), a.diagnostics.some((d) => d.code === 'duplicate-name')]).sort(), [
      ['inside.md', true],
      [path.join('kept', 'original.md'), true],
    ]);
    assert.deepEqual(r.skipped, [
      { path: path.join(dir, 'linked.md'), reason: `a symbolic link to ${path.join(outside, 'elsewhere.md')}, outside the agent folder: not read` },
      { path: path.join(dir, 'pipe.md'), reason: 'not a regular file (a FIFO, socket or device): never read' },
    ]);
  });
});
