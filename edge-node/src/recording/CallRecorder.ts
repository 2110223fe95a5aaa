// Recording of one call across its rooms: a TrackRecorder per producer, a gap
// when the room had to be rebuilt (its worker died), and an orderly stop when
// the call ends so the last segments reach the archive before it is sealed.
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import type { Peer, Room } from '#sfu/index';
import type { PortAllocator } from './ports.ts';
import type { RecordingSink } from './RecordingSink.ts';
import type { SenderClocks } from './SenderClocks.ts';
import { StartAborted, TrackRecorder, trackPrefix, type RecorderSettings } from './TrackRecorder.ts';

export class CallRecorder {
  readonly recorders = new Set<TrackRecorder>();
  readonly #serials = new Map<string, number>();
  #roomLostAt?: number;
  #stopped = false;

  constructor(
    readonly callId: string,
    readonly startedAt: number,
    private readonly deps: {
      sink: RecordingSink;
      ports: PortAllocator;
      clocks: SenderClocks;
      settings: RecorderSettings;
      logger: Logger;
    },
    /** Tracks the call's archive already lists (an edge restarted mid-call): new ones must not reuse their names. */
    private readonly existingTracks: readonly string[] = [],
  ) {}

  /** A room (first, or rebuilt) for this call. */
  attach(room: Room): void {
    if (this.#roomLostAt !== undefined) {
      const fromMs = this.#roomLostAt - this.startedAt;
      this.#roomLostAt = undefined;
      void this.deps.sink
        .addGap(this.callId, {
          fromMs,
          toMs: Date.now() - this.startedAt,
          reason: 'room-rebuilt',
          detail: 'mediasoup worker died; room rebuilt',
        })
        .catch((err: unknown) =>
          this.deps.logger.error({ err, callId: this.callId }, 'could not log room gap'),
        );
    }
    room.on('producer', (peer, producer, source) => void this.record(room, peer, producer, source));
  }

  /** The room closed under the call (worker died): everything stops until the rebuilt room's producers arrive. */
  roomLost(): void {
    this.#roomLostAt = Date.now();
    this.deps.sink.alert({
      callId: this.callId,
      type: 'recording.gap',
      reason: 'room-rebuilt',
      atMs: this.#roomLostAt - this.startedAt,
    });
  }

  async record(room: Room, peer: Peer, producer: types.Producer, source: string): Promise<void> {
    if (this.#stopped) return; // a producer published while the edge shuts down
    const key = `${peer.id}/${source}`;
    const serial = this.#serials.get(key) ?? this.#firstFreeSerial(peer.id, source);
    this.#serials.set(key, serial + 1);
    const recorder = new TrackRecorder({
      callId: this.callId,
      callStartedAt: this.startedAt,
      router: room.primaryRouter,
      producer,
      participant: { id: peer.id, role: peer.role },
      source,
      sink: this.deps.sink,
      ports: this.deps.ports,
      clocks: this.deps.clocks,
      settings: this.deps.settings,
      logger: this.deps.logger.child({ callId: this.callId }),
      serial,
    });
    this.recorders.add(recorder);
    producer.observer.once('close', () => setTimeout(() => this.recorders.delete(recorder), 10_000).unref());
    try {
      await recorder.start();
    } catch (err) {
      // Stopped while starting (the call ended, the edge is shutting down): nothing failed.
      if (err instanceof StartAborted)
        return this.deps.logger.debug(
          { callId: this.callId, producerId: producer.id },
          'recording a track given up: stopped while starting',
        );
      this.deps.logger.error(
        { err, callId: this.callId, producerId: producer.id },
        'could not start recording a track',
      );
      this.deps.sink.alert({
        callId: this.callId,
        type: 'recording.failed',
        reason: 'recorder-start',
        atMs: Date.now() - this.startedAt,
        detail: (err as Error).message,
      });
    }
  }

  /** After the serials an earlier edge process used for this participant's source (same name = same segment files). */
  #firstFreeSerial(participantId: string, source: string): number {
    const prefix = trackPrefix(participantId, source);
    const used = this.existingTracks
      .filter((t) => t.startsWith(prefix))
      .map((t) => Number(/^(\d+)/.exec(t.slice(prefix.length))?.[1] ?? -1));
    return Math.max(-1, ...used) + 1;
  }

  /** Stops every recorder, letting ffmpeg finish its segment. */
  async stop(reason: string): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.recorders].map((r) => r.stop(reason)));
  }
}
