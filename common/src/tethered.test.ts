import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tetherAvailable, tethered } from './tethered.ts';
import { isAlive as alive } from '../../test/helpers/processes.ts';

describe('tethered', () => {
  it('wraps the command in setpriv --pdeathsig on Linux, and leaves it alone elsewhere', () => {
    const [cmd, args] = tethered('ffmpeg', ['-i', 'x']);
    if (tetherAvailable) {
      expect(cmd).toMatch(/setpriv$/);
      expect(args).toEqual(['--pdeathsig', 'KILL', '--', 'ffmpeg', '-i', 'x']);
    } else expect([cmd, args]).toEqual(['ffmpeg', ['-i', 'x']]);
  });

  it.runIf(tetherAvailable)('a tethered child dies when its parent is SIGKILLed', async () => {
    // A parent that starts a tethered `sleep`, reports its pid, and is then killed without a word.
    const script = `
      const { spawn } = require('node:child_process');
      const [cmd, args] = ${JSON.stringify(tethered('sleep', ['60']))};
      const child = spawn(cmd, args, { stdio: 'ignore' });
      child.once('spawn', () => console.log(child.pid));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(
      await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(String(d)))),
    );
    const exited = new Promise((r) => parent.once('exit', r));
    try {
      expect(alive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await exited;
      await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
