// BranchEdge's SFU under the benchmark load: rooms built with the product's own
// library (sfu/: WorkerPool, Room, handleRequest), so every cost of a real call
// is there — audio taps (a DirectTransport consumer per audio producer feeding
// the edge process), the active-speaker observer, role checks, paused consumers
// resumed by the participant. Only the transports differ from a browser call:
// publishers and subscribers use SRTP PlainTransports (keys exchanged directly)
// instead of ICE + DTLS-SRTP WebRtcTransports, because the benchmark's receivers
// are mediasoup transports too and two ICE-lite ends cannot connect. Per packet
// the work is the same: SRTP decrypt in, route, SRTP encrypt out, RTCP (the
// suites are chosen to match what DTLS negotiates with Chrome).
import type { types } from 'mediasoup';
import { createLogger, type Logger } from '#common/logger';
import type { CallRole } from '#protocol/roles';
import type { SignalNotification } from '#protocol/signaling';
import { handleRequest, resolveWorkerBin, Room, WorkerPool, type Peer } from '#sfu/index';
import type { ClientWorker } from './sfu-client.ts';
import type { Generator } from './sfu-generator.ts';
import { producerRtpParameters } from './sfu-media.ts';
import { pin } from './sfu-proc.ts';
import type { SrtpSuite } from './sfu-srtp.ts';

const ROLES: CallRole[] = ['customer', 'manager', 'expert'];

export interface OurSfuOptions {
  listenIp: string;
  /** Core the worker is pinned to. */
  core: number | undefined;
  client: ClientWorker;
  generator: Generator;
  /** Publishers' SRTP (suite and their key); undefined = plain RTP in. */
  input?: { suite: SrtpSuite; keyBase64: string };
  /** SRTP suite towards the receivers (what DTLS negotiates with Chrome: AEAD_AES_256_GCM). */
  outputSuite: SrtpSuite;
}

/**
 * What the benchmark's receivers declare: Opus and VP8 (+rtx) with NACK/PLI/FIR,
 * no header extensions and no transport-cc/REMB — so no bandwidth estimation
 * lowers simulcast layers (Janus does not estimate either): every video consumer
 * gets the top layer, as a large tile would.
 */
export function receiverCapabilities(router: types.Router): types.RtpCapabilities {
  const codecs = (router.rtpCapabilities.codecs ?? [])
    .filter(
      (c) =>
        /^(audio\/opus|video\/VP8)$/i.test(c.mimeType) ||
        (/\/rtx$/i.test(c.mimeType) && c.parameters?.apt !== undefined),
    )
    .map((c) => ({
      ...c,
      rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type === 'nack' || f.type === 'ccm'),
    }));
  const media = new Set(codecs.filter((c) => !/\/rtx$/i.test(c.mimeType)).map((c) => c.preferredPayloadType));
  return {
    codecs: codecs.filter((c) => !/\/rtx$/i.test(c.mimeType) || media.has(Number(c.parameters?.apt))),
    headerExtensions: [],
  };
}

/**
 * The peer's receive side: an SFU PlainTransport (SRTP, registered as the peer's
 * `recv` transport, where the room puts its consumers) ⇄ a receiver on the client
 * worker. Returns the receiver, on which forwarded streams are accepted.
 */
export async function connectReceiver(
  peer: Peer,
  client: ClientWorker,
  listenIp: string,
  suite: SrtpSuite,
): Promise<types.PlainTransport> {
  const recv = await peer.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: listenIp },
    rtcpMux: true,
    comedia: false,
    enableSrtp: true,
    srtpCryptoSuite: suite,
    appData: { direction: 'recv', peerId: peer.id },
  });
  const receiver = await client.plainReceiver({
    ip: listenIp,
    port: recv.tuple.localPort,
    srtpParameters: recv.srtpParameters!,
  });
  await recv.connect({
    ip: listenIp,
    port: receiver.tuple.localPort,
    srtpParameters: receiver.srtpParameters!,
  });
  peer.transports.set(recv.id, recv as unknown as types.WebRtcTransport);
  return receiver;
}

/** The peer's send side: the generator's socket for this participant ⇄ an SFU PlainTransport (SRTP when `input`). */
export async function connectSender(
  peer: Peer,
  generatorPort: number,
  listenIp: string,
  input: OurSfuOptions['input'],
): Promise<types.PlainTransport> {
  const send = await peer.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: listenIp },
    rtcpMux: true,
    comedia: false,
    ...(input ? { enableSrtp: true, srtpCryptoSuite: input.suite } : {}),
    appData: { direction: 'send', peerId: peer.id },
  });
  await send.connect({
    ip: listenIp,
    port: generatorPort,
    ...(input ? { srtpParameters: { cryptoSuite: input.suite, keyBase64: input.keyBase64 } } : {}),
  });
  peer.transports.set(send.id, send as unknown as types.WebRtcTransport);
  return send;
}

export class OurSfu {
  readonly name = 'BranchEdge (mediasoup 3.27 via sfu/)';
  readonly rooms: Room[] = [];
  #pending: Promise<unknown>[] = [];
  /** Set if the worker died under the benchmark (the pool would replace it; the rooms are gone). */
  failure?: string;
  #errors: unknown[] = [];

  private constructor(
    readonly pool: WorkerPool,
    private readonly o: OurSfuOptions,
    private readonly logger: Logger,
  ) {}

  static async start(o: OurSfuOptions): Promise<OurSfu> {
    const logger = createLogger('bench-sfu', { level: process.env.LOG_LEVEL ?? 'warn' });
    const pool = await WorkerPool.create({
      size: 1,
      workerBin: resolveWorkerBin(),
      listenIp: o.listenIp,
      portBase: 0,
      logger,
    });
    const pid = pool.workers[0]!.worker.pid;
    if (o.core !== undefined && pid) pin(pid, o.core);
    const sfu = new OurSfu(pool, o, logger);
    pool.on(
      'workerDied',
      (dead, err) => (sfu.failure = `SFU worker (pid ${dead.worker.pid}) died: ${err.message}`),
    );
    return sfu;
  }

  get serverPid(): number {
    return this.pool.workers[0]!.worker.pid ?? 0;
  }

  /** Worker CPU (user+system, ms) as mediasoup reports it. */
  async reportedCpuMs(): Promise<number> {
    const u = await this.pool.workers[0]!.worker.getResourceUsage();
    return u.ru_utime + u.ru_stime;
  }

  get consumers(): number {
    return this.pool.workers[0]!.consumers;
  }

  /** Adds `count` three-party rooms, every participant publishing and receiving the other two. */
  async addRooms(count: number): Promise<void> {
    const from = this.rooms.length;
    for (let i = 0; i < count; i++) await this.#addRoom(from + i);
    await Promise.all(this.#pending);
    this.#pending = [];
    if (this.#errors.length) throw new Error(`setting up consumers failed: ${String(this.#errors[0])}`);
  }

  async #addRoom(index: number): Promise<void> {
    const room = await Room.create({ callId: `bench-${index}`, pool: this.pool, logger: this.logger });
    this.rooms.push(room);
    const { listenIp, client, generator, input, outputSuite } = this.o;
    const sockets = await generator.open(ROLES.length, listenIp);
    const peers: Array<{ peer: Peer; send: types.PlainTransport }> = [];
    for (const role of ROLES) {
      const peerId = `${index}-${role}`;
      // Set once the peer and its receiver exist; notifications only come after join.
      const ref: { peer?: Peer; receiver?: types.PlainTransport } = {};
      const peer = await room.addPeer(
        { peerId, role, displayName: role },
        {
          notify: (n: SignalNotification) => {
            if (n.type !== 'newConsumer' || !ref.peer || !ref.receiver) return;
            const target = ref.receiver;
            const viewer = ref.peer;
            this.#pending.push(
              client
                .receive(target, n.kind, n.rtpParameters as types.RtpParameters)
                .then(() =>
                  handleRequest(room, viewer, {
                    method: 'resumeConsumer',
                    data: { consumerId: n.consumerId },
                  }),
                )
                .catch((err: unknown) => this.#errors.push(err)),
            );
          },
          disconnect: () => undefined,
        },
      );
      ref.peer = peer;
      ref.receiver = await connectReceiver(peer, client, listenIp, outputSuite);
      const send = await connectSender(peer, sockets[peers.length]!.port, listenIp, input);
      await handleRequest(room, peer, {
        method: 'join',
        data: { displayName: role, rtpCapabilities: receiverCapabilities(peer.router) },
      });
      peers.push({ peer, send });
    }
    // Publish: as the signaling `produce` does, then the room pipes, taps and fans out.
    const params = producerRtpParameters();
    for (const { peer, send } of peers) {
      const mic = await send.produce({
        kind: 'audio',
        rtpParameters: params.audio as types.RtpParameters,
        appData: { source: 'mic', peerId: peer.id },
      });
      peer.producers.set(mic.id, mic);
      await room.publish(peer, mic, 'mic');
      const cam = await send.produce({
        kind: 'video',
        rtpParameters: params.video as types.RtpParameters,
        appData: { source: 'camera', peerId: peer.id },
      });
      peer.producers.set(cam.id, cam);
      await room.publish(peer, cam, 'camera');
    }
    await generator.connect(
      peers.map(({ send }, i) => ({ index: sockets[i]!.index, host: listenIp, port: send.tuple.localPort })),
    );
  }

  async stop(): Promise<void> {
    for (const r of this.rooms) r.close('benchmark over');
    await this.pool.close();
  }
}
