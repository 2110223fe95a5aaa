// "Disk full" as the archive sees it: the volume has less free space than the
// reserve, or a write failed with ENOSPC/EDQUOT. Either way the segment is
// refused and the recorder logs a gap; the call itself goes on.
import { statfs } from 'node:fs/promises';

export class DiskFullError extends Error {
  constructor(
    message: string,
    readonly freeBytes?: number,
  ) {
    super(message);
    this.name = 'DiskFullError';
  }
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return err instanceof DiskFullError || code === 'ENOSPC' || code === 'EDQUOT';
}

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Throws DiskFullError unless `dir`'s volume keeps `reserve` bytes free after writing `needed`. */
export async function assertSpace(dir: string, needed: number, reserve: number): Promise<void> {
  const free = await freeBytes(dir);
  if (free - needed < reserve) {
    throw new DiskFullError(
      `archive volume low: ${free} bytes free, ${needed} needed, ${reserve} reserved`,
      free,
    );
  }
}
