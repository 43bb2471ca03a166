// Which files of an agent folder are agent definitions (indexer.ts). A backup copies every file of the agent folders
// (src/sync/walk.ts), a superset of these: every agent the index knows is in the backup, nested ones in their
// sub-folders, and the folder's other files (a README, a LICENSE) are kept as they always were.
//
// Every `*.md` file of the folder and of its sub-folders, at any depth up to MAX_AGENT_FOLDER_DEPTH (collections and
// the design documents lay agents out as `<folder>/<category>/<agent>.md`; the category is the sub-folder), except:
// - what is in a hidden folder (`.git`, `.claude-plugin`): never entered;
// - a README.md without front matter (collections ship one per folder to describe it): not an agent;
// - a symbolic link, to a file or a folder, whose real path leads out of the agent folder: skipped with the reason
//   (its files are not the folder's: nothing is read or backed up through it);
// - a folder reached a second time through a link (a loop, or two links to one folder): not entered again;
// - a folder deeper than MAX_AGENT_FOLDER_DEPTH: skipped with the reason;
// - a FIFO, socket or device named like an agent: skipped with the reason;
// - a sub-folder that cannot be read: skipped with the reason, the others are listed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { realPathInside, realPathOf } from '../insideRoot';
import { NOT_A_REGULAR_FILE, statFailure } from '../textFile';

/** Sub-folders deeper than this below an agent folder are not read. */
export const MAX_AGENT_FOLDER_DEPTH = 8;

export const isAgentFileName = (name: string) => /\.md$/i.test(name);
export const isReadme = (p: string) => path.basename(p).toLowerCase() === 'readme.md';
export const hasFrontMatter = (text: string) => /^\uFEFF?---[ \t]*\r?\n/.test(text);
export const NOT_AN_AGENT_README = 'a README without front matter (describes the folder; not an agent)';

export interface AgentFile {
  /** The path as found: the folder joined with `rel` (links on the way are not resolved). */
  abs: string;
  /** Relative to the agent folder, '/'-separated. */
  rel: string;
  /** Its stat, links followed. */
  stat: fs.Stats;
}

export interface PassedOver {
  abs: string;
  rel: string;
  reason: string;
  /** `problem`: it may hold an agent but was not read; `not-agent`: read enough to know it is no agent (a README). */
  kind: 'problem' | 'not-agent';
}

export interface AgentFileListing {
  /** In walk order: each folder's entries by name (code-unit order), a sub-folder's files where its name sorts. */
  files: AgentFile[];
  passedOver: PassedOver[];
}

/** The category of an agent file: its folder relative to the agent folder ('/'-separated), null at the top. */
export function agentCategory(dir: string, file: string): string | null {
  const rel = path.relative(dir, path.dirname(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** Reads up to the first line of a file opened without blocking; null when it cannot be read. */
function readHead(abs: string): string | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const buf = Buffer.alloc(4096);
    let text = '';
    for (let n: number; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      text += buf.toString('utf8', 0, n);
      if (text.includes('\n') || text.length > 64 * 1024) break;
    }
    return text;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The agent files of the folder `root` (see the top of this file). The root itself must be a readable folder: its
 * failure (ENOENT, ENOTDIR, EACCES) is thrown, for the caller to report.
 */
export function listAgentFiles(root: string): AgentFileListing {
  const files: AgentFile[] = [];
  const passedOver: PassedOver[] = [];
  const rootReal = realPathOf(root) ?? path.resolve(root);
  const seen = new Set<string>();
  const pass = (abs: string, rel: string, reason: string, kind: PassedOver['kind'] = 'problem') => passedOver.push({ abs, rel, reason, kind });

  // `real` is the folder's real path: a sub-folder entered by its name (not through a link) is at real/name, so only
  // the root and links cost a realpath.
  const visit = (abs: string, real: string, rel: string, depth: number) => {
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      if (depth === 0) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      pass(abs, rel, code === 'ENOENT' ? statFailure(path.basename(abs), err) : `cannot read the folder (${code})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const enter = (childReal: string) => {
        if (e.name.startsWith('.')) return; // hidden folders (.git, .claude-plugin) hold no agents
        if (seen.has(childReal)) {
          const why = e.isSymbolicLink() ? `a symbolic link to ${childReal}, a folder already read (a loop, or a second way to it)` : 'a folder already read through a symbolic link to it';
          pass(childAbs, childRel, `${why}: not read again`);
          return;
        }
        if (depth + 1 > MAX_AGENT_FOLDER_DEPTH) {
          pass(childAbs, childRel, `more than ${MAX_AGENT_FOLDER_DEPTH} folders deep in the agent folder: not read`);
          return;
        }
        visit(childAbs, childReal, childRel, depth + 1);
      };
      if (e.isDirectory()) {
        enter(path.join(real, e.name));
        continue;
      }
      const named = isAgentFileName(e.name);
      if (!named && !e.isSymbolicLink()) continue; // not an agent, and cannot lead to a folder of agents
      let st: fs.Stats;
      try {
        st = fs.statSync(childAbs); // follows links, as Claude Code does, while they stay in the folder (below)
      } catch (err) {
        if (named) pass(childAbs, childRel, statFailure(e.name, err));
        continue;
      }
      if (!named && !st.isDirectory()) continue;
      if (e.isSymbolicLink()) {
        const target = realPathInside(rootReal, childAbs);
        if (!target) {
          if (!e.name.startsWith('.') || named) pass(childAbs, childRel, `a symbolic link to ${realPathOf(childAbs)}, outside the agent folder: not read`);
          continue;
        }
        if (st.isDirectory()) {
          enter(target);
          continue;
        }
      }
      if (st.isDirectory()) continue; // replaced by a folder since it was listed
      if (!st.isFile()) {
        pass(childAbs, childRel, NOT_A_REGULAR_FILE);
        continue;
      }
      if (isReadme(e.name)) {
        const head = readHead(childAbs);
        if (head !== null && !hasFrontMatter(head)) {
          pass(childAbs, childRel, NOT_AN_AGENT_README, 'not-agent');
          continue;
        }
      }
      files.push({ abs: childAbs, rel: childRel, stat: st });
    }
  };
  visit(root, rootReal, '', 0);
  return { files, passedOver };
}
