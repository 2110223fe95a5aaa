// Just enough SDP for a Janus VideoRoom subscription: read Janus' offer (DTLS
// fingerprint, and per m-line: mid, codecs, the SSRC Janus sends with) and write
// the answer of an ICE-lite, DTLS-client, receive-only endpoint — a mediasoup
// WebRtcTransport on the benchmark's client worker. The answer keeps NACK/PLI/FIR
// feedback and rtx (as the benchmark's receivers declare to BranchEdge's SFU) and
// no header extensions, no transport-cc, no REMB.
import type { types } from 'mediasoup';

export interface OfferedCodec {
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number;
  fmtp?: string;
  feedback: string[];
}

export interface OfferedMedia {
  kind: 'audio' | 'video';
  mid: string;
  port: number;
  protocol: string;
  codecs: OfferedCodec[];
  /** The media SSRC (first of an FID group). */
  ssrc?: number;
}

export interface ParsedOffer {
  fingerprint: { algorithm: string; value: string };
  media: OfferedMedia[];
}

export function parseOffer(sdp: string): ParsedOffer {
  const lines = sdp.split(/\r?\n/).filter(Boolean);
  let fingerprint: ParsedOffer['fingerprint'] | undefined;
  const media: OfferedMedia[] = [];
  let current: (OfferedMedia & { fid?: number }) | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      const [kind, port, protocol, ...pts] = line.slice(2).split(' ');
      current = {
        kind: kind as 'audio' | 'video',
        mid: '',
        port: Number(port),
        protocol: protocol ?? '',
        codecs: pts.map((pt) => ({ payloadType: Number(pt), mimeType: '', clockRate: 0, feedback: [] })),
      };
      media.push(current);
      continue;
    }
    const fp = /^a=fingerprint:(\S+) (\S+)/.exec(line);
    if (fp) fingerprint = { algorithm: fp[1]!.toLowerCase(), value: fp[2]! };
    if (!current) continue;
    const codec = (pt: string) => current!.codecs.find((c) => c.payloadType === Number(pt));
    let m: RegExpExecArray | null;
    if ((m = /^a=mid:(\S+)/.exec(line))) current.mid = m[1]!;
    else if ((m = /^a=rtpmap:(\d+) ([^/]+)\/(\d+)(?:\/(\d+))?/.exec(line))) {
      const c = codec(m[1]!);
      if (c) {
        c.mimeType = `${current.kind}/${m[2]}`;
        c.clockRate = Number(m[3]);
        if (m[4]) c.channels = Number(m[4]);
      }
    } else if ((m = /^a=fmtp:(\d+) (.*)$/.exec(line))) {
      const c = codec(m[1]!);
      if (c) c.fmtp = m[2]!;
    } else if ((m = /^a=rtcp-fb:(\d+) (.*)$/.exec(line))) {
      const c = codec(m[1]!);
      if (c) c.feedback.push(m[2]!);
    } else if ((m = /^a=ssrc-group:FID (\d+)/.exec(line))) current.fid = Number(m[1]);
    else if ((m = /^a=ssrc:(\d+) /.exec(line)) && current.ssrc === undefined) current.ssrc = Number(m[1]);
  }
  for (const m of media as Array<OfferedMedia & { fid?: number }>) {
    if (m.fid !== undefined) m.ssrc = m.fid;
    delete m.fid;
  }
  if (!fingerprint) throw new Error('offer has no DTLS fingerprint');
  return { fingerprint, media };
}

/** The codecs the receiver accepts from one offered m-line: Opus or VP8, plus VP8's rtx. */
export function acceptedCodecs(m: OfferedMedia): OfferedCodec[] {
  const main = m.codecs.find((c) => /^(audio\/opus|video\/VP8)$/i.test(c.mimeType));
  if (!main) return [];
  const rtx = m.codecs.find((c) => /\/rtx$/i.test(c.mimeType) && c.fmtp?.includes(`apt=${main.payloadType}`));
  return rtx ? [main, rtx] : [main];
}

export function buildAnswer(
  offer: ParsedOffer,
  local: {
    iceParameters: types.IceParameters;
    iceCandidates: types.IceCandidate[];
    dtlsParameters: types.DtlsParameters;
  },
): string {
  const fp =
    local.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
    local.dtlsParameters.fingerprints[0]!;
  const candidates = local.iceCandidates.map(
    (c) => `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ ${c.type}`,
  );
  const out = [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${offer.media.map((m) => m.mid).join(' ')}`,
    'a=ice-lite',
    'a=msid-semantic: WMS *',
  ];
  for (const m of offer.media) {
    const codecs = acceptedCodecs(m);
    if (codecs.length === 0) {
      out.push(
        `m=${m.kind} 0 ${m.protocol} ${m.codecs[0]?.payloadType ?? 0}`,
        `a=mid:${m.mid}`,
        'a=inactive',
      );
      continue;
    }
    out.push(
      `m=${m.kind} 9 ${m.protocol} ${codecs.map((c) => c.payloadType).join(' ')}`,
      'c=IN IP4 127.0.0.1',
      `a=mid:${m.mid}`,
      'a=recvonly',
      'a=rtcp-mux',
    );
    out.push(
      `a=ice-ufrag:${local.iceParameters.usernameFragment}`,
      `a=ice-pwd:${local.iceParameters.password}`,
      `a=fingerprint:${fp.algorithm} ${fp.value}`,
      'a=setup:active',
    );
    for (const c of codecs) {
      out.push(
        `a=rtpmap:${c.payloadType} ${c.mimeType.split('/')[1]}/${c.clockRate}${c.channels ? `/${c.channels}` : ''}`,
      );
      if (c.fmtp) out.push(`a=fmtp:${c.payloadType} ${c.fmtp}`);
      for (const f of c.feedback.filter((f) => /^(nack|nack pli|ccm fir)$/.test(f)))
        out.push(`a=rtcp-fb:${c.payloadType} ${f}`);
    }
    out.push(...candidates, 'a=end-of-candidates');
  }
  return `${out.join('\r\n')}\r\n`;
}

/** What the client worker's Producer must accept for one offered m-line. */
export function receiveParameters(m: OfferedMedia): types.RtpParameters {
  const [main] = acceptedCodecs(m);
  if (!main || m.ssrc === undefined) throw new Error(`m-line ${m.mid} has no usable codec or ssrc`);
  return {
    mid: m.mid,
    codecs: [
      {
        mimeType: main.mimeType,
        payloadType: main.payloadType,
        clockRate: main.clockRate,
        ...(main.channels ? { channels: main.channels } : {}),
      },
    ],
    encodings: [{ ssrc: m.ssrc }],
    headerExtensions: [],
    rtcp: { cname: 'janus', reducedSize: true },
  };
}
