// Running ffmpeg/ffprobe to completion (composites, clips, salvage, probes):
// stderr is kept (its tail goes into errors), a timeout kills a stuck process.
import { spawn } from 'node:child_process';

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export function run(
  bin: string,
  args: string[],
  options: { timeoutMs?: number; nice?: boolean } = {},
): Promise<RunResult> {
  const [cmd, argv] = options.nice ? ['nice', ['-n', '10', bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new FfmpegError(`${bin} could not start: ${err.message}`, null, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new FfmpegError(
            `${bin} exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            code,
            stderr,
          ),
        );
    });
  });
}

export interface ProbeFormat {
  start: number;
  duration: number;
  streams: { codec_type: string; codec_name: string; duration?: string; start_time?: string }[];
}

export async function probe(ffprobe: string, file: string): Promise<ProbeFormat> {
  const { stdout } = await run(
    ffprobe,
    [
      '-v',
      'error',
      '-show_entries',
      'format=start_time,duration:stream=codec_type,codec_name,duration,start_time',
      '-of',
      'json',
      file,
    ],
    { timeoutMs: 30_000 },
  );
  const json = JSON.parse(stdout) as {
    format?: { start_time?: string; duration?: string };
    streams?: ProbeFormat['streams'];
  };
  return {
    start: Number(json.format?.start_time ?? 0),
    duration: Number(json.format?.duration ?? 0),
    streams: json.streams ?? [],
  };
}

/**
 * The segment a dead ffmpeg was writing, remuxed into `fixed` up to its last
 * whole frame: its probe when anything playable is left, else undefined.
 */
export async function salvageSegment(
  tools: { ffmpeg: string; ffprobe: string },
  partial: string,
  fixed: string,
): Promise<ProbeFormat | undefined> {
  await run(
    tools.ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', partial, '-map', '0', '-c', 'copy', fixed],
    { timeoutMs: 30_000 },
  );
  const info = await probe(tools.ffprobe, fixed);
  return info.duration > 0 ? info : undefined;
}
