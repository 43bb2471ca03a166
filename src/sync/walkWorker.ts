// Folder walks in a worker thread (see walk.ts): each request lists its folders, answered packed.
import { parentPort } from 'node:worker_threads';
import { packListing, walkFolder, type WalkReply, type WalkRequest } from './walk';
import type { WorkerReply } from './workerClient';

parentPort!.on('message', (req: { id: number; requests: WalkRequest[] }) => {
  let reply: WalkReply | WorkerReply;
  try {
    reply = { id: req.id, listings: req.requests.map((r) => packListing(walkFolder(r.root, r.skipReal))) };
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message };
  }
  parentPort!.postMessage(reply, 'listings' in reply ? reply.listings.map((l) => l.stats.buffer as ArrayBuffer) : []);
});
