// `cairn import --format mcp-memory FILE` and `cairn export --format mcp-memory`, through dist/cli.js on real stores
// and files on disk, and against a file the real MCP memory server (@modelcontextprotocol/server-memory) wrote.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_IMPORT_BYTES } from '../../src/store/graph/memoryJsonl';
import { cleanupTempDirs, cli, requireBuilt, tempDir } from '../helpers';
import { connectTo } from '../mcp/client';

const MEMORY_SERVER = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');

const entity = (name: string, entityType: string, observations: string[]) => JSON.stringify({ type: 'entity', name, entityType, observations });
const relation = (from: string, to: string, relationType: string) => JSON.stringify({ type: 'relation', from, to, relationType });

const MEMORY_FILE = [
  entity('Alice', 'person', ['likes tea', 'works at Acme']),
  entity('Bob', 'person', []),
  entity('Zoë', 'person', ['speaks 日本語 🧭']),
  relation('Alice', 'Bob', 'knows'),
  relation('Alice', 'Carol', 'mentors'), // dangling
].join('\n');

const sortedLines = (text: string) => text.split('\n').filter((l) => l !== '').sort();

describe('cairn import / export --format mcp-memory (CLI)', function () {
  this.timeout(60_000);
  before(requireBuilt);
  let dir: string;
  let store: string;
  beforeEach(() => {
    dir = tempDir('cairn-interop-');
    store = path.join(dir, 'store');
    assert.equal(cli(['--store', store, 'init']).status, 0);
  });
  afterEach(cleanupTempDirs);

  const run = (args: string[], as?: { uid: number; gid: number }, s = store) => cli(['--store', s, ...args], {}, as);
  const ok = (args: string[], s = store) => {
    const r = run(args, undefined, s);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };
  /** A failure: one line on stderr (no stack trace, no SQL), this exit code, nothing on stdout. */
  const fails = (args: string[], status: number, message: RegExp, as?: { uid: number; gid: number }) => {
    const r = run(args, as);
    assert.equal(r.status, status, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^cairn: [^\n]*\n$/, 'one line');
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+|SQLITE|select |insert /i);
    assert.match(r.stderr, message);
  };

  it('imports a file and exports it again: the same lines; export → import into a fresh store → export is byte-identical', () => {
    const input = file('memory.jsonl', MEMORY_FILE + '\n');
    assert.equal(
      ok(['import', '--format', 'mcp-memory', input]),
      `Imported ${input}: 3 entities created, 0 merged; 3 observations added; 2 relations created; 1 dangling end kept as placeholders\n`,
    );
    const printed = ok(['export', '--format', 'mcp-memory']);
    assert.deepEqual(sortedLines(printed), sortedLines(MEMORY_FILE));
    assert.ok(printed.endsWith('}\n'), 'a terminal gets a newline at the end');

    const out = path.join(dir, 'out.jsonl');
    const said = JSON.parse(ok(['--json', 'export', '--format', 'mcp-memory', '--out', out]));
    assert.deepEqual(said, { file: out, format: 'mcp-memory', entities: 3, observations: 3, relations: 2 });
    const exported = fs.readFileSync(out, 'utf8');
    assert.equal(exported, printed.slice(0, -1), 'the file is the text without a newline at the end, as the memory server writes it');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');

    const fresh = path.join(dir, 'fresh');
    ok(['init'], fresh);
    const r = JSON.parse(ok(['--json', 'import', '--format', 'mcp-memory', out], fresh));
    assert.deepEqual(r, { format: 'mcp-memory', entitiesCreated: 3, entitiesMerged: 0, observationsAdded: 3, observationsSkipped: 0, relationsCreated: 2, relationsSkipped: 0, danglingEnds: 1 });
    const again = path.join(dir, 'again.jsonl');
    ok(['export', '--format', 'mcp-memory', '--out', again], fresh);
    assert.equal(fs.readFileSync(again, 'utf8'), exported);
  });

  it('a bad line: exit 1, "line N: …" on one line, and nothing imported', () => {
    const input = file('bad.jsonl', [entity('Alice', 'person', []), '', '{"type":"relation","from":"Alice","to":"Bob","relationType":""}'].join('\n'));
    fails(['import', '--format', 'mcp-memory', input], 1, /^cairn: line 3: relationType: relationType must not be empty \(1 line is not a valid MCP memory entity or relation; nothing was imported\)\n$/);
    assert.equal(ok(['export', '--format', 'mcp-memory']), '', 'the store is unchanged');
    assert.deepEqual(JSON.parse(ok(['--json', 'log', '--type', 'graph'])), []);
  });

  it('duplicates: a second import of the same file merges everything and creates nothing', () => {
    const input = file('memory.jsonl', MEMORY_FILE);
    ok(['import', '--format', 'mcp-memory', input]);
    assert.equal(
      ok(['import', '--format', 'mcp-memory', input]),
      `Imported ${input}: 0 entities created, 3 merged; 0 observations added (3 already there); 0 relations created (2 already there)\n`,
    );
    assert.deepEqual(sortedLines(ok(['export', '--format', 'mcp-memory'])), sortedLines(MEMORY_FILE));
  });

  it('records the writes with the actor given', () => {
    ok(['--actor', 'migrator', 'import', '--format', 'mcp-memory', file('memory.jsonl', MEMORY_FILE)]);
    const events = JSON.parse(ok(['--json', 'log', '--type', 'graph'])) as { type: string; actor: string; source: string }[];
    assert.deepEqual(events.map((e) => `${e.type} ${e.actor} ${e.source}`).reverse(), [
      'graph.entitiesCreated migrator cli',
      'graph.relationsCreated migrator cli',
      'graph.imported migrator cli',
    ]);
  });

  it('a file that is missing, a folder, unreadable, too large or not UTF-8: one line, exit 2 or 1', () => {
    fails(['import', '--format', 'mcp-memory', path.join(dir, 'nope.jsonl')], 2, /no such file/);
    fails(['import', '--format', 'mcp-memory', dir], 2, /is a folder/);
    fails(['import', '--format', 'csv', file('x.jsonl', '')], 2, /"csv" is not one of mcp-memory/);
    fails(['import', file('y.jsonl', '')], 2, /required option '--format <format>'/);

    const big = file('big.jsonl', '');
    fs.truncateSync(big, MAX_IMPORT_BYTES + 1); // sparse: nothing is written
    fails(['import', '--format', 'mcp-memory', big], 1, /too large to import \(100\.0 MB; at most 100 MB\)/);
    fails(['import', '--format', 'mcp-memory', file('latin1.jsonl', Buffer.from([0x7b, 0xe9, 0x7d]))], 1, /is not UTF-8 text/);

    // Root is not stopped by modes: the CLI then runs as nobody, who may read the CLI but not the file.
    const secret = file('secret.jsonl', MEMORY_FILE);
    fs.chmodSync(secret, 0o000);
    fs.chmodSync(dir, 0o755);
    fails(['import', '--format', 'mcp-memory', secret], 1, /cannot read .*secret\.jsonl: permission denied/, process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined);
    assert.equal(ok(['export', '--format', 'mcp-memory']), '');
  });

  it('export --format mcp-memory refuses --project, and --json without --out', () => {
    fails(['export', '--format', 'mcp-memory', '--project', 'P1'], 2, /exports the whole graph: it has no --project/);
    fails(['--json', 'export', '--format', 'mcp-memory'], 2, /--json prints JSON, and --format mcp-memory prints JSON lines/);
  });

  it("imports the real MCP memory server's file: every entity, observation and relation comes out as it wrote them", async () => {
    const memoryFile = path.join(tempDir('cairn-memory-'), 'memory.jsonl');
    const memory = await connectTo(MEMORY_SERVER, [], { env: { MEMORY_FILE_PATH: memoryFile } });
    try {
      await memory.ok('create_entities', {
        entities: [
          { name: 'Alice', entityType: 'person', observations: ['likes tea'] },
          { name: 'Bob', entityType: 'person', observations: [] },
          { name: 'Zoë Ångström', entityType: 'researcher', observations: ['writes 日本語', 'uses "quotes" and \\ and 🧭'] },
        ],
      });
      await memory.ok('create_relations', {
        relations: [
          { from: 'Alice', to: 'Bob', relationType: 'knows' },
          { from: 'Zoë Ångström', to: 'Alice', relationType: 'cites' },
          { from: 'Alice', to: 'Nobody', relationType: 'waves_to' }, // the memory server keeps a dangling relation
        ],
      });
      await memory.ok('add_observations', { observations: [{ entityName: 'Alice', contents: ['works at Acme'] }] });
    } finally {
      await memory.close();
    }
    const written = fs.readFileSync(memoryFile, 'utf8');
    assert.ok(written.includes('"to":"Nobody"'), 'the memory server wrote the dangling relation');

    const r = JSON.parse(ok(['--json', 'import', '--format', 'mcp-memory', memoryFile]));
    assert.deepEqual([r.entitiesCreated, r.observationsAdded, r.relationsCreated, r.danglingEnds], [3, 4, 3, 1]);
    const exported = ok(['export', '--format', 'mcp-memory']);
    assert.deepEqual(sortedLines(exported), sortedLines(written), 'the same lines, byte for byte');

    const parse = (text: string) => sortedLines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
    const sets = (items: Record<string, unknown>[]) => ({
      entities: items.filter((i) => i.type === 'entity').map((e) => `${e.name}|${e.entityType}`).sort(),
      observations: items.filter((i) => i.type === 'entity').flatMap((e) => (e.observations as string[]).map((o) => `${e.name}|${o}`)).sort(),
      relations: items.filter((i) => i.type === 'relation').map((x) => `${x.from}|${x.relationType}|${x.to}`).sort(),
    });
    assert.deepEqual(sets(parse(exported)), sets(parse(written)));
  });
});
