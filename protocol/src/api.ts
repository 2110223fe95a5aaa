// REST request/response bodies of the cloud (`/api/v1/...`), shared by the
// server (validation + OpenAPI) and the React client. Errors are always
// `ErrorBody` from errors.ts.
import { z } from 'zod';
import { RunningConfig } from './edge-link.ts';
import { PRODUCT_ID_PATTERN, RISK_LEVELS } from './products.ts';
import { CallRole, StaffRole } from './roles.ts';

export const API_PREFIX = '/api/v1';

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only');

// ---- health --------------------------------------------------------------------------

export const Health = z.object({ status: z.literal('ok'), instanceId: z.string(), uptimeS: z.number() });
export const ReadyCheck = z.object({
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
});
export const Readiness = z.object({
  ready: z.boolean(),
  instanceId: z.string(),
  checks: z.record(z.string(), ReadyCheck),
});
export type Readiness = z.infer<typeof Readiness>;

// ---- identity ------------------------------------------------------------------------

export const Permission = z.enum([
  'call:start',
  'call:join',
  'call:observe',
  'call:read',
  'call:invite',
  'dispatch:request',
  'dispatch:accept',
  'presence:set',
  'branch:read',
  'edge:manage',
  'deploy:manage',
  'staff:manage',
  'events:read',
]);
export type Permission = z.infer<typeof Permission>;

export const StaffProfile = z.object({
  id: Id,
  displayName: z.string(),
  role: StaffRole,
  branchId: z.string().optional(),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  maxConcurrentCalls: z.number().int().positive(),
  permissions: z.array(Permission),
});
export type StaffProfile = z.infer<typeof StaffProfile>;

export const LoginRequest = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export const TokenPair = z.object({
  accessToken: z.string(),
  /** Opaque, single-use: `POST /auth/refresh` swaps it for a new pair. */
  refreshToken: z.string(),
  expiresInS: z.number(),
});
export const LoginResponse = TokenPair.extend({ user: StaffProfile });
export type LoginResponse = z.infer<typeof LoginResponse>;
export const RefreshRequest = z.object({ refreshToken: z.string().min(16).max(256) });

export const CreateStaffRequest = z.object({
  username: Id,
  password: z.string().min(8).max(256),
  displayName: z.string().min(1).max(120),
  role: StaffRole,
  branchId: z.string().optional(),
  skills: z.array(z.string().min(1).max(64)).max(50).default([]),
  languages: z.array(z.string().min(2).max(16)).max(20).default([]),
  maxConcurrentCalls: z.number().int().positive().max(10).default(1),
});
export type CreateStaffRequest = z.input<typeof CreateStaffRequest>;

// ---- branches ------------------------------------------------------------------------

export const Branch = z.object({
  id: Id,
  name: z.string().min(1).max(120),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  address: z.string().max(300).optional(),
});
export type Branch = z.infer<typeof Branch>;
export const UpsertBranchRequest = Branch.omit({ id: true });

export const BranchRecommendationQuery = z.object({
  lat: z.coerce.number().min(-90).max(90),
  lon: z.coerce.number().min(-180).max(180),
  limit: z.coerce.number().int().positive().max(50).default(5),
  maxDistanceKm: z.coerce.number().positive().max(20_000).optional(),
});
export const BranchRecommendation = z.object({
  branchId: z.string(),
  name: z.string(),
  distanceKm: z.number(),
  /** 0 idle … 1 saturated, from the branch's online edges; null when no edge reports it. */
  busyness: z.number().nullable(),
  online: z.boolean(),
  /** Lower is better: distance plus a busyness penalty (see docs/cloud.md). */
  cost: z.number(),
});
export type BranchRecommendation = z.infer<typeof BranchRecommendation>;
export const BranchRecommendationResponse = z.object({
  best: BranchRecommendation.nullable(),
  candidates: z.array(BranchRecommendation),
});

// ---- edges & rollout -----------------------------------------------------------------

export const RegisterEdgeRequest = z.object({ edgeId: Id, branchId: Id });
export const EdgeKeyResponse = z.object({
  edgeId: z.string(),
  key: z.string(),
  keyVersion: z.number().int(),
});

export const EdgeSummary = z.object({
  edgeId: z.string(),
  branchId: z.string(),
  online: z.boolean(),
  version: z.string().optional(),
  publicUrl: z.string().optional(),
  lastHeartbeatAt: z.number().optional(),
  capacity: z.object({ maxCalls: z.number(), workers: z.number() }).optional(),
  load: z
    .object({
      calls: z.number(),
      participants: z.number(),
      cpuPercent: z.number(),
      workers: z.array(z.unknown()),
    })
    .optional(),
  busyness: z
    .object({ score: z.number(), activeCalls: z.number(), queueLength: z.number() })
    .loose()
    .optional(),
  desired: RunningConfig.optional(),
  running: RunningConfig.optional(),
});
export type EdgeSummary = z.infer<typeof EdgeSummary>;

/** Values set to null remove the entry from the edge's desired config. */
export const ConfigChange = z.object({
  rulePacks: z.record(z.string(), z.string().nullable()).optional(),
  models: z.record(z.string(), z.string().nullable()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type ConfigChange = z.infer<typeof ConfigChange>;

export const CreateDeploymentRequest = z.object({
  edgeIds: z.array(Id).min(1).max(500),
  change: ConfigChange,
  note: z.string().max(500).optional(),
});

export const DeploymentTargetStatus = z.enum(['pending', 'applied', 'failed']);
export const DeploymentTarget = z.object({
  edgeId: z.string(),
  fromRevision: z.number().int(),
  toRevision: z.number().int(),
  status: DeploymentTargetStatus,
  error: z.string().optional(),
  updatedAt: z.number(),
});
export type DeploymentTarget = z.infer<typeof DeploymentTarget>;
export const Deployment = z.object({
  id: z.string(),
  kind: z.enum(['rollout', 'rollback']),
  rollbackOf: z.string().optional(),
  createdAt: z.number(),
  createdBy: z.string(),
  note: z.string().optional(),
  change: ConfigChange,
  targets: z.array(DeploymentTarget),
  /** Derived: completed when every target applied; failed when any failed; else in-progress. */
  status: z.enum(['in-progress', 'completed', 'failed']),
});
export type Deployment = z.infer<typeof Deployment>;

// ---- calls ---------------------------------------------------------------------------

/** A rule-pack id (protocol/src/products.ts); the cloud checks it is known at the call's branch. */
export const ProductId = z.string().min(1).max(64).regex(PRODUCT_ID_PATTERN, 'a rule pack id');
export const RiskLevel = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevel>;

export const StartCallRequest = z.object({
  /** What is being sold = the compliance rule pack the edge checks the call against. */
  product: ProductId.optional(),
  /** The customer's assessed risk tolerance, when known at the start. */
  customerRiskLevel: RiskLevel.optional(),
  /** Free-text note. Older clients put the product id here: a built-in pack id is taken as the product. */
  topic: z.string().max(200).optional(),
  allowRemoteCustomer: z.boolean().default(false),
});
export const CallStatus = z.enum(['active', 'ended']);
export const Call = z.object({
  id: z.string(),
  branchId: z.string(),
  edgeId: z.string(),
  status: CallStatus,
  createdAt: z.number(),
  createdBy: z.string(),
  endedAt: z.number().optional(),
  /** Absent only for calls started with no product (the edge then uses its default pack). */
  product: z.string().optional(),
  customerRiskLevel: RiskLevel.optional(),
  topic: z.string().optional(),
  allowRemoteCustomer: z.boolean(),
  edgeOnline: z.boolean(),
});
export type Call = z.infer<typeof Call>;
export const CallParticipant = z.object({
  id: z.string(),
  role: CallRole,
  displayName: z.string(),
  userId: z.string().optional(),
  joinedAt: z.number(),
});
export type CallParticipant = z.infer<typeof CallParticipant>;
export const CallDetail = Call.extend({ participants: z.array(CallParticipant) });
export type CallDetail = z.infer<typeof CallDetail>;

export const CallEventType = z.enum([
  'call.started',
  'call.ended',
  'call.edge-offline',
  'call.edge-online',
  'participant.joined',
  'participant.left',
  'alert.raised',
  'report.ready',
  'dispatch.requested',
  'dispatch.assigned',
  'dispatch.cancelled',
]);
export type CallEventType = z.infer<typeof CallEventType>;
export const CallEvent = z.object({
  /** Redis stream entry id: orders events and lets a dashboard resume. */
  id: z.string(),
  callId: z.string(),
  type: CallEventType,
  at: z.number(),
  data: z.record(z.string(), z.unknown()),
});
export type CallEvent = z.infer<typeof CallEvent>;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
/** Where and how a participant reaches the edge hosting a call (media always goes there directly). */
export const EdgeAccess = z.object({
  edgeId: z.string(),
  publicUrl: z.string(),
  iceServers: z.array(IceServer),
  /** Join token (ES256, audience `edge:<edgeId>`) for the edge's own signaling. */
  joinToken: z.string(),
});
export type EdgeAccess = z.infer<typeof EdgeAccess>;
export const DirectJoinResponse = z.object({
  callId: z.string(),
  participantId: z.string(),
  role: CallRole,
  edge: EdgeAccess,
  expiresInS: z.number(),
});

export const CreateInviteRequest = z.object({
  ttlS: z.number().int().min(30).max(86_400).default(900),
  displayName: z.string().min(1).max(120).default('Customer'),
});
export const InviteResponse = z.object({
  inviteId: z.string(),
  token: z.string(),
  /** Link for the customer (encode as QR code on the manager's screen). */
  url: z.string(),
  expiresAt: z.number(),
});
export const RedeemInviteRequest = z.object({ token: z.string().min(10).max(4096) });
export const RedeemInviteResponse = z.object({
  /** Call-scoped customer token: `auth.token` on the `/client` namespace. */
  token: z.string(),
  callId: z.string(),
  participantId: z.string(),
  displayName: z.string(),
  expiresInS: z.number(),
});

// ---- dispatch ------------------------------------------------------------------------

export const Urgency = z.enum(['low', 'normal', 'high', 'critical']);
export type Urgency = z.infer<typeof Urgency>;
export const DispatchRequestInput = z.object({
  callId: z.string().min(1),
  /** Defaults to the skill of the call's product (PRODUCT_SKILL); required when that has none. */
  skill: z.string().min(1).max(64).optional(),
  language: z.string().min(2).max(16).optional(),
  urgency: Urgency.default('normal'),
  note: z.string().max(500).optional(),
});
export type DispatchRequestInput = z.input<typeof DispatchRequestInput>;
export const DispatchState = z.enum(['queued', 'offered', 'assigned', 'cancelled']);
export const DispatchStatus = z.object({
  requestId: z.string(),
  callId: z.string(),
  branchId: z.string(),
  /** The branch's display name, when the branch has a record. */
  branchName: z.string().optional(),
  /** From the call: what is being sold and the customer's risk level (the expert's context). */
  product: z.string().optional(),
  customerRiskLevel: RiskLevel.optional(),
  skill: z.string(),
  language: z.string().optional(),
  urgency: Urgency,
  note: z.string().optional(),
  status: DispatchState,
  createdAt: z.number(),
  attempts: z.number().int(),
  /** 1-based place among queued requests; absent once offered/assigned. */
  position: z.number().int().positive().optional(),
  /** Estimated seconds until an expert is assigned; null when no expert with the skill is online. */
  etaS: z.number().nullable().optional(),
  expertId: z.string().optional(),
  expertName: z.string().optional(),
});
export type DispatchStatus = z.infer<typeof DispatchStatus>;
