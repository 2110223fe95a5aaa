// Client ↔ cloud socket.io events on the `/client` namespace: presence, expert
// dispatch, joining a call through the cloud (signaling relayed to the edge),
// and live dashboards. `auth.token` is a staff access JWT or the call-scoped
// customer token from `POST /api/v1/invites/redeem`. Every request event has an
// `Ack<T>` callback; names follow `topic:verb`.
import { z } from 'zod';
import {
  CallEvent,
  EdgeAccess,
  DispatchRequestInput,
  DispatchStatus,
  EdgeSummary,
  Call,
  Deployment,
  RiskLevel,
  Urgency,
} from './api.ts';
import type { Ack } from './errors.ts';
import { CallRole } from './roles.ts';

export const CLIENT_NAMESPACE = '/client';

// ---- presence ------------------------------------------------------------------------

/** What an expert chose. The effective status adds `offline` (no live connection) and `busy` when at capacity. */
export const PresenceChoice = z.enum(['available', 'busy', 'away']);
export const PresenceStatus = z.enum(['available', 'busy', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;
export const PresenceSet = z.object({ status: PresenceChoice });
export const ExpertPresence = z.object({
  expertId: z.string(),
  status: PresenceStatus,
  chosen: PresenceChoice,
  load: z.number().int().nonnegative(),
  maxLoad: z.number().int().positive(),
});
export type ExpertPresence = z.infer<typeof ExpertPresence>;

/** Counts of experts by effective status. */
export const PresenceCounts = z.object({
  available: z.number().int().nonnegative(),
  busy: z.number().int().nonnegative(),
  away: z.number().int().nonnegative(),
  offline: z.number().int().nonnegative(),
});
export type PresenceCounts = z.infer<typeof PresenceCounts>;
/** `GET /api/v1/presence` (ops): who is online now — every expert, per skill, and managers per branch. */
export const PresenceSnapshot = z.object({
  at: z.number(),
  experts: z.array(ExpertPresence),
  bySkill: z.array(PresenceCounts.extend({ skill: z.string() })),
  managers: z.array(
    z.object({
      branchId: z.string(),
      branchName: z.string().optional(),
      online: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
    }),
  ),
});
export type PresenceSnapshot = z.infer<typeof PresenceSnapshot>;

// ---- dispatch ------------------------------------------------------------------------

export const RequestRef = z.object({ requestId: z.string().min(1) });
export const DispatchOffer = z.object({
  requestId: z.string(),
  callId: z.string(),
  branchId: z.string(),
  branchName: z.string().optional(),
  /** The call's product (rule pack id) and the customer's risk level, when known. */
  product: z.string().optional(),
  customerRiskLevel: RiskLevel.optional(),
  skill: z.string(),
  language: z.string().optional(),
  urgency: Urgency,
  note: z.string().optional(),
  /** Epoch ms; after it the offer goes to the next expert and this expert is set `away`. */
  expiresAt: z.number(),
});
export type DispatchOffer = z.infer<typeof DispatchOffer>;
export const OfferWithdrawn = z.object({ requestId: z.string(), reason: z.enum(['timeout', 'cancelled']) });
export const DispatchAssignment = z.object({
  requestId: z.string(),
  callId: z.string(),
  branchId: z.string(),
});
export type DispatchAssignment = z.infer<typeof DispatchAssignment>;

// ---- calls through the cloud -----------------------------------------------------------

export const CallRef = z.object({ callId: z.string().min(1) });
export const CallJoinInfo = z.object({
  callId: z.string(),
  participantId: z.string(),
  role: CallRole,
  edge: EdgeAccess,
  /** The edge's answer to `relay:open` (edge-defined, e.g. router RTP capabilities). */
  join: z.unknown(),
});
export type CallJoinInfo = z.infer<typeof CallJoinInfo>;
export const CallSignal = z.object({ callId: z.string().min(1), request: z.unknown() });
export const CallNotify = z.object({ callId: z.string(), notification: z.unknown() });
export type CallNotify = z.infer<typeof CallNotify>;

// ---- dashboards ----------------------------------------------------------------------

/** `branch` (id = branchId; managers: own branch), `call` (id = callId), `ops` (edges, rollouts), `compliance` (all call events). */
export const DashboardScope = z.enum(['branch', 'call', 'ops', 'compliance']);
export const DashboardSubscribe = z.object({ scope: DashboardScope, id: z.string().optional() });
export const DashboardSnapshot = z.object({
  scope: DashboardScope,
  id: z.string().optional(),
  calls: z.array(Call),
  edges: z.array(EdgeSummary),
  queue: z.array(DispatchStatus),
  /** For `call` scope: the call's event log so far. */
  events: z.array(CallEvent),
});
export type DashboardSnapshot = z.infer<typeof DashboardSnapshot>;

export const AuthRefresh = z.object({ token: z.string().min(10) });

export interface ClientToCloudEvents {
  'auth:refresh': (msg: z.infer<typeof AuthRefresh>, ack: (res: Ack<{ expiresAt: number }>) => void) => void;
  'presence:set': (msg: z.infer<typeof PresenceSet>, ack: (res: Ack<ExpertPresence>) => void) => void;
  'dispatch:request': (msg: DispatchRequestInput, ack: (res: Ack<DispatchStatus>) => void) => void;
  'dispatch:cancel': (msg: z.infer<typeof RequestRef>, ack: (res: Ack<DispatchStatus>) => void) => void;
  'dispatch:accept': (msg: z.infer<typeof RequestRef>, ack: (res: Ack<DispatchAssignment>) => void) => void;
  'dispatch:decline': (msg: z.infer<typeof RequestRef>, ack: (res: Ack<null>) => void) => void;
  'call:join': (msg: z.infer<typeof CallRef>, ack: (res: Ack<CallJoinInfo>) => void) => void;
  'call:leave': (msg: z.infer<typeof CallRef>, ack: (res: Ack<null>) => void) => void;
  'call:signal': (msg: z.infer<typeof CallSignal>, ack: (res: Ack<unknown>) => void) => void;
  'dashboard:subscribe': (
    msg: z.infer<typeof DashboardSubscribe>,
    ack: (res: Ack<DashboardSnapshot>) => void,
  ) => void;
  'dashboard:unsubscribe': (msg: z.infer<typeof DashboardSubscribe>, ack: (res: Ack<null>) => void) => void;
}

export interface CloudToClientEvents {
  'presence:update': (p: ExpertPresence) => void;
  'dispatch:offer': (offer: DispatchOffer) => void;
  'dispatch:offer-withdrawn': (msg: z.infer<typeof OfferWithdrawn>) => void;
  /** To the requesting manager: state, live queue position and ETA. */
  'dispatch:update': (status: DispatchStatus) => void;
  'call:event': (event: CallEvent) => void;
  'call:notify': (msg: CallNotify) => void;
  'call:updated': (call: Call) => void;
  'edge:status': (edge: EdgeSummary) => void;
  'deployment:update': (d: Deployment) => void;
}
