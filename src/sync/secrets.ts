// Secret scanner run on what a backup is about to commit. The detection rules are secretlint's maintained
// "recommend" preset (AWS, GCP, GitHub, Slack, private keys, npm, OpenAI, Anthropic, Stripe, basic auth in URLs…),
// plus two rules it lacks: .env files and KEY=value lines whose key names a secret, and PEM private key blocks
// the preset's stricter check skips (encrypted keys, keys of unlisted types).
//
// Excluding a path is the caller's job (exclude patterns); a single finding is allowed by its fingerprint, which
// stays the same as long as the same secret sits in the same file under the same rule (lines may move).
// secretlint is loaded on first use: the backend only pays for it when it scans.
import { createHash } from 'node:crypto';
import * as path from 'node:path';

export interface SecretFinding {
  /** The file as given by the caller. */
  path: string;
  /** 1-based line and column of the start of the secret. */
  line: number;
  column: number;
  /** Short rule name: a secretlint rule without its package prefix ("github", "aws", "privatekey"…) or
   *  "dotenv", "secret-assignment", "private-key-block". */
  rule: string;
  /** What was found; the secret itself is masked. */
  message: string;
  /** `rule@path#hash`: hash = first 16 hex digits of sha256 over the matched text. Pass it in `allow` to accept it. */
  fingerprint: string;
}

export interface ScanOptions {
  /** Fingerprints of findings the user accepted. */
  allow?: string[];
}

export interface ScanFile {
  path: string;
  text: string;
}

interface RawFinding {
  rule: string;
  message: string;
  start: number;
  end: number;
}

const SECRETLINT_PREFIX = '@secretlint/secretlint-rule-';

// Files whose name a rule looks at (npm tokens in package.json and .npmrc, GCP service-account keys in .json) are
// linted alone under their own name; all others are linted in batches of about BATCH_CHARS joined by SEPARATOR,
// which no rule's pattern crosses. A batch costs about what one file costs: secretlint's per-call setup (and the
// performance marks its profiler keeps for every call, never cleared) is paid per batch, not per file.
const BATCH_CHARS = 1 << 20;
const SEPARATOR = '\n\0\n';
const NAMED_BY_PATH = /(?:^|\/)(?:package(?:-lock)?\.json|\.npmrc)$|\.json$/i;

type Lint = (files: ScanFile[]) => Promise<RawFinding[][]>;
let secretlint: Promise<Lint> | undefined;

async function loadSecretlint(): Promise<Lint> {
  const [{ lintSource }, { rules }] = await Promise.all([
    import('@secretlint/core'),
    import('@secretlint/secretlint-rule-preset-recommend'),
  ]);
  // The preset's rules one by one, without its comment filter: `secretlint-disable` comments would let one note
  // switch scanning off for the rest of a batch (a finding is allowed by its fingerprint instead). Not the preset
  // with the filter marked `disabled`: secretlint registers a preset's rules without looking at that flag.
  const config = {
    rules: rules
      .filter((rule) => rule.meta.id !== `${SECRETLINT_PREFIX}filter-comments`)
      // AWS access key ids alone (AKIA…) are off by default in the preset; a key id in a note is a leak too.
      .map((rule) => ({ id: rule.meta.id, rule, options: rule.meta.id === `${SECRETLINT_PREFIX}aws` ? { enableIDScanRule: true } : undefined })),
  };
  /** Lints `content` (starting with SEPARATOR, so secretlint never strips a BOM and shifts offsets). */
  const lint = async (content: string, filePath: string) =>
    (
      await lintSource({
        source: { content, filePath, ext: path.extname(filePath), contentType: 'text' },
        options: { config, noPhysicFilePath: true },
      })
    ).messages;

  return async (files) => {
    const found: RawFinding[][] = files.map(() => []);
    const report = (i: number, m: LintMessage, offset: number) => {
      const text = files[i].text;
      const { start, end, quoted } = locate(text, m, offset);
      found[i].push({
        rule: m.ruleId.startsWith(SECRETLINT_PREFIX) ? m.ruleId.slice(SECRETLINT_PREFIX.length) : m.ruleId,
        message: redact(m.message, [...quoted, text.slice(start, end)]),
        start,
        end,
      });
    };
    let batch: number[] = [];
    let size = 0;
    const flush = async () => {
      if (!batch.length) return;
      const starts: number[] = [];
      let content = '';
      for (const i of batch) {
        content += SEPARATOR;
        starts.push(content.length);
        content += files[i].text;
      }
      for (const m of await lint(content, 'batch.txt')) {
        const k = lastAtOrBefore(starts, m.range[0]);
        report(batch[k], m, starts[k]);
      }
      batch = [];
      size = 0;
    };
    for (let i = 0; i < files.length; i++) {
      if (NAMED_BY_PATH.test(files[i].path)) {
        for (const m of await lint(SEPARATOR + files[i].text, files[i].path)) report(i, m, SEPARATOR.length);
        continue;
      }
      batch.push(i);
      size += files[i].text.length;
      if (size >= BATCH_CHARS) await flush();
    }
    await flush();
    return found;
  };
}

interface LintMessage {
  ruleId: string;
  message: string;
  range: readonly [number, number];
  data?: object;
}

/** Where the secret is in `text`: a message's data holds the secret it quotes; where the rule's range is wider or
 *  off (the AWS secret-key rule starts it at the variable name), the quoted secret found at or after the range start
 *  is the place. `quoted` lists the data values that occur in the text, to be redacted from the message. */
function locate(text: string, m: LintMessage, offset: number): { start: number; end: number; quoted: string[] } {
  let start = Math.max(0, m.range[0] - offset);
  let end = Math.min(text.length, m.range[1] - offset);
  const quoted = Object.values(m.data ?? {}).filter((v): v is string => typeof v === 'string' && v.length >= 8 && text.includes(v));
  const secret = quoted.sort((a, b) => b.length - a.length)[0];
  if (secret) {
    const at = text.indexOf(secret, start);
    if (at !== -1 && at <= end) [start, end] = [at, at + secret.length];
  }
  return { start, end, quoted };
}

/** The message without the secret: its first characters say what kind it is ("ghp_****"), never enough to use. */
function redact(message: string, secrets: string[]): string {
  let redacted = message;
  for (const secret of secrets) if (secret) redacted = redacted.split(secret).join(secret.length >= 16 ? secret.slice(0, 4) + '****' : '****');
  // Should a rule quote the secret in another form (trimmed, unescaped), say only what was found.
  return secrets.some((s) => s.length >= 12 && redacted.includes(s.slice(4, 12))) ? message.split(':')[0] : redacted;
}

// Characters that show as nothing: one inside a token hides it from every pattern. Unicode's whole class of them
// (Default_Ignorable_Code_Point: zero-width spaces and joiners, word joiner, BOM, soft hyphen, direction marks and
// isolates, invisible operators, variation selectors, tag characters, …), not a list that leaves some out. Each file
// is scanned without them, and a finding is reported at its place in the text as it is.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const INVISIBLES = /\p{Default_Ignorable_Code_Point}+/gu;

/** The text without invisible characters, and where each removed UTF-16 unit was (as an offset into that text). */
function withoutInvisible(text: string): { text: string; removedAt: number[] } {
  if (!INVISIBLE.test(text)) return { text, removedAt: [] };
  const removedAt: number[] = [];
  const visible = text.replace(INVISIBLES, (run: string, at: number) => {
    // A run of them (a tag character is two units) sits at one place of the visible text.
    const place = at - removedAt.length;
    for (let k = 0; k < run.length; k++) removedAt.push(place);
    return '';
  });
  return { text: visible, removedAt };
}

/** The offset in the original text of `offset` in the text without invisible characters. */
function originalOffset(removedAt: readonly number[], offset: number): number {
  let lo = 0;
  let hi = removedAt.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (removedAt[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return offset + lo;
}

/** Scans each file's text; returns the findings not allowed, ordered by path, line and column. */
export async function scanForSecrets(files: ScanFile[], opts: ScanOptions = {}): Promise<SecretFinding[]> {
  const allowed = new Set(opts.allow ?? []);
  const lint = await (secretlint ??= loadSecretlint());
  const visible = files.map((f) => withoutInvisible(f.text));
  const linted = await lint(files.map((f, i) => ({ path: f.path, text: visible[i]!.text })));
  const findings: SecretFinding[] = [];
  for (const [i, file] of files.entries()) {
    const { text, removedAt } = visible[i]!;
    const raw = dropOverlaps([...linted[i], ...dotenvFindings({ path: file.path, text }), ...privateKeyBlocks(text)]);
    if (!raw.length) continue;
    const lines = lineStarts(file.text);
    for (const f of raw) {
      const fingerprint = fingerprintOf(f.rule, file.path, text.slice(f.start, f.end));
      if (allowed.has(fingerprint)) continue;
      const { line, column } = position(lines, originalOffset(removedAt, f.start));
      findings.push({ path: file.path, line, column, rule: f.rule, message: f.message, fingerprint });
    }
  }
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
}

export function fingerprintOf(rule: string, filePath: string, match: string): string {
  return `${rule}@${filePath}#${createHash('sha256').update(match).digest('hex').slice(0, 16)}`;
}

/** One finding per secret: when two rules report overlapping text, the first reported (secretlint's) wins. */
function dropOverlaps(found: RawFinding[]): RawFinding[] {
  const kept: RawFinding[] = [];
  for (const f of found) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept;
}

// A key names a secret when one of its words is one of these (API_KEY, clientSecret, db-password, AUTH_TOKEN…).
const SECRET_KEY = /(?:^|[^a-z])(?:secret|token|passwd|password|pwd|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credentials?|auth)(?:$|[^a-z])/i;
// KEY=value or KEY: value, optionally `export`ed or quoted, as in .env, shell, YAML, JSON and INI files.
const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[=:][ \t]*(.*?)[ \t]*,?[ \t]*$/gm;
// Values people leave in templates instead of a secret.
const PLACEHOLDER = /^(?:<.*>|\$\{.*\}|\$[A-Za-z_]\w*|%.*%|\{\{.*\}\}|x+|\*+|\.+|-+|changeme|change[_-]me|example|placeholder|secret|password|token|redacted|none|null|nil|true|false|todo|tbd|your[_-].*|my[_-].*)$/i;
const DOTENV_NAME = /^\.env(?:\..+)?$/i;
const DOTENV_TEMPLATE = /\.(?:example|sample|template|dist|defaults)$/i;

function unquote(value: string): string {
  const m = /^(["'`])(.*)\1$/.exec(value);
  return m ? m[2] : value;
}

/** A value that could be a credential: long enough, one token, not a placeholder or a plain word. */
function looksLikeCredential(value: string): boolean {
  if (value.length < 8 || /\s/.test(value) || PLACEHOLDER.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 || value.length >= 20;
}

/** `.env` files: every assignment with a real value is reported (their values are secrets by convention, templates
 *  excepted); elsewhere only assignments whose key names a secret and whose value looks like a credential. */
function dotenvFindings(file: ScanFile): RawFinding[] {
  const base = path.basename(file.path);
  const isDotenv = DOTENV_NAME.test(base) && !DOTENV_TEMPLATE.test(base);
  const found: RawFinding[] = [];
  for (const m of file.text.matchAll(ASSIGNMENT)) {
    const key = m[1];
    const value = unquote(m[2]);
    const secretKey = SECRET_KEY.test(key);
    const report = isDotenv ? value !== '' && !PLACEHOLDER.test(value) && (secretKey || looksLikeCredential(value)) : secretKey && looksLikeCredential(value);
    if (!report) continue;
    const start = m.index + m[0].indexOf(m[2]);
    found.push({
      rule: isDotenv ? 'dotenv' : 'secret-assignment',
      message: isDotenv ? `found a value in a .env file: ${key}=****` : `found a credential assigned to ${key}: ****`,
      start,
      end: start + m[2].length,
    });
  }
  return found;
}

// Any PEM private key block with a base64 body, whatever its type (ENCRYPTED, ED25519…), line breaks or escaping.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY(?: BLOCK)?-----([A-Za-z0-9+/=\s\\:,-]{40,20000}?)-----END \1PRIVATE KEY(?: BLOCK)?-----/g;

function privateKeyBlocks(text: string): RawFinding[] {
  const found: RawFinding[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    // A body of base64 (after headers such as Proc-Type and escaped newlines) – not "..." in documentation.
    const body = m[2].replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s|\\n/g, '');
    if (!/^[A-Za-z0-9+/]{40,}=*$/.test(body)) continue;
    found.push({ rule: 'private-key-block', message: `found a private key block (${m[1].trim() || 'PKCS#8'}): ****`, start: m.index, end: m.index + m[0].length });
  }
  return found;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Index of the last of the ascending `starts` at or before `offset` (0 when none is). */
function lastAtOrBefore(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  const line = lastAtOrBefore(starts, offset);
  return { line: line + 1, column: offset - starts[line] + 1 };
}
