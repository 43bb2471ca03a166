// The secret scanner on real planted secrets (generated here so this file holds none) and on near misses found
// in ordinary notes that must not stop a backup.
import * as assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { scanForSecrets } from '../../src/sync/secrets';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function random(n: number, alphabet = ALNUM): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

const awsKeyId = 'AKIA' + random(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
const awsSecret = random(40);
const githubToken = 'ghp_' + random(36);
const slackToken = `xoxb-${random(11, '0123456789')}-${random(13, '0123456789')}-${random(24)}`;
const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const encryptedKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
  cipher: 'aes-256-cbc',
  passphrase: 'pw',
}) as string;

describe('secrets: scanForSecrets', () => {
  it('finds an AWS key pair, a GitHub token and a Slack token in a note, at their line and column', async () => {
    const text = [
      '# Deploy notes',
      '',
      `The CI user is ${awsKeyId} and aws_secret_access_key = "${awsSecret}".`,
      `Bot: ${slackToken}`,
      `  push with ${githubToken}`,
    ].join('\n');
    const findings = await scanForSecrets([{ path: 'vault/deploy.md', text }]);
    const byRule = new Map(findings.map((f) => [f.rule, f]));
    assert.deepEqual([...byRule.keys()].sort(), ['aws', 'github', 'slack']);
    assert.equal(findings.filter((f) => f.rule === 'aws').length, 2, 'key id and secret key');
    assert.deepEqual(pick(byRule.get('github')!), { path: 'vault/deploy.md', line: 5, column: 13 });
    assert.deepEqual(pick(byRule.get('slack')!), { path: 'vault/deploy.md', line: 4, column: 6 });
    for (const f of findings) {
      for (const secret of [awsKeyId, awsSecret, githubToken, slackToken]) assert.ok(!f.message.includes(secret), `message masks the secret: ${f.message}`);
    }
  });

  it('finds private keys: a real RSA key and an encrypted PKCS#8 key, also as an escaped JSON string', async () => {
    const findings = await scanForSecrets([
      { path: 'keys/id_rsa.md', text: `my key:\n\n${rsaKey}\n` },
      { path: 'keys/ec.md', text: `old key\n${encryptedKey}` },
      { path: 'tasks.jsonl', text: JSON.stringify({ id: ulid(), description: rsaKey }) + '\n' },
    ]);
    assert.deepEqual(
      findings.map((f) => [f.path, f.line]),
      [
        ['keys/ec.md', 2],
        ['keys/id_rsa.md', 3],
        ['tasks.jsonl', 1],
      ],
    );
    assert.ok(findings.every((f) => /private-?key/.test(f.rule)), findings.map((f) => f.rule).join());
    const keyLine = rsaKey.split('\n')[1];
    assert.ok(findings.every((f) => !f.message.includes(keyLine.slice(0, 12))), 'messages never quote the key');
  });

  it('finds .env contents: every real value in a .env file, and secret-named assignments anywhere', async () => {
    const dotenv = ['# local settings', 'PORT=3000', `DATABASE_PASSWORD="${random(14)}"`, 'DEBUG=true', `export STRIPE_KEY=${random(24)}`, 'EMPTY='].join('\n');
    const config = ['server:', '  host: example.org', `  api_key: ${random(32)}`, '  timeout: 30'].join('\n');
    const findings = await scanForSecrets([
      { path: 'project/.env.local', text: dotenv },
      { path: 'notes/config.yaml.md', text: config },
    ]);
    assert.deepEqual(
      findings.map((f) => [f.path, f.line, f.rule]),
      [
        ['notes/config.yaml.md', 3, 'secret-assignment'],
        ['project/.env.local', 3, 'dotenv'],
        ['project/.env.local', 5, 'dotenv'],
      ],
    );
  });

  it('does not flag near misses: ULIDs, sha256 and git hashes, UUIDs, base64 images, encrypted values, placeholders, prose about keys', async () => {
    const image = randomBytes(30_000).toString('base64');
    const note = [
      '---',
      `id: ${ulid()}`,
      `checksum: ${createHash('sha256').update('x').digest('hex')}`,
      '---',
      `Task ${ulid()} fixed in commit ${randomBytes(20).toString('hex')} (run ${randomUUID()}).`,
      `![diagram](data:image/png;base64,${image})`,
      'The password: see the team vault.',
      'token: <your token here>',
      'A key file starts with `-----BEGIN PRIVATE KEY-----` and then base64.',
      '```',
      '-----BEGIN RSA PRIVATE KEY-----',
      '...',
      '-----END RSA PRIVATE KEY-----',
      '```',
      `sha256=${createHash('sha256').update('y').digest('base64')}`,
    ].join('\n');
    const template = ['API_KEY=', 'SECRET_TOKEN=changeme', 'PASSWORD=${DB_PASSWORD}', 'AUTH_TOKEN=<token>', 'PORT=3000'].join('\n');
    const findings = await scanForSecrets([
      { path: 'vault/note.md', text: note },
      { path: '.env.example', text: template },
      { path: 'tasks.jsonl', text: Array.from({ length: 200 }, () => JSON.stringify({ id: ulid(), title: 'Write tests', hash: randomBytes(32).toString('hex') })).join('\n') },
      { path: 'encrypted.jsonl', text: Array.from({ length: 50 }, () => JSON.stringify({ id: ulid(), description: 'enc:v1:' + randomBytes(120).toString('base64url') })).join('\n') },
    ]);
    assert.deepEqual(findings, []);
  });

  it('reports each finding in its own file across many files, whatever comes before it', async () => {
    const filler = 'plain words of a note about the sprint plan\n'.repeat(40);
    const files = Array.from({ length: 3000 }, (_, i) => ({ path: `n/${i}.md`, text: filler }));
    files[0] = { path: 'n/0.md', text: `${githubToken}\n${filler}` };
    files[1] = { path: 'n/1.md', text: '<!-- secretlint-disable -->\n' + filler };
    files[1500] = { path: 'n/1500.md', text: `\uFEFF${filler}key ${slackToken}\n` };
    files[2999] = { path: 'n/2999.md', text: `${filler}${filler}x ${awsKeyId}` };
    files.push({ path: 'package.json', text: JSON.stringify({ name: 'x', scripts: { t: `curl https://${random(40, 'abcdef0123456789')}:x-oauth-basic@github.com/o/r` } }) });
    const findings = await scanForSecrets(files);
    assert.deepEqual(
      findings.map((f) => [f.path, f.line, f.column, f.rule]),
      [
        ['n/0.md', 1, 1, 'github'],
        ['n/1500.md', 41, 5, 'slack'],
        ['n/2999.md', 81, 3, 'aws'],
        ['package.json', 1, 42, 'npm'],
      ],
    );
  });

  it('honours no secretlint-disable comment of any form, in the note itself or in one before it', async () => {
    const comments = [
      '<!-- secretlint-disable -->',
      '/* secretlint-disable */',
      '// secretlint-disable',
      '# secretlint-disable-next-line',
      '<!-- secretlint-disable-next-line -->',
    ];
    for (const comment of comments) {
      const findings = await scanForSecrets([
        { path: 'a.md', text: `${comment}\ntoken ${githubToken}\n` },
        { path: 'b.md', text: `later note: ${githubToken}\n` },
      ]);
      assert.deepEqual(
        findings.map((f) => [f.path, f.line, f.rule]),
        [
          ['a.md', 2, 'github'],
          ['b.md', 1, 'github'],
        ],
        comment,
      );
    }
    const onTheLine = await scanForSecrets([{ path: 'c.md', text: `x ${githubToken} <!-- secretlint-disable-line -->\ny ${slackToken} // secretlint-disable-line\n` }]);
    assert.deepEqual(
      onTheLine.map((f) => [f.line, f.rule]),
      [
        [1, 'github'],
        [2, 'slack'],
      ],
    );
  });

  it('finds a token split by an invisible character, and reports where it starts in the original text', async () => {
    // Every character Unicode says shows as nothing: zero-width ones, direction marks and isolates, invisible
    // operators, a variation selector, a tag character (two UTF-16 units), runs of them.
    const invisibles = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u200E', '\u200F', '\u202A', '\u2066', '\u2062', '\u2063', '\u034F', '\uFE0F', '\u180E', '\u{E0041}', '\u200E\u{E0041}\u2063'];
    for (const invisible of invisibles) {
      const split = `${githubToken.slice(0, 9)}${invisible}${githubToken.slice(9, 20)}${invisible}${githubToken.slice(20)}`;
      const text = `first line\n\u200B\u200Bsee ${split} there\n${slackToken.slice(0, 6)}${invisible}${slackToken.slice(6)}`;
      const findings = await scanForSecrets([{ path: 'n.md', text }]);
      const label = [...invisible].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`).join(' ');
      assert.deepEqual(
        findings.map((f) => [f.line, f.column, f.rule]),
        [
          [2, 7, 'github'],
          [3, 1, 'slack'],
        ],
        label,
      );
      assert.ok(findings.every((f) => !f.message.includes(githubToken) && !f.message.includes(split)), `${label}: messages mask the secret`);
      const plain = await scanForSecrets([{ path: 'n.md', text: `${githubToken}\n` }]);
      assert.equal(findings[0]!.fingerprint, plain[0]!.fingerprint, `${label}: the same secret, the same fingerprint`);
    }
  });

  it('gives each finding a stable fingerprint that allows exactly that finding', async () => {
    const text = `a\n${githubToken}\nb ${slackToken}`;
    const first = await scanForSecrets([{ path: 'n.md', text }]);
    assert.equal(first.length, 2);
    const moved = await scanForSecrets([{ path: 'n.md', text: `new first line\n\n${text}` }]);
    assert.deepEqual(
      moved.map((f) => f.fingerprint),
      first.map((f) => f.fingerprint),
      'the same secrets a few lines lower keep their fingerprints',
    );
    const github = first.find((f) => f.rule === 'github')!;
    assert.match(github.fingerprint, /^github@n\.md#[0-9a-f]{16}$/);
    const rest = await scanForSecrets([{ path: 'n.md', text }, { path: 'other.md', text }], { allow: [github.fingerprint] });
    assert.deepEqual(
      rest.map((f) => [f.path, f.rule]),
      [
        ['n.md', 'slack'],
        ['other.md', 'github'],
        ['other.md', 'slack'],
      ],
      'the fingerprint names one file: the same token elsewhere is still reported',
    );
  });
});

function pick(f: { path: string; line: number; column: number }) {
  return { path: f.path, line: f.line, column: f.column };
}
