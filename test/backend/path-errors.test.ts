// Paths from a client are validated, and the file system's own refusals are errors a person can act on, against the
// real dist/backend.js: a name over 255 bytes or a NUL byte is -32602 naming the field (in the schema), a path the
// file system finds too long too, a full disk is DiskFull, a place Cairn may not write is StoreUnavailable saying
// so. None is "Internal error", and none shows the server's absolute store or vault path.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, startBackend, storeAndVault, tempDir, type Backend } from '../helpers';

type RpcError = { code: number; message: string; data?: { kind?: string } };

const LONG = 'x'.repeat(256);
const LONG_UTF8 = 'é'.repeat(100) + 'x'.repeat(56); // 156 characters, 256 bytes
/** Parts of 240 bytes each (fine), 4800 bytes in all: more than the system's whole-path limit. */
const DEEP = Array.from({ length: 20 }, () => '漢'.repeat(80)).join('/');

describe('path params and file-system errors over JSON-RPC', function () {
  this.timeout(60_000);
  let store: string;
  let vault: string;
  let b: Backend;
  before(() => requireBuilt());
  beforeEach(async () => {
    ({ store, vault } = storeAndVault({ 'a.md': '# A\n', 'templates/t.md': '# {{title}}\n' }));
    b = startBackend(store, ['--vault', vault, '--no-watch-vault']);
    await b.rpc.sendRequest('knowledge.index', {});
  });
  afterEach(async () => {
    await b.stop();
    cleanupTempDirs();
  });

  const refused = async (method: string, params: object, check: (e: RpcError) => void) => {
    await assert.rejects(b.rpc.sendRequest(method, params), (e: RpcError) => {
      assert.notEqual(e.code, -32603, `${method}: ${e.message}`);
      assert.doesNotMatch(e.message, /Internal error/);
      for (const dir of [vault, store]) assert.ok(!e.message.includes(dir), `${method} shows a server path: ${e.message}`);
      check(e);
      return true;
    });
  };

  it('a name over 255 bytes or a NUL byte is invalid params naming the field, and nothing is written', async () => {
    const before = fs.readdirSync(vault).sort();
    const cases: [string, object, string][] = [
      ['notes.create', { title: 'ok', folder: LONG }, 'folder'],
      ['notes.create', { title: 'ok', folder: `f/${LONG_UTF8}` }, 'folder'],
      ['notes.create', { title: 'ok', template: 't', templatesFolder: LONG }, 'templatesFolder'],
      ['notes.daily', { folder: `${LONG}/d` }, 'folder'],
      ['notes.createDecision', { title: 'Use SQLite', folder: LONG }, 'folder'],
      ['notes.rename', { note: LONG, newName: 'b' }, 'note'],
      ['notes.templates', { templatesFolder: LONG }, 'templatesFolder'],
      ['notes.createPlaceholder', { target: `${LONG}/n` }, 'target'],
      ['backup.run', { repo: path.join(path.dirname(store), LONG) }, 'repo'],
      ['backup.history', { repo: LONG }, 'repo'],
      ['notes.rename', { note: 'a\u0000b.md', newName: 'b' }, 'note'],
      ['backup.run', { repo: 'back\u0000up' }, 'repo'],
      ['knowledge.indexPaths', { paths: ['a.md', 'b\u0000.md'] }, 'paths.1'],
    ];
    for (const [method, params, field] of cases) {
      await refused(method, params, (e) => {
        assert.equal(e.code, -32602, `${method} ${field}: ${e.message}`);
        assert.match(e.message, new RegExp(`^Invalid params for ${method.replace('.', '\\.')}: ${field.replace('.', '\\.')}: .*(longer than 255 bytes|NUL byte)`));
      });
    }
    assert.deepEqual(fs.readdirSync(vault).sort(), before);
    assert.ok(!fs.existsSync(path.join(path.dirname(store), LONG)));
  });

  it('a path the file system finds too long (every name short) is invalid params naming the field', async () => {
    await refused('notes.rename', { note: DEEP, newName: 'b' }, (e) => {
      assert.equal(e.code, -32602);
      assert.match(e.message, /^Invalid params for notes\.rename: note: the path is too long for the file system/);
    });
  });

  it('a file where a folder must be is invalid params naming the field, not an internal error', async () => {
    const cases: [string, object, string][] = [
      ['notes.create', { title: 'ok', folder: 'a.md/sub' }, 'folder'],
      ['notes.daily', { folder: 'a.md' }, 'folder'],
      ['notes.createDecision', { title: 'Use SQLite', folder: 'a.md' }, 'folder'],
      ['backup.run', { repo: path.join(vault, 'a.md', 'repo') }, 'repo'],
    ];
    for (const [method, params, field] of cases) {
      await refused(method, params, (e) => {
        assert.equal(e.code, -32602, `${method}: ${e.message}`);
        assert.match(e.message, new RegExp(`^Invalid params for ${method.replace('.', '\\.')}: ${field}: a file is in the way`));
      });
    }
    assert.equal(fs.readFileSync(path.join(vault, 'a.md'), 'utf8'), '# A\n');
  });

  it('a folder where a file goes, a symbolic link to nowhere, a loop of links: invalid params naming the field, no path of the server', async () => {
    const elsewhere = tempDir();
    const repo = path.join(elsewhere, 'repo');
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', repo]);
    fs.mkdirSync(path.join(repo, 'manifest.json'));
    fs.symlinkSync(path.join(elsewhere, 'nowhere', 'repo'), path.join(elsewhere, 'dangling'));
    fs.symlinkSync('loop', path.join(elsewhere, 'loop'));
    // A repository holding a manifest.json folder before any backup is someone else's: refused before it is touched.
    await refused('backup.run', { repo }, (e) => {
      assert.equal(e.code, -32004, e.message);
      assert.match(e.message, /^\/.*\/repo holds manifest\.json but no Cairn backup: Cairn will not write over them\./);
    });
    assert.ok(fs.statSync(path.join(repo, 'manifest.json')).isDirectory());
    const cases: [string, object, RegExp][] = [
      ['backup.run', { repo: path.join(elsewhere, 'dangling') }, /^repo: nothing is there: a folder on the path does not exist \(or a symbolic link on it leads nowhere\)$/],
      ['backup.run', { repo: path.join(elsewhere, 'loop') }, /^repo: the path goes round a loop of symbolic links \(or through too many of them\)$/],
      ['backup.history', { repo: path.join(elsewhere, 'loop', 'repo') }, /^repo: the path goes round a loop of symbolic links/],
    ];
    for (const [method, params, problem] of cases) {
      await refused(method, params, (e) => {
        assert.equal(e.code, -32602, `${method}: ${e.message}`);
        const prefix = `Invalid params for ${method}: `;
        assert.ok(e.message.startsWith(prefix), e.message);
        assert.match(e.message.slice(prefix.length), problem);
      });
    }
  });

  it('a full disk during a backup is DiskFull (-32007), and the backup works once there is room', async () => {
    await b.rpc.sendRequest('store.info', {});
    // The backup's lock is first written aside, to backup.lock.<pid>.tmp in the store: here the full device.
    const aside = path.join(store, `backup.lock.${b.child.pid}.tmp`);
    fs.symlinkSync('/dev/full', aside);
    await refused('backup.run', {}, (e) => {
      assert.equal(e.code, -32007, e.message);
      assert.equal(e.data?.kind, 'disk_full');
      assert.equal(e.message, 'The disk is full: backup.run could not write its files. Free some space and try again.');
    });
    fs.rmSync(aside);
    assert.equal((await b.rpc.sendRequest<{ status: string }>('backup.run', {})).status, 'committed');
  });

  it('a place Cairn may not write is StoreUnavailable naming the field', async () => {
    // sysfs: no new folders there, for any user (EPERM for root, EACCES for others).
    await refused('backup.run', { repo: '/sys/cairn-test-backup' }, (e) => {
      assert.equal(e.code, -32004, e.message);
      assert.match(e.message, /^Cairn may not write repo "\/sys\/cairn-test-backup" \((operation not permitted|permission denied|read-only file system)\)\. Check its permissions, or choose another place\.$/);
    });
  });

  it('the CLI says the same, in one line, with exit code 2 for a bad path', () => {
    const r = cli(['--store', store, '--vault', vault, 'note', 'new', '--folder', LONG, 'Title']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^cairn: Invalid params for notes\.create: folder: folder has a file or folder name longer than 255 bytes/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const out = cli(['--store', store, 'export', '--out', path.join(path.dirname(store), LONG)]);
    assert.equal(out.status, 2, out.stderr);
    assert.match(out.stderr, /^cairn: The path is too long for the file system \(at most 255 bytes a name, about 4096 in all\) \("\/.*\/x{256}[^/]*"\)\n$/);
  });

  it('export --out that cannot be a file: a folder, a missing folder, a device; --json with Markdown: exit 2, nothing written', () => {
    const parent = path.dirname(store);
    fs.mkdirSync(path.join(parent, 'folder'));
    const before = fs.readdirSync(parent).sort();
    const cases: [string[], RegExp][] = [
      [['--out', path.join(parent, 'folder')], /--out .*folder is a folder: name the file to write/],
      [['--out', path.join(parent, 'missing', 'x.json')], /the folder .*missing does not exist \(create it first\)/],
      [['--out', '/dev/null'], /--out \/dev\/null is not a regular file \(a device, FIFO or socket\)/],
      [['--format', 'markdown', '--json'], /--json prints JSON, and --format markdown prints Markdown: choose one/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['--store', store, 'export', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^cairn: .*${message.source}.*\\n$`), args.join(' '));
    }
    assert.deepEqual(fs.readdirSync(parent).sort(), before, 'no temp file or export was left beside them');
    assert.ok(fs.statSync('/dev/null').isCharacterDevice());
    const ok = cli(['--store', store, 'export', '--out', path.join(parent, 'folder', 'export.json')]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(fs.readdirSync(path.join(parent, 'folder')), ['export.json']);
  });
});
