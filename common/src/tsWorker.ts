// A worker thread whose entry is TypeScript, started once it says it is ready.
// Node 20 resolves a worker's entry before `--import tsx` hooks apply, so a
// one-line bootstrap registers tsx in the thread and then imports the entry.
// The entry posts `{ ready: true }` once loaded, or `{ ready: false, error }`.
import { Worker } from 'node:worker_threads';
import { AppError } from '#protocol/errors';

export interface TsWorkerOptions {
  workerData?: unknown;
  /** Message prefixes of the `unavailable` errors: the entry failed to load / the thread itself failed. */
  loadFailed: string;
  threadFailed: string;
}

export function spawnTsWorker(entry: URL, o: TsWorkerOptions): Promise<Worker> {
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: o.workerData });
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { ready?: boolean; error?: string }) => {
      if (msg.ready === undefined) return;
      worker.off('message', onMessage);
      worker.off('error', onError);
      if (msg.ready) resolve(worker);
      else
        void worker
          .terminate()
          .then(() => reject(new AppError('unavailable', `${o.loadFailed}: ${msg.error}`)));
    };
    const onError = (err: Error) => reject(new AppError('unavailable', `${o.threadFailed}: ${err.message}`));
    worker.on('message', onMessage);
    worker.once('error', onError);
  });
}
