import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '#common/paths';

/** The e2e tests load the production client build; build it if setup has not. */
export function ensureClientBuild(): void {
  if (existsSync(path.join(repoRoot, 'client', 'dist', 'index.html'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}
