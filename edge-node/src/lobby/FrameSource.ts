// Decodes a lobby camera into raw RGB frames at a low, constant rate with
// ffmpeg (RTSP, RTP via SDP, or a file). ffmpeg does the decoding, the frame
// rate reduction (fps filter) and the scaling to the detector's input size, so
// Node only ever sees W×H×3 bytes per analysed frame — a few a second.
//
// Frames exist only in memory here. Nothing is written to disk or sent anywhere.
// ffmpeg is tethered to the edge: killed with it, even by SIGKILL.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { tethered } from '#common/tethered';
import type { CameraSource } from './config.ts';

export interface Frame {
  /** 0, 1, 2… for each frame this source produced. */
  index: number;
  /** Media time in seconds since the source started (index / fps, continued across reconnects). */
  tS: number;
  width: number;
  height: number;
  /** Packed RGB24, width × height × 3 bytes. */
  rgb: Buffer;
}

export interface FrameSourceOptions {
  source: CameraSource;
  fps: number;
  width: number;
  height: number;
  ffmpegBin?: string;
  /**
   * A live stream that stops sending leaves ffmpeg waiting forever (UDP has no
   * end): with no bytes for this long, ffmpeg is stopped so the camera reconnects.
   */
  stallTimeoutMs?: number;
}

/** ffmpeg's command line for a source. Exported for tests and the docs. */
export function ffmpegArgs(o: FrameSourceOptions): string[] {
  const input: string[] = [];
  const s = o.source;
  if (s.kind === 'rtsp') input.push('-rtsp_transport', s.transport, '-timeout', '10000000', '-i', s.url);
  else if (s.kind === 'rtp') input.push('-protocol_whitelist', 'file,udp,rtp', '-i', s.sdpFile);
  else {
    if (s.realtime) input.push('-re');
    if (s.loop) input.push('-stream_loop', '-1');
    input.push('-i', s.path);
  }
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    '-an',
    '-vf',
    `fps=${o.fps},scale=${o.width}:${o.height}:flags=bilinear`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}

/**
 * One ffmpeg run as an async iterator of frames. A file read as fast as
 * possible is paced by the consumer (stdout backpressure), so every frame is
 * analysed and results are deterministic. A live source must not be held
 * back, so `latestOnly` keeps reading and hands out only the newest frame,
 * counting the ones it had to drop.
 */
export class FrameSource {
  #child?: ChildProcessByStdio<null, Readable, Readable>;
  #stderr = '';
  dropped = 0;
  exitCode: number | null = null;

  constructor(
    private readonly o: FrameSourceOptions,
    private readonly startIndex = 0,
    private readonly startS = 0,
  ) {}

  get frameBytes(): number {
    return this.o.width * this.o.height * 3;
  }

  /** ffmpeg's last error lines, for status and logs. */
  get stderr(): string {
    return this.#stderr.trim().split('\n').slice(-3).join(' | ');
  }

  async *frames(latestOnly: boolean): AsyncGenerator<Frame> {
    const [command, args] = tethered(this.o.ffmpegBin ?? 'ffmpeg', ffmpegArgs(this.o));
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    const exited = new Promise<void>((resolve) =>
      child.once('close', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
    child.once('error', (err) => {
      this.#stderr += `\n${err.message}`;
    });
    let stallTimer: NodeJS.Timeout | undefined;
    const armWatchdog = () => {
      if (!this.o.stallTimeoutMs) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        this.#stderr += `\nno data from the source for ${this.o.stallTimeoutMs} ms`;
        child.kill('SIGKILL');
      }, this.o.stallTimeoutMs);
    };
    armWatchdog();
    child.stdout.on('data', armWatchdog);
    let index = this.startIndex;
    const make = (rgb: Buffer): Frame => {
      const local = index - this.startIndex;
      return {
        index: index++,
        tS: this.startS + local / this.o.fps,
        width: this.o.width,
        height: this.o.height,
        rgb,
      };
    };
    try {
      if (!latestOnly) {
        for await (const rgb of readFrames(child.stdout, this.frameBytes)) yield make(rgb);
      } else {
        yield* this.#latest(child.stdout, make);
      }
    } finally {
      clearTimeout(stallTimer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }

  async *#latest(stdout: Readable, make: (rgb: Buffer) => Frame): AsyncGenerator<Frame> {
    let latest: Frame | undefined;
    let wake: (() => void) | undefined;
    let done = false;
    const pump = (async () => {
      for await (const rgb of readFrames(stdout, this.frameBytes)) {
        if (latest) this.dropped++;
        latest = make(rgb);
        wake?.();
      }
      done = true;
      wake?.();
    })();
    for (;;) {
      if (!latest && !done) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (latest) {
        const frame = latest;
        latest = undefined;
        yield frame;
      } else if (done) break;
    }
    await pump;
  }

  stop(): void {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Splits a byte stream into fixed-size frames, copying only when a frame straddles chunks. */
export async function* readFrames(stream: AsyncIterable<Buffer>, frameBytes: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of stream) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(frameBytes - have, chunk.length - offset);
      parts.push(chunk.subarray(offset, offset + take));
      have += take;
      offset += take;
      if (have === frameBytes) {
        yield parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts, frameBytes);
        parts = [];
        have = 0;
      }
    }
  }
}
