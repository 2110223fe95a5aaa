// Records every call on this edge: hooks into each room the CallRegistry
// builds, starts a CallRecorder per call, and closes the call's archive when
// the call ends (a room lost to a dead worker is a gap, not an end; the edge
// shutting down leaves the call open, to be sealed as interrupted on restart).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '#common/logger';
import type { Call, CallRegistry } from '../calls/CallRegistry.ts';
import type { CallArchive } from '../archive/CallArchive.ts';
import type { ArchiveConfig } from '../archive/config.ts';
import type { Room } from '#sfu/index';
import { CallRecorder } from './CallRecorder.ts';
import { PortAllocator } from './ports.ts';
import { SenderClocks } from './SenderClocks.ts';
import { recoverSpools, SPOOL_OWNER_FILE } from './SpoolRecovery.ts';

export const EDGE_SHUTDOWN_REASON = 'edge shutting down';

export interface RecordingStatus {
  callId: string;
  tracks: { track?: string; kind: 'audio' | 'video'; producerId: string; pid?: number; live: boolean }[];
}

export class RecordingService {
  readonly #calls = new Map<string, CallRecorder>();
  readonly #ports: PortAllocator;
  readonly #clocks: SenderClocks;
  readonly #finishing = new Set<Promise<unknown>>();
  #detach?: () => void;
  readonly #log: Logger;

  constructor(
    private readonly o: {
      registry: CallRegistry;
      archive: CallArchive;
      config: ArchiveConfig['recording'];
      logger: Logger;
    },
  ) {
    this.#log = o.logger.child({ module: 'recording' });
    this.#ports = new PortAllocator(o.config.ports.min, o.config.ports.max);
    this.#clocks = new SenderClocks(this.#log);
  }

  async start(): Promise<void> {
    // A previous edge process that died left recorders running and segments unarchived.
    await recoverSpools({
      spoolDir: this.o.config.spoolDir,
      edgeId: this.o.archive.config.edgeId,
      archive: this.o.archive,
      ffmpeg: this.o.config.ffmpeg,
      ffprobe: this.o.config.ffprobe,
      logger: this.#log,
    });
    await mkdir(this.o.config.spoolDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(this.o.config.spoolDir, SPOOL_OWNER_FILE), String(process.pid));
    const offRoom = this.o.registry.onRoom((call, room) => this.#onRoom(call, room));
    // Called while the room is still open: recorders flush, then the archive is sealed.
    const offEnding = this.o.registry.onCallEnding((call, reason) => {
      const rec = this.#calls.get(call.callId);
      if (rec && reason !== EDGE_SHUTDOWN_REASON) this.#track(this.#finish(rec, reason));
    });
    this.#detach = () => {
      offRoom();
      offEnding();
    };
    this.#log.info(
      { spool: this.o.config.spoolDir, segmentSeconds: this.o.config.segmentSeconds },
      'recording every call',
    );
  }

  status(): RecordingStatus[] {
    return [...this.#calls.values()].map((c) => ({
      callId: c.callId,
      tracks: [...c.recorders].map((r) => ({
        track: r.track,
        kind: r.kind,
        producerId: r.producerId,
        pid: r.pid,
        live: r.live,
      })),
    }));
  }

  /** Resolves when every ended call has been handed to the archive (and its renders queued). */
  async settled(): Promise<void> {
    while (this.#finishing.size > 0) await Promise.all([...this.#finishing]);
  }

  #onRoom(call: Call, room: Room): void {
    let recorder = this.#calls.get(call.callId);
    if (!recorder) {
      const existingTracks =
        this.o.archive.store
          .get(call.callId)
          ?.entries('track')
          .map((t) => t.track) ?? [];
      recorder = new CallRecorder(
        call.callId,
        call.startedAt,
        {
          sink: this.o.archive,
          ports: this.#ports,
          clocks: this.#clocks,
          settings: this.o.config,
          logger: this.#log,
        },
        existingTracks,
      );
      this.#calls.set(call.callId, recorder);
      void this.o.archive
        .openCall(call.callId, call.startedAt)
        .catch((err: unknown) =>
          this.#log.error({ err, callId: call.callId }, 'could not open the call archive'),
        );
    }
    const rec = recorder;
    rec.attach(room);
    room.on('close', (reason) => {
      if (reason === 'worker died') rec.roomLost();
    });
  }

  #track(p: Promise<unknown>): void {
    this.#finishing.add(p);
    void p.finally(() => this.#finishing.delete(p));
  }

  async #finish(rec: CallRecorder, reason: string): Promise<void> {
    this.#calls.delete(rec.callId);
    try {
      await rec.stop(reason);
      await this.o.archive.finishCall(rec.callId, reason);
    } catch (err) {
      this.#log.error({ err, callId: rec.callId }, 'could not finish the call recording');
    }
  }

  /** Edge shutdown: recorders flush their segments; calls stay open (sealed as interrupted on the next start). */
  async close(): Promise<void> {
    this.#detach?.();
    await Promise.all([...this.#calls.values()].map((c) => c.stop(EDGE_SHUTDOWN_REASON)));
    this.#calls.clear();
    await this.settled();
  }
}
