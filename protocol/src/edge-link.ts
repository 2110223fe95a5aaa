// Edge ↔ cloud messages on the cloud's socket.io namespace `/edge`. The edge
// dials out (it sits behind the branch's NAT) with an edge JWT in `auth.token`,
// obtained from `POST /api/v1/edges/auth` with its per-edge key.
import { z } from 'zod';

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
export const ConfigApplied = z.object({ revision: z.number().int(), ok: z.boolean(), error: z.string().optional() });

export interface EdgeToCloudEvents {
  'edge:hello': (hello: EdgeHello, ack: (res: { ok: boolean; desired?: RunningConfig; error?: string }) => void) => void;
  'edge:heartbeat': (hb: EdgeHeartbeat) => void;
  'edge:config-applied': (msg: z.infer<typeof ConfigApplied>) => void;
}

export interface CloudToEdgeEvents {
  'edge:config': (desired: RunningConfig) => void;
}
