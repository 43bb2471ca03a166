// Claude Code subagent files (.claude/agents/*.md): parsing, per-file diagnostics, cross-file lint, and the VoltAgent
// collection of 160+ real agent files in test/fixtures (written by other people).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAgentFile, type AgentDefinition, type AgentDiagnostic } from '../../../src/store/agents/agentFile';
import { lintAgents } from '../../../src/store/agents/lint';
import { VOLTAGENT_AGENTS } from '../../fixtures';

const VOLTAGENT = VOLTAGENT_AGENTS;

const md = (...lines: string[]) => lines.join('\n');
const codes = (def: AgentDefinition) => def.diagnostics.map((d) => d.code);
const only = (def: AgentDefinition, code: string): AgentDiagnostic => {
  const found = def.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(def.diagnostics, null, 2)}`);
  return found[0];
};

const GOOD = md(
  '---',
  'name: code-reviewer',
  'description: Reviews code after changes.',
  'tools: Read, Grep, Glob',
  'model: sonnet',
  'color: blue',
  '---',
  '',
  'You are a careful reviewer.',
);

describe('parseAgentFile', () => {
  it('reads a well-formed file with no diagnostics', () => {
    const def = parseAgentFile(GOOD, '/p/.claude/agents/code-reviewer.md');
    assert.deepEqual(def.diagnostics, []);
    assert.equal(def.name, 'code-reviewer');
    assert.equal(def.description, 'Reviews code after changes.');
    assert.deepEqual(def.tools, ['Read', 'Grep', 'Glob']);
    assert.equal(def.model, 'sonnet');
    assert.equal(def.color, 'blue');
    assert.deepEqual(def.extra, {});
    assert.equal(def.body, '\nYou are a careful reviewer.');
    assert.deepEqual(def.fieldLines, { name: 2, description: 3, tools: 4, model: 5, color: 6 });
  });

  it('handles a BOM and CRLF line ends without shifting line numbers', () => {
    const source = '\ufeff' + GOOD.replace('name: code-reviewer', 'name: Code Reviewer').split('\n').join('\r\n');
    const def = parseAgentFile(source, 'code-reviewer.md');
    assert.equal(def.name, 'Code Reviewer');
    assert.deepEqual(def.tools, ['Read', 'Grep', 'Glob']);
    assert.equal(def.body, '\nYou are a careful reviewer.', 'body has LF line ends and no stray \\r');
    assert.ok(!def.description!.includes('\r'));
    assert.equal(only(def, 'bad-name').line, 2);
  });

  describe('tools', () => {
    const withTools = (...toolLines: string[]) =>
      parseAgentFile(md('---', 'name: a', 'description: d', ...toolLines, '---', 'Body.'), 'a.md');

    it('as a comma-separated string, keeping commas inside Agent(...)', () => {
      const def = withTools('tools: Read,Bash ,  Agent(worker, researcher), mcp__github__create_issue');
      assert.deepEqual(def.tools, ['Read', 'Bash', 'Agent(worker, researcher)', 'mcp__github__create_issue']);
      assert.deepEqual(def.diagnostics, []);
    });

    it('as a YAML list', () => {
      const def = withTools('tools:', '  - Read', '  - WebSearch');
      assert.deepEqual(def.tools, ['Read', 'WebSearch']);
      assert.deepEqual(def.diagnostics, []);
    });

    it('as a flow list, and [] means no tools at all', () => {
      assert.deepEqual(withTools('tools: [Read, Edit]').tools, ['Read', 'Edit']);
      const none = withTools('tools: []');
      assert.deepEqual(none.tools, []);
      assert.deepEqual(none.diagnostics, []);
    });

    it('absent means every tool is inherited (null)', () => {
      const def = withTools();
      assert.equal(def.tools, null);
      assert.deepEqual(def.diagnostics, []);
    });

    it('bad-tools: empty field, wrong case, non-text list item, trailing comma', () => {
      const empty = withTools('tools:');
      assert.equal(empty.tools, null);
      assert.equal(only(empty, 'bad-tools').line, 4);
      assert.match(only(empty, 'bad-tools').message, /inherits all tools/);

      const wrongCase = withTools('tools: read, Grep');
      assert.deepEqual(wrongCase.tools, ['read', 'Grep']);
      assert.match(only(wrongCase, 'bad-tools').message, /"read".*write "Read"/);

      const list = withTools('tools:', '  - Read', '  - 42');
      assert.deepEqual(list.tools, ['Read']);
      assert.equal(only(list, 'bad-tools').line, 6, 'points at the list item');

      const trailing = withTools('tools: Read, Grep,');
      assert.deepEqual(trailing.tools, ['Read', 'Grep']);
      assert.match(only(trailing, 'bad-tools').message, /empty entry/);

      const mapping = withTools('tools:', '  read: true');
      assert.equal(mapping.tools, null);
      assert.equal(only(mapping, 'bad-tools').severity, 'warning');
    });

    it('unknown-tool (info) for a name that is neither built in nor mcp__, with a near-miss hint', () => {
      const def = withTools('tools: Read, WebSerch, pied-piper');
      assert.deepEqual(def.tools, ['Read', 'WebSerch', 'pied-piper']);
      const unknown = def.diagnostics.filter((d) => d.code === 'unknown-tool');
      assert.equal(unknown.length, 2);
      assert.ok(unknown.every((d) => d.severity === 'info' && d.line === 4));
      assert.match(unknown[0].message, /did you mean "WebSearch"/);
    });
  });

  describe('model', () => {
    const withModel = (value: string) =>
      parseAgentFile(md('---', 'name: a', 'description: d', `model: ${value}`, '---', 'Body.'), 'a.md');

    for (const ok of ['sonnet', 'opus', 'haiku', 'inherit', 'claude-sonnet-4-5', 'claude-opus-4-1-20250805']) {
      it(`accepts ${ok}`, () => {
        const def = withModel(ok);
        assert.equal(def.model, ok);
        assert.deepEqual(def.diagnostics, []);
      });
    }

    it('bad-model with a did-you-mean for a near miss, keeping the value', () => {
      const def = withModel('sonet');
      assert.equal(def.model, 'sonet');
      const d = only(def, 'bad-model');
      assert.equal(d.line, 4);
      assert.equal(d.severity, 'warning');
      assert.match(d.message, /did you mean "sonnet"/);
      assert.match(withModel('Opus').diagnostics[0].message, /did you mean "opus"/);
      assert.match(withModel('gpt-4o').diagnostics[0].message, /Unknown model "gpt-4o"\. Use sonnet, opus, haiku, inherit/);
      assert.equal(only(withModel('4'), 'bad-model').line, 4);
    });
  });

  it('keeps every other field in extra (documented ones silently, unknown ones with a warning)', () => {
    const def = parseAgentFile(
      md(
        '---',
        'name: a',
        'description: d',
        'permissionMode: plan',
        'maxTurns: 12',
        'skills: [lint, test]',
        'hooks:',
        '  Stop:',
        '    - command: ./done.sh',
        'x-owner: platform-team',
        '---',
        'Body.',
      ),
      'a.md',
    );
    assert.deepEqual(def.extra, {
      permissionMode: 'plan',
      maxTurns: 12,
      skills: ['lint', 'test'],
      hooks: { Stop: [{ command: './done.sh' }] },
      'x-owner': 'platform-team',
    });
    assert.deepEqual(codes(def), ['unknown-field']);
    assert.equal(def.diagnostics[0].line, 10);
  });

  it('unknown-field names the field, the known ones, and a near miss', () => {
    const def = parseAgentFile(md('---', 'name: a', 'descripton: d', 'allowed-tools: Read', '---', 'Body.'), 'a.md');
    const unknown = def.diagnostics.filter((d) => d.code === 'unknown-field');
    assert.equal(unknown.length, 2);
    assert.equal(unknown[0].line, 3);
    assert.match(unknown[0].message, /"descripton"; did you mean "description"\?/);
    assert.match(unknown[0].message, /Known fields: name, description, tools, .*color, initialPrompt\./);
    assert.equal(unknown[1].line, 4);
    assert.match(unknown[1].message, /"allowed-tools"; did you mean "tools"\?/);
    assert.equal(def.extra.descripton, 'd');
    // the misspelt description does not count as a description
    assert.equal(def.description, null);
    assert.equal(only(def, 'missing-description').severity, 'error');
  });

  it('missing-name and missing-description point at the opening line, or at an empty field', () => {
    const neither = parseAgentFile(md('---', 'model: haiku', '---', 'Body.'), '/x/security-auditor.md');
    assert.deepEqual(codes(neither).sort(), ['missing-description', 'missing-name']);
    assert.ok(neither.diagnostics.every((d) => d.line === 1 && d.severity === 'error'));
    assert.match(only(neither, 'missing-name').message, /name: security-auditor/, 'suggests a name from the file name');

    const blank = parseAgentFile(md('---', 'name:', 'description: "  "', '---', 'Body.'), 'a.md');
    assert.equal(only(blank, 'missing-name').line, 2);
    assert.equal(only(blank, 'missing-description').line, 3);
    assert.equal(blank.name, null);
    assert.equal(blank.description, null);
  });

  it('bad-name suggests the fixed name; digits are fine', () => {
    const def = parseAgentFile(md('---', 'description: d', 'name: Code Reviewer_v2', '---', 'Body.'), 'code-reviewer-v2.md');
    assert.equal(def.name, 'Code Reviewer_v2');
    const d = only(def, 'bad-name');
    assert.equal(d.line, 3);
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /use "code-reviewer-v2"/);

    const dotted = parseAgentFile(md('---', 'name: powershell-5.1-expert', 'description: d', '---', 'B'), 'powershell-5.1-expert.md');
    assert.match(only(dotted, 'bad-name').message, /use "powershell-5-1-expert"/);

    assert.deepEqual(parseAgentFile(md('---', 'name: m365-admin', 'description: d', '---', 'B'), 'm365-admin.md').diagnostics, []);

    const list = parseAgentFile(md('---', 'name: [a, b]', 'description: d', '---', 'B'), 'a.md');
    assert.equal(list.name, null);
    assert.equal(only(list, 'bad-name').severity, 'error');
    assert.ok(!codes(list).includes('missing-name'));
  });

  it('name-file-mismatch (info) when the name differs from the file name, Windows paths included', () => {
    const def = parseAgentFile(md('---', 'name: reviewer', 'description: d', '---', 'B'), 'C:\\repo\\.claude\\agents\\code-reviewer.md');
    const d = only(def, 'name-file-mismatch');
    assert.equal(d.severity, 'info');
    assert.equal(d.line, 2);
    assert.match(d.message, /"code-reviewer\.md"/);
  });

  it('bad-yaml: the YAML error line, fields null, body kept', () => {
    const source = md(
      '---',
      'name: backlog-grooming',
      'description: Use when grooming. Triggers on: groom backlog',
      'tools: Read',
      '---',
      '',
      'You groom backlogs.',
    );
    const def = parseAgentFile(source, 'backlog-grooming.md');
    const d = only(def, 'bad-yaml');
    assert.equal(d.line, 3);
    assert.equal(d.severity, 'error');
    assert.match(d.message, /value of "description" contains ": ".*double quotes/);
    assert.equal(def.name, null);
    assert.equal(def.description, null);
    assert.equal(def.tools, null);
    assert.deepEqual(def.extra, {});
    assert.equal(def.body, '\nYou groom backlogs.');

    const tabs = parseAgentFile(md('---', 'name: a', 'hooks:', '\tStop: x', '---', 'B'), 'a.md');
    assert.equal(tabs.diagnostics[0].code, 'bad-yaml');
    assert.equal(tabs.diagnostics[0].line, 4);

    const dup = parseAgentFile(md('---', 'name: a', 'description: d', 'name: b', '---', 'B'), 'a.md');
    assert.equal(only(dup, 'bad-yaml').line, 4);
    assert.match(only(dup, 'bad-yaml').message, /repeats a front-matter field \("name"\)/);

    const notMap = parseAgentFile(md('---', '- name: a', '---', 'B'), 'a.md');
    assert.equal(only(notMap, 'bad-yaml').line, 2);
    assert.match(only(notMap, 'bad-yaml').message, /key: value/);
  });

  it('no-front-matter: the whole text is the body', () => {
    const def = parseAgentFile('# Reviewer\n\nYou review code.\n', 'r.md');
    assert.deepEqual(codes(def), ['no-front-matter']);
    assert.equal(def.diagnostics[0].line, 1);
    assert.equal(def.body, '# Reviewer\n\nYou review code.\n');
    assert.equal(def.name, null);

    const late = parseAgentFile('\n\n---\nname: a\ndescription: d\n---\nB', 'a.md');
    assert.match(only(late, 'no-front-matter').message, /line 3 holds the first "---"/);
  });

  it('unclosed-front-matter when the closing --- is missing', () => {
    const def = parseAgentFile(md('---', 'name: a', 'description: d', 'You review code.'), 'a.md');
    assert.deepEqual(codes(def), ['unclosed-front-matter']);
    assert.equal(def.diagnostics[0].line, 1);
    assert.equal(def.name, null);
  });

  it('empty-body when there is no system prompt', () => {
    const def = parseAgentFile(md('---', 'name: a', 'description: d', '---', '', '   '), 'a.md');
    const d = only(def, 'empty-body');
    assert.equal(d.severity, 'warning');
    assert.equal(d.line, 4, 'points at the closing ---');
    assert.equal(parseAgentFile(md('---', 'name: a', 'description: d', '---'), 'a.md').diagnostics[0].code, 'empty-body');
  });

  it('bad-color for a colour not in the documented list; colour kept', () => {
    const def = parseAgentFile(md('---', 'name: a', 'description: d', 'color: Purple', '---', 'B'), 'a.md');
    assert.equal(def.color, 'Purple');
    assert.match(only(def, 'bad-color').message, /did you mean "purple"/);
  });
});

describe('lintAgents', () => {
  const file = (p: string, name: string, extraLines: string[] = []) => ({
    path: p,
    definition: parseAgentFile(md('---', ...extraLines, `name: ${name}`, 'description: d', '---', 'Body.'), p),
  });

  it('duplicate-name on each file, naming the other files, at the name line', () => {
    const files = [
      file('agents/reviewer.md', 'reviewer'),
      file('agents/reviewer-copy.md', 'reviewer', ['model: haiku']),
      file('agents/other/reviewer.md', 'reviewer'),
      file('agents/tester.md', 'tester'),
    ];
    const result = lintAgents(files);
    assert.deepEqual([...result.keys()], files.map((f) => f.path));
    assert.deepEqual(result.get('agents/tester.md'), []);

    const first = result.get('agents/reviewer.md')!.filter((d) => d.code === 'duplicate-name');
    assert.equal(first.length, 1);
    assert.equal(first[0].line, 2);
    assert.equal(first[0].severity, 'error');
    assert.match(first[0].message, /"reviewer" is also used by agents\/reviewer-copy\.md, agents\/other\/reviewer\.md\./);

    const copy = result.get('agents/reviewer-copy.md')!;
    const dup = copy.find((d) => d.code === 'duplicate-name')!;
    assert.equal(dup.line, 3, 'the name is on line 3 in this file');
    assert.match(dup.message, /agents\/reviewer\.md, agents\/other\/reviewer\.md/);
    assert.ok(!dup.message.includes('reviewer-copy.md'));
  });

  it("returns every file's own diagnostics, sorted by line, without touching the definitions", () => {
    const a = file('a.md', 'a');
    const broken = { path: 'b.md', definition: parseAgentFile(md('---', 'descripton: d', 'name: Bad Name', '---', 'B'), 'b.md') };
    const before = JSON.stringify(broken.definition.diagnostics);
    const result = lintAgents([broken, a]);
    assert.deepEqual(result.get('a.md'), []);
    assert.deepEqual(
      result.get('b.md')!.map((d) => `${d.line}:${d.code}`),
      ['1:missing-description', '2:unknown-field', '3:bad-name', '3:name-file-mismatch'],
    );
    assert.equal(JSON.stringify(broken.definition.diagnostics), before);
  });

  it('a path listed twice is one file, not a duplicate of itself', () => {
    const a = file('a.md', 'a');
    const result = lintAgents([a, a]);
    assert.deepEqual(result.get('a.md'), []);
  });
});

describe('the VoltAgent subagent collection (test/fixtures, written by other people)', () => {
  function walk(dir: string): string[] {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : []))
      .sort();
  }

  it('parses every .md file, with the facts read in a few of them', () => {
    const paths = walk(VOLTAGENT);
    assert.ok(paths.length >= 160, `expected 160+ files, found ${paths.length}`);
    const files = paths.map((p) => ({ path: path.relative(VOLTAGENT, p), definition: parseAgentFile(fs.readFileSync(p, 'utf8'), p) }));
    const lint = lintAgents(files);
    const byPath = new Map(files.map((f) => [f.path, f.definition]));
    const at = (rel: string) => {
      const def = byPath.get(rel);
      assert.ok(def, `${rel} is in the collection`);
      return def;
    };

    const marketer = at('categories/08-business-product/content-marketer.md');
    assert.equal(marketer.name, 'content-marketer');
    assert.equal(marketer.model, 'haiku');
    assert.deepEqual(marketer.tools, ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'WebFetch', 'WebSearch']);
    assert.match(marketer.body, /^\nYou are a senior content marketer/);
    assert.deepEqual(lint.get('categories/08-business-product/content-marketer.md'), []);

    const license = at('categories/08-business-product/license-engineer.md');
    assert.equal(license.name, 'license-engineer');
    assert.equal(license.model, 'inherit');

    // Lists agent and MCP-server names where tool names belong.
    const orchestrator = at('categories/09-meta-orchestration/codebase-orchestrator.md');
    assert.equal(orchestrator.model, 'inherit');
    assert.ok(orchestrator.tools!.includes('pied-piper'));
    assert.ok(orchestrator.diagnostics.some((d) => d.code === 'unknown-tool' && d.message.includes('"pied-piper"') && d.line === 4));

    // An unquoted "Triggers on: …" inside the description is not valid YAML.
    const grooming = at('categories/08-business-product/backlog-grooming.md');
    assert.equal(grooming.name, null);
    assert.deepEqual(grooming.diagnostics.map((d) => `${d.line}:${d.code}`), ['3:bad-yaml']);
    assert.match(grooming.body, /You are an expert Agile Product Owner/);

    const dotted = at('categories/02-language-specialists/dotnet-framework-4.8-expert.md');
    assert.match(dotted.diagnostics.find((d) => d.code === 'bad-name')!.message, /use "dotnet-framework-4-8-expert"/);

    // Only the category READMEs lack front matter.
    const noFrontMatter = files.filter((f) => f.definition.diagnostics.some((d) => d.code === 'no-front-matter')).map((f) => path.basename(f.path));
    assert.ok(noFrontMatter.length > 0 && noFrontMatter.every((n) => n === 'README.md'), noFrontMatter.join(', '));

    const counts: Record<string, number> = {};
    for (const list of lint.values()) for (const d of list) counts[`${d.severity} ${d.code}`] = (counts[`${d.severity} ${d.code}`] ?? 0) + 1;
    const clean = [...lint.values()].filter((l) => l.length === 0).length;
    const models: Record<string, number> = {};
    for (const f of files) if (f.definition.name) models[f.definition.model ?? '(absent)'] = (models[f.definition.model ?? '(absent)'] ?? 0) + 1;
    console.log(`      ${files.length} files, ${clean} without diagnostics; models: ${JSON.stringify(models)}`);
    for (const [k, n] of Object.entries(counts).sort()) console.log(`      ${String(n).padStart(4)}  ${k}`);
  });
});
