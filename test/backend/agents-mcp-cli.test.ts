// cairn agents mcp-servers as a user runs it (the built CLI, real files, HOME pointed at a temp folder): the servers
// of the workspace's files, ~/.claude.json and --registry files, their problems as file:line:column lines, exit 1
// on an error, no store needed or made, and no secret printed.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, cleanupTempDirs, cli, requireBuilt, tempDir, writeTree } from '../helpers';

const SECRET = 'ghp_DO_NOT_PRINT_123456';

describe('cairn agents mcp-servers (CLI)', function () {
  this.timeout(30_000);
  let ws: string;
  let home: string;
  before(requireBuilt);
  beforeEach(() => {
    ws = tempDir('cairn-mcp-cli-ws-');
    home = tempDir('cairn-mcp-cli-home-');
    writeTree(
      {
        '.mcp.json': JSON.stringify({ mcpServers: { github: { command: process.execPath, args: ['server.js'], env: { GITHUB_TOKEN: SECRET } }, docs: { type: 'http', url: 'https://docs.example.com/mcp', headers: { Authorization: `Bearer ${SECRET}` } } } }, null, 2),
        '.vscode/mcp.json': '{\n  // comments are fine here\n  "servers": { "vs-only": { "type": "sse", "url": "http://127.0.0.1:7000/sse" } }\n}\n',
      },
      ws,
    );
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ projects: { [ws]: { mcpServers: { 'local-one': { command: process.execPath } } } } }, null, 2));
  });
  afterEach(cleanupTempDirs);

  /** Runs the CLI in the workspace folder, with HOME in the temp home. */
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', env: { ...process.env, HOME: home } });

  it('lists the servers from the workspace, ~/.claude.json and a registry, with no store (none is made)', () => {
    writeTree({ 'mcp-registry.json': '[{ "name": "from-registry", "url": "https://r.example.com/mcp" }]' }, ws);
    const r = run('agents', 'mcp-servers', '--registry', 'mcp-registry.json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME +TRANSPORT +COMMAND \/ URL +ENV +DEFINED IN$/);
    assert.match(r.stdout, new RegExp(`^github +stdio +${escape(process.execPath)} server\\.js +GITHUB_TOKEN +\\.mcp\\.json:3$`, 'm'));
    assert.match(r.stdout, /^docs +http +https:\/\/docs\.example\.com\/mcp +\.mcp\.json:12$/m);
    assert.match(r.stdout, /^vs-only +sse +http:\/\/127\.0\.0\.1:7000\/sse +\.vscode\/mcp\.json:3$/m);
    assert.match(r.stdout, /^local-one +stdio +.* +~\/\.claude\.json:5$/m);
    assert.match(r.stdout, /^from-registry +http +https:\/\/r\.example\.com\/mcp +mcp-registry\.json:1$/m);
    assert.equal(lines.at(-1), '5 MCP servers in .mcp.json (2), .vscode/mcp.json (1), ~/.claude.json (1), mcp-registry.json (1): 0 errors, 0 warnings, 0 info');
    assert.ok(!fs.existsSync(path.join(ws, '.cairn')), 'no store was made');
    assert.ok(!r.stdout.includes(SECRET), 'a secret was printed');

    const json = run('--json', 'agent', 'mcp-servers', '--workspace', ws);
    assert.equal(json.status, 0, json.stderr);
    assert.ok(!json.stdout.includes(SECRET), 'a secret is in the JSON');
    const report = JSON.parse(json.stdout);
    assert.deepEqual(
      report.servers.map((s: { name: string; envNames: string[]; headerNames: string[] }) => [s.name, s.envNames, s.headerNames]),
      [
        ['github', ['GITHUB_TOKEN'], []],
        ['docs', [], ['Authorization']],
        ['vs-only', [], []],
        ['local-one', [], []],
      ],
    );
  });

  it('prints each problem as file:line:column: severity code message, and exits 1 on an error', () => {
    fs.writeFileSync(path.join(ws, '.vscode', 'mcp.json'), '{ "servers": {\n  "github": { "command": "/no/such/server" },\n  "half": { "type": "http" }\n} }');
    const r = run('agent', 'mcp-servers');
    assert.equal(r.status, 1, r.stderr);
    const file = path.join(ws, '.vscode', 'mcp.json');
    assert.match(r.stdout, new RegExp(`^${escape(path.join(ws, '.mcp.json'))}:3:1: warning duplicate-name MCP server "github" is defined in 2 places: `, 'm'));
    assert.match(r.stdout, new RegExp(`^${escape(file)}:2:26: error command-not-found The command of MCP server "github", /no/such/server, does not exist\\.$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${escape(file)}:3:3: error no-command-or-url MCP server "half" is an HTTP server without a "url"`, 'm'));
    assert.match(r.stdout, /: 2 errors, 2 warnings, 0 info$/m);

    fs.writeFileSync(path.join(ws, '.mcp.json'), '{ "mcpServers": { "a": { "command": "x" }, } }');
    const bad = run('--json', 'agent', 'mcp-servers');
    assert.equal(bad.status, 1);
    const report = JSON.parse(bad.stdout);
    assert.deepEqual(report.diagnostics[0], {
      file: path.join(ws, '.mcp.json'),
      line: 1,
      column: 44,
      severity: 'error',
      code: 'bad-json',
      message: 'Not valid JSON at line 1, column 44: a property name in double quotes is expected here (a trailing comma?). No server of this file is listed until it is fixed.',
    });
    assert.ok(report.servers.some((s: { name: string }) => s.name === 'local-one'), 'the other files are still read');
  });

  it('a registry it may not read is a problem of that file; the others are still listed', function () {
    const secret = path.join(home, 'mcp-registry.json');
    fs.writeFileSync(secret, '{ "servers": { "hidden": { "command": "x" } } }');
    // Root is not stopped by modes: the CLI then runs as nobody, who may read the CLI and the folders but not the file.
    fs.chmodSync(secret, 0o000);
    for (const dir of [ws, home, path.join(ws, '.vscode')]) fs.chmodSync(dir, 0o755);
    for (const f of [path.join(ws, '.mcp.json'), path.join(ws, '.vscode', 'mcp.json'), path.join(home, '.claude.json')]) fs.chmodSync(f, 0o644);
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const r = cli(['agent', 'mcp-servers', '--workspace', ws, '--registry', secret, '--store', path.join(home, 'no-store')], { HOME: home }, as);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^${escape(secret)}:1:1: error unreadable Cannot read ${escape(secret)}: no permission\\.$`, 'm'));
    assert.match(r.stdout, /^github +stdio /m);
    assert.match(r.stdout, /mcp-registry\.json \(unreadable\): 1 errors/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
