// A private redis-server for tests and for `npm start`: own port, own data
// directory, AOF on (so a restart keeps state, like the managed config).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './ports.ts';

export interface RedisHandle {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Stops and starts the same server (same port and data) — for restart tests. */
  restart(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startRedis(dataDir: string, port?: number): Promise<RedisHandle> {
  const chosenPort = port ?? (await freePort());
  mkdirSync(dataDir, { recursive: true });
  const launch = () =>
    spawn(
      'redis-server',
      [
        '--port',
        String(chosenPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dataDir,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  const handle: RedisHandle = {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    dataDir,
    process: launch(),
    async stop() {
      const proc = handle.process;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    },
    async restart() {
      await handle.stop();
      handle.process = launch();
      await waitForPort(chosenPort, 10_000);
    },
  };
  await waitForPort(chosenPort, 10_000);
  return handle;
}
