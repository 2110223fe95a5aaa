// What one synthetic participant publishes, and the RTP/RTCP packets for it.
// The load matches a browser in a BranchEdge call: Opus at ~40 kbit/s in 20 ms
// packets with the audio-level header extension, and VP8 camera simulcast in
// three layers (320×180, 640×360, 1280×720 at 30 fps, ~1.2 Mbit/s together) with
// real VP8 payload descriptors (picture id, TL0PICIDX, key frames with the VP8
// start code and size) so that both SFUs' simulcast logic treats it as video.
//
// SSRCs follow Janus' remote-publisher convention (1000 + mindex·10 + substream)
// so the very same bytes can be sent to mediasoup and Janus; every participant
// sends identical streams on its own 5-tuple.

export const AUDIO_LEVEL_EXT_ID = 1;

export interface VideoLayer {
  ssrc: number;
  width: number;
  height: number;
  /** RTP packets per frame. */
  packets: number;
  /** RTP payload bytes per packet (VP8 descriptor included). */
  payloadBytes: number;
}

export const PROFILE = {
  audio: { ssrc: 1000, payloadType: 111, ptimeMs: 20, payloadBytes: 80 },
  video: {
    payloadType: 96,
    fps: 30,
    keyFrameIntervalS: 2,
    layers: [
      { ssrc: 1010, width: 320, height: 180, packets: 1, payloadBytes: 600 },
      { ssrc: 1011, width: 640, height: 360, packets: 2, payloadBytes: 700 },
      { ssrc: 1012, width: 1280, height: 720, packets: 3, payloadBytes: 950 },
    ] satisfies VideoLayer[],
  },
} as const;

const RTP_HEADER = 12;
const AUDIO_EXT = 8; // 0xBEDE, length 1, one-byte element + padding

/** Bits per second on the wire for one participant (RTP only, before SRTP's 10-byte tags). */
export function participantBitrate(): { audio: number; video: number; packetsPerS: number } {
  const a = PROFILE.audio;
  const audioPps = 1000 / a.ptimeMs;
  const audio = (RTP_HEADER + AUDIO_EXT + a.payloadBytes) * 8 * audioPps;
  let video = 0;
  let videoPps = 0;
  for (const l of PROFILE.video.layers) {
    video += l.packets * (RTP_HEADER + l.payloadBytes) * 8 * PROFILE.video.fps;
    videoPps += l.packets * PROFILE.video.fps;
  }
  return { audio, video, packetsPerS: audioPps + videoPps };
}

/** mediasoup producer parameters for the synthetic participant (PlainTransport, ssrc-based simulcast). */
export function producerRtpParameters() {
  return {
    audio: {
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: PROFILE.audio.payloadType,
          clockRate: 48000,
          channels: 2,
          parameters: { useinbandfec: 1 },
        },
      ],
      encodings: [{ ssrc: PROFILE.audio.ssrc }],
      headerExtensions: [
        { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' as const, id: AUDIO_LEVEL_EXT_ID },
      ],
      rtcp: { cname: 'bench', reducedSize: true },
    },
    video: {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: PROFILE.video.payloadType,
          clockRate: 90000,
          rtcpFeedback: [
            { type: 'nack' },
            { type: 'nack', parameter: 'pli' },
            { type: 'ccm', parameter: 'fir' },
          ],
        },
      ],
      encodings: PROFILE.video.layers.map((l) => ({ ssrc: l.ssrc })),
      rtcp: { cname: 'bench', reducedSize: true },
    },
  };
}

function rtpHeader(
  buf: Buffer,
  o: {
    payloadType: number;
    seq: number;
    timestamp: number;
    ssrc: number;
    marker: boolean;
    extension: boolean;
  },
) {
  buf[0] = 0x80 | (o.extension ? 0x10 : 0);
  buf[1] = (o.marker ? 0x80 : 0) | o.payloadType;
  buf.writeUInt16BE(o.seq & 0xffff, 2);
  buf.writeUInt32BE(o.timestamp >>> 0, 4);
  buf.writeUInt32BE(o.ssrc >>> 0, 8);
}

function filler(buf: Buffer, from: number, seed: number) {
  for (let i = from; i < buf.length; i++) buf[i] = (i * 31 + seed) & 0xff;
}

const VP8_DESCRIPTOR = 5;
/** Largest VP8 payload piece per packet of a recorded frame (packets stay under a 1200-byte MTU with SRTP). */
const MAX_PIECE = 1100;

function splitFrame(frame: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < frame.length; at += MAX_PIECE) pieces.push(frame.subarray(at, at + MAX_PIECE));
  return pieces;
}

/** Filler in the layer's packet sizes, with a VP8 frame tag (and key-frame start code and size) in front. */
function syntheticFrame(layer: VideoLayer, key: boolean, seed: number): Buffer[] {
  return Array.from({ length: layer.packets }, (_, p) => {
    const piece = Buffer.allocUnsafe(layer.payloadBytes - VP8_DESCRIPTOR);
    let o = 0;
    if (p === 0) {
      // VP8 frame tag: P bit clear on key frames, then the start code and size on key frames.
      piece[o++] = key ? 0x10 : 0x11;
      piece[o++] = 0x02;
      piece[o++] = 0x00;
      if (key) {
        piece[o++] = 0x9d;
        piece[o++] = 0x01;
        piece[o++] = 0x2a;
        piece.writeUInt16LE(layer.width, o);
        piece.writeUInt16LE(layer.height, o + 2);
        o += 4;
      }
    }
    filler(piece, o, seed + p);
    return piece;
  });
}

/** Builds the packets of each stream in order; one instance per sending process. */
export class StreamBuilder {
  #audioSeq = 1;
  #audioTs = 0;
  readonly #video = PROFILE.video.layers.map((_, i) => ({ seq: 1000 * (i + 1), pictureId: 100 * i, tl0: 0 }));
  #recorded?: Buffer[][];

  audioPacket(level = 40): Buffer {
    const a = PROFILE.audio;
    const buf = Buffer.allocUnsafe(RTP_HEADER + AUDIO_EXT + a.payloadBytes);
    rtpHeader(buf, {
      payloadType: a.payloadType,
      seq: this.#audioSeq++,
      timestamp: this.#audioTs,
      ssrc: a.ssrc,
      marker: false,
      extension: true,
    });
    this.#audioTs += (48000 * a.ptimeMs) / 1000;
    buf.writeUInt16BE(0xbede, 12);
    buf.writeUInt16BE(1, 14);
    buf[16] = (AUDIO_LEVEL_EXT_ID << 4) | 0; // one byte of data
    buf[17] = 0x80 | (level & 0x7f); // voice activity + level (−dBov)
    buf[18] = 0;
    buf[19] = 0;
    filler(buf, 20, this.#audioSeq);
    return buf;
  }

  /**
   * Sends these VP8 frames (per layer, lowest first; looped) instead of filler: for
   * receivers that decode (sfu-vp8.ts). The loop must be whole key-frame intervals.
   */
  useRecordedVideo(layers: Buffer[][]): void {
    this.#recorded = layers;
  }

  /** All packets of frame `frame` for every layer (key frames every keyFrameIntervalS). */
  videoFrame(frame: number): Buffer[] {
    const v = PROFILE.video;
    const key = frame % (v.fps * v.keyFrameIntervalS) === 0;
    const timestamp = frame * (90000 / v.fps);
    const out: Buffer[] = [];
    v.layers.forEach((layer, li) => {
      const st = this.#video[li]!;
      st.pictureId = (st.pictureId + 1) & 0x7f;
      st.tl0 = (st.tl0 + 1) & 0xff;
      const recorded = this.#recorded?.[li];
      const pieces = recorded
        ? splitFrame(recorded[frame % recorded.length]!)
        : syntheticFrame(layer, key, frame);
      pieces.forEach((piece, p) => {
        const buf = Buffer.allocUnsafe(RTP_HEADER + VP8_DESCRIPTOR + piece.length);
        rtpHeader(buf, {
          payloadType: v.payloadType,
          seq: st.seq++,
          timestamp,
          ssrc: layer.ssrc,
          marker: p === pieces.length - 1,
          extension: false,
        });
        // VP8 payload descriptor: X, S (first packet), PID 0; I, L, T; 7-bit picture id; TL0PICIDX; TID 0.
        // (Janus 1.1.2 misreads the 15-bit picture id form when looking for key frames.)
        let o = RTP_HEADER;
        buf[o++] = p === 0 ? 0x90 : 0x80;
        buf[o++] = 0xe0;
        buf[o++] = st.pictureId & 0x7f;
        buf[o++] = st.tl0;
        buf[o++] = 0x20; // TID 0, layer sync
        piece.copy(buf, o);
        out.push(buf);
      });
    });
    return out;
  }

  /** RTCP sender reports for every stream (what a browser sends about once a second). */
  senderReports(nowMs: number, rtpTimestamps: { audio: number; video: number }): Buffer[] {
    const sr = (ssrc: number, ts: number) => senderReport(ssrc, nowMs, ts);
    return [
      sr(PROFILE.audio.ssrc, rtpTimestamps.audio),
      ...PROFILE.video.layers.map((l) => sr(l.ssrc, rtpTimestamps.video)),
    ];
  }
}

/** An RTCP sender report (no report blocks) for `ssrc` at wall clock `nowMs` and RTP time `rtpTimestamp`. */
export function senderReport(ssrc: number, nowMs: number, rtpTimestamp: number): Buffer {
  const ntpSec = Math.floor(nowMs / 1000) + 2208988800;
  const ntpFrac = Math.floor(((nowMs % 1000) / 1000) * 0x1_0000_0000);
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b.writeUInt32BE(ntpSec >>> 0, 8);
  b.writeUInt32BE(ntpFrac >>> 0, 12);
  b.writeUInt32BE(rtpTimestamp >>> 0, 16);
  return b;
}
