// An RtpSource from a local UDP socket (a mediasoup PlainTransport's
// destination, or ffmpeg `-f rtp` in tests and benchmarks). An optional
// `impair` hook drops, duplicates or delays datagrams to test loss handling.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';

export type Impairment = (
  packet: Buffer,
  index: number,
  deliver: (p: Buffer, delayMs?: number) => void,
) => void;

export class UdpRtpSource extends EventEmitter<{ rtp: [packet: Buffer]; close: [] }> {
  #socket: dgram.Socket;
  #count = 0;
  #closed = false;
  /** Wall-clock ms of the first datagram. */
  firstPacketAt: number | undefined;

  private constructor(socket: dgram.Socket, impair?: Impairment) {
    super();
    this.#socket = socket;
    const deliver = (p: Buffer, delayMs = 0) => {
      if (delayMs <= 0) this.emit('rtp', p);
      else setTimeout(() => !this.#closed && this.emit('rtp', p), delayMs);
    };
    socket.on('message', (msg) => {
      this.firstPacketAt ??= Date.now();
      const i = this.#count++;
      if (impair) impair(msg, i, deliver);
      else this.emit('rtp', msg);
    });
  }

  static async open(opts: { host?: string; port?: number; impair?: Impairment } = {}): Promise<UdpRtpSource> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpRtpSource(socket, opts.impair);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  get received(): number {
    return this.#count;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.emit('close');
  }
}

/** Streams a WAV in real time as Opus RTP with ffmpeg (`-re`). */
export function ffmpegOpusRtpArgs(
  wav: string,
  port: number,
  opts: { realtime?: boolean; bitrate?: string; payloadType?: number } = {},
): string[] {
  return [
    '-v',
    'error',
    '-nostdin',
    ...(opts.realtime === false ? [] : ['-re']),
    '-i',
    wav,
    '-c:a',
    'libopus',
    '-ac',
    '1',
    '-ar',
    '48000',
    '-b:a',
    opts.bitrate ?? '32k',
    '-application',
    'voip',
    '-payload_type',
    String(opts.payloadType ?? 111),
    '-f',
    'rtp',
    `rtp://127.0.0.1:${port}`,
  ];
}
