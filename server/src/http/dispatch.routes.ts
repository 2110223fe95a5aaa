// Expert dispatch over REST (the same operations exist as socket events, see
// protocol/src/control.ts) and branch routing for online requests.
import { z } from 'zod';
import {
  Branch,
  BranchRecommendationQuery,
  BranchRecommendationResponse,
  DispatchRequestInput,
  DispatchStatus,
  UpsertBranchRequest,
} from '#protocol/api';
import { rankBranches, type BranchLoad } from '../branches/routing.ts';
import { forbidden } from '../errors.ts';
import type { Services } from '../services.ts';
import type { ApiRouter } from './api-router.ts';
import { staffOf } from './principals.ts';

/** Branch busyness = mean score of its online edges (null when none reports). */
export async function branchLoads(s: Services): Promise<BranchLoad[]> {
  return Promise.all(
    (await s.branches.list()).map(async (branch) => {
      const scores = (
        await Promise.all((await s.branches.edgeIds(branch.id)).map((id) => s.edges.busyness(id)))
      ).filter((v): v is number => v !== null);
      return { branch, busyness: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null };
    }),
  );
}

export function dispatchRoutes(api: ApiRouter, s: Services): void {
  api.add({
    method: 'post',
    path: '/dispatch/requests',
    tag: 'dispatch',
    summary:
      'Ask for an expert (skill, language, urgency) for a call at your branch; returns queue position and ETA.',
    auth: { kinds: ['staff'], permission: 'dispatch:request' },
    body: DispatchRequestInput,
    response: DispatchStatus,
    status: 201,
    handler: async ({ body, principal }) => s.dispatcher.request(staffOf(principal), body),
  });
  api.add({
    method: 'get',
    path: '/dispatch/requests/:requestId',
    tag: 'dispatch',
    summary: 'State of a help request, with live queue position and ETA while queued.',
    auth: { kinds: ['staff'], permission: 'call:read' },
    response: DispatchStatus,
    handler: async ({ params, principal }) => {
      const st = await s.dispatcher.status(params.requestId ?? '');
      const p = staffOf(principal);
      if (p.role === 'manager' && p.branchId !== st.branchId)
        throw forbidden('wrong_branch', 'request of another branch');
      return st;
    },
  });
  api.add({
    method: 'delete',
    path: '/dispatch/requests/:requestId',
    tag: 'dispatch',
    summary: 'Cancel a queued or offered request.',
    auth: { kinds: ['staff'], permission: 'dispatch:request' },
    response: DispatchStatus,
    handler: async ({ params, principal }) => s.dispatcher.cancel(staffOf(principal), params.requestId ?? ''),
  });
  api.add({
    method: 'get',
    path: '/dispatch/queue',
    tag: 'dispatch',
    summary: 'Waiting requests in service order (managers: their branch).',
    auth: { kinds: ['staff'], permission: 'call:read' },
    response: z.array(DispatchStatus),
    handler: async ({ principal }) => {
      const p = staffOf(principal);
      return s.dispatcher.queue(p.role === 'manager' ? p.branchId : undefined);
    },
  });
  api.add({
    method: 'get',
    path: '/branches',
    tag: 'branches',
    summary: 'All branches.',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    response: z.array(Branch),
    handler: async () => s.branches.list(),
  });
  api.add({
    method: 'put',
    path: '/branches/:branchId',
    tag: 'branches',
    summary: 'Create or update a branch (ops).',
    auth: { kinds: ['staff'], permission: 'edge:manage' },
    body: UpsertBranchRequest,
    response: Branch,
    handler: async ({ params, body }) => s.branches.upsert(params.branchId ?? '', body),
  });
  api.add({
    method: 'get',
    path: '/branches/recommend',
    tag: 'branches',
    summary:
      'Online dispatching offline: branches for a customer visit, nearest and least busy first (cost = km + BRANCH_BUSYNESS_PENALTY_KM × busyness).',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    query: BranchRecommendationQuery,
    response: BranchRecommendationResponse,
    handler: async ({ query }) => {
      const candidates = rankBranches({ lat: query.lat, lon: query.lon }, await branchLoads(s), {
        penaltyKm: s.config.busynessPenaltyKm,
        maxDistanceKm: query.maxDistanceKm,
        limit: query.limit,
      });
      return { best: candidates[0] ?? null, candidates };
    },
  });
}
