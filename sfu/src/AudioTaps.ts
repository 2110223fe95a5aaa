// The edge's own ears in a room: every audio producer is also consumed on a
// DirectTransport so transcription and recording receive its RTP in-process.
// Listeners get one typed AudioTrack per producer — `onAudioTrack` — and the
// track's `rtp`/`close` events; nothing else of mediasoup leaks out.
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import type { CallRole } from '#protocol/roles';
import { SafeEmitter } from './SafeEmitter.ts';

export interface AudioCodecInfo {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels: number;
}

type AudioTrackEvents = { rtp: [packet: Buffer]; close: [] };

/** One participant's audio as RTP packets (Opus), as the SFU forwards it. */
export class AudioTrack extends SafeEmitter<AudioTrackEvents> {
  #closed = false;
  constructor(
    readonly role: CallRole,
    readonly participant: { id: string; displayName: string },
    readonly producerId: string,
    readonly codec: AudioCodecInfo,
    logger: Logger,
  ) {
    super(logger);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal called by AudioTaps */
  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.safeEmit('close');
    this.removeAllListeners();
  }
}

export type AudioTrackListener = (
  role: CallRole,
  participant: { id: string; displayName: string },
  stream: AudioTrack,
) => void;

export class AudioTaps {
  #transport?: types.DirectTransport;
  readonly #tracks = new Map<string, { track: AudioTrack; consumer: types.Consumer }>();
  readonly #listeners = new Set<AudioTrackListener>();

  constructor(
    private readonly router: types.Router,
    private readonly logger: Logger,
  ) {}

  onAudioTrack(listener: AudioTrackListener): () => void {
    this.#listeners.add(listener);
    for (const { track } of this.#tracks.values()) listener(track.role, track.participant, track);
    return () => this.#listeners.delete(listener);
  }

  get tracks(): AudioTrack[] {
    return [...this.#tracks.values()].map((t) => t.track);
  }

  async tap(
    producer: types.Producer,
    role: CallRole,
    participant: { id: string; displayName: string },
  ): Promise<void> {
    this.#transport ??= await this.router.createDirectTransport({ maxSendMessageSize: 262144 });
    const consumer = await this.#transport.consume({
      producerId: producer.id,
      rtpCapabilities: this.router.rtpCapabilities,
    });
    const codec = consumer.rtpParameters.codecs[0];
    if (!codec) throw new Error(`audio tap for producer ${producer.id} has no codec`);
    const track = new AudioTrack(
      role,
      participant,
      producer.id,
      {
        mimeType: codec.mimeType,
        payloadType: codec.payloadType,
        clockRate: codec.clockRate,
        channels: codec.channels ?? 1,
      },
      this.logger,
    );
    this.#tracks.set(producer.id, { track, consumer });
    consumer.on('rtp', (packet) => track.safeEmit('rtp', packet));
    const end = () => {
      this.#tracks.delete(producer.id);
      track.end();
    };
    consumer.on('producerclose', end);
    consumer.on('transportclose', end);
    for (const listener of this.#listeners) {
      try {
        listener(role, participant, track);
      } catch (err) {
        this.logger.error({ err, producerId: producer.id }, 'audio track listener threw');
      }
    }
  }

  close(): void {
    this.#transport?.close();
    for (const { track } of this.#tracks.values()) track.end();
    this.#tracks.clear();
  }
}
