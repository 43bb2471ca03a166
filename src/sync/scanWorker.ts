// The secret scan in a worker thread (see scanner.ts): each request is a scan job, answered with its findings.
import { parentPort } from 'node:worker_threads';
import { runScanJob } from './scan';
import type { ScanReply, ScanRequest } from './scanner';
import type { WorkerReply } from './workerClient';

parentPort!.on('message', (req: ScanRequest) => {
  runScanJob(req.repo, req.job, req.allow).then(
    (findings) => parentPort!.postMessage({ id: req.id, findings } satisfies ScanReply),
    (err: Error) => parentPort!.postMessage({ id: req.id, error: err.message } satisfies WorkerReply),
  );
});
