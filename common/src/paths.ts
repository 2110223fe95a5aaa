// Where things live on disk, relative to the repository root. Setup and the
// processes agree on these without passing paths around.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Machine-local state written by scripts/setup and by running processes (gitignored). */
export const varDir = process.env.BRANCHEDGE_VAR_DIR ?? path.join(repoRoot, 'var');

/** Written by setup for this clone; not moved by BRANCHEDGE_VAR_DIR (which relocates run-time state only). */
export const setupStatePath = path.join(repoRoot, 'var', 'setup.json');

export interface SetupState {
  mediasoupWorkerBin?: string;
  mediasoupVersion?: string;
  models?: Record<string, { path: string; sha256: string }>;
}

/** What scripts/setup recorded about this machine, or {} before setup ran. */
export function readSetupState(): SetupState {
  if (!existsSync(setupStatePath)) return {};
  return JSON.parse(readFileSync(setupStatePath, 'utf8')) as SetupState;
}
