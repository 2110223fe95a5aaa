// Samples one camera producer: a consumer on a loopback PlainTransport of the
// room's primary router (the recorder's way: comedia off, RTP to port, RTCP to
// port + 1, SDP from recording/sdp.ts) sends the chosen simulcast layer to an
// ffmpeg that decodes it and writes one JPEG per sample period to its stdout.
//
// ffmpeg that dies is logged and replaced after a back-off; one that ends
// because the camera was paused longer than its input timeout is started again
// when the camera resumes. The consumer starts from a key frame (requested when
// ffmpeg listens, and again whenever frames stop coming) so decoding begins at once.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import type { PortAllocator } from '../../recording/ports.ts';
import { isUdpPortBound } from '../../recording/ports.ts';
import { codecOf, recorderSdp } from '../../recording/sdp.ts';
import { Backoff } from './Backoff.ts';
import { samplerArgs } from './ffmpeg-args.ts';
import { JpegSplitter } from './jpeg-splitter.ts';

export interface CameraSamplerSettings {
  ffmpeg: string;
  sampleMs: number;
  /** Simulcast spatial layer to decode (0 = smallest); a producer without that many gets its highest. */
  spatialLayer: number;
  /** See ffmpeg-args.ts. */
  inputTimeoutS: number;
  restartDelayMs: number;
}

export interface CameraSamplerOptions {
  router: types.Router;
  producer: types.Producer;
  ports: PortAllocator;
  settings: CameraSamplerSettings;
  /** A sampled frame (JPEG), as it arrives. */
  onFrame: (jpeg: Buffer) => void;
  /** ffmpeg died (or could not start) and is being restarted. */
  onCrash?: () => void;
  logger: Logger;
}

interface Run {
  transport: types.PlainTransport;
  consumer: types.Consumer;
  port: number;
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  frames: number;
  lastFrameAt: number;
  watchdog?: NodeJS.Timeout;
  /** ffmpeg listens: from now on its exit is a crash or a pause (before, the start handles it). */
  live: boolean;
  stopping: boolean;
}

export class CameraSampler {
  #run?: Run;
  #stopped = false;
  #restartTimer?: NodeJS.Timeout;
  readonly #backoff: Backoff;
  readonly #log: Logger;
  /** ffmpeg runs that ended unexpectedly. */
  crashes = 0;
  frames = 0;

  constructor(private readonly o: CameraSamplerOptions) {
    this.#backoff = new Backoff(o.settings.restartDelayMs);
    this.#log = o.logger.child({ module: 'frame-sampler', producerId: o.producer.id });
  }

  get producerId(): string {
    return this.o.producer.id;
  }

  /** The running ffmpeg's pid (tests kill it to check restarts). */
  get pid(): number | undefined {
    return this.#run?.child.pid;
  }

  /** The consumer's current layers (which simulcast layer is decoded). */
  get layers(): types.ConsumerLayers | undefined {
    return this.#run?.consumer.currentLayers;
  }

  /** The layers the sampler asks for; mediasoup forwards another while the browser does not send that one. */
  get requestedLayers(): types.ConsumerLayers | undefined {
    return this.#run?.consumer.preferredLayers;
  }

  /** Starts sampling; a first start that fails is retried like a crash. */
  async start(): Promise<void> {
    this.o.producer.observer.once('close', () => this.stop());
    await this.#startRun().catch((err: unknown) => {
      this.#crashed();
      const delay = this.#backoff.next();
      this.#log.error({ err, delay }, 'frame sampler did not start; retrying');
      this.#restart(delay);
    });
  }

  /** Stops at once: frames still on the pipe are not wanted any more. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    if (this.#run) this.#teardown(this.#run);
  }

  /** Starts ffmpeg and its consumer; a start that fails before ffmpeg listened (port taken meanwhile) is retried on another port. */
  async #startRun(attempt = 1): Promise<void> {
    const { router, producer, settings } = this.o;
    if (this.#stopped || producer.closed || router.closed) return;
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    const port = this.o.ports.take();
    let run: Run | undefined;
    try {
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
        enableRtx: false,
        // Temporal layer 0 only: one frame in two or four is plenty to pick one every few seconds, and decoding costs in proportion.
        preferredLayers: { spatialLayer: settings.spatialLayer, temporalLayer: 0 },
      });
      const child = spawn(settings.ffmpeg, samplerArgs(settings), { stdio: ['pipe', 'pipe', 'pipe'] });
      run = {
        transport,
        consumer,
        port,
        child,
        frames: 0,
        lastFrameAt: Date.now(),
        live: false,
        stopping: false,
      };
      this.#run = run;
      this.#wire(run);
      child.stdin.end(recorderSdp(codecOf('video', consumer.rtpParameters), port));
      await this.#waitForListener(run);
      run.live = true;
      if (this.#stopped) return;
      await consumer.resume();
      await consumer.requestKeyFrame();
      this.#log.info(
        { port, pid: child.pid, codec: consumer.rtpParameters.codecs[0]?.mimeType, type: consumer.type },
        'sampling camera',
      );
    } catch (err) {
      if (run && !run.stopping) this.#teardown(run);
      else if (!run) {
        transport.close();
        this.o.ports.release(port);
      }
      if (this.#stopped) return;
      if (err instanceof ListenFailed && attempt < 3) {
        this.#log.warn(
          { attempt, reason: err.message },
          'frame sampler did not start; retrying on another port',
        );
        return this.#startRun(attempt + 1);
      }
      throw err;
    }
  }

  #wire(run: Run): void {
    const { child, consumer } = run;
    const splitter = new JpegSplitter();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) {
        run.frames++;
        run.lastFrameAt = Date.now();
        this.frames++;
        if (run.frames === 3) this.#backoff.reset(); // this run works
        this.o.onFrame(jpeg);
      }
    });
    // Writing the SDP to an ffmpeg that died at once fails with EPIPE: its exit is what counts.
    child.stdin.on('error', () => undefined);
    child.once('error', (err) => this.#log.error({ err }, 'frame sampler ffmpeg could not start'));
    child.once('close', (code, signal) => this.#onExit(run, code, signal, stderr));
    // The room's router closed under us (call over, worker died) — not our own teardown closing the transport.
    consumer.on('transportclose', () => !run.stopping && this.stop());
    consumer.on('producerclose', () => this.stop());
    // A decoder that lost its reference (a dropped packet, a layer switch) waits for the next key frame: ask for one.
    run.watchdog = setInterval(() => {
      if (run.stopping || consumer.paused || consumer.producerPaused) return;
      if (Date.now() - run.lastFrameAt > 2 * this.o.settings.sampleMs)
        void consumer.requestKeyFrame().catch(() => undefined);
    }, this.o.settings.sampleMs);
  }

  /** ffmpeg binds its RTP socket once it has read the SDP; packets sent before are lost. */
  async #waitForListener(run: Run): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!isUdpPortBound(run.port)) {
      if (run.child.exitCode !== null || run.child.signalCode !== null)
        throw new ListenFailed(`ffmpeg exited before listening on ${run.port}`);
      if (Date.now() > deadline) throw new ListenFailed(`ffmpeg did not listen on ${run.port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    if (run.stopping || !run.live) return;
    this.#teardown(run);
    if (this.#stopped || this.o.producer.closed) return;
    if (this.o.producer.paused) {
      // The camera is off and ffmpeg heard nothing for its input timeout (not even RTCP): not a failure.
      this.#log.info('camera paused; sampling resumes with it');
      this.o.producer.observer.once('resume', () => this.#restart(0));
      return;
    }
    this.#crashed();
    const delay = this.#backoff.next();
    this.#log.error(
      { code, signal, delay, stderr: stderr.trim().split('\n').slice(-3).join(' | ') },
      'frame sampler ffmpeg died; restarting',
    );
    this.#restart(delay);
  }

  #crashed(): void {
    this.crashes++;
    this.o.onCrash?.();
  }

  #restart(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#startRun().catch((err: unknown) => {
        this.#crashed();
        const delay = this.#backoff.next();
        this.#log.error({ err, delay }, 'frame sampler restart failed');
        this.#restart(delay);
      });
    }, delayMs);
  }

  #teardown(run: Run): void {
    if (run.stopping) return;
    run.stopping = true;
    clearInterval(run.watchdog);
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    run.transport.close();
    this.o.ports.release(run.port);
    if (this.#run === run) this.#run = undefined;
  }
}

class ListenFailed extends Error {
  override name = 'ListenFailed';
}
