// The edge's registry of calls in progress. A call outlives its media room: if
// the room's worker dies, the room is dropped and the next (re)join builds a new
// one for the same call, keeping the call's clock (startedAt) and listeners.
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { CallRole } from '#protocol/roles';
import { Room, type AudioTrack, type WorkerPool } from '#sfu/index';

export interface CallAudioTrack {
  callId: string;
  callStartedAt: number;
  role: CallRole;
  participant: { id: string; displayName: string };
  stream: AudioTrack;
}

export class Call {
  room?: Room;
  #pendingRoom?: Promise<Room>;

  constructor(
    readonly callId: string,
    readonly startedAt: number,
  ) {}

  get participants(): number {
    return this.room ? this.room.joinedPeers().length : 0;
  }

  /** @internal one room creation at a time: two first joiners must not build two rooms. */
  roomOnce(create: () => Promise<Room>): Promise<Room> {
    if (this.room && !this.room.closed) return Promise.resolve(this.room);
    this.#pendingRoom ??= create().finally(() => (this.#pendingRoom = undefined));
    return this.#pendingRoom;
  }
}

export class CallRegistry {
  readonly #calls = new Map<string, Call>();
  readonly #audioListeners = new Set<(track: CallAudioTrack) => void>();
  readonly #roomListeners = new Set<(call: Call, room: Room) => void>();
  readonly #endingListeners = new Set<(call: Call, reason: string) => void>();
  readonly #idleTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly logger: Logger,
    private readonly maxCalls: number,
    /** A call whose room stays empty this long has ended (0 = only when told). */
    private readonly emptyCallEndMs = 0,
    private readonly maxConsumersPerWorker = 400,
  ) {}

  get size(): number {
    return this.#calls.size;
  }

  get calls(): Call[] {
    return [...this.#calls.values()];
  }

  get(callId: string): Call | undefined {
    return this.#calls.get(callId);
  }

  /** Every participant's audio in every call, now and later: transcription and recording subscribe here. */
  onAudioTrack(listener: (track: CallAudioTrack) => void): () => void {
    this.#audioListeners.add(listener);
    return () => this.#audioListeners.delete(listener);
  }

  /** Every room as it is built (first join, and rebuilds after a worker died). */
  onRoom(listener: (call: Call, room: Room) => void): () => void {
    this.#roomListeners.add(listener);
    return () => this.#roomListeners.delete(listener);
  }

  /** Called once per call as it ends, while its room is still open (final reports, last notifications). */
  onCallEnding(listener: (call: Call, reason: string) => void): () => void {
    this.#endingListeners.add(listener);
    return () => this.#endingListeners.delete(listener);
  }

  /** The live room of a call, creating the call and/or its room as needed. */
  async room(callId: string): Promise<Room> {
    let call = this.#calls.get(callId);
    let created = false;
    if (!call) {
      if (this.#calls.size >= this.maxCalls)
        throw new AppError('unavailable', `edge at capacity (${this.maxCalls} calls)`);
      call = new Call(callId, Date.now());
      this.#calls.set(callId, call);
      created = true;
    }
    const target = call;
    const room = this.#buildRoom(callId, target);
    // A call refused its first room (no media capacity) never started: it must not hold a call slot.
    if (created)
      room.catch(() => {
        if (!target.room && this.#calls.get(callId) === target) this.#calls.delete(callId);
      });
    return room;
  }

  #buildRoom(callId: string, target: Call): Promise<Room> {
    return target.roomOnce(async () => {
      const room = await Room.create({
        callId,
        pool: this.pool,
        logger: this.logger,
        startedAt: target.startedAt,
        maxConsumersPerWorker: this.maxConsumersPerWorker,
      });
      target.room = room;
      room.onAudioTrack((role, participant, stream) => {
        for (const listener of this.#audioListeners) {
          listener({ callId, callStartedAt: target.startedAt, role, participant, stream });
        }
      });
      room.on('close', (reason) => {
        if (target.room === room) target.room = undefined;
        this.logger.warn({ callId, reason }, 'call room closed');
      });
      for (const listener of this.#roomListeners) listener(target, room);
      room.on('peerJoined', () => this.#cancelIdleEnd(callId));
      room.on('peerLeft', () => {
        if (room.joinedPeers().length === 0) this.#scheduleIdleEnd(callId);
      });
      return room;
    });
  }

  endCall(callId: string, reason: string): void {
    const call = this.#calls.get(callId);
    if (!call) return;
    this.#cancelIdleEnd(callId);
    this.#calls.delete(callId);
    for (const listener of this.#endingListeners) {
      try {
        listener(call, reason);
      } catch (err) {
        this.logger.error({ err, callId }, 'call-ending listener failed');
      }
    }
    call.room?.close(reason);
    this.logger.info({ callId, reason }, 'call ended');
  }

  #scheduleIdleEnd(callId: string): void {
    if (this.emptyCallEndMs <= 0 || this.#idleTimers.has(callId)) return;
    const timer = setTimeout(() => {
      this.#idleTimers.delete(callId);
      this.endCall(callId, 'everyone left');
    }, this.emptyCallEndMs);
    timer.unref();
    this.#idleTimers.set(callId, timer);
  }

  #cancelIdleEnd(callId: string): void {
    clearTimeout(this.#idleTimers.get(callId));
    this.#idleTimers.delete(callId);
  }

  closeAll(reason: string): void {
    for (const id of [...this.#calls.keys()]) this.endCall(id, reason);
  }
}
