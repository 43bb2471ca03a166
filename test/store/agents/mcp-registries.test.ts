// The MCP server lists agents use, read from real files in temp folders: .mcp.json, .vscode/mcp.json (JSON with
// comments), ~/.claude.json (through the home override) and registries; every kind of problem, by file and line;
// and the values of env and headers never anywhere in the result.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_REGISTRY_BYTES, maskUrl, readMcpServers, type McpServersReport } from '../../../src/store/agents/mcpRegistries';
import { cleanupTempDirs, tempDir, writeTree } from '../../helpers';

const SECRET = 'sk-live-DO-NOT-LEAK-4242';
const HEADER_SECRET = 'Bearer hdr-DO-NOT-LEAK-77';

describe('MCP server registries (real files)', () => {
  let ws: string;
  let home: string;
  let bin: string;
  afterEach(cleanupTempDirs);
  beforeEach(() => {
    ws = tempDir('cairn-mcp-ws-');
    home = tempDir('cairn-mcp-home-');
    bin = tempDir('cairn-mcp-bin-');
    fs.writeFileSync(path.join(bin, 'mcp-tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'not-runnable'), 'data\n', { mode: 0o644 });
  });

  const read = (registryPaths: string[] = []) => readMcpServers({ workspaceFolder: ws, home, registryPaths, pathEnv: bin });
  const codes = (r: McpServersReport, file?: string) => r.diagnostics.filter((d) => !file || d.file === file).map((d) => `${path.basename(d.file)}:${d.line} ${d.severity} ${d.code}`);

  it('lists the servers of every file with transport, command or URL, source, file and the line of its name', async () => {
    writeTree(
      {
        '.mcp.json': JSON.stringify({ mcpServers: { cairn: { command: 'mcp-tool', args: ['mcp', '--profile', 'core'], env: { CAIRN_STORE: '/x' } }, docs: { type: 'http', url: 'https://docs.example.com/mcp' } } }, null, 2),
        '.vscode/mcp.json': [
          '// VS Code reads this file as JSON with comments',
          '{',
          '  "inputs": [{ "type": "promptString", "id": "api-key", "password": true }],',
          '  "servers": {',
          '    /* a local one */',
          '    "vs-local": { "type": "stdio", "command": "${workspaceFolder}/tools/server", "env": { "KEY": "${input:api-key}" } },',
          '    "events": { "type": "sse", "url": "http://127.0.0.1:9000/sse", },',
          '  },',
          '}',
        ].join('\n'),
        'tools/server': '#!/bin/sh\n',
      },
      ws,
    );
    fs.chmodSync(path.join(ws, 'tools/server'), 0o755);
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({ numStartups: 3, mcpServers: { 'user-wide': { command: 'mcp-tool' } }, projects: { '/elsewhere': { mcpServers: { 'not-ours': { command: 'mcp-tool' } } }, [ws]: { mcpServers: { 'local-one': { command: 'mcp-tool', args: ['--local'] } } } } }, null, 2),
    );
    const registry = path.join(home, 'registries', 'mcp-registry.json');
    writeTree({ 'mcp-registry.json': JSON.stringify([{ name: 'from-list', url: 'https://r.example.com/mcp', transport: 'sse' }], null, 2), 'agent-registry.json': '{\n  // agents and their servers\n  "servers": { "from-map": { "command": "mcp-tool" } }\n}\n' }, path.join(home, 'registries'));

    const r = await read([registry, '~/registries/agent-registry.json']);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.source, s.transport, s.command ?? s.url, s.args.join(' '), s.file.startsWith(ws + path.sep) ? path.relative(ws, s.file) : s.file, s.line]),
      [
        ['cairn', 'project', 'stdio', 'mcp-tool', 'mcp --profile core', '.mcp.json', 3],
        ['docs', 'project', 'http', 'https://docs.example.com/mcp', '', '.mcp.json', 14],
        ['vs-local', 'vscode', 'stdio', '${workspaceFolder}/tools/server', '', path.join('.vscode', 'mcp.json'), 6],
        ['events', 'vscode', 'sse', 'http://127.0.0.1:9000/sse', '', path.join('.vscode', 'mcp.json'), 7],
        ['local-one', 'claude-local', 'stdio', 'mcp-tool', '--local', path.join(home, '.claude.json'), 18],
        ['user-wide', 'claude-user', 'stdio', 'mcp-tool', '', path.join(home, '.claude.json'), 4],
        ['from-list', 'registry', 'sse', 'https://r.example.com/mcp', '', registry, 3],
        ['from-map', 'registry', 'stdio', 'mcp-tool', '', path.join(home, 'registries', 'agent-registry.json'), 3],
      ],
    );
    assert.deepEqual(r.servers[0]!.envNames, ['CAIRN_STORE']);
    assert.deepEqual(r.servers[2]!.envNames, ['KEY']);
    assert.deepEqual(
      r.files.map((f) => [path.basename(f.path), f.source, f.state, f.servers]),
      [
        ['.mcp.json', 'project', 'read', 2],
        ['mcp.json', 'vscode', 'read', 2],
        ['.claude.json', 'claude-user', 'read', 2],
        ['mcp-registry.json', 'registry', 'read', 1],
        ['agent-registry.json', 'registry', 'read', 1],
      ],
    );
  });

  it('never returns the values of env or headers, nor a password in a URL (the whole result serialised)', async () => {
    writeTree(
      {
        '.mcp.json': JSON.stringify({
          mcpServers: {
            local: { command: 'mcp-tool', env: { OPENAI_API_KEY: SECRET, NUMBER: 42 } },
            remote: { type: 'http', url: `https://user:${SECRET}@mcp.example.com/mcp?api_key=${SECRET}&region=eu`, headers: { Authorization: HEADER_SECRET } },
            broken: { command: 'mcp-tool', env: [SECRET] },
          },
        }),
        '.vscode/mcp.json': `{ "servers": { "vs": { "command": "mcp-tool", "env": { "TOKEN": "${SECRET}" }, "headers": { "X-Key": "${HEADER_SECRET}" } } } }`,
      },
      ws,
    );
    const r = await read();
    const all = JSON.stringify(r);
    assert.ok(!all.includes(SECRET), 'an env value, URL password or query secret leaked');
    assert.ok(!all.includes('DO-NOT-LEAK'), 'a header value leaked');
    const remote = r.servers.find((s) => s.name === 'remote')!;
    assert.equal(remote.url, 'https://***@mcp.example.com/mcp?api_key=***&region=eu');
    assert.deepEqual(remote.headerNames, ['Authorization']);
    assert.deepEqual(r.servers.find((s) => s.name === 'local')!.envNames, ['OPENAI_API_KEY', 'NUMBER']);
    assert.deepEqual(codes(r), ['.mcp.json:1 warning wrong-type', '.mcp.json:1 error wrong-type'], 'NUMBER is no string; env is a list');
    assert.equal(maskUrl('https://mcp.example.com/sse'), 'https://mcp.example.com/sse', 'a URL with nothing to hide stays as written');
  });

  it('accepts comments and trailing commas in .vscode/mcp.json, but not in .mcp.json (plain JSON), with line and column', async () => {
    writeTree(
      {
        '.vscode/mcp.json': '{\n  // a comment\n  "servers": { "ok": { "command": "mcp-tool", }, },\n}\n',
        '.mcp.json': '{\n  "mcpServers": {\n    // Claude Code reads plain JSON\n    "x": { "command": "mcp-tool" }\n  }\n}\n',
      },
      ws,
    );
    const r = await read();
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['ok'],
    );
    const bad = r.diagnostics.find((d) => d.code === 'bad-json')!;
    assert.equal(bad.file, path.join(ws, '.mcp.json'));
    assert.deepEqual([bad.line, bad.column, bad.severity], [3, 5, 'error']);
    assert.match(bad.message, /^Not valid JSON at line 3, column 5: a comment, which plain JSON does not allow/);
    assert.equal(r.files[0]!.state, 'invalid');
  });

  it('one bad file never stops the others: bad JSON, a folder, a link loop, a device and a too-large file are each a problem; a missing one is none', async () => {
    writeTree({ '.mcp.json': '{ "mcpServers": { "a": { "command": "mcp-tool" } ', '.vscode/mcp.json': '{ "servers": { "b": { "command": "mcp-tool" } } }' }, ws);
    const regs = tempDir('cairn-mcp-regs-');
    fs.mkdirSync(path.join(regs, 'a-folder.json'));
    fs.symlinkSync(path.join(regs, 'loop2.json'), path.join(regs, 'loop1.json'));
    fs.symlinkSync(path.join(regs, 'loop1.json'), path.join(regs, 'loop2.json'));
    fs.writeFileSync(path.join(regs, 'huge.json'), '');
    fs.truncateSync(path.join(regs, 'huge.json'), MAX_REGISTRY_BYTES + 1); // sparse: nothing is written
    writeTree({ 'good.json': '{ "mcpServers": { "c": { "url": "https://c.example.com/mcp" } } }' }, regs);
    const r = await read([...['a-folder.json', 'loop1.json', 'huge.json', 'nope.json', 'good.json'].map((f) => path.join(regs, f)), '/dev/zero']);
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['b', 'c'],
    );
    assert.deepEqual(codes(r), ['.mcp.json:1 error bad-json', 'a-folder.json:1 error unreadable', 'loop1.json:1 error unreadable', 'huge.json:1 error too-large', 'zero:1 error unreadable']);
    assert.match(r.diagnostics[4]!.message, /\/dev\/zero is not a regular file/, 'a device is never read (it would not end)');
    assert.match(r.diagnostics[0]!.message, /at line 1, column \d+: a closing \} is expected here/);
    assert.match(r.diagnostics[1]!.message, /is a folder, not a JSON file/);
    assert.match(r.diagnostics[2]!.message, /a loop of symbolic links/);
    assert.deepEqual(
      r.files.map((f) => f.state),
      ['invalid', 'read', 'missing', 'unreadable', 'unreadable', 'unreadable', 'missing', 'read', 'unreadable'],
    );
  });

  it('a command that cannot be found: a missing path is an error, a name on no folder of PATH a warning; nothing is run', async () => {
    const marker = path.join(ws, 'ran');
    fs.writeFileSync(path.join(bin, 'would-run'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    writeTree(
      {
        '.mcp.json': JSON.stringify(
          {
            mcpServers: {
              'on-path': { command: 'would-run' },
              absolute: { command: path.join(bin, 'mcp-tool') },
              'abs-missing': { command: '/nonexistent/bin/server' },
              relative: { command: './scripts/serve.sh' },
              folder: { command: bin },
              'not-exec': { command: path.join(bin, 'not-runnable') },
              'not-on-path': { command: 'no-such-program-xyz' },
              variable: { command: '${env:TOOL}' },
              home: { command: '~/bin/tool' },
              empty: { command: ' ' },
            },
          },
          null,
          2,
        ),
      },
      ws,
    );
    const r = await read();
    assert.deepEqual(codes(r), [
      '.mcp.json:10 error command-not-found',
      '.mcp.json:13 error command-not-found',
      '.mcp.json:16 error command-not-found',
      '.mcp.json:19 error command-not-found',
      '.mcp.json:22 warning command-not-found',
      '.mcp.json:28 error command-not-found',
      '.mcp.json:31 error command-not-found',
    ]);
    const message = (line: number) => r.diagnostics.find((d) => d.line === line)!.message;
    assert.match(message(10), /\/nonexistent\/bin\/server, does not exist/);
    assert.match(message(13), new RegExp(`${path.join(ws, 'scripts', 'serve.sh').replace(/[/.]/g, '\\$&')}, does not exist`), 'relative to the workspace folder');
    assert.match(message(16), /is a folder, not a program/);
    assert.match(message(19), /is not executable/);
    assert.match(message(22), /"no-such-program-xyz" of MCP server "not-on-path" is not on PATH/);
    assert.match(message(28), new RegExp(`${home.replace(/[/.]/g, '\\$&')}/bin/tool, does not exist`), '~ is the home folder');
    assert.match(message(31), /is empty/);
    assert.equal(r.servers.find((s) => s.name === 'abs-missing')!.problems.error, 1, 'a server with a problem is still listed, with its count');
    assert.ok(!fs.existsSync(marker), 'the command was only looked up, never run');
  });

  it('reports wrong types, unknown transports, missing command or url, bad URLs, keys of the other format and unknown inputs', async () => {
    writeTree(
      {
        '.mcp.json': JSON.stringify(
          {
            mcpServers: {
              'not-object': 'mcp-tool',
              nothing: { args: ['x'] },
              'bad-args': { command: 'mcp-tool', args: 'one two' },
              'bad-arg': { command: 'mcp-tool', args: ['ok', 3] },
              'bad-command': { command: ['mcp-tool'] },
              'ws-transport': { type: 'websocket', url: 'wss://x' },
              'http-no-url': { type: 'http', command: 'mcp-tool' },
              'ftp-url': { type: 'sse', url: 'ftp://files.example.com' },
              'var-url': { type: 'http', url: '${env:MCP_URL}' },
            },
          },
          null,
          2,
        ),
        '.vscode/mcp.json': '{\n  "inputs": [{ "id": "token" }],\n  "mcpServers": { "wrong-place": { "command": "mcp-tool" } },\n  "servers": {}\n}',
      },
      ws,
    );
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ mcpServers: [] }));
    const r = await read();
    assert.deepEqual(codes(r), [
      '.mcp.json:3 error wrong-type',
      '.mcp.json:4 error no-command-or-url',
      '.mcp.json:11 error wrong-type',
      '.mcp.json:17 error wrong-type',
      '.mcp.json:21 error wrong-type',
      '.mcp.json:26 error unknown-transport',
      '.mcp.json:29 error no-command-or-url',
      '.mcp.json:35 error bad-url',
      '.claude.json:1 error wrong-type',
    ]);
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['bad-args', 'bad-arg', 'ftp-url', 'var-url'],
      'bad-command has no string command left; the rest cannot be started',
    );
    assert.match(r.diagnostics.find((d) => d.code === 'unknown-transport')!.message, /type "websocket": use "stdio", "http" or "sse"/);

    // .vscode/mcp.json's servers under Claude Code's key only; registries with no server list, or entries without a name.
    fs.writeFileSync(path.join(ws, '.vscode', 'mcp.json'), '{\n  "inputs": [{ "id": "token" }],\n  "mcpServers": { "wrong-place": { "command": "mcp-tool" } }\n}');
    writeTree({ 'agents.json': '{ "agents": [] }', 'list.json': '[{ "command": "mcp-tool" }, 7]' }, home);
    const again = await read([path.join(home, 'agents.json'), path.join(home, 'list.json')]);
    assert.deepEqual(codes(again).filter((c) => !c.startsWith('.mcp.json') && !c.startsWith('.claude.json')), [
      'mcp.json:3 warning wrong-key',
      'agents.json:1 info no-servers',
      'list.json:1 error missing-name',
      'list.json:1 error wrong-type',
    ]);
    fs.writeFileSync(path.join(ws, '.vscode', 'mcp.json'), '{\n  "inputs": [{ "id": "token" }],\n  "servers": {\n    "vs": { "command": "mcp-tool", "env": { "A": "${input:token}", "B": "${input:missing}" } }\n  }\n}');
    const inputs = await read();
    assert.deepEqual(codes(inputs, path.join(ws, '.vscode', 'mcp.json')), ['mcp.json:4 warning unknown-input']);
    assert.match(inputs.diagnostics.find((d) => d.code === 'unknown-input')!.message, /\$\{input:missing\}/);
  });

  it('a server name defined in two files: a warning at each naming both; a registry that is one of the other files is read once', async () => {
    writeTree({ '.mcp.json': '{\n  "mcpServers": {\n    "cairn": { "command": "mcp-tool" }\n  }\n}', '.vscode/mcp.json': '{ "servers": {\n\n  "cairn": { "type": "stdio", "command": "mcp-tool" } } }' }, ws);
    const r = await read(['.mcp.json', './.mcp.json']);
    const dups = r.diagnostics.filter((d) => d.code === 'duplicate-name');
    assert.deepEqual(
      dups.map((d) => [path.relative(ws, d.file), d.line, d.severity]),
      [
        ['.mcp.json', 3, 'warning'],
        [path.join('.vscode', 'mcp.json'), 3, 'warning'],
      ],
    );
    for (const d of dups) assert.ok(d.message.includes(`${path.join(ws, '.mcp.json')}:3`) && d.message.includes(`${path.join(ws, '.vscode', 'mcp.json')}:3`), d.message);
    assert.equal(r.files.length, 3, '.mcp.json named as a registry twice is still read once');
    assert.deepEqual(
      r.servers.map((s) => s.problems.warning),
      [1, 1],
    );
  });

  it("reads only the files it looks for inside their folder; a registry is read where the user's path leads; nothing is written", async () => {
    const outside = tempDir('cairn-mcp-outside-');
    writeTree({ 'elsewhere.json': '{ "mcpServers": { "far": { "command": "mcp-tool" } } }' }, outside);
    fs.symlinkSync(path.join(outside, 'elsewhere.json'), path.join(ws, '.mcp.json'));
    fs.symlinkSync(path.join(outside, 'elsewhere.json'), path.join(home, 'linked-registry.json'));
    const before = fs.readFileSync(path.join(outside, 'elsewhere.json'), 'utf8');
    const r = await read(['~/linked-registry.json']);
    assert.deepEqual(codes(r), ['.mcp.json:1 warning outside-folder']);
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.source, s.file]),
      [['far', 'registry', path.join(home, 'linked-registry.json')]],
    );
    assert.equal(fs.readFileSync(path.join(outside, 'elsewhere.json'), 'utf8'), before);
    assert.deepEqual(fs.readdirSync(ws), ['.mcp.json'], 'nothing was created in the workspace');
  });
});
