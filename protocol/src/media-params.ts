// zod shapes of the mediasoup parameters that cross the wire. They check the
// structure a browser must send (types, ranges, required fields) so that a
// malformed SDP-derived object is refused with a field name before it reaches
// the worker; mediasoup's own validation still runs afterwards.
import { z } from 'zod';

const MediaKind = z.enum(['audio', 'video']);

const RtcpFeedback = z.looseObject({ type: z.string().max(64), parameter: z.string().max(64).optional() });

const CodecParameters = z.record(z.string().max(64), z.union([z.string().max(256), z.number()]));

export const RtpCodecCapability = z.looseObject({
  kind: MediaKind,
  mimeType: z.string().regex(/^(audio|video)\/[\w.-]+$/i, 'must look like audio/opus or video/VP8'),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(8).optional(),
  parameters: CodecParameters.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
});

const HeaderExtensionCapability = z.looseObject({
  kind: MediaKind,
  uri: z.string().max(256),
  preferredId: z.number().int().min(1).max(255),
  preferredEncrypt: z.boolean().optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
});

export const RtpCapabilities = z.looseObject({
  codecs: z.array(RtpCodecCapability).max(64).optional(),
  headerExtensions: z.array(HeaderExtensionCapability).max(64).optional(),
});

const RtpCodecParameters = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[\w.-]+$/i, 'must look like audio/opus or video/VP8'),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().max(8).optional(),
  parameters: CodecParameters.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
});

const RtpEncoding = z.looseObject({
  ssrc: z.number().int().nonnegative().max(0xffffffff).optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: z.number().int().min(0).max(127).optional(),
  rtx: z.looseObject({ ssrc: z.number().int().nonnegative().max(0xffffffff) }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  scaleResolutionDownBy: z.number().positive().optional(),
  maxBitrate: z.number().positive().optional(),
});

export const RtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(RtpCodecParameters).min(1).max(32),
  headerExtensions: z
    .array(
      z.looseObject({
        uri: z.string().max(256),
        id: z.number().int().min(1).max(255),
        encrypt: z.boolean().optional(),
      }),
    )
    .max(32)
    .optional(),
  encodings: z.array(RtpEncoding).max(8).optional(),
  rtcp: z
    .looseObject({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional() })
    .optional(),
});

export const DtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().regex(/^([0-9A-Fa-f]{2}:)+[0-9A-Fa-f]{2}$/, 'must be colon-separated hex'),
      }),
    )
    .min(1)
    .max(8),
});

export const SctpCapabilities = z.looseObject({
  numStreams: z.looseObject({
    OS: z.number().int().min(1).max(65535),
    MIS: z.number().int().min(1).max(65535),
  }),
});

export const SctpStreamParameters = z.looseObject({
  streamId: z.number().int().min(0).max(65534),
  ordered: z.boolean().optional(),
  maxPacketLifeTime: z.number().int().nonnegative().optional(),
  maxRetransmits: z.number().int().nonnegative().optional(),
});
