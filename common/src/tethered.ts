// Child processes that die with this process, even when it is SIGKILLed and
// cannot stop them (an ffmpeg waiting on UDP would otherwise wait forever).
// On Linux the child is started through util-linux's `setpriv --pdeathsig
// KILL`, which sets the kernel's parent-death signal and then execs the
// command: same pid, same stdio, no extra process left behind.
//
// Limits: the signal follows the *thread* that spawned the child — spawn from
// the main thread (a worker thread's exit would kill it); a parent that dies
// in the microseconds between fork and prctl leaves the child untethered.
// Without setpriv (not Linux, or a system without util-linux) the command runs
// as it is.
import { existsSync } from 'node:fs';

const SETPRIV =
  process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) : undefined;

/** True when children started with `tethered()` die with this process. */
export const tetherAvailable = SETPRIV !== undefined;

/** `[command, args]` to pass to `spawn` so that the child dies with this process. */
export function tethered(command: string, args: readonly string[]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
}
