// `cairn session` as a user or an agent's script runs it through dist/cli.js: start, log (text, standard input, a
// JSON Lines batch, secret), show, list, end --remember, prune; bad input is a usage error that writes nothing.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, cleanupTempDirs, cliWith, requireBuilt, tempDir } from '../helpers';

describe('cairn session list / show / start / log / end / prune (CLI)', function () {
  this.timeout(120_000);
  let store: string;
  let projectId: string;
  const PASS = { CAIRN_PASSPHRASE: 'my long passphrase' };
  before(requireBuilt);
  beforeEach(() => {
    store = path.join(tempDir(), 'store');
    ok('init');
    projectId = json('project', 'add', 'Moonshot').id;
  });
  afterEach(cleanupTempDirs);

  const { run, ok, json } = cliWith(() => ['--store', store, '--actor', 'tester'], { CAIRN_PASSPHRASE: '' });
  /** The CLI with `input` on its standard input. */
  const piped = (args: string[], input: string) => spawnSync(process.execPath, [CLI, '--store', store, '--actor', 'tester', ...args], { input, encoding: 'utf8', env: { ...process.env, CAIRN_PASSPHRASE: '' } });

  it('start, log as text, from standard input and as a JSON Lines batch, show, list, end --remember', () => {
    const task = json('task', 'add', '--project', projectId, 'Pick a landing site').id;
    assert.match(ok('session', 'start', '--agent', 'claude', '--task', task), /^Started session \S+ {2}claude {2}task /);
    const s = json('session', 'list').at(0);
    assert.deepEqual([s.agent, s.projectId, s.taskId], ['claude', projectId, task]);
    assert.equal(json('session', 'start').agent, 'tester', 'the agent defaults to --actor');

    assert.match(ok('session', 'log', s.id, 'Where', 'should', 'we', 'land?'), /Appended 1 message to \S+ \(#1\)/);
    const fromStdin = piped(['session', 'log', s.id, '--role', 'assistant', '--tokens', '40', '--tool-calls', '[{"name":"search","arguments":{"q":"maria"}}]'], 'The Sea of Tranquility.\nIt is flat.\n');
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    const batch = path.join(tempDir(), 'transcript.jsonl');
    fs.writeFileSync(batch, ['{"role":"tool","content":"maria: flat plains","tokens":5}', '', '{"role":"assistant","content":"Confirmed.","tokens":3}'].join('\n'));
    assert.match(ok('session', 'log', s.id, '--jsonl', batch), /Appended 2 messages to \S+ \(#3–#4\)/);

    const shown = ok('session', 'show', s.id);
    assert.match(shown, /agent {5}claude/);
    assert.match(shown, /messages {2}4 held/);
    assert.match(shown, /#1 {2}user .*\n {2}Where should we land\?/);
    assert.match(shown, /#2 {2}assistant .* {2}40 tokens\n {2}The Sea of Tranquility\.\n {2}It is flat\.\n {2}→ search\(\{"q":"maria"\}\)/);
    const page = json('session', 'show', s.id, '--limit', '2', '--offset', '2');
    assert.deepEqual([page.total, page.messages.map((m: { seq: number }) => m.seq)], [4, [3, 4]]);

    const ended = json('session', 'end', s.id, '--summary', 'Landing in the Sea of Tranquility: it is flat.', '--remember', '--memory-type', 'decision', '--importance', '0.8');
    assert.deepEqual([ended.session.tokensIn, ended.session.tokensOut, ended.memory.type, ended.memory.projectId], [5, 43, 'decision', projectId]);
    assert.match(ok('memory', 'list', '--project', projectId), /decision\s+0\.8\s+Landing in the Sea of Tranquility/);
    const listed = ok('session', 'list', '--agent', 'claude');
    assert.match(listed, /claude\s+4\s+5\/43\s+\S+\s+Landing in the Sea/);
    assert.doesNotMatch(ok('session', 'list', '--open'), /claude/, 'only the open session is listed');
    const log = json('log', '--type', 'session', '--id', s.id);
    assert.deepEqual(log.map((e: { type: string; actor: string }) => `${e.type}/${e.actor}`), ['session.ended/tester', 'session.messagesAppended/tester', 'session.messagesAppended/tester', 'session.messagesAppended/tester', 'session.started/tester']);
  });

  it('log --secret stores the content encrypted: shown with the passphrase, locked without it; prune by age', () => {
    const s = json('session', 'start', '--agent', 'claude').id;
    const early = run(['session', 'log', s, '--secret', 'token sk-abcdef123456']);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /^cairn: Encryption is not set up .*cairn key init/);
    assert.equal(run(['key', 'init'], PASS).status, 0);
    const r = run(['--json', 'session', 'log', s, '--secret', 'token sk-abcdef123456'], PASS);
    assert.equal(r.status, 0, r.stderr);
    assert.match(run(['session', 'show', s], PASS).stdout, /#1 {2}user .*\(secret\)\n {2}token sk-abcdef123456/);
    assert.match(ok('session', 'show', s), /🔒 encrypted \(locked\)/);
    assert.doesNotMatch(ok('--json', 'session', 'show', s), /sk-abcdef/);
    const secretMemory = run(['--json', 'memory', 'add', '--secret', 'The alarm code is 4711'], PASS);
    assert.equal(secretMemory.status, 0, secretMemory.stderr);
    assert.match(ok('memory', 'list'), /🔒 encrypted \(locked\)/);

    const old = path.join(tempDir(), 'old.jsonl');
    fs.writeFileSync(old, JSON.stringify({ role: 'user', content: 'from last year', createdAt: new Date(Date.now() - 400 * 86_400_000).toISOString() }) + '\n');
    ok('session', 'log', s, '--jsonl', old);
    assert.match(ok('session', 'prune', '--older-than', '365'), /^Removed 1 message written before .* from 1 session/);
    assert.doesNotMatch(ok('session', 'show', s), /from last year/);
    assert.match(ok('session', 'show', s), /messages {2}1 held \(1 pruned\)/);
  });

  it('bad input is a usage error naming what is wrong, and nothing is written', () => {
    const s = json('session', 'start').id;
    const before = ok('--json', 'log', '--limit', '1');
    const cases: [string[], RegExp][] = [
      [['session', 'log', s, '--role', 'robot', 'x'], /option '--role <role>' argument 'robot' is invalid/],
      [['session', 'log', s, '--tool-calls', '{not json', 'x'], /--tool-calls must be JSON/],
      [['session', 'log', s, '--tool-calls', '[{"arguments":{}}]', 'x'], /tool call needs a name/],
      [['session', 'prune', '--older-than', '0'], /--older-than must be a number of days/],
      [['session', 'end', s, '--importance', '0.5'], /go with --remember/],
      [['session', 'end', s, '--remember'], /remember needs a summary/],
      [['session', 'show', 'NOPE'], /No session with id NOPE/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, message, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at |SQLITE/);
    }
    const bad = path.join(tempDir(), 'bad.jsonl');
    fs.writeFileSync(bad, '{"role":"user","content":"fine"}\nnot json\n');
    const r = run(['session', 'log', s, '--jsonl', bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /line 2 of .*bad\.jsonl is not JSON.*Nothing was appended/);
    assert.equal(ok('--json', 'log', '--limit', '1'), before, 'nothing written');
  });
});
