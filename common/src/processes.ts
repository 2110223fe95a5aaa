// Whether another process still exists, for sweeps of what dead edge processes left behind.

/** True while `pid` exists (EPERM: it exists but belongs to someone else). Signal 0 delivers nothing. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
