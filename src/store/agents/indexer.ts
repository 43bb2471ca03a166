// Indexes Claude Code agent folders (`.claude/agents/**/*.md`) into the store. The files stay the source of truth; the
// `agents` table is a catalog of what they said when last read. Incremental like the vault indexer: a file whose size
// and mtime did not move is not read, one whose bytes did not change (same sha256) is not re-parsed, and rows of
// files that are gone are removed. Changed rows are written in batches, one transaction each; one `agents.indexed`
// event summarises a run that changed something.
//
// Which files: listAgentFiles (agentFiles.ts): every `*.md` in each folder and its sub-folders (`<folder>/<category>/<agent>.md`; hidden folders and a README.md without front matter left out),
// links followed only while their real path stays inside the folder; what is passed over is reported in `skipped`.
// The category of an agent is its sub-folder (agents.list), derived from its path: nothing more is stored.
//
// Names across folders: the folders are given in precedence order, as Claude Code applies it (the project's
// `.claude/agents` before the user's `~/.claude/agents`). The same name in two files of one folder (its sub-folders
// included) is an error
// (duplicate-name, from lintAgents); the same name in two folders is expected (a project overriding a personal
// agent) and is recorded as info on both files: overrides-name on the one Claude Code uses, shadowed-name on the
// others.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { appendNextEvent, type Actor } from '../events';
import { nowIso } from '../ids';
import type { Orm } from '../orm';
import { agentRuns, agents, tasks, type AgentRow, type TaskStatus } from '../schema';
import type { Store } from '../store';
import { parseAgentFile, type AgentDefinition, type AgentDiagnostic } from './agentFile';
import { lintAgents } from './lint';
import { readTextFile } from '../textFile';
import { agentCategory, hasFrontMatter, isReadme, listAgentFiles, NOT_AN_AGENT_README, type AgentFileListing } from './agentFiles';

export interface AgentIndexOptions {
  /** Files larger than this are skipped with a reason (bytes). */
  maxFileBytes?: number;
  /** Rows written per transaction. */
  batchSize?: number;
}

export interface AgentIndexReport {
  /** The folders, in precedence order, with whether they exist and how many agent files were indexed from each. */
  dirs: { dir: string; exists: boolean; files: number }[];
  agents: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  skipped: { path: string; reason: string }[];
  diagnostics: { error: number; warning: number; info: number };
  ms: number;
}

export const DEFAULT_MAX_AGENT_FILE_BYTES = 1024 * 1024;
/** Diagnostics that depend on other files; recomputed on every run. */
const CROSS_FILE_CODES = new Set(['duplicate-name', 'overrides-name', 'shadowed-name']);
const INDEX_AGGREGATE = 'index';
const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Where Claude Code looks for agents, highest precedence first: the project's folder, then the user's. */
export { defaultAgentDirs } from './defaultDirs';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sortDiagnostics = (list: AgentDiagnostic[]) => list.sort((a, b) => a.line - b.line || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);

interface Found {
  path: string;
  dir: string;
  dirRank: number;
  size: number;
  mtimeMs: number;
}

/** What every present file contributes to the cross-file checks. */
interface Entry {
  found: Found;
  name: string | null;
  nameLine: number | null;
  own: AgentDiagnostic[];
  /** Set when the file was (re-)parsed in this run. */
  parsed?: { def: AgentDefinition; hash: string };
  stored?: AgentRow;
  touched?: boolean;
}

function scanFolders(dirs: string[], skipped: AgentIndexReport['skipped']): { found: Found[]; report: AgentIndexReport['dirs'] } {
  const found: Found[] = [];
  const report: AgentIndexReport['dirs'] = [];
  const taken = new Set<string>(); // paths found or reported by an earlier folder
  dirs.forEach((dir, dirRank) => {
    let listing: AgentFileListing;
    try {
      if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      listing = listAgentFiles(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') skipped.push({ path: dir, reason: `cannot read the folder (${code})` });
      report.push({ dir, exists: false, files: 0 });
      return;
    }
    for (const p of listing.passedOver) {
      if (taken.has(p.abs)) continue;
      taken.add(p.abs);
      skipped.push({ path: p.abs, reason: p.reason });
    }
    let files = 0;
    for (const f of listing.files) {
      if (taken.has(f.abs)) continue; // a folder inside an earlier one: its files belong to the earlier (first) folder
      taken.add(f.abs);
      found.push({ path: f.abs, dir, dirRank, size: f.stat.size, mtimeMs: f.stat.mtimeMs });
      files++;
    }
    report.push({ dir, exists: true, files });
  });
  return { found, report };
}

/**
 * Cross-file diagnostics: lintAgents within each folder (a name used twice in one folder, sub-folders included, is
 * an error), then the precedence between folders (info). Returns each file's full, sorted list.
 */
export function crossLint(entries: { path: string; dirRank: number; name: string | null; nameLine: number | null; own: AgentDiagnostic[] }[]): Map<string, AgentDiagnostic[]> {
  const asDefinition = (e: (typeof entries)[number]): AgentDefinition => ({
    name: e.name,
    description: null,
    tools: null,
    model: null,
    color: null,
    extra: {},
    body: '',
    diagnostics: e.own,
    fieldLines: e.nameLine === null ? {} : { name: e.nameLine },
  });
  const result = new Map<string, AgentDiagnostic[]>();
  const ranks = [...new Set(entries.map((e) => e.dirRank))];
  for (const rank of ranks) {
    const inFolder = entries.filter((e) => e.dirRank === rank);
    for (const [p, list] of lintAgents(inFolder.map((e) => ({ path: e.path, definition: asDefinition(e) })))) result.set(p, list);
  }
  const byName = new Map<string, (typeof entries)[number][]>();
  for (const e of entries) if (e.name !== null) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  for (const [name, group] of byName) {
    const best = Math.min(...group.map((e) => e.dirRank));
    if (group.every((e) => e.dirRank === best)) continue;
    const winners = group.filter((e) => e.dirRank === best);
    const losers = group.filter((e) => e.dirRank !== best);
    for (const e of winners) {
      result.get(e.path)!.push({
        line: e.nameLine ?? 1,
        severity: 'info',
        code: 'overrides-name',
        message: `This agent "${name}" overrides ${losers.map((l) => l.path).join(', ')}: Claude Code uses the one in the folder that comes first (project agents before user agents).`,
      });
    }
    for (const e of losers) {
      result.get(e.path)!.push({
        line: e.nameLine ?? 1,
        severity: 'info',
        code: 'shadowed-name',
        message: `Claude Code does not use this agent: "${name}" is also defined in ${winners.map((w) => w.path).join(', ')}, a folder that takes precedence (project agents before user agents). Rename one of them to keep both.`,
      });
    }
  }
  for (const list of result.values()) sortDiagnostics(list);
  return result;
}

export async function indexAgents(store: Store, dirs: string[], who: Actor, options: AgentIndexOptions = {}): Promise<AgentIndexReport> {
  const started = performance.now();
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_AGENT_FILE_BYTES;
  const batchSize = options.batchSize ?? 200;
  const folders = [...new Set(dirs.map((d) => path.resolve(d)))];
  const skipped: AgentIndexReport['skipped'] = [];
  const { found, report: dirReport } = scanFolders(folders, skipped);
  const stored = new Map((await store.orm.select().from(agents)).map((r) => [r.path, r]));

  // 1. What changed: size/mtime first (no read), then the hash (a touched but unchanged file is not re-parsed).
  const entries: Entry[] = [];
  for (const file of found) {
    const known = stored.get(file.path);
    const fromRow = (row: AgentRow, touched: boolean): Entry => ({
      found: file,
      name: row.name,
      nameLine: row.nameLine,
      own: row.diagnostics.filter((d) => !CROSS_FILE_CODES.has(d.code)),
      stored: row,
      touched,
    });
    if (known && known.size === file.size && known.mtimeMs === file.mtimeMs) {
      entries.push(fromRow(known, false));
      continue;
    }
    const read = readTextFile(file.path, file.size, maxBytes);
    if ('reason' in read) {
      skipped.push({ path: file.path, reason: read.reason });
      continue;
    }
    if (isReadme(file.path) && !hasFrontMatter(read.text)) {
      skipped.push({ path: file.path, reason: NOT_AN_AGENT_README }); // lost its front matter since it was listed
      continue;
    }
    const hash = sha256(read.bytes);
    if (known && known.hash === hash) {
      entries.push(fromRow(known, true));
      continue;
    }
    let def: AgentDefinition;
    try {
      def = parseAgentFile(read.text, file.path);
    } catch (err) {
      skipped.push({ path: file.path, reason: `could not be parsed (${(err as Error).name}: ${(err as Error).message.split('\n')[0]})` }); // one file never stops the others
      continue;
    }
    if (read.invalidUtf8) {
      def.diagnostics.push({ line: 1, severity: 'warning', code: 'invalid-utf8', message: 'The file is not valid UTF-8; invalid bytes were replaced with U+FFFD in the index. Save it as UTF-8.' });
    }
    entries.push({ found: file, name: def.name, nameLine: def.fieldLines?.name ?? null, own: def.diagnostics, parsed: { def, hash }, stored: known });
  }
  for (const d of dirReport) d.files = entries.filter((e) => e.found.dir === d.dir).length; // skipped files do not count
  const present = new Set(entries.map((e) => e.found.path));
  const removed = [...stored.keys()].filter((p) => !present.has(p));

  // 2. Cross-file diagnostics over every present file (stored ones included: a change elsewhere can change them).
  const linted = crossLint(entries.map((e) => ({ path: e.found.path, dirRank: e.found.dirRank, name: e.name, nameLine: e.nameLine, own: e.own })));

  // 3. Write: changed files whole; unchanged ones only when their size/mtime moved or their diagnostics changed.
  const now = nowIso();
  const changed = entries.filter((e) => e.parsed);
  const patches = entries.filter(
    (e) => !e.parsed && (e.touched || JSON.stringify(e.stored!.diagnostics) !== JSON.stringify(linted.get(e.found.path))),
  );
  for (let i = 0; i < changed.length; i += batchSize) {
    const batch = changed.slice(i, i + batchSize);
    await store.write(async (orm) => {
      await orm
        .insert(agents)
        .values(
          batch.map((e) => {
            const def = e.parsed!.def;
            return {
              path: e.found.path,
              dir: e.found.dir,
              name: def.name,
              nameLine: e.nameLine,
              description: def.description,
              model: def.model,
              color: def.color,
              tools: def.tools,
              extra: def.extra,
              body: def.body,
              diagnostics: linted.get(e.found.path)!,
              size: e.found.size,
              mtimeMs: e.found.mtimeMs,
              hash: e.parsed!.hash,
              indexedAt: now,
            };
          }),
        )
        .onConflictDoUpdate({
          target: agents.path,
          set: {
            dir: sql`excluded.dir`,
            name: sql`excluded.name`,
            nameLine: sql`excluded.name_line`,
            description: sql`excluded.description`,
            model: sql`excluded.model`,
            color: sql`excluded.color`,
            tools: sql`excluded.tools`,
            extra: sql`excluded.extra`,
            body: sql`excluded.body`,
            diagnostics: sql`excluded.diagnostics`,
            size: sql`excluded.size`,
            mtimeMs: sql`excluded.mtime_ms`,
            hash: sql`excluded.hash`,
            indexedAt: sql`excluded.indexed_at`,
          },
        });
    });
  }
  if (patches.length || removed.length) {
    await store.write(async (orm) => {
      for (const e of patches) {
        await orm
          .update(agents)
          .set({ dir: e.found.dir, size: e.found.size, mtimeMs: e.found.mtimeMs, diagnostics: linted.get(e.found.path)! })
          .where(eq(agents.path, e.found.path));
      }
      for (let i = 0; i < removed.length; i += 500) await orm.delete(agents).where(inArray(agents.path, removed.slice(i, i + 500)));
    });
  }

  const counts = { error: 0, warning: 0, info: 0 };
  for (const list of linted.values()) for (const d of list) counts[d.severity]++;
  const report: AgentIndexReport = {
    dirs: dirReport,
    agents: entries.length,
    added: changed.filter((e) => !e.stored).length,
    updated: changed.filter((e) => e.stored).length,
    removed: removed.length,
    unchanged: entries.length - changed.length,
    skipped,
    diagnostics: counts,
    ms: Math.round(performance.now() - started),
  };
  if (report.added || report.updated || report.removed) {
    const { skipped: _s, ...summary } = report;
    await store.write((orm) =>
      appendNextEvent(orm, who, { aggregateType: 'agents', aggregateId: INDEX_AGGREGATE, type: 'agents.indexed', data: { ...summary, skipped: skipped.length } }),
    );
  }
  return report;
}

export interface AgentSummary {
  id: number;
  path: string;
  dir: string;
  /** The agent file's sub-folder in `dir` ('/'-separated, e.g. `01-core-development` or `a/b`); null at its top. */
  category: string | null;
  name: string | null;
  description: string | null;
  model: string | null;
  color: string | null;
  tools: string[] | null;
  extra: Record<string, unknown>;
  /** Another file of the same name in a folder that takes precedence: Claude Code does not use this one. */
  shadowed: boolean;
  diagnostics: { error: number; warning: number; info: number };
  indexedAt: string;
  /** Tasks assigned to this agent (tasks.assignee = name), by status, and in all. */
  tasks: { total: number; open: number; byStatus: Partial<Record<TaskStatus, number>> };
  runs: AgentRunMetrics;
}

export interface AgentRunMetrics {
  count: number;
  tokensIn: number;
  tokensOut: number;
  totalTokens: number;
  /** Mean of the quality scores given; null when none was. */
  meanQuality: number | null;
  /** Runs whose outcome is failure. */
  failures: number;
  /** Sum of the errors reported by runs. */
  errors: number;
  totalDurationMs: number;
  lastRunAt: string | null;
}

export const emptyRunMetrics = (): AgentRunMetrics => ({ count: 0, tokensIn: 0, tokensOut: 0, totalTokens: 0, meanQuality: null, failures: 0, errors: 0, totalDurationMs: 0, lastRunAt: null });

/** Run metrics per agent name. */
export async function runMetricsByAgent(orm: Orm): Promise<Map<string, AgentRunMetrics>> {
  const rows = await orm
    .select({
      name: agentRuns.agentName,
      count: sql<number>`count(*)`,
      tokensIn: sql<number>`coalesce(sum(${agentRuns.tokensIn}), 0)`,
      tokensOut: sql<number>`coalesce(sum(${agentRuns.tokensOut}), 0)`,
      meanQuality: sql<number | null>`avg(${agentRuns.qualityScore})`,
      failures: sql<number>`sum(case when ${agentRuns.outcome} = 'failure' then 1 else 0 end)`,
      errors: sql<number>`coalesce(sum(${agentRuns.errors}), 0)`,
      totalDurationMs: sql<number>`coalesce(sum(${agentRuns.durationMs}), 0)`,
      lastRunAt: sql<string | null>`max(coalesce(${agentRuns.startedAt}, ${agentRuns.createdAt}))`,
    })
    .from(agentRuns)
    .groupBy(agentRuns.agentName);
  return new Map(
    rows.map((r) => [
      r.name,
      {
        count: Number(r.count),
        tokensIn: Number(r.tokensIn),
        tokensOut: Number(r.tokensOut),
        totalTokens: Number(r.tokensIn) + Number(r.tokensOut),
        meanQuality: r.meanQuality === null ? null : Math.round(Number(r.meanQuality) * 1000) / 1000,
        failures: Number(r.failures),
        errors: Number(r.errors),
        totalDurationMs: Number(r.totalDurationMs),
        lastRunAt: r.lastRunAt,
      },
    ]),
  );
}

/** Every indexed agent (by name; of one name, the one Claude Code uses first) with its assigned tasks and its run metrics. Bodies are left out. */
export async function listAgents(orm: Orm): Promise<AgentSummary[]> {
  const rows = await orm.select().from(agents);
  const taskRows = await orm
    .select({ assignee: tasks.assignee, status: tasks.status, n: sql<number>`count(*)` })
    .from(tasks)
    .where(isNotNull(tasks.assignee))
    .groupBy(tasks.assignee, tasks.status);
  const taskCounts = new Map<string, AgentSummary['tasks']>();
  for (const t of taskRows) {
    const c = taskCounts.get(t.assignee!) ?? { total: 0, open: 0, byStatus: {} };
    const n = Number(t.n);
    c.byStatus[t.status] = n;
    c.total += n;
    if (t.status === 'pending' || t.status === 'in_progress' || t.status === 'blocked') c.open += n;
    taskCounts.set(t.assignee!, c);
  }
  const metrics = await runMetricsByAgent(orm);
  const shadowed = (r: AgentRow) => r.diagnostics.some((d) => d.code === 'shadowed-name');
  return rows
    .sort(
      (a, b) =>
        (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || Number(shadowed(a)) - Number(shadowed(b)) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    )
    .map((r) => {
      const diagnostics = { error: 0, warning: 0, info: 0 };
      for (const d of r.diagnostics) diagnostics[d.severity]++;
      return {
        id: r.id,
        path: r.path,
        dir: r.dir,
        category: agentCategory(r.dir, r.path),
        name: r.name,
        description: r.description,
        model: r.model,
        color: r.color,
        tools: r.tools,
        extra: r.extra,
        shadowed: shadowed(r),
        diagnostics,
        indexedAt: r.indexedAt,
        tasks: (r.name && taskCounts.get(r.name)) || { total: 0, open: 0, byStatus: {} },
        runs: (r.name && metrics.get(r.name)) || emptyRunMetrics(),
      };
    });
}

export interface AgentLintResult {
  files: { path: string; name: string | null; diagnostics: AgentDiagnostic[] }[];
  counts: { error: number; warning: number; info: number };
}

/** The stored diagnostics of every indexed agent file, in path order. */
export async function agentDiagnostics(orm: Orm): Promise<AgentLintResult> {
  const rows = await orm.select({ path: agents.path, name: agents.name, diagnostics: agents.diagnostics }).from(agents).orderBy(agents.path);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const r of rows) for (const d of r.diagnostics) counts[d.severity]++;
  return { files: rows, counts };
}
