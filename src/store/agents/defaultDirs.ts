// Where Claude Code looks for agent files when no folder is named, in its precedence order: the project's, then the
// user's. Its own module so that reading the default (every CLI command does) does not load the indexer.
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultAgentDirs(cwd = process.cwd(), home = os.homedir()): string[] {
  return [path.join(cwd, '.claude', 'agents'), path.join(home, '.claude', 'agents')];
}
