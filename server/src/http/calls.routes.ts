// Calls, their event logs, and customer invites.
import { z } from 'zod';
import {
  Call,
  CallDetail,
  CallEvent,
  CreateInviteRequest,
  DirectJoinResponse,
  InviteResponse,
  RedeemInviteRequest,
  RedeemInviteResponse,
  StartCallRequest,
} from '#protocol/api';
import { forbidden } from '../errors.ts';
import type { Services } from '../services.ts';
import type { ApiRouter } from './api-router.ts';
import { callPrincipalOf, staffOf } from './principals.ts';

export function callRoutes(api: ApiRouter, s: Services): void {
  /** Read access: managers see their branch, experts the calls they are assigned to, compliance/ops everything. */
  async function readable(principal: Parameters<typeof staffOf>[0], callId: string) {
    const call = await s.callStore.require(callId);
    const p = callPrincipalOf(principal);
    if (p.kind === 'customer' || p.role === 'expert' || p.role === 'manager')
      await s.calls.authorize(p, call);
    return call;
  }

  api.add({
    method: 'post',
    path: '/calls',
    tag: 'calls',
    summary: "Start a call at the manager's branch; it is assigned to the branch's least-loaded online edge.",
    auth: { kinds: ['staff'], permission: 'call:start' },
    body: StartCallRequest,
    response: Call,
    status: 201,
    handler: async ({ body, principal }) => s.calls.start(staffOf(principal), body),
  });
  api.add({
    method: 'get',
    path: '/calls',
    tag: 'calls',
    summary: 'Active calls (managers: their branch; `branchId` filter for compliance/ops).',
    auth: { kinds: ['staff'], permission: 'call:read' },
    query: z.object({ branchId: z.string().optional() }),
    response: z.array(Call),
    handler: async ({ query, principal }) => {
      const p = staffOf(principal);
      if (p.role === 'manager' || p.role === 'expert') {
        if (p.role === 'expert') throw forbidden('wrong_role', 'experts see their calls through dispatch');
        return (await s.callStore.list({ branchId: p.branchId })).filter((c) => c.status === 'active');
      }
      return (await s.callStore.list({ branchId: query.branchId })).filter((c) => c.status === 'active');
    },
  });
  api.add({
    method: 'get',
    path: '/calls/:callId',
    tag: 'calls',
    summary: 'A call with its current participants (remote ones, joined through the cloud).',
    auth: { kinds: ['staff', 'customer'] },
    response: CallDetail,
    handler: async ({ params, principal }) => {
      const call = await readable(principal, params.callId ?? '');
      return { ...call, participants: await s.callStore.participants(call.id) };
    },
  });
  api.add({
    method: 'post',
    path: '/calls/:callId/join-token',
    tag: 'calls',
    summary:
      "Direct path to the call's edge: a join token (ES256, audience edge:<edgeId>) for the edge's own signaling, its URL and ICE servers. Same access rules as call:join.",
    auth: { kinds: ['staff', 'customer'] },
    response: DirectJoinResponse,
    handler: async ({ params, principal }) =>
      s.calls.directAccess(callPrincipalOf(principal), params.callId ?? ''),
  });
  api.add({
    method: 'post',
    path: '/calls/:callId/end',
    tag: 'calls',
    summary: 'End a call (branch manager or ops).',
    auth: { kinds: ['staff'] },
    response: Call,
    handler: async ({ params, principal }) => s.calls.end(staffOf(principal), params.callId ?? ''),
  });
  api.add({
    method: 'get',
    path: '/calls/:callId/events',
    tag: 'calls',
    summary: 'The call event log (Redis stream), oldest first; `after` resumes after an event id.',
    auth: { kinds: ['staff'], permission: 'call:read' },
    query: z.object({
      // A Redis stream entry id: anything else would reach XRANGE and fail there.
      after: z
        .string()
        .regex(/^\d{1,15}(-\d{1,19})?$/, 'an event id')
        .optional(),
      limit: z.coerce.number().int().positive().max(10_000).default(1000),
    }),
    response: z.array(CallEvent),
    handler: async ({ params, query, principal }) => {
      const call = await readable(principal, params.callId ?? '');
      return s.callStore.events(call.id, query.after, query.limit);
    },
  });
  api.add({
    method: 'post',
    path: '/calls/:callId/invites',
    tag: 'invites',
    summary:
      'Invite a remote customer: a single-use, expiring, call-scoped link (show it as a QR code). Rate-limited.',
    auth: { kinds: ['staff'], permission: 'call:invite' },
    body: CreateInviteRequest,
    response: InviteResponse,
    status: 201,
    handler: async ({ params, body, principal }) => {
      const p = staffOf(principal);
      await s.rate.hit(`invite:${p.userId}`, s.config.rate.inviteMax, s.config.rate.windowS);
      return s.invites.create(p, await s.callStore.require(params.callId ?? ''), body);
    },
  });
  api.add({
    method: 'post',
    path: '/invites/redeem',
    tag: 'invites',
    summary:
      'Redeem an invite (once): returns a customer token for the `/client` namespace, valid for that call only.',
    auth: 'public',
    body: RedeemInviteRequest,
    response: RedeemInviteResponse,
    handler: async ({ body, req }) => {
      await s.rate.hit(`redeem:${req.ip}`, s.config.rate.inviteMax, s.config.rate.windowS);
      return s.invites.redeem(
        body.token,
        async (callId) => (await s.callStore.get(callId))?.status === 'active',
      );
    },
  });
}
