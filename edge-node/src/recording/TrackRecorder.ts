// Records one producer: a PlainTransport consumer on the room's primary router
// sends its RTP to an ffmpeg that copies it (no transcoding) into segment files
// in the spool; each finished segment is handed to the archive (encrypted,
// hashed, listed in the manifest) and deleted from the spool.
//
// Every file starts decodable: mediasoup forwards a paused-then-resumed video
// consumer from a key frame, ffmpeg's segment muxer cuts only on key frames,
// and a key frame is requested every segment length. If ffmpeg dies, what it
// finished is kept, the segment in progress is salvaged when it can be, a gap is
// logged and alerted, and a new ffmpeg (a new track) takes over after a back-off.
//
// ffmpeg waits on UDP, which has no end: were the edge killed, its recorders would
// wait forever. So ffmpeg ends itself after INPUT_TIMEOUT_S without input, and the
// edge keeps it fed with an RTCP keepalive every KEEPALIVE_MS — through a paused
// track too. A killed edge sends none: its recorders close their files and exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import type { TrackTiming } from '#protocol/archive';
import type { CallRole } from '#protocol/roles';
import { isDiskFull } from '../archive/DiskGuard.ts';
import { fileSafe } from '#common/archive/paths';
import { salvageSegment } from './ffmpeg.ts';
import type { PortAllocator } from './ports.ts';
import { isUdpPortBound } from './ports.ts';
import type { RecordingSink } from './RecordingSink.ts';
import { sendRtcpBye, sendRtcpKeepalive } from './rtcp.ts';
import { codecOf, containerFor, recorderSdp, type RecorderCodec } from './sdp.ts';
import type { SenderClocks } from './SenderClocks.ts';

export interface RecorderSettings {
  segmentSeconds: number;
  spoolDir: string;
  restartDelayMs: number;
  srWaitMs: number;
  ffmpeg: string;
  ffprobe: string;
}

export interface TrackRecorderOptions {
  callId: string;
  /** Epoch ms of the call's time 0. */
  callStartedAt: number;
  router: types.Router;
  producer: types.Producer;
  participant: { id: string; role: CallRole };
  source: string;
  sink: RecordingSink;
  ports: PortAllocator;
  clocks: SenderClocks;
  settings: RecorderSettings;
  logger: Logger;
  /** Distinguishes this producer's tracks from earlier ones of the same participant and source. */
  serial: number;
}

interface Incarnation {
  track: string;
  transport: types.PlainTransport;
  consumer: types.Consumer;
  port: number;
  process: ChildProcess;
  dir: string;
  listFile: string;
  listOffset: number;
  codec: RecorderCodec;
  ext: string;
  segments: number;
  /** Call time (ms) of the track's first packet, once seen. */
  startMs?: number;
  /** ffmpeg listens and the consumer is resumed: packets from now on are recorded. */
  live: boolean;
  stopping: boolean;
  /** Set before we close its transport ourselves (so that close is not taken for the room closing). */
  tornDown: boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  timers: NodeJS.Timeout[];
  /** Segment hand-offs run one at a time, in order. */
  chain: Promise<void>;
  /** The track's timing, written once its first packet (and the sender's SR) arrived. */
  timing?: Promise<void>;
}

type Gap = {
  fromMs: number;
  track?: string;
  reason: 'recorder-crashed' | 'disk-full' | 'write-failed';
  detail?: string;
};

export class TrackRecorder {
  #current?: Incarnation;
  #count = 0;
  #stopped = false;
  #gap?: Gap;
  #restartDelay: number;
  #restartTimer?: NodeJS.Timeout;
  /** The start (or restart) in progress: stop() waits for it, so no ffmpeg outlives a stop. */
  #starting?: Promise<void>;
  #stopping?: Promise<void>;
  /** Resolves when stop() is called: a timing that waits for the sender's SR is written without it. */
  readonly #stopRequested: Promise<void>;
  #requestStop!: () => void;
  readonly #log: Logger;

  constructor(private readonly o: TrackRecorderOptions) {
    this.#restartDelay = o.settings.restartDelayMs;
    this.#stopRequested = new Promise<void>((r) => (this.#requestStop = r));
    this.#log = o.logger.child({ module: 'recorder', producerId: o.producer.id, kind: o.producer.kind });
  }

  get producerId(): string {
    return this.o.producer.id;
  }

  /** Pid of the running ffmpeg (tests kill it to check crash handling). */
  get pid(): number | undefined {
    return this.#current?.process.pid;
  }

  get track(): string | undefined {
    return this.#current?.track;
  }

  /** Whether packets reaching the SFU now are being recorded. */
  get live(): boolean {
    return this.#current?.live ?? false;
  }

  get kind(): 'audio' | 'video' {
    return this.o.producer.kind;
  }

  /** Stopped (call ended, edge shutting down): a start that fails from now on was given up, not failed. */
  get stopped(): boolean {
    return this.#stopped;
  }

  async start(): Promise<void> {
    this.o.producer.observer.once('close', () => void this.stop('producer closed'));
    await this.#begin(async () => {
      await this.o.clocks.watch(this.o.producer);
      await this.#startIncarnation();
    });
  }

  /** Stops gracefully: ffmpeg finishes the segment in progress, which is archived. Every caller waits for the same stop. */
  stop(reason: string): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#requestStop();
      this.#stopping = this.#stop(reason);
    }
    return this.#stopping ?? Promise.resolve();
  }

  #begin(start: () => Promise<void>): Promise<void> {
    const starting = start();
    this.#starting = starting;
    return starting;
  }

  async #stop(reason: string): Promise<void> {
    clearTimeout(this.#restartTimer);
    // A start in progress gives up at its next step; its failure is the starter's to report.
    await this.#starting?.catch(() => undefined);
    const inc = this.#current;
    if (!inc) {
      if (this.#gap) await this.#closeGap(Date.now() - this.o.callStartedAt);
      return;
    }
    this.#log.debug({ track: inc.track, reason }, 'stopping recorder');
    inc.stopping = true;
    // An RTCP BYE ends ffmpeg's RTP input like the end of a file: it closes the segment
    // in progress and its list at once. Signals only act between packets, which may never come.
    await sendRtcpBye(inc.port + 1, inc.consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0);
    const interrupt = setTimeout(() => inc.process.kill('SIGINT'), 3000);
    const killer = setTimeout(() => inc.process.kill('SIGKILL'), 6000);
    const { code } = await inc.exited;
    clearTimeout(interrupt);
    clearTimeout(killer);
    await this.#drain(inc, true);
    if (code !== 0) await this.#salvage(inc);
    await inc.timing; // written before stop() returns: nothing of this recorder reaches the archive later
    this.#teardown(inc);
    if (this.#gap) await this.#closeGap(Date.now() - this.o.callStartedAt);
  }

  /** Starts a recorder; a start that fails before any packet was recorded (a port taken meanwhile) is retried at once. */
  async #startIncarnation(attempt = 1): Promise<void> {
    try {
      await this.#startOnce();
    } catch (err) {
      if (err instanceof StartFailed && attempt < 3 && !this.#stopped) {
        this.#log.warn({ attempt, reason: err.message }, 'recorder did not start; retrying on another port');
        return this.#startIncarnation(attempt + 1);
      }
      throw err;
    }
  }

  async #startOnce(): Promise<void> {
    if (this.#stopped || this.o.producer.closed || this.o.router.closed) return;
    const { producer, router, participant, source, settings, callId } = this.o;
    const n = this.#count++;
    const track = `${trackPrefix(participant.id, source)}${this.o.serial}${n ? `-r${n}` : ''}`;
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    let port = 0;
    try {
      port = this.o.ports.take();
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
        enableRtx: false,
      });
      const codec = codecOf(producer.kind, consumer.rtpParameters);
      const container = containerFor(codec);
      const dir = path.join(settings.spoolDir, fileSafe(callId), track);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const sdpFile = path.join(dir, 'in.sdp');
      await writeFile(sdpFile, recorderSdp(codec, port));
      const listFile = path.join(dir, 'segments.csv');
      const child = spawn(
        settings.ffmpeg,
        [
          '-hide_banner',
          '-loglevel',
          'warning',
          '-nostdin',
          '-nostats',
          '-protocol_whitelist',
          'file,udp,rtp',
          '-buffer_size',
          String(4 * 1024 * 1024),
          '-analyzeduration',
          '3000000',
          // Without input for this long (media or the edge's keepalive) ffmpeg ends by itself.
          '-listen_timeout',
          String(INPUT_TIMEOUT_S),
          '-i',
          sdpFile,
          '-map',
          '0',
          '-c',
          'copy',
          '-f',
          'segment',
          '-segment_time',
          String(settings.segmentSeconds),
          '-segment_format',
          container.format,
          '-segment_list',
          listFile,
          '-segment_list_type',
          'csv',
          '-reset_timestamps',
          '0',
          path.join(dir, `seg-%05d.${container.ext}`),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      child.once('error', (err) => this.#log.error({ err }, 'ffmpeg could not start'));
      const inc: Incarnation = {
        track,
        transport,
        consumer,
        port,
        process: child,
        dir,
        listFile,
        listOffset: 0,
        codec,
        ext: container.ext,
        segments: 0,
        live: false,
        stopping: false,
        tornDown: false,
        exited,
        timers: [],
        chain: Promise.resolve(),
      };
      this.#current = inc;
      inc.timers.push(
        setInterval(
          () =>
            sendRtcpKeepalive(port + 1, (err) =>
              this.#log.warn({ err, port }, 'recorder keepalive not sent'),
            ),
          KEEPALIVE_MS,
        ),
      );
      void exited.then(({ code, signal }) => this.#onExit(inc, code, signal, stderr));
      consumer.on('transportclose', () => {
        if (!inc.tornDown) void this.stop('room closed');
      });

      await this.#waitForListener(inc);
      this.#abortIfStopped();
      await this.o.sink.addTrack(callId, {
        track,
        participantId: participant.id,
        role: participant.role,
        kind: producer.kind,
        source,
        codec: codec.mimeType,
      });
      await this.#captureTiming(inc);
      this.#abortIfStopped();
      await consumer.resume();
      if (producer.kind === 'video') {
        await consumer.requestKeyFrame();
        inc.timers.push(
          setInterval(
            () => void consumer.requestKeyFrame().catch(() => undefined),
            settings.segmentSeconds * 1000,
          ),
        );
      }
      inc.timers.push(setInterval(() => void this.#drain(inc, false), 500));
      inc.live = true;
      this.#log.info({ track, port, codec: codec.mimeType }, 'recording track');
    } catch (err) {
      const inc = this.#current?.transport === transport ? this.#current : undefined;
      if (inc && !inc.live) {
        // Nothing was recorded by this ffmpeg: not a crash, just a failed (or given up) start.
        inc.stopping = true;
        inc.process.kill('SIGKILL');
        await inc.exited;
        this.#teardown(inc);
        this.#count--;
        throw this.#stopped ? new StartAborted() : new StartFailed((err as Error).message);
      }
      if (port && !inc) this.o.ports.release(port);
      transport.close();
      throw this.#stopped ? new StartAborted() : err;
    }
  }

  #abortIfStopped(): void {
    if (this.#stopped) throw new StartAborted();
  }

  /** ffmpeg binds its RTP socket when it opens the SDP; only then may packets flow (they would be lost). */
  async #waitForListener(inc: Incarnation): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!isUdpPortBound(inc.port)) {
      this.#abortIfStopped();
      if (inc.process.exitCode !== null || Date.now() > deadline)
        throw new Error(`ffmpeg did not listen on ${inc.port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Notes the first packet's RTP timestamp and arrival, then the sender's SR, as the track's timing. */
  async #captureTiming(inc: Incarnation): Promise<void> {
    const { consumer } = inc;
    const simple = consumer.type === 'simple';
    const onTrace = (trace: types.ConsumerTraceEventData) => {
      if (trace.type !== 'rtp' || trace.direction !== 'out') return;
      consumer.off('trace', onTrace);
      void consumer.enableTraceEvent([]).catch(() => undefined);
      const packet = (trace.info as { rtpPacket?: { timestamp?: number } }).rtpPacket;
      const firstArrivalMs = Date.now();
      inc.startMs = firstArrivalMs - this.o.callStartedAt;
      inc.timing = this.#onFirstPacket(inc, Number(packet?.timestamp ?? 0), firstArrivalMs, simple);
    };
    consumer.on('trace', onTrace);
    await consumer.enableTraceEvent(['rtp']);
  }

  async #onFirstPacket(
    inc: Incarnation,
    firstRtpTs: number,
    firstArrivalMs: number,
    simple: boolean,
  ): Promise<void> {
    try {
      if (this.#gap && this.#gap.reason === 'recorder-crashed') await this.#closeGap(inc.startMs!);
      // Simulcast consumers rewrite timestamps per layer: their SR mapping is not the sender's; place them by arrival.
      const sr = simple
        ? await Promise.race([
            this.o.clocks.get(this.o.producer.id, this.o.settings.srWaitMs),
            this.#stopRequested.then(() => undefined),
          ])
        : undefined;
      const timing: TrackTiming = {
        firstRtpTs: firstRtpTs >>> 0,
        clockRate: inc.codec.clockRate,
        firstArrivalMs,
        ...(sr ? { sr: { ntpMs: sr.ntpMs, rtpTs: sr.rtpTs >>> 0, arrivalMs: sr.arrivalMs } } : {}),
      };
      await this.o.sink.addTiming(this.o.callId, inc.track, timing);
    } catch (err) {
      this.#log.error({ err, track: inc.track }, 'could not record track timing');
    }
  }

  /** Hands every segment ffmpeg has finished (listed in its CSV) to the archive. */
  #drain(inc: Incarnation, final: boolean): Promise<void> {
    inc.chain = inc.chain.then(async () => {
      if (!existsSync(inc.listFile)) return;
      const fh = await open(inc.listFile, 'r');
      let text: string;
      try {
        const buf = Buffer.alloc(64 * 1024);
        const { bytesRead } = await fh.read(buf, 0, buf.length, inc.listOffset);
        text = buf.subarray(0, bytesRead).toString();
      } finally {
        await fh.close();
      }
      const complete = final ? text : text.slice(0, text.lastIndexOf('\n') + 1);
      inc.listOffset += Buffer.byteLength(complete);
      for (const line of complete.split('\n').filter((l) => l.trim())) {
        const [name, start, end] = line.split(',');
        if (!name) continue;
        await this.#handSegment(inc, path.join(inc.dir, name), Number(start), Number(end), false);
      }
    });
    return inc.chain.catch((err: unknown) =>
      this.#log.error({ err, track: inc.track }, 'segment hand-off failed'),
    );
  }

  async #handSegment(
    inc: Incarnation,
    file: string,
    startS: number,
    endS: number,
    salvaged: boolean,
  ): Promise<void> {
    const index = inc.segments++;
    const atMs = (inc.startMs ?? Date.now() - this.o.callStartedAt) + startS * 1000;
    try {
      await this.o.sink.addSegment(this.o.callId, {
        track: inc.track,
        index,
        spoolFile: file,
        startS,
        endS,
        ...(salvaged ? { salvaged } : {}),
      });
      if (this.#gap && this.#gap.reason !== 'recorder-crashed') await this.#closeGap(atMs);
    } catch (err) {
      const reason = isDiskFull(err) ? 'disk-full' : 'write-failed';
      if (!this.#gap) {
        this.#openGap({ fromMs: atMs, reason, detail: (err as Error).message });
        this.#log.error(
          { err, track: inc.track, index },
          'segment not archived; recording has a gap until the archive accepts segments again',
        );
      } else this.#log.debug({ track: inc.track, index, reason }, 'segment not archived (gap continues)');
    } finally {
      await rm(file, { force: true });
    }
  }

  #openGap(gap: Gap): void {
    this.#gap = { ...gap, track: gap.track ?? this.#current?.track };
    this.o.sink.alert({
      callId: this.o.callId,
      type: 'recording.gap',
      reason: gap.reason,
      track: this.#gap.track,
      atMs: gap.fromMs,
      detail: gap.detail,
    });
  }

  async #closeGap(toMs: number): Promise<void> {
    const gap = this.#gap;
    if (!gap) return;
    this.#gap = undefined;
    await this.o.sink
      .addGap(this.o.callId, {
        track: gap.track,
        fromMs: Math.round(gap.fromMs),
        toMs: Math.round(toMs),
        reason: gap.reason,
        ...(gap.detail ? { detail: gap.detail.slice(0, 200) } : {}),
      })
      .catch((err: unknown) => {
        this.#gap = gap; // keep it open: written with the next success
        this.#log.error({ err }, 'could not log recording gap');
      });
  }

  async #onExit(
    inc: Incarnation,
    code: number | null,
    signal: NodeJS.Signals | null,
    stderr: string,
  ): Promise<void> {
    if (inc.stopping) return;
    if (code === 0 && inc.consumer.producerPaused) {
      // Timed out while the participant had this track paused (the keepalive was held up): not a failure.
      await this.#drain(inc, true);
      this.#teardown(inc);
      this.#log.info({ track: inc.track }, 'track paused; recorder resumes with it');
      this.o.producer.observer.once(
        'resume',
        () =>
          void this.#begin(() => this.#startIncarnation()).catch((err: unknown) => this.#restartFailed(err)),
      );
      return;
    }
    const crashedAtMs = Date.now() - this.o.callStartedAt;
    this.#log.error(
      { track: inc.track, code, signal, stderr: stderr.split('\n').slice(-3).join(' | ') },
      'recorder ffmpeg died',
    );
    await this.#drain(inc, true);
    await this.#salvage(inc);
    this.#teardown(inc);
    if (!this.#gap)
      this.#openGap({
        fromMs: crashedAtMs,
        reason: 'recorder-crashed',
        detail: `ffmpeg exited with ${code ?? signal}`,
      });
    if (this.#stopped || this.o.producer.closed) {
      await this.#closeGap(crashedAtMs);
      return;
    }
    this.#restartTimer = setTimeout(() => {
      this.#begin(() => this.#startIncarnation()).catch((err: unknown) => {
        this.#restartFailed(err);
        this.#restartDelay = Math.min(30_000, this.#restartDelay * 2 || 500);
      });
    }, this.#restartDelay);
    this.#restartDelay = Math.min(30_000, this.#restartDelay * 2 || 500);
  }

  #restartFailed(err: unknown): void {
    if (err instanceof StartAborted) this.#log.debug({ reason: err.message }, 'recorder restart given up');
    else this.#log.error({ err }, 'recorder restart failed');
  }

  /** The segment a dead ffmpeg was writing: remuxed up to its last whole frame and kept if anything is left. */
  async #salvage(inc: Incarnation): Promise<void> {
    const partial = path.join(inc.dir, `seg-${String(inc.segments).padStart(5, '0')}.${inc.ext}`);
    if (!existsSync(partial)) return;
    const fixed = path.join(inc.dir, `salvaged.${inc.ext}`);
    try {
      const info = await salvageSegment(this.o.settings, partial, fixed);
      if (info) await this.#handSegment(inc, fixed, info.start, info.start + info.duration, true);
    } catch (err) {
      this.#log.warn(
        { err: (err as Error).message, track: inc.track },
        'segment in progress could not be salvaged',
      );
    } finally {
      await rm(partial, { force: true });
      await rm(fixed, { force: true });
    }
  }

  #teardown(inc: Incarnation): void {
    inc.tornDown = true;
    for (const t of inc.timers) clearInterval(t);
    inc.timers = [];
    inc.transport.close();
    this.o.ports.release(inc.port);
    void rm(inc.dir, { recursive: true, force: true }).catch(() => undefined);
    if (this.#current === inc) this.#current = undefined;
  }
}

/** Track names of a participant's source: `<participant>-<source>-<serial>[-r<restart>]`. */
export function trackPrefix(participantId: string, source: string): string {
  return `${fileSafe(participantId).slice(0, 40)}-${source}-`;
}

/** ffmpeg's input timeout: how long a recorder outlives a killed edge (plus its last read). */
export const INPUT_TIMEOUT_S = 10;
/** Several keepalives per timeout: a busy event loop may delay a few. */
const KEEPALIVE_MS = 2000;

class StartFailed extends Error {
  override name = 'StartFailed';
}

/** The recorder was stopped while it was starting: the start was given up, which is not a failure. */
export class StartAborted extends Error {
  override name = 'StartAborted';
  constructor() {
    super('recorder stopped while starting');
  }
}
