// Janus VideoRoom under the same load as BranchEdge's SFU (scripts/bench/sfu.ts):
// per room three participants, each a *remote publisher* (Janus 1.1's
// add_remote_publisher: RTP on a UDP port, the same bytes the benchmark sends to
// mediasoup's PlainTransports) and a *subscriber* — a real WebRTC
// PeerConnection from Janus (full ICE, DTLS-SRTP, one bundle with the other two
// participants' audio and video) to an ICE-lite mediasoup transport on the
// benchmark's client worker. Subscribers take the top simulcast substream,
// Janus' default, like the mediasoup consumers.
import type { types } from 'mediasoup';
import type { ClientWorker } from '../sfu-client.ts';
import type { Generator } from '../sfu-generator.ts';
import { AUDIO_LEVEL_EXT_ID } from '../sfu-media.ts';
import { JanusSession } from './api.ts';
import { buildAnswer, parseOffer, receiveParameters } from './sdp.ts';
import { startJanus, type JanusServer } from './server.ts';

const PARTICIPANTS = 3;

export class JanusSfu {
  readonly name = 'Janus 1.1.2 VideoRoom (Debian)';
  rooms = 0;
  subscriberTransports: types.WebRtcTransport[] = [];

  private constructor(
    readonly server: JanusServer,
    private readonly session: JanusSession,
    private readonly admin: number,
    private readonly listenIp: string,
    private readonly client: ClientWorker,
    private readonly generator: Generator,
  ) {}

  static async start(o: {
    listenIp: string;
    core: number | undefined;
    client: ClientWorker;
    generator: Generator;
  }): Promise<JanusSfu> {
    const server = await startJanus({ iface: o.listenIp, core: o.core });
    try {
      const session = await JanusSession.create(server.url);
      const admin = await session.attach();
      return new JanusSfu(server, session, admin, o.listenIp, o.client, o.generator);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** Set if Janus exited under the benchmark. */
  get failure(): string | undefined {
    return this.server.exited ? `janus exited (${this.server.exited})` : undefined;
  }

  get serverPid(): number {
    return this.server.pid;
  }

  async addRooms(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.#addRoom(this.rooms++);
  }

  async #addRoom(index: number): Promise<void> {
    const room = 1000 + index;
    await this.session.request(this.admin, {
      request: 'create',
      room,
      publishers: PARTICIPANTS,
      audiocodec: 'opus',
      videocodec: 'vp8',
      fir_freq: 0,
      audiolevel_ext: true,
      videoorient_ext: false,
      playoutdelay_ext: false,
      transport_wide_cc_ext: false,
    });
    const sockets = await this.generator.open(PARTICIPANTS, this.listenIp);
    const publishers: number[] = [];
    const targets: Array<{ index: number; host: string; port: number }> = [];
    for (let p = 0; p < PARTICIPANTS; p++) {
      const id = room * 10 + p + 1;
      const added = await this.session.request(this.admin, {
        request: 'add_remote_publisher',
        room,
        id,
        display: `participant-${p}`,
        iface: this.listenIp,
        port: 0,
        streams: [
          {
            type: 'audio',
            mindex: 0,
            mid: '0',
            codec: 'opus',
            fec: true,
            audiolevel_ext_id: AUDIO_LEVEL_EXT_ID,
          },
          { type: 'video', mindex: 1, mid: '1', codec: 'vp8', simulcast: true },
        ],
      });
      publishers.push(id);
      targets.push({ index: sockets[p]!.index, host: this.listenIp, port: Number(added.port) });
    }
    await this.generator.connect(targets);
    for (let p = 0; p < PARTICIPANTS; p++) {
      const others = publishers.filter((_, j) => j !== p);
      await this.#subscribe(room, others);
    }
  }

  /** One participant's receive side: a subscriber PeerConnection with the others' audio and video. */
  async #subscribe(room: number, feeds: number[]): Promise<void> {
    const handle = await this.session.attach();
    const joined = await this.session.message(handle, {
      request: 'join',
      ptype: 'subscriber',
      room,
      streams: feeds.flatMap((feed) => [
        { feed, mid: '0' },
        { feed, mid: '1' },
      ]),
    });
    if (!joined.jsep) throw new Error(`janus subscriber join gave no offer: ${JSON.stringify(joined.data)}`);
    const offer = parseOffer(joined.jsep.sdp);
    const transport = await this.client.webRtcReceiver();
    this.subscriberTransports.push(transport);
    await transport.connect({
      dtlsParameters: {
        role: 'server',
        fingerprints: [
          {
            algorithm: offer.fingerprint.algorithm as types.FingerprintAlgorithm,
            value: offer.fingerprint.value,
          },
        ],
      },
    });
    for (const m of offer.media) await this.client.receive(transport, m.kind, receiveParameters(m));
    const answer = buildAnswer(offer, transport);
    await this.session.message(handle, { request: 'start' }, { type: 'answer', sdp: answer });
  }

  /** Subscriber transports whose DTLS handshake completed. */
  get connectedSubscribers(): number {
    return this.subscriberTransports.filter((t) => t.dtlsState === 'connected').length;
  }

  async stop(): Promise<void> {
    await this.session.destroy();
    for (const t of this.subscriberTransports) t.close();
    await this.server.stop();
  }
}
