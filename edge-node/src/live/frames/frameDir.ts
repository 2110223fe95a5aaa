// Where sampled frames sit while they are analysed: a private directory in RAM
// (/dev/shm) so no frame ever reaches a disk, one per edge process. Each file
// lives only until its analysis ends; directories left by edge processes that
// were killed are removed when the next one starts.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '#common/processes';

const PREFIX = 'branchedge-frames-';
/** `branchedge-frames-<edge id>@<pid>[-n]`: the owner's pid, for the sweep. */
const OWNED = /^branchedge-frames-[A-Za-z0-9_-]*@(\d+)(?:-\d+)?$/;

export function frameRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

/** Removes frame directories of dead edge processes, then claims a fresh one for this process. */
export function claimFrameDir(edgeId: string, root = frameRoot()): string {
  const safeId = edgeId.replace(/[^A-Za-z0-9_-]/g, '_');
  for (const name of readdirSync(root)) {
    const m = OWNED.exec(name);
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1])))
      rmSync(path.join(root, name), { recursive: true, force: true });
  }
  for (let n = 1; ; n++) {
    const dir = path.join(root, `${PREFIX}${safeId}@${process.pid}${n === 1 ? '' : `-${n}`}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
