// Where a server's command would be found, without running it: an absolute or relative path is looked at as it is, a
// bare name is looked up in PATH's folders (with PATHEXT's endings on Windows), as a shell would.
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as path from 'node:path';

export type CommandLookup =
  | { found: true; path: string }
  | { found: false; reason: 'missing' | 'folder' | 'not-executable' | 'not-on-path'; path?: string };

const isWindows = process.platform === 'win32';

async function executableFile(p: string): Promise<CommandLookup> {
  const stat = await fsp.stat(p).catch(() => null);
  if (!stat) return { found: false, reason: 'missing', path: p };
  if (stat.isDirectory()) return { found: false, reason: 'folder', path: p };
  if (isWindows) return { found: true, path: p }; // Windows has no execute bit: the file's ending decides
  const executable = await fsp.access(p, fsConstants.X_OK).then(
    () => true,
    () => false,
  );
  return executable ? { found: true, path: p } : { found: false, reason: 'not-executable', path: p };
}

/**
 * Finds `command`: with a folder separator it is a path (relative ones from `cwd`, where the client starts it);
 * otherwise the first executable file of that name in a folder of `pathEnv` (relative PATH entries are skipped).
 */
export async function lookUpCommand(command: string, cwd: string, pathEnv: string, pathExt = process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD'): Promise<CommandLookup> {
  const hasSeparator = command.includes('/') || (isWindows && command.includes('\\'));
  if (hasSeparator || path.isAbsolute(command)) return executableFile(path.resolve(cwd, command));
  const endings = isWindows && !path.extname(command) ? ['', ...pathExt.split(';').filter(Boolean)] : [''];
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    for (const ending of endings) {
      const found = await executableFile(path.join(dir, command + ending));
      if (found.found) return found;
    }
  }
  return { found: false, reason: 'not-on-path' };
}
