// The receiving ends of the SFU benchmark: every subscriber of every room is a
// transport on one "client" mediasoup worker pinned to the load core, so SRTP
// decryption and RTCP of the receivers happen in C++ and never on the SFU's
// core. Each forwarded stream arrives at a Producer on that worker, whose
// receive statistics (RTP sequence numbers: packets received and lost) are the
// benchmark's delivery and loss figures. Receivers send RTCP receiver reports
// back, as browsers do; they never send NACKs, so loss is measured before any
// retransmission could hide it.
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { resolveWorkerBin } from '#sfu/index';
import { pin } from './sfu-proc.ts';

export interface WindowCounters {
  /** Packets received in the window, over all streams. */
  received: number;
  /** Packets lost in the window (RTP sequence gaps), over all streams. */
  lost: number;
  lossPercent: number;
  /** Streams that received nothing in the window. */
  stalled: number;
  streams: number;
}

const CLIENT_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

export class ClientWorker {
  readonly #producers = new Set<types.Producer>();
  readonly #last = new WeakMap<types.Producer, { received: number; lost: number }>();
  /** Why the client worker died, if it did (the benchmark reports it instead of a bare channel error). */
  diedWith?: string;

  private constructor(
    readonly worker: types.Worker,
    readonly router: types.Router,
    readonly listenIp: string,
  ) {}

  static async start(listenIp: string, core: number | undefined): Promise<ClientWorker> {
    const worker = await mediasoup.createWorker({
      workerBin: resolveWorkerBin(),
      logLevel: process.env.BENCH_CLIENT_DEBUG ? 'debug' : 'error',
      logTags: ['rtp', 'rtcp', 'ice', 'dtls'],
    });
    if (core !== undefined && worker.pid) pin(worker.pid, core);
    const router = await worker.createRouter({ mediaCodecs: CLIENT_CODECS });
    const client = new ClientWorker(worker, router, listenIp);
    worker.on('died', (err) => (client.diedWith = `client worker (pid ${worker.pid}) died: ${err.message}`));
    return client;
  }

  /** A plain (SRTP) receiver connected to the SFU transport at `remote`. */
  async plainReceiver(remote: {
    ip: string;
    port: number;
    srtpParameters?: types.SrtpParameters;
  }): Promise<types.PlainTransport> {
    const transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: this.listenIp },
      rtcpMux: true,
      comedia: false,
      ...(remote.srtpParameters
        ? { enableSrtp: true, srtpCryptoSuite: remote.srtpParameters.cryptoSuite }
        : {}),
    });
    await transport.connect({
      ip: remote.ip,
      port: remote.port,
      ...(remote.srtpParameters ? { srtpParameters: remote.srtpParameters } : {}),
    });
    return transport;
  }

  /** A WebRTC receiver (ICE-lite, DTLS): the other side must run full ICE, as Janus does. */
  async webRtcReceiver(): Promise<types.WebRtcTransport> {
    return this.router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: this.listenIp }],
      enableUdp: true,
      enableTcp: false,
    });
  }

  /** Accepts one forwarded stream: `rtpParameters` as the SFU sends it (rtx and feedback are dropped: no NACKs). */
  async receive(
    transport: types.Transport,
    kind: 'audio' | 'video',
    rtpParameters: types.RtpParameters,
  ): Promise<types.Producer> {
    const media = rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
    const encoding = rtpParameters.encodings?.[0];
    if (!media || encoding?.ssrc === undefined)
      throw new Error(`cannot receive ${kind}: no media codec or ssrc in ${JSON.stringify(rtpParameters)}`);
    const producer = await transport.produce({
      kind,
      rtpParameters: {
        ...(rtpParameters.mid ? { mid: rtpParameters.mid } : {}),
        codecs: [{ ...media, rtcpFeedback: [] }],
        encodings: [{ ssrc: encoding.ssrc }],
        headerExtensions: rtpParameters.headerExtensions ?? [],
        rtcp: { cname: rtpParameters.rtcp?.cname ?? 'sfu', reducedSize: true },
      },
    });
    this.#producers.add(producer);
    producer.observer.once('close', () => this.#producers.delete(producer));
    return producer;
  }

  get pid(): number {
    return this.worker.pid ?? 0;
  }

  get streams(): number {
    return this.#producers.size;
  }

  /**
   * Receive counters since the previous call (the first call opens the window).
   * mediasoup updates a stream's lost count when it sends a receiver report
   * (about once a second), so windows should be several seconds long.
   */
  async sample(): Promise<WindowCounters> {
    const all = [...this.#producers];
    const out: WindowCounters = { received: 0, lost: 0, lossPercent: 0, stalled: 0, streams: all.length };
    for (let i = 0; i < all.length; i += 64) {
      const slice = all.slice(i, i + 64);
      const batch = await Promise.all(slice.map((p) => p.getStats().catch(() => [])));
      batch.forEach((stats, j) => {
        const producer = slice[j]!;
        const s = stats[0];
        const now = { received: s?.packetCount ?? 0, lost: Math.max(0, s?.packetsLost ?? 0) };
        const before = this.#last.get(producer) ?? { received: 0, lost: 0 };
        this.#last.set(producer, now);
        const received = now.received - before.received;
        if (received <= 0) out.stalled++;
        out.received += Math.max(0, received);
        out.lost += Math.max(0, now.lost - before.lost);
      });
    }
    out.lossPercent = out.received + out.lost > 0 ? (100 * out.lost) / (out.received + out.lost) : 0;
    return out;
  }

  close(): void {
    this.worker.close();
  }
}
