// Call orchestration: a manager starts a call at their branch and it is
// assigned to one of the branch's online edges; remote participants (experts,
// compliance observers, invited customers) join through the cloud, which opens
// a relay session on the edge and hands back where the edge's media lives.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Call, CallParticipant, StartCallRequest } from '#protocol/api';
import type { CallJoinInfo } from '#protocol/control';
import type { EdgeCallEvent, RelayParticipant } from '#protocol/edge-link';
import { AppError, type Ack } from '#protocol/errors';
import { productOf } from '#protocol/products';
import type { CallRole } from '#protocol/roles';
import type { Logger } from '#common/logger';
import type { CallTokenSigner } from '../auth/call-tokens.ts';
import type { CustomerPrincipal, StaffPrincipal } from '../auth/tokens.ts';
import type { BranchStore } from '../branches/branch-store.ts';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { EdgeRegistry } from '../edges/registry.ts';
import { forbidden } from '../errors.ts';
import type { EdgeRelay } from '../realtime/edge-relay.ts';
import type { Notifier } from '../realtime/notifier.ts';
import type { CallEvents } from './call-events.ts';
import type { CallStore } from './call-store.ts';
import type { ProductCatalog } from './products.ts';
import { iceServersFor } from './turn.ts';

export type CallPrincipal = StaffPrincipal | CustomerPrincipal;

export interface CallServiceDeps {
  store: CallStore;
  events: CallEvents;
  branches: BranchStore;
  products: ProductCatalog;
  edges: EdgeRegistry;
  relay: EdgeRelay;
  notifier: Notifier;
  dispatcher: Dispatcher;
  turn: { secret: string | undefined; urls: string[]; ttlS: number };
  callTokens: CallTokenSigner;
  callTokenTtlS: number;
  logger: Logger;
}

export class CallService {
  constructor(private readonly d: CallServiceDeps) {}

  async start(manager: StaffPrincipal, input: z.output<typeof StartCallRequest>): Promise<Call> {
    if (!manager.permissions.includes('call:start'))
      throw forbidden('wrong_role', 'only a manager starts calls');
    if (!manager.branchId) throw forbidden('no_branch', 'your account has no branch');
    // Older clients name the product in `topic`.
    const product = productOf(input);
    if (product) await this.d.products.require(manager.branchId, product);
    const edgeId = await this.pickEdge(manager.branchId);
    const call = await this.d.store.create({
      branchId: manager.branchId,
      edgeId,
      createdBy: manager.userId,
      product,
      customerRiskLevel: input.customerRiskLevel,
      topic: input.topic,
      allowRemoteCustomer: input.allowRemoteCustomer,
      edgeOnline: true,
    });
    this.d.notifier.toEdge(edgeId, {
      event: 'call:assigned',
      msg: {
        callId: call.id,
        branchId: call.branchId,
        createdBy: call.createdBy,
        createdAt: call.createdAt,
        ...(call.product ? { product: call.product } : {}),
        ...(call.customerRiskLevel ? { customerRiskLevel: call.customerRiskLevel } : {}),
        ...(call.topic ? { topic: call.topic } : {}),
      },
    });
    await this.d.events.record(call, 'call.started', { edgeId, createdBy: manager.userId });
    await this.d.events.pushCall(call.id);
    return call;
  }

  /** The online edge of the branch with the most spare capacity. */
  private async pickEdge(branchId: string): Promise<string> {
    const ids = await this.d.branches.edgeIds(branchId);
    let best: { id: string; free: number } | undefined;
    for (const id of ids) {
      const s = await this.d.edges.summary(id);
      if (!s?.online) continue;
      const free = (s.capacity?.maxCalls ?? 1) - (await this.d.store.countOnEdge(id));
      if (free > 0 && (!best || free > best.free)) best = { id, free };
    }
    if (!best)
      throw new AppError('unavailable', `no online edge with spare capacity at branch ${branchId}`, {
        reason: 'no_edge',
      });
    return best.id;
  }

  async end(principal: StaffPrincipal, callId: string): Promise<Call> {
    const call = await this.d.store.require(callId);
    const may =
      principal.role === 'ops' || (principal.role === 'manager' && principal.branchId === call.branchId);
    if (!may) throw forbidden('wrong_role', 'only the branch manager or ops may end this call');
    if (await this.d.store.end(call)) {
      this.d.notifier.toEdge(call.edgeId, {
        event: 'call:ended',
        msg: { callId, reason: 'ended by ' + principal.userId },
      });
      await this.d.events.record(call, 'call.ended', { by: principal.userId });
      for (const p of await this.d.store.participants(callId)) await this.leave(callId, p.id, 'call ended');
      await this.d.dispatcher.endCall(callId);
      await this.d.events.pushCall(callId);
    }
    return this.d.store.require(callId);
  }

  /** Which role `principal` would have in `call`, or a forbidden error saying why not. */
  async authorize(principal: CallPrincipal, call: Call): Promise<CallRole> {
    if (principal.kind === 'customer') {
      if (principal.callId !== call.id) throw forbidden('wrong_call', 'this token is for another call');
      if (!call.allowRemoteCustomer)
        throw forbidden('remote_customer_not_allowed', 'this call does not admit remote customers');
      return 'customer';
    }
    switch (principal.role) {
      case 'manager':
        if (principal.branchId !== call.branchId)
          throw forbidden('wrong_branch', 'the call belongs to another branch');
        return 'manager';
      case 'expert':
        if (!(await this.d.store.isAllowed(call.id, principal.userId)))
          throw forbidden('not_assigned', 'you are not assigned to this call');
        return 'expert';
      case 'compliance':
        return 'observer';
      default:
        throw forbidden('wrong_role', `role ${principal.role} cannot join calls`);
    }
  }

  async join(
    principal: CallPrincipal,
    callId: string,
  ): Promise<{ info: CallJoinInfo; participant: RelayParticipant; call: Call }> {
    const call = await this.d.store.require(callId);
    if (call.status !== 'active') throw new AppError('conflict', 'call has ended', { reason: 'call_ended' });
    const role = await this.authorize(principal, call);
    const participant: RelayParticipant =
      principal.kind === 'customer'
        ? { id: principal.participantId, role, displayName: principal.displayName }
        : { id: `p-${randomUUID()}`, role, displayName: principal.displayName, userId: principal.userId };
    const answer = await this.d.relay.ask(call.edgeId, 'relay:open', { callId, participant });
    if (!answer.ok)
      throw new AppError(
        answer.error.code,
        `edge refused the join: ${answer.error.message}`,
        answer.error.details,
      );
    const record: CallParticipant = { ...participant, joinedAt: Date.now() };
    await this.d.store.addParticipant(callId, record);
    await this.d.events.record(call, 'participant.joined', {
      participantId: participant.id,
      role,
      displayName: participant.displayName,
      remote: true,
    });
    return {
      call,
      participant,
      info: {
        callId,
        participantId: participant.id,
        role,
        edge: await this.edgeAccess(call, participant),
        join: answer.data,
      },
    };
  }

  /**
   * Direct path: what a participant needs to talk to the edge's own signaling
   * (join token, announced URL, ICE servers) without a relay session in the cloud —
   * e.g. the branch's own screens on the branch LAN.
   */
  async directAccess(principal: CallPrincipal, callId: string) {
    const call = await this.d.store.require(callId);
    if (call.status !== 'active') throw new AppError('conflict', 'call has ended', { reason: 'call_ended' });
    const role = await this.authorize(principal, call);
    const participant: RelayParticipant =
      principal.kind === 'customer'
        ? { id: principal.participantId, role, displayName: principal.displayName }
        : { id: `p-${randomUUID()}`, role, displayName: principal.displayName, userId: principal.userId };
    return {
      callId,
      participantId: participant.id,
      role,
      edge: await this.edgeAccess(call, participant),
      expiresInS: this.d.callTokenTtlS,
    };
  }

  private async edgeAccess(call: Call, participant: RelayParticipant) {
    const summary = await this.d.edges.summary(call.edgeId);
    const announced = await this.d.edges.turnUrls(call.edgeId);
    const urls = announced.length ? announced : this.d.turn.urls;
    const joinToken = this.d.callTokens.sign(
      call.edgeId,
      {
        sub: participant.id,
        callId: call.id,
        role: participant.role,
        branchId: call.branchId,
        name: participant.displayName,
      },
      this.d.callTokenTtlS,
    );
    return {
      edgeId: call.edgeId,
      publicUrl: summary?.publicUrl ?? '',
      iceServers: iceServersFor(participant.id, urls, this.d.turn.secret, this.d.turn.ttlS),
      joinToken,
    };
  }
  /** Relays one signaling request to the edge; the edge's answer goes back verbatim. */
  async signal(callId: string, participant: RelayParticipant, request: unknown): Promise<Ack<unknown>> {
    const call = await this.d.store.require(callId);
    if (call.status !== 'active') throw new AppError('conflict', 'call has ended', { reason: 'call_ended' });
    return this.d.relay.ask(call.edgeId, 'relay:request', { callId, participant, request });
  }

  async leave(callId: string, participantId: string, reason: string): Promise<void> {
    const removed = await this.d.store.removeParticipant(callId, participantId);
    if (!removed) return;
    const call = await this.d.store.require(callId);
    this.d.notifier.toEdge(call.edgeId, { event: 'relay:close', msg: { callId, participantId, reason } });
    await this.d.events.record(call, 'participant.left', { participantId, role: removed.role, reason });
    if (removed.role === 'expert' && removed.userId) await this.d.dispatcher.release(removed.userId, callId);
  }

  /** An edge went offline or came back: flag its active calls and tell their watchers. */
  async edgeOnlineChanged(edgeId: string, online: boolean): Promise<void> {
    for (const call of await this.d.store.list({ edgeId })) {
      if (call.status !== 'active') continue;
      await this.d.store.setEdgeOnline(call.id, online);
      await this.d.events.record(call, online ? 'call.edge-online' : 'call.edge-offline', { edgeId });
      await this.d.events.pushCall(call.id);
    }
  }

  /** An event reported by the edge hosting the call (alert raised, report ready…). */
  async fromEdge(edgeId: string, ev: EdgeCallEvent): Promise<void> {
    const call = await this.d.store.require(ev.callId);
    if (call.edgeId !== edgeId) throw forbidden('wrong_edge', `call ${ev.callId} is not hosted by ${edgeId}`);
    await this.d.events.record(call, ev.type, ev.data);
  }
}
