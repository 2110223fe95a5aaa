// The synthetic publishers of the SFU benchmark, in their own process (pinned to
// the load core, so their CPU never counts as the SFU's). Each publisher is one
// connected UDP socket — its own 5-tuple, like a browser — sending the stream of
// sfu-media.ts. All publishers send the same bytes: every packet is built (and,
// with SRTP, protected) once and then sent on every socket, so the generator's
// cost is the send syscalls. Sockets are spread over phase groups so packets
// arrive spread over each frame interval rather than in one burst.
// For the soak benchmark, whose edge decodes and transcribes, video may be real
// VP8 frames instead of filler (sfu-vp8.ts), and a socket may carry real speech
// (Opus RTP made by ffmpeg, looped, its own SSRC) instead of the synthetic audio.
//
// Parent side: `Generator` (IPC). Child side: this file run with --generator-child.
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { PROFILE, senderReport, StreamBuilder } from './sfu-media.ts';
import { masterKeyFromBase64, SrtpSender, type SrtpSuite } from './sfu-srtp.ts';
import { spawnOnCore, stopChild } from './sfu-proc.ts';

const PHASE_GROUPS = 8;

type ToChild =
  | { type: 'open'; count: number; host: string }
  | { type: 'connect'; targets: Array<{ index: number; host: string; port: number }> }
  | { type: 'start'; srtp?: { suite: SrtpSuite; keyBase64: string } }
  | { type: 'speech'; index: number; track: SpeechTrack }
  | { type: 'video'; layers: string[][] }
  | { type: 'stats' }
  | { type: 'exit' };

/** Real speech for one socket: 20 ms Opus RTP packets (base64), looped from the start, entering the loop `skipMs` in. */
export interface SpeechTrack {
  ssrc: number;
  packets: string[];
  skipMs: number;
}

export interface GeneratorStats {
  sockets: number;
  sent: number;
  sendErrors: number;
  rtcpReceived: number;
  pliReceived: number;
  /** CPU of the generator process, ms (user+system), cumulative. */
  cpuMs: number;
  /** Worst lateness of a scheduled send since the previous stats call (generator overload shows here). */
  maxLateMs: number;
  /** Wall clock (epoch ms) of the sending clock's 0, when every speech track's first packet is due (then one per 20 ms). */
  startedAtMs: number;
}

type FromChild =
  { type: 'opened'; ports: number[]; first: number } | { type: 'ok' } | ({ type: 'stats' } & GeneratorStats);

/** Parent-side handle on the generator process. */
export class Generator {
  readonly #child: ChildProcess;
  #queue: Array<(msg: FromChild) => void> = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (msg: FromChild) => this.#queue.shift()?.(msg));
  }

  static async start(core: number | undefined): Promise<Generator> {
    const file = fileURLToPath(import.meta.url);
    const child = spawnOnCore(
      core,
      process.execPath,
      ['--import', 'tsx', file, '--generator-child'],
      ['ignore', 'inherit', 'inherit', 'ipc'],
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new Generator(child);
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  #ask<T extends FromChild>(msg: ToChild): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`generator did not answer ${msg.type}`)), 30_000);
      this.#queue.push((m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      this.#child.send(msg);
    });
  }

  /** Opens `count` more publisher sockets; returns their indices and local ports. */
  async open(count: number, host: string): Promise<Array<{ index: number; port: number }>> {
    const r = await this.#ask<Extract<FromChild, { type: 'opened' }>>({ type: 'open', count, host });
    return r.ports.map((port, i) => ({ index: r.first + i, port }));
  }

  async connect(targets: Array<{ index: number; host: string; port: number }>): Promise<void> {
    await this.#ask({ type: 'connect', targets });
  }

  /** Starts sending (plain RTP, or SRTP with this sender key); sockets opened later join in. */
  async start(srtp?: { suite: SrtpSuite; keyBase64: string }): Promise<void> {
    await this.#ask({ type: 'start', ...(srtp ? { srtp } : {}) });
  }

  /** Every socket sends these VP8 frames (base64, per layer, lowest first; looped) instead of filler (set before start). */
  async recordedVideo(layers: Buffer[][]): Promise<void> {
    await this.#ask({
      type: 'video',
      layers: layers.map((frames) => frames.map((f) => f.toString('base64'))),
    });
  }

  /** Socket `index` sends `track` instead of the synthetic audio (set before start). */
  async speech(index: number, track: SpeechTrack): Promise<void> {
    await this.#ask({ type: 'speech', index, track });
  }

  async stats(): Promise<GeneratorStats> {
    const { type: _type, ...s } = await this.#ask<Extract<FromChild, { type: 'stats' }>>({ type: 'stats' });
    return s;
  }

  async stop(): Promise<void> {
    if (this.#child.connected) this.#child.send({ type: 'exit' });
    await stopChild(this.#child, 'SIGTERM', 3000);
  }
}

// ───────────────────────────── child process ─────────────────────────────

function runChild(): void {
  const sockets: Array<{
    socket: dgram.Socket;
    connected: boolean;
    speech?: { ssrc: number; packets: Buffer[]; skip: number; next: number };
  }> = [];
  const builder = new StreamBuilder();
  let srtp: SrtpSender | undefined;
  let started = false;
  const stats = { sent: 0, sendErrors: 0, rtcpReceived: 0, pliReceived: 0, maxLateMs: 0 };
  const reply = (msg: FromChild) => process.send!(msg);

  const protect = (pkts: Buffer[]) => (srtp ? pkts.map((p) => srtp!.protectRtp(p)) : pkts);

  const sendToGroup = (group: number, packets: Buffer[], audio = false) => {
    for (let i = group; i < sockets.length; i += PHASE_GROUPS) {
      const s = sockets[i]!;
      if (!s.connected || (audio && s.speech)) continue;
      for (const p of packets) {
        try {
          s.socket.send(p);
          stats.sent++;
        } catch {
          stats.sendErrors++;
        }
      }
    }
  };

  // Per stream: the next unit (frame / audio packet) each phase group sends; templates are shared.
  const audioT = PROFILE.audio.ptimeMs;
  const videoT = 1000 / PROFILE.video.fps;
  const audioNext = new Array<number>(PHASE_GROUPS).fill(0);
  const videoNext = new Array<number>(PHASE_GROUPS).fill(0);
  const audioTemplates = new Map<number, Buffer[]>();
  const videoTemplates = new Map<number, Buffer[]>();
  let t0 = 0;
  let startedAtMs = 0;
  let lastSr = 0;

  // Speech packet k of a socket: the loop's packet k mod n, renumbered as one endless stream.
  const sendSpeech = (now: number) => {
    for (const s of sockets) {
      const sp = s.speech;
      if (!sp || !s.connected) continue;
      while (sp.next * audioT <= now) {
        const k = sp.next++;
        stats.maxLateMs = Math.max(stats.maxLateMs, now - k * audioT);
        const p = Buffer.from(sp.packets[(k + sp.skip) % sp.packets.length]!);
        p[1] = (p[1]! & 0x80) | PROFILE.audio.payloadType;
        p.writeUInt16BE(k & 0xffff, 2);
        p.writeUInt32BE((k * 48 * audioT) >>> 0, 4);
        p.writeUInt32BE(sp.ssrc >>> 0, 8);
        try {
          s.socket.send(protect([p])[0]!);
          stats.sent++;
        } catch {
          stats.sendErrors++;
        }
      }
    }
  };

  const tick = () => {
    const now = performance.now() - t0;
    for (let g = 0; g < PHASE_GROUPS; g++) {
      const phase = g / PHASE_GROUPS;
      while ((audioNext[g]! + phase) * audioT <= now) {
        const n = audioNext[g]!++;
        stats.maxLateMs = Math.max(stats.maxLateMs, now - (n + phase) * audioT);
        let t = audioTemplates.get(n);
        if (!t) audioTemplates.set(n, (t = protect([builder.audioPacket()])));
        sendToGroup(g, t, true);
      }
      while ((videoNext[g]! + phase) * videoT <= now) {
        const n = videoNext[g]!++;
        stats.maxLateMs = Math.max(stats.maxLateMs, now - (n + phase) * videoT);
        let t = videoTemplates.get(n);
        if (!t) videoTemplates.set(n, (t = protect(builder.videoFrame(n))));
        sendToGroup(g, t);
      }
    }
    const minAudio = Math.min(...audioNext);
    for (const k of audioTemplates.keys()) if (k < minAudio) audioTemplates.delete(k);
    const minVideo = Math.min(...videoNext);
    for (const k of videoTemplates.keys()) if (k < minVideo) videoTemplates.delete(k);
    if (now - lastSr >= 1000) {
      lastSr = now;
      const audioTs = Math.round((now / 1000) * 48000);
      const videoTs = Math.round((now / 1000) * 90000);
      const srs = builder.senderReports(Date.now(), { audio: audioTs, video: videoTs });
      const out = srtp ? srs.map((p) => srtp!.protectRtcp(p)) : srs;
      for (let g = 0; g < PHASE_GROUPS; g++) sendToGroup(g, out);
      for (const s of sockets) {
        const sp = s.speech;
        if (!sp || !s.connected) continue;
        const sr = senderReport(sp.ssrc, Date.now(), Math.round((now / 1000) * 48000));
        s.socket.send(srtp ? srtp.protectRtcp(sr) : sr);
      }
    }
    sendSpeech(now);
    setTimeout(tick, 1);
  };

  process.on('message', (msg: ToChild) => {
    switch (msg.type) {
      case 'open': {
        const first = sockets.length;
        const ports: number[] = [];
        let pending = msg.count;
        if (pending === 0) return reply({ type: 'opened', ports, first });
        for (let i = 0; i < msg.count; i++) {
          const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 1 << 20 });
          const entry = { socket, connected: false };
          sockets.push(entry);
          socket.on('error', () => stats.sendErrors++);
          socket.on('message', (m) => {
            stats.rtcpReceived++;
            if (m.length > 1 && m[1] === 206) stats.pliReceived++;
          });
          socket.bind(0, msg.host, () => {
            ports[i] = socket.address().port;
            if (--pending === 0) reply({ type: 'opened', ports, first });
          });
        }
        return;
      }
      case 'connect': {
        let pending = msg.targets.length;
        if (pending === 0) return reply({ type: 'ok' });
        for (const t of msg.targets) {
          const entry = sockets[t.index]!;
          entry.socket.connect(t.port, t.host, () => {
            entry.connected = true;
            if (--pending === 0) reply({ type: 'ok' });
          });
        }
        return;
      }
      case 'start':
        if (msg.srtp) srtp = new SrtpSender(masterKeyFromBase64(msg.srtp.keyBase64, msg.srtp.suite));
        if (!started) {
          started = true;
          t0 = performance.now();
          startedAtMs = Date.now();
          tick();
        }
        return reply({ type: 'ok' });
      case 'video':
        builder.useRecordedVideo(msg.layers.map((frames) => frames.map((f) => Buffer.from(f, 'base64'))));
        return reply({ type: 'ok' });
      case 'speech': {
        const t = msg.track;
        sockets[msg.index]!.speech = {
          ssrc: t.ssrc,
          packets: t.packets.map((b) => Buffer.from(b, 'base64')),
          skip: Math.round(t.skipMs / audioT),
          next: 0,
        };
        return reply({ type: 'ok' });
      }
      case 'stats': {
        const cpu = process.cpuUsage();
        reply({
          type: 'stats',
          sockets: sockets.length,
          ...stats,
          cpuMs: (cpu.user + cpu.system) / 1000,
          startedAtMs,
        });
        stats.maxLateMs = 0;
        return;
      }
      case 'exit':
        for (const s of sockets) s.socket.close();
        process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--generator-child')) runChild();
