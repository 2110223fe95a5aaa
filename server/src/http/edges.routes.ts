// Edge credentials, the edge registry view, and config rollouts/rollbacks.
import { z } from 'zod';
import {
  CreateDeploymentRequest,
  Deployment,
  EdgeKeyResponse,
  EdgeSummary,
  RegisterEdgeRequest,
} from '#protocol/api';
import { EdgeAuthRequest, EdgeAuthResponse } from '#protocol/edge-link';
import { AppError } from '#protocol/errors';
import { rooms } from '../realtime/notifier.ts';
import type { Services } from '../services.ts';
import type { ApiRouter } from './api-router.ts';
import { staffOf } from './principals.ts';

export async function edgeSummary(s: Services, edgeId: string): Promise<EdgeSummary> {
  const summary = await s.edges.summary(edgeId, await s.rollout.desired(edgeId));
  if (!summary) throw new AppError('not_found', `no edge ${edgeId}`);
  return summary;
}

/** Sends each target its new desired config and tells ops dashboards. */
async function push(s: Services, d: Deployment): Promise<void> {
  for (const t of d.targets) {
    const desired = await s.rollout.desired(t.edgeId);
    if (desired) s.notifier.toEdge(t.edgeId, { event: 'edge:config', msg: desired });
  }
  s.notifier.toClients([rooms.ops()], 'deployment:update', d);
}

export function edgeRoutes(api: ApiRouter, s: Services): void {
  const manage = { kinds: ['staff'] as const, permission: 'edge:manage' as const };
  const deploy = { kinds: ['staff'] as const, permission: 'deploy:manage' as const };

  api.add({
    method: 'post',
    path: '/edges/auth',
    tag: 'edges',
    summary: 'Edge login with its per-edge key: returns an edge JWT for the /edge socket.io namespace.',
    auth: 'public',
    body: EdgeAuthRequest,
    response: EdgeAuthResponse,
    handler: async ({ body, req }) => {
      await s.rate.hit(
        `edge-auth:${body.edgeId}:${req.ip}`,
        s.config.rate.edgeAuthMax,
        s.config.rate.windowS,
      );
      const edge = await s.edgeCredentials.authenticate(body.edgeId, body.key);
      const token = s.tokens.signEdge(
        { edgeId: edge.edgeId, branchId: edge.branchId, keyVersion: edge.keyVersion },
        s.config.edgeTokenTtlS,
      );
      return { token, expiresInS: s.config.edgeTokenTtlS };
    },
  });
  api.add({
    method: 'post',
    path: '/edges',
    tag: 'edges',
    summary: 'Register an edge for a branch; returns its key (shown once).',
    auth: manage,
    body: RegisterEdgeRequest,
    response: EdgeKeyResponse,
    status: 201,
    handler: async ({ body }) => {
      await s.branches.require(body.branchId);
      const { key, keyVersion } = await s.edgeCredentials.register(body.edgeId, body.branchId);
      return { edgeId: body.edgeId, key, keyVersion };
    },
  });
  api.add({
    method: 'post',
    path: '/edges/:edgeId/rotate-key',
    tag: 'edges',
    summary: 'Rotate an edge key: the old key and edge JWTs stop working; live connections are dropped.',
    auth: manage,
    response: EdgeKeyResponse,
    handler: async ({ params }) => {
      const { key, keyVersion } = await s.edgeCredentials.rotate(params.edgeId ?? '');
      s.notifier.disconnectEdge(params.edgeId ?? '');
      return { edgeId: params.edgeId ?? '', key, keyVersion };
    },
  });
  api.add({
    method: 'get',
    path: '/edges',
    tag: 'edges',
    summary: 'All edges: online state, load, busyness, desired vs running config.',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    response: z.array(EdgeSummary),
    handler: async () => Promise.all((await s.edgeCredentials.list()).map((e) => edgeSummary(s, e.edgeId))),
  });
  api.add({
    method: 'get',
    path: '/edges/:edgeId',
    tag: 'edges',
    summary: 'One edge.',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    response: EdgeSummary,
    handler: async ({ params }) => edgeSummary(s, params.edgeId ?? ''),
  });
  api.add({
    method: 'post',
    path: '/deployments',
    tag: 'deployments',
    summary: 'Roll a config change (rule packs, models, settings) out to chosen edges.',
    auth: deploy,
    body: CreateDeploymentRequest,
    response: Deployment,
    status: 201,
    handler: async ({ body, principal }) => {
      const d = await s.rollout.deploy({
        edgeIds: body.edgeIds,
        change: body.change,
        note: body.note,
        createdBy: staffOf(principal).userId,
      });
      await push(s, d);
      s.logger.info({ deploymentId: d.id, edges: body.edgeIds }, 'deployment created');
      return d;
    },
  });
  api.add({
    method: 'get',
    path: '/deployments',
    tag: 'deployments',
    summary: 'Recent deployments, newest first, with per-edge status.',
    auth: deploy,
    query: z.object({ limit: z.coerce.number().int().positive().max(500).default(50) }),
    response: z.array(Deployment),
    handler: async ({ query }) => s.rollout.list(query.limit),
  });
  api.add({
    method: 'get',
    path: '/deployments/:deploymentId',
    tag: 'deployments',
    summary: 'One deployment with per-edge status (pending / applied / failed).',
    auth: deploy,
    response: Deployment,
    handler: async ({ params }) => s.rollout.get(params.deploymentId ?? ''),
  });
  api.add({
    method: 'post',
    path: '/deployments/:deploymentId/rollback',
    tag: 'deployments',
    summary: "Restore each target's config from before the deployment (as a new revision).",
    auth: deploy,
    response: Deployment,
    status: 201,
    handler: async ({ params, principal }) => {
      const d = await s.rollout.rollback(params.deploymentId ?? '', staffOf(principal).userId);
      await push(s, d);
      s.logger.info({ deploymentId: d.id, rollbackOf: params.deploymentId }, 'rollback created');
      return d;
    },
  });
}
