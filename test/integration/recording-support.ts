// Support for the recording/archive integration tests: scripted participants
// that join a real edge through its signaling and publish real RTP made by
// ffmpeg (VP8 + Opus) into a PlainTransport registered as their send transport,
// so the producer goes through the edge's own `produce` request and the Room's
// `producer` event exactly like a browser's. Plus: decrypting stored files and
// probing them with ffprobe.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { types } from 'mediasoup';
import { createLogger, type Logger } from '#common/logger';
import { varDir } from '#common/paths';
import type { CallRole } from '#protocol/roles';
import type { CallRecord } from '../../edge-node/src/archive/ArchiveStore.ts';
import { decryptToFile } from '#common/archive/blob';
import { createEdge } from '../../edge-node/src/app.ts';
import { testEdgeConfig, type TestEdge } from '../helpers/edge.ts';
import { createCallKeys, type TestCallKeys } from '../helpers/tokens.ts';
import { SignalClient } from '../helpers/signal-client.ts';

const exec = promisify(execFile);

export interface RtpTarget {
  port: number;
  rtcpPort: number;
  ssrc: number;
  payloadType: number;
  producerId: string;
}

export interface MediaParticipant {
  id: string;
  role: CallRole;
  client: SignalClient;
  audio?: RtpTarget;
  video?: RtpTarget;
}

let nextSsrc = 100_000 + Math.floor(Math.random() * 1_000_000);

/** Resolves once the edge records `count` tracks of the call (so no media sent from now on is missed). */
export async function recordersLive(
  edge: TestEdge,
  callId: string,
  count: number,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = edge.edge.archive.recording?.status().find((c) => c.callId === callId);
    if (call && call.tracks.filter((t) => t.live).length >= count) return;
    if (Date.now() > deadline) throw new Error(`recorders of ${callId} not live within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Joins `id` to `callId` on the edge and publishes mic and camera from PlainTransports. */
export async function joinWithMedia(
  edge: TestEdge,
  callId: string,
  id: string,
  role: CallRole,
  kinds: ('audio' | 'video')[] = ['audio', 'video'],
  displayName = id,
): Promise<MediaParticipant> {
  const token = edge.keys.mint(edge.edge.config.edgeId, {
    sub: id,
    callId,
    role,
    branchId: edge.edge.config.branchId,
    name: displayName,
  });
  const client = await SignalClient.connect(edge.url, token);
  const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
  await client.request('join', { displayName, rtpCapabilities });
  const participant: MediaParticipant = { id, role, client };
  for (const kind of kinds) participant[kind] = await publish(edge, callId, participant, kind);
  return participant;
}

async function publish(
  edge: TestEdge,
  callId: string,
  p: MediaParticipant,
  kind: 'audio' | 'video',
): Promise<RtpTarget> {
  const room = edge.edge.calls.get(callId)?.room;
  const peer = room?.peers.get(p.id);
  if (!peer) throw new Error(`${p.id} is not in ${callId}`);
  const transport = await peer.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: true,
    appData: { direction: 'send', peerId: p.id },
  });
  // The room only knows WebRtcTransports; produce() uses nothing a PlainTransport lacks.
  peer.transports.set(transport.id, transport as unknown as types.WebRtcTransport);
  const ssrc = nextSsrc++;
  const payloadType = kind === 'audio' ? 100 : 101;
  const rtpParameters =
    kind === 'audio'
      ? {
          codecs: [
            {
              mimeType: 'audio/opus',
              payloadType,
              clockRate: 48000,
              channels: 2,
              parameters: { useinbandfec: 1 },
            },
          ],
          encodings: [{ ssrc }],
          rtcp: { cname: p.id },
        }
      : {
          codecs: [
            {
              mimeType: 'video/VP8',
              payloadType,
              clockRate: 90000,
              rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
            },
          ],
          encodings: [{ ssrc }],
          rtcp: { cname: p.id },
        };
  const { producerId } = await p.client.request<{ producerId: string }>('produce', {
    transportId: transport.id,
    kind,
    source: kind === 'audio' ? 'mic' : 'camera',
    rtpParameters,
  });
  return {
    port: transport.tuple.localPort,
    rtcpPort: transport.rtcpTuple!.localPort,
    ssrc,
    payloadType,
    producerId,
  };
}

export interface SenderOptions {
  /** Seconds of media. */
  durationS: number;
  /** Playback speed: 1 = real time (-re); N = N× faster (lavfi timestamps, `-readrate`). */
  speed?: number;
  /** Sine frequency, so each participant sounds different. */
  frequency?: number;
  /** A flash (white frame) and a beep at every multiple of this many seconds: for sync measurements. */
  syncMarkEveryS?: number;
  size?: string;
  fps?: number;
  /** An already encoded file (VP8 + Opus in WebM) to send as-is instead of encoding live. */
  input?: string;
  /** A WAV to speak into the microphone (looped) instead of a tone. */
  speech?: string;
}

/**
 * One ffmpeg sending a participant's camera (VP8) and mic (Opus) as RTP from a
 * single clock, with RTCP sender reports on a shared wall-clock origin
 * (`-start_time_realtime`), as a browser's would be.
 */
export function startSender(
  p: MediaParticipant,
  o: SenderOptions,
): ChildProcess & { done: Promise<number | null> } {
  const speed = o.speed ?? 1;
  const size = o.size ?? '320x240';
  const fps = o.fps ?? 15;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  if (speed === 1) args.push('-re');
  else args.push('-readrate', String(speed));
  if (o.input) {
    args.push('-i', o.input);
  } else {
    const mark = o.syncMarkEveryS;
    const video = mark
      ? `color=c=black:s=${size}:r=${fps},drawbox=c=white:t=fill:enable='lt(mod(t\\,${mark})\\,0.5)'`
      : `testsrc2=size=${size}:rate=${fps}`;
    const audio = mark
      ? `aevalsrc='if(lt(mod(t\\,${mark})\\,0.5)\\,0.5*sin(2*PI*1000*t)\\,0)':s=48000`
      : `sine=frequency=${o.frequency ?? 440}:sample_rate=48000`;
    args.push('-f', 'lavfi', '-i', video);
    if (o.speech) args.push('-stream_loop', '-1', '-i', o.speech);
    else args.push('-f', 'lavfi', '-i', audio);
  }
  const start = String(Date.now() * 1000);
  const [vIn, aIn] = o.input ? ['0:v', '0:a'] : ['0:v', '1:a'];
  if (p.video) {
    args.push('-map', vIn, '-t', String(o.durationS));
    if (o.input) args.push('-c:v', 'copy');
    else
      args.push(
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '250k',
        '-g',
        String(fps * 2),
        '-keyint_min',
        String(fps * 2),
      );
    args.push(
      '-payload_type',
      String(p.video.payloadType),
      '-ssrc',
      String(p.video.ssrc),
      '-start_time_realtime',
      start,
      '-f',
      'rtp',
      `rtp://127.0.0.1:${p.video.port}?rtcpport=${p.video.rtcpPort}&pkt_size=1200`,
    );
  }
  if (p.audio) {
    args.push('-map', aIn, '-t', String(o.durationS));
    if (o.input) args.push('-c:a', 'copy');
    else args.push('-c:a', 'libopus', '-ac', '2', '-b:a', '48k', '-application', 'lowdelay');
    args.push(
      '-payload_type',
      String(p.audio.payloadType),
      '-ssrc',
      String(p.audio.ssrc),
      '-start_time_realtime',
      start,
      '-f',
      'rtp',
      `rtp://127.0.0.1:${p.audio.port}?rtcpport=${p.audio.rtcpPort}`,
    );
  }
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return Object.assign(child, { done });
}

/**
 * A long VP8 + Opus WebM whose picture flashes white while a 1 kHz beep sounds, for 0.5 s
 * every 10 s, exactly in step (checked: ≤ 2 ms apart at both ends of 30 minutes). Built
 * from a 10-second pattern — the video copied in a loop, the audio looped as PCM then
 * encoded — and cached in var/test-media (generated on first use, never committed).
 */
export async function syncMarkedMedia(durationS: number): Promise<string> {
  const mediaDir = path.join(varDir, 'test-media');
  const target = path.join(mediaDir, `sync-marks-${durationS}s.webm`);
  if (existsSync(target)) return target;
  mkdirSync(mediaDir, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'sync-media-'));
  try {
    const v10 = path.join(work, 'v10.webm');
    const a10 = path.join(work, 'a10.wav');
    await exec('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      "color=c=black:s=160x120:r=30,drawbox=c=white:t=fill:enable='lt(mod(t\\,10)\\,0.5)'",
      '-t',
      '10',
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '60k',
      '-g',
      '60',
      '-keyint_min',
      '60',
      v10,
    ]);
    await exec('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      "aevalsrc='if(lt(mod(t\\,10)\\,0.5)\\,0.5*sin(2*PI*1000*t)\\,0)':s=48000",
      '-t',
      '10',
      '-c:a',
      'pcm_s16le',
      a10,
    ]);
    const loops = String(Math.ceil(durationS / 10) - 1);
    const tmp = `${target}.${process.pid}.tmp.webm`;
    await exec('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-stream_loop',
      loops,
      '-i',
      v10,
      '-stream_loop',
      loops,
      '-i',
      a10,
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'copy',
      '-c:a',
      'libopus',
      '-ac',
      '2',
      '-b:a',
      '24k',
      '-application',
      'lowdelay',
      '-t',
      String(durationS),
      tmp,
    ]);
    renameSync(tmp, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A private temp dir. */
export function tempDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `branchedge-${tag}-`));
}

/** Decrypts a stored file of `record` into `dir` and returns the plaintext path. */
export async function decrypted(record: CallRecord, relative: string, dir: string): Promise<string> {
  const target = path.join(dir, relative.replace(/[/\\]/g, '_').replace(/\.bea$/, ''));
  await decryptToFile(record.absolute(relative), await record.dataKey(), target);
  return target;
}

export interface ProbeInfo {
  format: { duration: number; start: number; formatName: string };
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
}

export async function ffprobe(file: string): Promise<ProbeInfo> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration,start_time,format_name:stream=codec_type,codec_name,width,height',
    '-of',
    'json',
    file,
  ]);
  const j = JSON.parse(stdout) as {
    format: { duration?: string; start_time?: string; format_name: string };
    streams: ProbeInfo['streams'];
  };
  return {
    format: {
      duration: Number(j.format.duration ?? 0),
      start: Number(j.format.start_time ?? 0),
      formatName: j.format.format_name,
    },
    streams: j.streams,
  };
}

/**
 * Whether ffprobe can read media from `file`. Ciphertext has no WebM, Ogg or MP4
 * header and yields no opus/vp8/h264 stream and no duration. ffprobe usually refuses
 * such a file outright, but random bytes now and then pass its probe as an empty raw
 * stream (h263, lrc: 4 of 300 random files) of no duration, so "it rejected" alone is a flaky test.
 */
export async function readableMedia(file: string): Promise<string | undefined> {
  const head = (await readFile(file)).subarray(0, 12);
  if (['1a45dfa3', '4f676753'].includes(head.subarray(0, 4).toString('hex')))
    return `container header ${head.subarray(0, 4).toString('hex')}`;
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') return 'mp4 header';
  const probed = await ffprobe(file).catch(() => undefined);
  if (!probed) return undefined;
  const media = probed.streams.filter((x) => ['opus', 'vp8', 'h264', 'aac'].includes(x.codec_name));
  if (media.length > 0) return `streams ${media.map((x) => x.codec_name).join(',')}`;
  if (probed.format.duration > 0) return `duration ${probed.format.duration}`;
  return undefined;
}

/** Whether the first frame of `file`'s first video stream is a key frame. */
export async function firstFrameIsKey(file: string): Promise<boolean> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-read_intervals',
    '%+#1',
    '-show_entries',
    'frame=key_frame',
    '-of',
    'csv=p=0',
    file,
  ]);
  return stdout.trim().split('\n')[0]?.trim().startsWith('1') ?? false;
}

/** Seconds at which the audio becomes loud (beep onsets), from silencedetect. */
export async function beepOnsets(file: string, from?: number, to?: number): Promise<number[]> {
  const range =
    from === undefined ? [] : ['-ss', String(from), ...(to === undefined ? [] : ['-to', String(to)])];
  const { stderr } = await exec(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostats',
      ...range,
      '-i',
      file,
      '-map',
      '0:a:0',
      '-af',
      'silencedetect=n=-30dB:d=0.2',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 << 20 },
  );
  return [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]) + (from ?? 0));
}

/** Seconds at which the picture turns bright (flash onsets), from signalstats. */
export async function flashOnsets(file: string, from?: number, to?: number): Promise<number[]> {
  const range =
    from === undefined ? [] : ['-ss', String(from), ...(to === undefined ? [] : ['-to', String(to)])];
  const { stdout } = await exec(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'error',
      ...range,
      '-i',
      file,
      '-map',
      '0:v:0',
      '-vf',
      'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 << 20 },
  );
  const onsets: number[] = [];
  let bright = false;
  let t = 0;
  for (const line of stdout.split('\n')) {
    const pts = /pts_time:([\d.]+)/.exec(line);
    if (pts) t = Number(pts[1]);
    const y = /YAVG=([\d.]+)/.exec(line);
    if (y) {
      const now = Number(y[1]) > 100;
      if (now && !bright) onsets.push(t + (from ?? 0));
      bright = now;
    }
  }
  return onsets;
}

/** A real edge on a data directory that outlives it (restart tests): `stop()` leaves the directory. */
export async function startEdgeAt(
  dir: string,
  env: Record<string, string>,
  keys?: TestCallKeys,
  logger?: Logger,
): Promise<TestEdge> {
  mkdirSync(dir, { recursive: true });
  const callKeys = keys ?? createCallKeys(dir);
  // Recording tests send media up to 60x real time: a frame sampler decoding it would starve the recorders.
  const config = testEdgeConfig(dir, callKeys, { FRAME_SAMPLING_ENABLED: '0' }, env);
  const edge = await createEdge(
    config,
    logger ?? createLogger('edge-test', { level: process.env.TEST_LOG_LEVEL ?? 'warn' }),
  );
  return { edge, url: `http://127.0.0.1:${edge.port}`, keys: callKeys, dir, stop: () => edge.close() };
}

/** Sets environment variables for the duration of a test file; returns the restore function. */
export function withEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
