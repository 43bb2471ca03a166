// The CLI flows of encryption, export and erase, run as a user would (the built dist/cli.js, a store on disk).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, cli, requireBuilt, tempDir } from '../../helpers';

describe('cairn key / export / project erase (CLI)', function () {
  this.timeout(120_000);
  let store: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => cli(['--store', store, ...args], { CAIRN_PASSPHRASE: '', CAIRN_NEW_PASSPHRASE: '', ...env });
  const ok = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = run(args, env);
    assert.equal(r.status, 0, `cairn ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const PASS = { CAIRN_PASSPHRASE: 'my long passphrase' };

  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir(), 'store');
    ok(['init']);
  });
  afterEach(cleanupTempDirs);

  it('sets up a passphrase, stores a secret description, and reads it only when unlocked', () => {
    const project = JSON.parse(ok(['--json', 'project', 'add', 'Ops'])).id;
    const early = run(['task', 'add', '--project', project, '--secret', 'description', '--description', 'pw hunter2hunter2', 'Rotate']);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /^cairn: Encryption is not set up .*cairn key init/);

    const noPass = run(['key', 'init']);
    assert.equal(noPass.status, 2);
    assert.match(noPass.stderr, /no passphrase: set CAIRN_PASSPHRASE or run this in a terminal/);
    assert.match(ok(['key', 'init'], PASS), /Encryption set up/);
    assert.deepEqual({ ...JSON.parse(ok(['--json', 'key', 'status'])), keyId: null }, { initialised: true, unlocked: false, keyId: null, passphrase: true, keychains: 0 });

    const task = JSON.parse(ok(['--json', 'task', 'add', '--project', project, '--secret', 'description', '--description', 'pw hunter2hunter2', 'Rotate'], PASS));
    assert.deepEqual(task.secretFields, ['description']);
    assert.match(ok(['task', 'show', task.id], PASS), /description\s+pw hunter2hunter2/);
    assert.match(ok(['task', 'show', task.id]), /description\s+🔒 encrypted \(locked\)/);
    const wrong = run(['task', 'show', task.id], { CAIRN_PASSPHRASE: 'wrong passphrase' });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^cairn: Wrong passphrase/);
    const locked = run(['task', 'add', '--project', project, '--secret', 'title', 'Hidden']);
    assert.equal(locked.status, 1);
    assert.match(locked.stderr, /^cairn: The store is locked.*CAIRN_PASSPHRASE/);
    assert.equal(run(['task', 'add', '--project', project, '--secret', 'status', 'x']).status, 2, 'only title and description can be secret');

    ok(['key', 'change'], { ...PASS, CAIRN_NEW_PASSPHRASE: 'a newer passphrase' });
    assert.match(ok(['task', 'show', task.id], { CAIRN_PASSPHRASE: 'a newer passphrase' }), /pw hunter2hunter2/);
    assert.equal(run(['task', 'show', task.id], PASS).status, 1, 'the old passphrase no longer unlocks');
    const run2 = JSON.parse(ok(['--json', 'agent', 'run-log', '--agent', 'a', '--outcome', 'success', '--notes', 'token sk-123456', '--secret'], { CAIRN_PASSPHRASE: 'a newer passphrase' }));
    assert.equal(run2.notes, 'token sk-123456');
    assert.doesNotMatch(ok(['--json', 'agent', 'runs']), /sk-123456/);
  });

  it('exports json and markdown to a file, and erases a project only when confirmed', () => {
    const project = JSON.parse(ok(['--json', 'project', 'add', 'Apollo'])).id;
    ok(['task', 'add', '--project', project, '--description', 'details', 'Build lander']);
    const out = path.join(tempDir(), 'apollo.md');
    assert.match(ok(['export', '--format', 'markdown', '--project', project, '--out', out]), /Exported 1 project document\(s\) to .*apollo\.md/);
    assert.match(fs.readFileSync(out, 'utf8'), /^# Apollo\n[\s\S]*- \[ \] \*\*Build lander\*\*[\s\S]*\n  details\n/);
    const json = JSON.parse(ok(['export']));
    assert.deepEqual([json.format, json.tables.projects.length, json.tables.tasks.length], ['cairn-export', 1, 1]);
    assert.equal(run(['export', '--format', 'csv']).status, 2);

    const unconfirmed = run(['project', 'erase', project]);
    assert.equal(unconfirmed.status, 2);
    assert.match(unconfirmed.stderr, /needs confirmation: add --yes/);
    const erased = ok(['project', 'erase', project, '--yes']);
    assert.match(erased, /Erased project .*: 0 sprints, 1 tasks, 0 agent runs and 2 events removed from the store\./);
    assert.match(erased, /earlier backup commits .* still hold it/);
    assert.match(ok(['log']), /project\.erased/);
    assert.equal(run(['project', 'erase', project, '--yes']).status, 1);
  });
});
