// Edge ↔ cloud messages on the cloud's socket.io namespace `/edge`. The edge
// dials out (it sits behind the branch's NAT) with an edge JWT in `auth.token`,
// obtained from `POST /api/v1/edges/auth` with its per-edge key.
//
// Besides registry/heartbeat/rollout, the link carries the *relay* for remote
// participants: the cloud forwards a remote participant's signaling request to
// the edge hosting the call and hands back the edge's answer; the edge pushes
// notifications for a participant back through the cloud. The relay is
// payload-agnostic — the signaling methods themselves live in `signaling.ts`.
import { z } from 'zod';
import type { ArchiveCloudToEdgeEvents, ArchiveEdgeToCloudEvents } from './archive.ts';
import type { Ack } from './errors.ts';
import { RISK_LEVELS } from './products.ts';
import { CallRole } from './roles.ts';

export const EDGE_NAMESPACE = '/edge';

export const EdgeAuthRequest = z.object({
  edgeId: z.string().min(1).max(64),
  key: z.string().min(16).max(256),
});
export const EdgeAuthResponse = z.object({ token: z.string(), expiresInS: z.number() });

/** Versions of what the edge runs or should run: rule packs and models by id. */
export const RunningConfig = z.object({
  revision: z.number().int().nonnegative(),
  rulePacks: z.record(z.string(), z.string()),
  models: z.record(z.string(), z.string()),
  settings: z.record(z.string(), z.unknown()),
});
export type RunningConfig = z.infer<typeof RunningConfig>;

export const EdgeHello = z.object({
  edgeId: z.string(),
  branchId: z.string(),
  version: z.string(),
  /** Where browsers reach this edge's signaling and media (announced, public side of NAT). */
  publicUrl: z.string(),
  capacity: z.object({ maxCalls: z.number().int().positive(), workers: z.number().int().positive() }),
  running: RunningConfig,
  transcriptionEngine: z.string(),
  /** TURN servers in front of this edge (coturn `use-auth-secret`); the cloud issues time-limited credentials. */
  turnUrls: z.array(z.string()).optional(),
});
export type EdgeHello = z.infer<typeof EdgeHello>;

export const WorkerLoad = z.object({ pid: z.number(), routers: z.number(), cpuPercent: z.number() });

export const EdgeHeartbeat = z.object({
  at: z.number(),
  load: z.object({
    calls: z.number().int().nonnegative(),
    participants: z.number().int().nonnegative(),
    cpuPercent: z.number().nonnegative(),
    workers: z.array(WorkerLoad),
  }),
  /** 0 (idle) … 1 (saturated): active calls, queue at the branch, people waiting in the lobby. */
  busyness: z.object({
    score: z.number().min(0).max(1),
    activeCalls: z.number().int().nonnegative(),
    queueLength: z.number().int().nonnegative(),
    lobbyCount: z.number().int().nonnegative().optional(),
  }),
});
export type EdgeHeartbeat = z.infer<typeof EdgeHeartbeat>;

/** Cloud → edge: what the edge should run. The edge answers with `edge:config-applied`. */
export const DesiredConfig = RunningConfig;
export const ConfigApplied = z.object({
  revision: z.number().int(),
  ok: z.boolean(),
  error: z.string().optional(),
});
export type ConfigApplied = z.infer<typeof ConfigApplied>;

/** Ack of `edge:hello`. `heartbeatIntervalMs`: how often the cloud expects `edge:heartbeat`. */
export interface EdgeHelloAck {
  ok: boolean;
  desired?: RunningConfig;
  error?: string;
  heartbeatIntervalMs?: number;
  /** PEM (ES256 public key) that verifies participants' join tokens (audience `edge:<edgeId>`). */
  callTokenPublicKey?: string;
}

// ---- Relay for remote participants -------------------------------------------------

/** A remote participant as the edge sees it. `id` is unique per join (one person may join twice). */
export const RelayParticipant = z.object({
  id: z.string().min(1).max(64),
  role: CallRole,
  displayName: z.string().max(120),
  /** Staff user id; absent for customers. */
  userId: z.string().optional(),
});
export type RelayParticipant = z.infer<typeof RelayParticipant>;

/** Cloud → edge: a remote participant joined call `callId` through the cloud. Ack: edge-defined join data. */
export const RelayOpen = z.object({ callId: z.string(), participant: RelayParticipant });
export type RelayOpen = z.infer<typeof RelayOpen>;

/** Cloud → edge: one signaling request from a remote participant; the ack carries the edge's answer verbatim. */
export const RelayRequest = z.object({
  callId: z.string(),
  participant: RelayParticipant,
  request: z.unknown(),
});
export type RelayRequest = z.infer<typeof RelayRequest>;

/** Cloud → edge: the remote participant left (or its socket dropped); the edge closes its transports. */
export const RelayClose = z.object({ callId: z.string(), participantId: z.string(), reason: z.string() });
export type RelayClose = z.infer<typeof RelayClose>;

/** Edge → cloud: a notification for one remote participant; delivered as `call:notify`. */
export const RelayNotify = z.object({
  callId: z.string(),
  participantId: z.string(),
  notification: z.unknown(),
});
export type RelayNotify = z.infer<typeof RelayNotify>;

/** Cloud → edge: a call was started at this edge's branch and assigned to it. */
export const CallAssigned = z.object({
  callId: z.string(),
  branchId: z.string(),
  createdBy: z.string(),
  createdAt: z.number(),
  /** The rule pack to check the call against (absent: the edge's default pack). */
  product: z.string().optional(),
  /** The customer's assessed risk level as declared at the start, when known. */
  customerRiskLevel: z.enum(RISK_LEVELS).optional(),
  /** Free-text note; older clouds sent the product here (see `productOf`). */
  topic: z.string().optional(),
});
export type CallAssigned = z.infer<typeof CallAssigned>;

export const CallEnded = z.object({ callId: z.string(), reason: z.string() });
export type CallEnded = z.infer<typeof CallEnded>;

/** Edge → cloud: something happened in a call the cloud should log and push to dashboards. */
export const EdgeCallEventType = z.enum([
  'alert.raised',
  'report.ready',
  'participant.joined',
  'participant.left',
]);
export const EdgeCallEvent = z.object({
  callId: z.string(),
  type: EdgeCallEventType,
  data: z.record(z.string(), z.unknown()).default({}),
});
export type EdgeCallEvent = z.infer<typeof EdgeCallEvent>;

/** Archive events (outbox delivery, commands, playback reads) are declared in archive.ts. */
export interface EdgeToCloudEvents extends ArchiveEdgeToCloudEvents {
  'edge:hello': (hello: EdgeHello, ack: (res: EdgeHelloAck) => void) => void;
  'edge:heartbeat': (hb: EdgeHeartbeat) => void;
  'edge:config-applied': (msg: ConfigApplied) => void;
  'relay:notify': (msg: RelayNotify) => void;
  'call:event': (msg: EdgeCallEvent, ack?: (res: Ack<null>) => void) => void;
}

export interface CloudToEdgeEvents extends ArchiveCloudToEdgeEvents {
  'edge:config': (desired: RunningConfig) => void;
  'relay:open': (msg: RelayOpen, ack: (res: Ack<unknown>) => void) => void;
  'relay:request': (msg: RelayRequest, ack: (res: Ack<unknown>) => void) => void;
  'relay:close': (msg: RelayClose) => void;
  'call:assigned': (msg: CallAssigned) => void;
  'call:ended': (msg: CallEnded) => void;
}
