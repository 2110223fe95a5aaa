import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '#common/paths';

/** Where tests leave screenshots and measurements for people to look at (gitignored). */
export function artifactPath(name: string): string {
  const dir = path.join(repoRoot, 'test-results', 'artifacts');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
