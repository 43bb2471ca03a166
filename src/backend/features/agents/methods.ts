// Agent definitions (Claude Code's agent files) and the runs agents record.
import { z } from 'zod';
import { agentDiagnostics, indexAgents, listAgents } from '../../../store/agents/indexer';
import { listAgentRuns, recordAgentRun } from '../../../store/agents/runs';
import { count, id, isoDateTime, name, qualityScore, runOutcome, text } from '../../../store/valueRules';
import { revealRun, revealRuns } from '../crypto/reveal';
import { method, who, writer } from '../define';

/** What a run cost and how it went: agents.recordRun and tasks.complete take the same. */
export const runMeasures = {
  durationMs: count('durationMs').optional(),
  tokensIn: count('tokensIn').optional(),
  tokensOut: count('tokensOut').optional(),
  qualityScore: qualityScore.optional(),
  errors: count('errors').optional(),
};

export const agentMethods = {
  'agents.index': method({
    doc: 'Reads the agent folders (only what changed) and lints each file.',
    result: 'AgentIndexReport',
    writes: true,
    params: z.strictObject({ ...writer }),
    handler: (store, p, ctx) => indexAgents(store, ctx.agentDirs, who(ctx, p)),
  }),
  'agents.list': method({
    doc: 'The agents defined, with their tasks and run totals.',
    result: 'AgentSummary[]',
    params: z.strictObject({}),
    handler: (store) => store.read((orm) => listAgents(orm)),
  }),
  'agents.lint': method({
    doc: "The agent files' problems, by file and line.",
    result: 'AgentLintResult',
    params: z.strictObject({}),
    handler: (store) => store.read((orm) => agentDiagnostics(orm)),
  }),
  'agents.recordRun': method({
    doc: 'Records one run of an agent: what it cost and how it went.',
    result: 'AgentRun',
    writes: true,
    params: z.strictObject({
      agent: name('agent'),
      taskId: id('taskId').optional(),
      startedAt: isoDateTime('startedAt').optional(),
      ...runMeasures,
      outcome: runOutcome,
      notes: text.optional(),
      secret: z.boolean({ error: 'secret must be true or false' }).optional(),
      ...writer,
    }),
    handler: (store, p, ctx) => {
      const { actor: _a, ...run } = p;
      return store.write((orm) => recordAgentRun(orm, who(ctx, p), run)).then(revealRun(store));
    },
  }),
  'agents.runs': method({
    doc: "Agents' runs, by agent or task, newest first.",
    result: 'AgentRun[]',
    params: z.strictObject({
      agent: name('agent').optional(),
      taskId: id('taskId').optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
    handler: (store, p) => listAgentRuns(store.orm, p).then(revealRuns(store)),
  }),
};
