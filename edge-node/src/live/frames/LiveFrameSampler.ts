// Live video for the compliance checks `document-shown` and `faces-present`:
// every camera in every call is sampled (CameraSampler: one ffmpeg per camera;
// SampleSlots: one frame per FRAME_SAMPLE_MS of the call clock), each sample is
// analysed off the main thread
// (AnalysisThread: faces every frame, OCR until the pack's document title was
// read) and the observation goes to the call's compliance session, on the call
// clock. Frames live in RAM only for their analysis and are never sent anywhere.
//
// Owns its subscription to the CallRegistry like RecordingService: rooms as they
// are built (first join, rebuilds), producers as they appear, calls as they end.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import client from 'prom-client';
import type { types } from 'mediasoup';
import { fileSafe } from '#common/archive/paths';
import type { Logger } from '#common/logger';
import type { MediaSource } from '#protocol/signaling';
import type { Peer, Room } from '#sfu/index';
import type { Call, CallRegistry } from '../../calls/CallRegistry.ts';
import type { FrameObservation } from '../../compliance/engine/call-state.ts';
import type { RulePack } from '../../compliance/pack/schema.ts';
import { PortAllocator } from '../../recording/ports.ts';
import { AnalysisThread } from './AnalysisThread.ts';
import { CameraSampler, type CameraSamplerSettings } from './CameraSampler.ts';
import { cameraId } from './cameras.ts';
import { claimFrameDir } from './frameDir.ts';
import { InFlightGate } from './InFlightGate.ts';
import { SampleSlots } from './SampleSlots.ts';

export interface FrameSamplingSettings extends Omit<
  CameraSamplerSettings,
  'inputTimeoutS' | 'restartDelayMs'
> {
  ports: { min: number; max: number };
  /** At call end, how long the report waits for analyses in flight. */
  settleMs: number;
  inputTimeoutS?: number;
  restartDelayMs?: number;
}

/** Where observations go: the live analysis of each call. */
export interface FrameSink {
  /** The call's rule pack (its document titles end OCR once read). */
  packOf(callId: string): RulePack;
  observe(callId: string, frame: FrameObservation): void;
}

export interface CallFrameStatus {
  callId: string;
  /** Samples being analysed now. */
  inflight: number;
  cameras: {
    camera: string;
    producerId: string;
    /** The camera's ffmpeg. */
    pid?: number;
    /** Simulcast layers being decoded. */
    layers?: { spatialLayer: number; temporalLayer?: number };
    /** Simulcast layers the sampler asked for (decoded when the browser sends them). */
    requestedLayers?: { spatialLayer: number; temporalLayer?: number };
    /** Frames ffmpeg emitted (FRAMES_PER_PERIOD per sample period). */
    decoded: number;
    analysed: number;
    dropped: number;
    crashes: number;
  }[];
}

interface CallFrames {
  callId: string;
  startedAt: number;
  dir: string;
  cameras: Map<string, { sampler: CameraSampler; camera: string }>;
  gate: InFlightGate;
  slots: SampleSlots;
  /** Samples analysed per producer. */
  analysed: Map<string, number>;
  inflight: Set<Promise<void>>;
  ended: boolean;
  seq: number;
}

export class LiveFrameSampler {
  readonly #calls = new Map<string, CallFrames>();
  readonly #ports: PortAllocator;
  readonly #log: Logger;
  readonly #settings: CameraSamplerSettings & { settleMs: number };
  #dir?: string;
  #sink?: FrameSink;
  #thread?: Promise<AnalysisThread | undefined>;
  #detach?: () => void;
  #closed = false;
  readonly metrics = {
    analysed: new client.Counter({
      name: 'branchedge_frames_analysed_total',
      help: 'sampled video frames analysed for the compliance checks',
      registers: [],
    }),
    dropped: new client.Counter({
      name: 'branchedge_frames_dropped_total',
      help: "samples lost: a whole sample period passed while the camera's previous frame was still in analysis",
      registers: [],
    }),
    failed: new client.Counter({
      name: 'branchedge_frames_failed_total',
      help: 'sampled frames whose analysis failed',
      registers: [],
    }),
    restarts: new client.Counter({
      name: 'branchedge_frame_sampler_restarts_total',
      help: 'frame sampler ffmpeg processes restarted after dying',
      registers: [],
    }),
    cameras: new client.Gauge({
      name: 'branchedge_frame_sampler_cameras',
      help: 'cameras being sampled',
      registers: [],
    }),
    analysisSeconds: new client.Histogram({
      name: 'branchedge_frame_analysis_seconds',
      help: 'time a frame spent in the analysis thread (faces, OCR when due)',
      buckets: [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [],
    }),
  };

  constructor(
    private readonly o: {
      registry: CallRegistry;
      edgeId: string;
      settings: FrameSamplingSettings;
      logger: Logger;
    },
  ) {
    this.#log = o.logger.child({ module: 'frames' });
    this.#ports = new PortAllocator(o.settings.ports.min, o.settings.ports.max);
    this.#settings = { inputTimeoutS: 10, restartDelayMs: 500, ...o.settings };
  }

  /** Feeds `sink` (LiveCallAnalysis) from now on. */
  attach(sink: FrameSink): void {
    this.#sink = sink;
    if (this.#detach) return;
    this.#dir = claimFrameDir(this.o.edgeId);
    const offRoom = this.o.registry.onRoom((call, room) => this.#onRoom(call, room));
    const offEnding = this.o.registry.onCallEnding((call) => this.#endCall(call.callId));
    this.#detach = () => {
      offRoom();
      offEnding();
    };
    this.#log.info(
      { sampleMs: this.#settings.sampleMs, spatialLayer: this.#settings.spatialLayer },
      'sampling call video for the compliance checks',
    );
  }

  /** The directory frames pass through while analysed (RAM). */
  get dir(): string | undefined {
    return this.#dir;
  }

  registerMetrics(registry: client.Registry): void {
    for (const m of Object.values(this.metrics)) registry.registerMetric(m);
  }

  /** Per call: cameras sampled (ffmpeg pids, layers), samples analysed, in flight and dropped. For tests and status. */
  status(): CallFrameStatus[] {
    return [...this.#calls.values()].map((c) => ({
      callId: c.callId,
      inflight: c.inflight.size,
      cameras: [...c.cameras.values()].map(({ sampler, camera }) => ({
        camera,
        producerId: sampler.producerId,
        ...(sampler.pid ? { pid: sampler.pid } : {}),
        ...(sampler.layers ? { layers: sampler.layers } : {}),
        ...(sampler.requestedLayers ? { requestedLayers: sampler.requestedLayers } : {}),
        decoded: sampler.frames,
        analysed: c.analysed.get(sampler.producerId) ?? 0,
        dropped: c.slots.dropped(sampler.producerId),
        crashes: sampler.crashes,
      })),
    }));
  }

  /**
   * The call is ending: resolves once the analyses in flight have reached the
   * sink (at most `settleMs`), so the report includes them; undefined when none are in flight.
   */
  settle(callId: string): Promise<void> | undefined {
    const call = this.#calls.get(callId);
    if (!call || call.inflight.size === 0) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#settings.settleMs)));
    return Promise.race([Promise.allSettled([...call.inflight]).then(() => undefined), bound]).finally(() =>
      clearTimeout(timer),
    );
  }

  /** Edge shutdown: stops every ffmpeg, ends the analysis thread, removes the frame directory. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#detach?.();
    for (const callId of [...this.#calls.keys()]) this.#endCall(callId);
    const thread = await this.#thread?.catch(() => undefined);
    await thread?.terminate();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }

  #onRoom(call: Call, room: Room): void {
    room.on('producer', (peer, producer, source) => this.#onProducer(call, room, peer, producer, source));
  }

  #onProducer(call: Call, room: Room, peer: Peer, producer: types.Producer, source: MediaSource): void {
    if (producer.kind !== 'video' || this.#closed) return;
    const camera = cameraId(peer.role, source);
    if (!camera) return;
    const frames = this.#callFrames(call);
    if (frames.ended) return;
    const sampler = new CameraSampler({
      router: room.primaryRouter,
      producer,
      ports: this.#ports,
      settings: this.#settings,
      onFrame: (jpeg) => this.#onFrame(frames, producer.id, camera, jpeg),
      onCrash: () => this.metrics.restarts.inc(),
      logger: this.#log.child({ callId: call.callId, camera }),
    });
    frames.cameras.set(producer.id, { sampler, camera });
    this.metrics.cameras.inc();
    const done = () => {
      if (frames.cameras.get(producer.id)?.sampler !== sampler) return;
      frames.cameras.delete(producer.id);
      this.metrics.cameras.dec();
    };
    producer.observer.once('close', done);
    // ffmpeg starts while the analysis thread may still be loading its models: the first frames wait for it (or are dropped).
    void sampler.start();
    void this.#analysis().then((thread) => {
      if (thread) return;
      sampler.stop();
      done();
    });
  }

  #callFrames(call: Call): CallFrames {
    let frames = this.#calls.get(call.callId);
    if (!frames) {
      frames = {
        callId: call.callId,
        startedAt: call.startedAt,
        dir: path.join(this.#dir!, fileSafe(call.callId)),
        cameras: new Map(),
        gate: new InFlightGate(),
        slots: new SampleSlots(this.#settings.sampleMs),
        analysed: new Map(),
        inflight: new Set(),
        ended: false,
        seq: 0,
      };
      this.#calls.set(call.callId, frames);
      const opened = frames;
      // (A call that ended while the thread was loading is not opened: its analysis is gone.)
      void this.#analysis().then(
        (thread) => !opened.ended && thread?.open(opened.callId, this.#sink!.packOf(opened.callId)),
      );
    }
    return frames;
  }

  /** The analysis thread, started with the first camera; undefined (logged once) when its models cannot load. */
  #analysis(): Promise<AnalysisThread | undefined> {
    this.#thread ??= AnalysisThread.start(this.#log).catch((err: unknown) => {
      this.#log.error(
        { err },
        'frame analysis unavailable: document-shown and faces-present stay not-applicable',
      );
      return undefined;
    });
    return this.#thread;
  }

  #onFrame(frames: CallFrames, producerId: string, camera: string, jpeg: Buffer): void {
    if (frames.ended) return;
    const atMs = Math.max(0, Date.now() - frames.startedAt);
    const offer = frames.slots.offer(producerId, atMs, frames.gate.busy(producerId));
    for (const droppedAtMs of frames.slots.takeDropped(producerId)) {
      this.metrics.dropped.inc();
      this.#sink?.observe(frames.callId, { atMs: droppedAtMs, camera, unsampled: true });
    }
    if (offer !== 'take') return;
    frames.gate.enter(producerId);
    const file = path.join(frames.dir, `${camera}-${atMs}-${frames.seq++}.jpg`);
    const work = (async () => {
      try {
        const thread = await this.#analysis();
        if (!thread) return;
        await mkdir(frames.dir, { recursive: true, mode: 0o700 });
        await writeFile(file, jpeg, { mode: 0o600 });
        const { observation, ms } = await thread.analyse(frames.callId, camera, atMs, file);
        this.metrics.analysed.inc();
        frames.analysed.set(producerId, (frames.analysed.get(producerId) ?? 0) + 1);
        this.metrics.analysisSeconds.observe(ms / 1000);
        this.#sink?.observe(frames.callId, observation);
      } catch (err) {
        this.metrics.failed.inc();
        this.#log.warn({ err, callId: frames.callId, camera }, 'frame not analysed');
      } finally {
        await rm(file, { force: true });
        frames.gate.leave(producerId);
      }
    })();
    frames.inflight.add(work);
    void work.finally(() => frames.inflight.delete(work));
  }

  /** Stops the call's cameras now; its analyses in flight finish (see `settle`), then its files and state go. */
  #endCall(callId: string): void {
    const frames = this.#calls.get(callId);
    if (!frames || frames.ended) return;
    frames.ended = true;
    for (const { sampler } of frames.cameras.values()) sampler.stop();
    this.metrics.cameras.dec(frames.cameras.size);
    frames.cameras.clear();
    void Promise.allSettled([...frames.inflight]).then(async () => {
      this.#calls.delete(callId);
      const thread = await this.#thread?.catch(() => undefined);
      thread?.close(callId);
      await rm(frames.dir, { recursive: true, force: true });
    });
  }
}
