// Participant ↔ edge SFU signaling. The same messages travel over the edge's
// own socket.io namespace (`/sfu`, in-branch devices) and through the cloud
// relay (remote experts): the room never knows which path a participant took.
//
// Requests are a union on `method` and always get an answer (Ack); the edge
// pushes notifications, a union on `type`, that need none. Consumers are
// created paused and resumed by the client once its track exists (mediasoup's
// recommended order), so no server → client request is needed.
import { z } from 'zod';
import {
  DtlsParameters,
  RtpCapabilities,
  RtpParameters,
  SctpCapabilities,
  SctpStreamParameters,
} from './media-params.ts';
import { CallRole } from './roles.ts';
import { ChecklistItem, ComplianceAlert, TranscriptSegment } from './events.ts';

export const SFU_NAMESPACE = '/sfu';

const Id = z.string().min(1).max(64);

/** What a producer carries; decides permissions and the layout on screens. */
export const MediaSource = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof MediaSource>;

/** Data channels: annotations (expert's marks over the video) and chat. */
export const DataChannelLabel = z.enum(['annotations', 'chat']);
export type DataChannelLabel = z.infer<typeof DataChannelLabel>;

export const SignalRequest = z.discriminatedUnion('method', [
  z.object({ method: z.literal('getRouterRtpCapabilities'), data: z.object({}).optional() }),
  z.object({
    method: z.literal('join'),
    data: z.object({
      displayName: z.string().min(1).max(80),
      rtpCapabilities: RtpCapabilities,
      sctpCapabilities: SctpCapabilities.optional(),
      device: z
        .object({
          kind: z.enum(['browser', 'tablet', 'ar-glasses', 'booth', 'bot']),
          name: z.string().max(80),
        })
        .optional(),
    }),
  }),
  z.object({
    method: z.literal('createWebRtcTransport'),
    data: z.object({
      direction: z.enum(['send', 'recv']),
      sctpCapabilities: SctpCapabilities.optional(),
      forceTcp: z.boolean().optional(),
    }),
  }),
  z.object({
    method: z.literal('connectWebRtcTransport'),
    data: z.object({ transportId: Id, dtlsParameters: DtlsParameters }),
  }),
  z.object({ method: z.literal('restartIce'), data: z.object({ transportId: Id }) }),
  z.object({
    method: z.literal('produce'),
    data: z.object({
      transportId: Id,
      kind: z.enum(['audio', 'video']),
      rtpParameters: RtpParameters,
      source: MediaSource,
    }),
  }),
  z.object({ method: z.literal('closeProducer'), data: z.object({ producerId: Id }) }),
  z.object({ method: z.literal('pauseProducer'), data: z.object({ producerId: Id }) }),
  z.object({ method: z.literal('resumeProducer'), data: z.object({ producerId: Id }) }),
  z.object({ method: z.literal('pauseConsumer'), data: z.object({ consumerId: Id }) }),
  z.object({ method: z.literal('resumeConsumer'), data: z.object({ consumerId: Id }) }),
  z.object({
    method: z.literal('setConsumerPreferredLayers'),
    data: z.object({
      consumerId: Id,
      spatialLayer: z.number().int().min(0).max(2),
      temporalLayer: z.number().int().min(0).max(2).optional(),
    }),
  }),
  z.object({
    /** The subscriber's view of a video: the edge picks the simulcast layer from size and bandwidth. */
    method: z.literal('setConsumerViewport'),
    data: z.object({
      consumerId: Id,
      width: z.number().int().min(0).max(7680),
      height: z.number().int().min(0).max(4320),
    }),
  }),
  z.object({
    method: z.literal('produceData'),
    data: z.object({
      transportId: Id,
      sctpStreamParameters: SctpStreamParameters,
      label: DataChannelLabel,
      protocol: z.string().max(32).optional(),
    }),
  }),
  z.object({ method: z.literal('getStats'), data: z.object({}).optional() }),
  z.object({ method: z.literal('leave'), data: z.object({}).optional() }),
]);
export type SignalRequest = z.infer<typeof SignalRequest>;
export type SignalMethod = SignalRequest['method'];

export const PeerInfo = z.object({
  peerId: z.string(),
  role: CallRole,
  displayName: z.string(),
  device: z.string().optional(),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

export const TransportOptions = z.object({
  id: z.string(),
  iceParameters: z.unknown(),
  iceCandidates: z.array(z.unknown()),
  dtlsParameters: z.unknown(),
  sctpParameters: z.unknown().optional(),
});

/** Answers, by method. */
export interface SignalResponses {
  getRouterRtpCapabilities: { rtpCapabilities: z.infer<typeof RtpCapabilities> };
  join: { peerId: string; role: CallRole; callId: string; peers: PeerInfo[]; callStartedAt: number };
  createWebRtcTransport: z.infer<typeof TransportOptions>;
  connectWebRtcTransport: Record<string, never>;
  restartIce: { iceParameters: unknown };
  produce: { producerId: string };
  closeProducer: Record<string, never>;
  pauseProducer: Record<string, never>;
  resumeProducer: Record<string, never>;
  pauseConsumer: Record<string, never>;
  resumeConsumer: Record<string, never>;
  setConsumerPreferredLayers: Record<string, never>;
  setConsumerViewport: { spatialLayer: number };
  produceData: { dataProducerId: string };
  getStats: { transports: unknown[] };
  leave: Record<string, never>;
}

export const SignalNotification = z.discriminatedUnion('type', [
  z.object({ type: z.literal('peerJoined'), peer: PeerInfo }),
  z.object({ type: z.literal('peerLeft'), peerId: z.string() }),
  z.object({
    type: z.literal('newConsumer'),
    peerId: z.string(),
    producerId: z.string(),
    consumerId: z.string(),
    kind: z.enum(['audio', 'video']),
    source: MediaSource,
    rtpParameters: z.unknown(),
    producerPaused: z.boolean(),
  }),
  z.object({
    type: z.literal('newDataConsumer'),
    peerId: z.string(),
    dataProducerId: z.string(),
    dataConsumerId: z.string(),
    label: DataChannelLabel,
    protocol: z.string(),
    sctpStreamParameters: z.unknown(),
  }),
  z.object({ type: z.literal('consumerClosed'), consumerId: z.string() }),
  z.object({ type: z.literal('consumerPaused'), consumerId: z.string() }),
  z.object({ type: z.literal('consumerResumed'), consumerId: z.string() }),
  z.object({
    type: z.literal('consumerLayersChanged'),
    consumerId: z.string(),
    spatialLayer: z.number().nullable(),
  }),
  z.object({ type: z.literal('activeSpeaker'), peerId: z.string().nullable() }),
  /** The media server hosting the call failed: rejoin (same token) to continue. */
  z.object({ type: z.literal('reconnect'), reason: z.string() }),
  z.object({ type: z.literal('transcript'), segment: TranscriptSegment }),
  z.object({ type: z.literal('complianceAlert'), alert: ComplianceAlert }),
  z.object({ type: z.literal('checklist'), items: z.array(ChecklistItem) }),
  z.object({ type: z.literal('callEnded'), reason: z.string() }),
]);
export type SignalNotification = z.infer<typeof SignalNotification>;

/** socket.io event names on the edge's `/sfu` namespace. */
export const SFU_REQUEST_EVENT = 'sfu:request';
export const SFU_NOTIFY_EVENT = 'sfu:notify';

/** The join token a participant presents (socket.io `auth.token`): minted by the cloud, verified by the edge. */
export const JoinClaims = z.object({
  sub: z.string().min(1),
  callId: z.string().min(1),
  role: CallRole,
  branchId: z.string(),
  name: z.string().optional(),
});
export type JoinClaims = z.infer<typeof JoinClaims>;
