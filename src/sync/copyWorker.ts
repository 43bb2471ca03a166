// The backup mirror's file copies in a worker thread (see files.ts's copyFiles): each request copies a batch of
// files and answers their outcomes, or the error that stopped it (with its code) after the files before it.
import { parentPort } from 'node:worker_threads';
import { copyFile, type CopyOptions, type CopyOutcome, type CopyReply, type CopyTask } from './files';
import type { WorkerReply } from './workerClient';

parentPort!.on('message', (req: { id: number; source: string; repo: string; tasks: CopyTask[]; opts: CopyOptions }) => {
  let reply: CopyReply | WorkerReply;
  try {
    const madeDirs = new Set<string>();
    const outcomes: CopyOutcome[] = req.tasks.map((task) => copyFile(req.source, req.repo, task, req.opts, madeDirs));
    reply = { id: req.id, outcomes };
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message, ...((err as NodeJS.ErrnoException).code ? { code: (err as NodeJS.ErrnoException).code } : {}) };
  }
  parentPort!.postMessage(reply);
});
