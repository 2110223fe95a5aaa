// Which mediasoup-worker binary to run. Setup builds it from source and records
// its path in var/setup.json (outside node_modules, so `npm ci` cannot lose it);
// MEDIASOUP_WORKER_BIN overrides.
import { accessSync, constants } from 'node:fs';
import { readSetupState } from '#common/paths';

export class WorkerBinaryMissingError extends Error {
  constructor(detail: string) {
    super(`mediasoup worker binary not found (${detail}); run \`npm run setup\` to build it`);
    this.name = 'WorkerBinaryMissingError';
  }
}

export function resolveWorkerBin(env: NodeJS.ProcessEnv = process.env): string {
  const candidate = env.MEDIASOUP_WORKER_BIN || readSetupState().mediasoupWorkerBin;
  if (!candidate)
    throw new WorkerBinaryMissingError('MEDIASOUP_WORKER_BIN unset and var/setup.json has no worker');
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    throw new WorkerBinaryMissingError(`${candidate} is not an executable file`);
  }
  return candidate;
}
