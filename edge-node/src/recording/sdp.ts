// The SDP an ffmpeg recorder reads to receive one consumer's RTP from a
// mediasoup PlainTransport (RTP on `port`, RTCP on `port + 1`), and the
// container its segments go into.
import type { types } from 'mediasoup';

export interface RecorderCodec {
  kind: 'audio' | 'video';
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
}

export function codecOf(kind: 'audio' | 'video', rtp: types.RtpParameters): RecorderCodec {
  const codec = rtp.codecs.find((c) => !/\/(rtx|red|ulpfec)$/i.test(c.mimeType));
  if (!codec) throw new Error('consumer has no media codec');
  return {
    kind,
    mimeType: codec.mimeType,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(codec.channels ? { channels: codec.channels } : {}),
    ...(codec.parameters ? { parameters: codec.parameters } : {}),
  };
}

export function recorderSdp(codec: RecorderCodec, port: number, ip = '127.0.0.1'): string {
  const name = codec.mimeType.split('/')[1]!;
  const rtpmap = `${name}/${codec.clockRate}${codec.kind === 'audio' && codec.channels ? `/${codec.channels}` : ''}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    `o=- 0 0 IN IP4 ${ip}`,
    's=branchedge-recorder',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=${codec.kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\r\n');
}

/** WebM for VP8/VP9/AV1/Opus (plays in any browser); Matroska for anything else (H.264). */
export function containerFor(codec: RecorderCodec): { format: 'webm' | 'matroska'; ext: 'webm' | 'mkv' } {
  return /^(video\/(VP8|VP9|AV1)|audio\/opus)$/i.test(codec.mimeType)
    ? { format: 'webm', ext: 'webm' }
    : { format: 'matroska', ext: 'mkv' };
}
