// Agent definitions (Claude Code's agent files) and the runs agents record.
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { readMcpServers } from '../../../store/agents/mcpRegistries';
import { pathParam } from '../../pathParam';
import { agentDiagnostics, indexAgents, listAgents } from '../../../store/agents/indexer';
import { listAgentRuns, recordAgentRun } from '../../../store/agents/runs';
import { id, isoDateTime, name, runOutcome, text } from '../../../store/valueRules';
import { revealRun, revealRuns } from '../crypto/reveal';
import { method, runMeasures, who, writer } from '../define';


export const agentMethods = {
  'agents.index': method({
    doc: 'Reads the agent folders (only what changed) and lints each file.',
    result: 'AgentIndexReport',
    writes: true,
    params: () => z.strictObject({ ...writer }),
    handler: (store, p, ctx) => indexAgents(store, ctx.agentDirs, who(ctx, p)),
  }),
  'agents.list': method({
    doc: 'The agents defined, with their tasks and run totals.',
    result: 'AgentSummary[]',
    params: () => z.strictObject({}),
    handler: (store) => store.read((orm) => listAgents(orm)),
  }),
  'agents.lint': method({
    doc: "The agent files' problems, by file and line.",
    result: 'AgentLintResult',
    params: () => z.strictObject({}),
    handler: (store) => store.read((orm) => agentDiagnostics(orm)),
  }),
  'agents.mcpServers': method({
    doc: "The MCP servers agents use (.mcp.json, .vscode/mcp.json, ~/.claude.json, registries), with their files' problems by line.",
    result: 'McpServersReport',
    storeless: true,
    params: () => z.strictObject({
      workspaceFolder: pathParam(z.string({ error: 'workspaceFolder must be a folder path' }).min(1, 'workspaceFolder must not be empty'), 'workspaceFolder').optional(),
      registryPaths: z
        .array(pathParam(z.string({ error: 'each of registryPaths must be a file path' }).min(1, 'registryPaths must not hold an empty path'), 'registryPaths'), { error: 'registryPaths must be a list of file paths' })
        .max(100, 'registryPaths takes at most 100 files')
        .optional(),
      home: pathParam(z.string({ error: 'home must be a folder path' }).min(1, 'home must not be empty'), 'home').optional(),
    }),
    handler: (_store, p) => {
      const workspaceFolder = path.resolve(p.workspaceFolder ?? process.cwd());
      return readMcpServers({ workspaceFolder, registryPaths: p.registryPaths ?? [], home: path.resolve(workspaceFolder, p.home ?? os.homedir()) });
    },
  }),
  'agents.recordRun': method({
    doc: 'Records one run of an agent: what it cost and how it went.',
    result: 'AgentRun',
    writes: true,
    params: () => z.strictObject({
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
    params: () => z.strictObject({
      agent: name('agent').optional(),
      taskId: id('taskId').optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
    handler: (store, p) => listAgentRuns(store.orm, p).then(revealRuns(store)),
  }),
};
