// Expert dispatch: managers ask for help with a skill and urgency; the
// dispatcher offers each queued request to the best available expert, waits
// for accept/decline/timeout, re-offers, and keeps managers told of their queue
// position and ETA. Every instance runs the same loop; the Lua steps in
// requests.ts make concurrent loops safe (no double offer, no double assignment).
import type { DispatchRequestInput, DispatchStatus } from '#protocol/api';
import type { DispatchAssignment, DispatchOffer, ExpertPresence } from '#protocol/control';
import { AppError } from '#protocol/errors';
import { PRODUCT_SKILL } from '#protocol/products';
import type { Logger } from '#common/logger';
import type { StaffPrincipal } from '../auth/tokens.ts';
import type { StaffStore } from '../auth/staff-store.ts';
import type { BranchStore } from '../branches/branch-store.ts';
import type { CallEvents } from '../calls/call-events.ts';
import type { CallStore } from '../calls/call-store.ts';
import { rooms, type Notifier } from '../realtime/notifier.ts';
import { forbidden } from '../errors.ts';
import { effectiveStatus, type Choice, type ExpertState, type Presence } from './presence.ts';
import type { HelpRequest, RequestStore } from './requests.ts';
import { estimateEtaS, rankExperts } from './scoring.ts';

export interface DispatchSettings {
  offerTimeoutMs: number;
  skipWindowMs: number;
  defaultHandleS: number;
}

export class Dispatcher {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly requests: RequestStore,
    private readonly presence: Presence,
    private readonly calls: CallStore,
    private readonly branches: BranchStore,
    private readonly events: CallEvents,
    private readonly staff: StaffStore,
    private readonly notifier: Notifier,
    private readonly settings: DispatchSettings,
    private readonly logger: Logger,
  ) {}

  // ---- manager side ---------------------------------------------------------------

  async request(
    manager: StaffPrincipal,
    input: DispatchRequestInput & { urgency: HelpRequest['urgency'] },
  ): Promise<DispatchStatus> {
    const call = await this.calls.require(input.callId);
    if (call.status !== 'active') throw new AppError('conflict', `call ${call.id} has ended`);
    if (manager.branchId !== call.branchId)
      throw forbidden('wrong_branch', 'the call belongs to another branch');
    // No skill named: the one the call's product needs.
    const skill = input.skill ?? (call.product ? PRODUCT_SKILL[call.product] : undefined);
    if (!skill)
      throw new AppError('bad_request', 'name a skill: the call has no product that implies one', {
        reason: 'skill_required',
        fields: [{ path: 'skill', message: 'required for this call' }],
      });
    const req = await this.requests.create({
      callId: call.id,
      branchId: call.branchId,
      branchName: (await this.branches.get(call.branchId))?.name,
      product: call.product,
      customerRiskLevel: call.customerRiskLevel,
      managerId: manager.userId,
      skill,
      language: input.language,
      urgency: input.urgency,
      note: input.note,
    });
    await this.events.record(call, 'dispatch.requested', {
      requestId: req.id,
      skill: req.skill,
      urgency: req.urgency,
    });
    await this.kick();
    return this.status(req.id);
  }

  async cancel(manager: StaffPrincipal, requestId: string): Promise<DispatchStatus> {
    const req = await this.requests.require(requestId);
    if (req.managerId !== manager.userId && req.branchId !== manager.branchId)
      throw forbidden('wrong_branch', 'not your request');
    const offeredTo = await this.requests.cancel(requestId);
    if (offeredTo === null) throw new AppError('conflict', `request is ${req.status}, not cancellable`);
    if (offeredTo)
      this.notifier.toClients([rooms.user(offeredTo)], 'dispatch:offer-withdrawn', {
        requestId,
        reason: 'cancelled',
      });
    await this.events.record({ id: req.callId, branchId: req.branchId }, 'dispatch.cancelled', { requestId });
    await this.publishQueue();
    await this.kick();
    return this.status(requestId);
  }

  async status(requestId: string): Promise<DispatchStatus> {
    const [s] = await this.describe([await this.requests.require(requestId)]);
    return s as DispatchStatus;
  }

  /** Queued and offered requests (optionally of one branch), first served first. */
  async queue(branchId?: string): Promise<DispatchStatus[]> {
    const reqs = (await this.requests.getMany(await this.requests.queued())).filter(
      (r): r is HelpRequest => !!r,
    );
    const all = await this.describe(reqs);
    return branchId ? all.filter((s) => s.branchId === branchId) : all;
  }

  // ---- expert side ----------------------------------------------------------------

  async setPresence(expertId: string, choice: Choice): Promise<ExpertPresence> {
    await this.presence.choose(expertId, choice);
    const p = await this.pushPresence(expertId);
    if (choice === 'available') await this.kick();
    else await this.publishQueue();
    return p;
  }

  async accept(expertId: string, requestId: string): Promise<DispatchAssignment> {
    const req = await this.requests.require(requestId);
    const res = await this.requests.accept(req, expertId);
    if (res === -1) {
      await this.requests.requeue(requestId, expertId, true);
      void this.kick();
      throw new AppError('conflict', 'offer expired', { reason: 'offer_expired' });
    }
    if (res === 0)
      throw new AppError('conflict', 'this request is not offered to you', { reason: 'offer_not_held' });
    const expert = await this.staff.get(expertId);
    await this.events.record({ id: req.callId, branchId: req.branchId }, 'dispatch.assigned', {
      requestId,
      expertId,
      expertName: expert?.displayName ?? expertId,
    });
    await this.pushStatus(requestId);
    await this.pushPresence(expertId);
    return { requestId, callId: req.callId, branchId: req.branchId };
  }

  /** The offer this expert holds, as first sent: re-sent when the expert reconnects (a reloaded page). */
  async heldOffer(expertId: string): Promise<DispatchOffer | undefined> {
    const reqId = await this.requests.heldBy(expertId);
    const req = reqId ? await this.requests.get(reqId) : undefined;
    if (req?.status !== 'offered' || req.offeredTo !== expertId || !req.offerExpiresAt) return undefined;
    return offerOf(req, req.offerExpiresAt);
  }

  async decline(expertId: string, requestId: string): Promise<void> {
    if (!(await this.requests.requeue(requestId, expertId, false))) {
      throw new AppError('conflict', 'this request is not offered to you', { reason: 'offer_not_held' });
    }
    await this.pushStatus(requestId);
    await this.kick();
  }

  /** The expert is done with `callId` (left, disconnected, call ended): frees the slot once. */
  async release(expertId: string, callId: string): Promise<void> {
    if (await this.requests.release(expertId, callId, this.settings.defaultHandleS)) {
      await this.pushPresence(expertId);
      await this.kick();
    }
  }

  /** The call ended: its open requests are cancelled and its experts freed. */
  async endCall(callId: string): Promise<void> {
    for (const reqId of await this.requests.forCall(callId)) {
      const offeredTo = await this.requests.cancel(reqId);
      if (offeredTo)
        this.notifier.toClients([rooms.user(offeredTo)], 'dispatch:offer-withdrawn', {
          requestId: reqId,
          reason: 'cancelled',
        });
    }
    for (const expertId of await this.calls.allowedUsers(callId)) await this.release(expertId, callId);
    await this.publishQueue();
  }

  // ---- the loop -------------------------------------------------------------------

  /** Runs a matching pass now (coalesced: a kick during a pass causes one more pass). */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.matchOnce();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Periodic: ends expired offers (expert set away, request re-queued), then matches. */
  async sweep(): Promise<void> {
    const now = Date.now();
    let changed = false;
    for (const reqId of await this.requests.expiredOffers(now)) {
      const req = await this.requests.get(reqId);
      if (!req?.offeredTo || !(await this.requests.requeue(reqId, req.offeredTo, true))) continue;
      changed = true;
      this.logger.info({ requestId: reqId, expertId: req.offeredTo }, 'offer timed out; re-queued');
      this.notifier.toClients([rooms.user(req.offeredTo)], 'dispatch:offer-withdrawn', {
        requestId: reqId,
        reason: 'timeout',
      });
      if (await this.presence.awayIfAvailable(req.offeredTo)) await this.pushPresence(req.offeredTo);
      await this.pushStatus(reqId);
    }
    await this.presence.refresh();
    await this.kick();
    if (changed) await this.publishQueue();
  }

  private async matchOnce(): Promise<void> {
    const reqs = (await this.requests.getMany(await this.requests.queued())).filter(
      (r): r is HelpRequest => r?.status === 'queued',
    );
    if (reqs.length === 0) return;
    let pool = (await this.presence.all()).filter(
      (e) => e.alive && e.choice === 'available' && e.load < e.maxLoad && !e.hasOffer,
    );
    const now = Date.now();
    let offered = 0;
    for (const req of reqs) {
      if (pool.length === 0) break;
      const skips = await this.requests.recentSkips(req.id, now - this.settings.skipWindowMs);
      for (const expert of rankExperts(
        req,
        pool.filter((e) => !skips.has(e.id)),
        now,
      )) {
        const { result, expiresAt } = await this.requests.claim(
          req,
          expert.id,
          expert.maxLoad,
          this.settings.offerTimeoutMs,
        );
        if (result === 0) break; // taken by another instance or cancelled
        pool = pool.filter((e) => e.id !== expert.id);
        if (result === 1) {
          offered++;
          this.notifier.toClients([rooms.user(expert.id)], 'dispatch:offer', offerOf(req, expiresAt));
          break;
        }
      }
    }
    if (offered > 0) await this.publishQueue(true);
  }

  // ---- telling people ---------------------------------------------------------------

  private async pushPresence(expertId: string): Promise<ExpertPresence> {
    const p = await this.presence.presenceOf(expertId);
    if (!p) throw new AppError('not_found', `no expert ${expertId}`);
    this.notifier.toClients([rooms.user(expertId), rooms.ops()], 'presence:update', p);
    return p;
  }

  private async pushStatus(requestId: string): Promise<void> {
    const s = await this.status(requestId);
    this.notifier.toClients(
      [rooms.user((await this.requests.require(requestId)).managerId), rooms.branch(s.branchId)],
      'dispatch:update',
      s,
    );
  }

  /** Sends every queued (and, with `withOffered`, offered) request's position/ETA to its manager and branch. */
  private async publishQueue(withOffered = false): Promise<void> {
    const ids = await this.requests.queued();
    const reqs = (await this.requests.getMany(ids)).filter((r): r is HelpRequest => !!r);
    if (withOffered) {
      const offered = await this.requests.getMany(await this.requests.offered());
      reqs.push(...offered.filter((r): r is HelpRequest => !!r));
    }
    for (const s of await this.describe(reqs)) {
      const managerId = reqs.find((r) => r.id === s.requestId)?.managerId;
      if (managerId)
        this.notifier.toClients([rooms.user(managerId), rooms.branch(s.branchId)], 'dispatch:update', s);
    }
  }

  private async describe(reqs: HelpRequest[]): Promise<DispatchStatus[]> {
    if (reqs.length === 0) return [];
    const queuedIds = await this.requests.queued();
    const queuedReqs = (await this.requests.getMany(queuedIds)).filter((r): r is HelpRequest => !!r);
    const experts = await this.presence.all();
    const avgHandleS = await this.requests.avgHandleS(this.settings.defaultHandleS);
    const out: DispatchStatus[] = [];
    for (const r of reqs) {
      const base: DispatchStatus = {
        requestId: r.id,
        callId: r.callId,
        branchId: r.branchId,
        skill: r.skill,
        urgency: r.urgency,
        status: r.status,
        createdAt: r.createdAt,
        attempts: r.attempts,
        ...context(r),
      };
      if (r.status === 'queued') {
        const sameSkill = queuedReqs.filter((q) => q.skill === r.skill);
        const position = sameSkill.findIndex((q) => q.id === r.id) + 1 || sameSkill.length + 1;
        const skilled = experts.filter((e) => e.alive && e.choice !== 'away' && e.skills.includes(r.skill));
        const free = skilled.filter((e) => isFree(e)).length;
        out.push({ ...base, position, etaS: estimateEtaS(position, free, skilled.length, avgHandleS) });
      } else if (r.status === 'assigned' && r.expertId) {
        const expert = await this.staff.get(r.expertId);
        out.push({ ...base, expertId: r.expertId, expertName: expert?.displayName ?? r.expertId });
      } else {
        out.push(base);
      }
    }
    return out;
  }
}

function offerOf(req: HelpRequest, expiresAt: number): DispatchOffer {
  return {
    requestId: req.id,
    callId: req.callId,
    branchId: req.branchId,
    skill: req.skill,
    urgency: req.urgency,
    expiresAt,
    ...context(req),
  };
}

/** What an expert is told about a request besides its skill and urgency (fields only when known). */
function context(r: HelpRequest) {
  return {
    ...(r.branchName ? { branchName: r.branchName } : {}),
    ...(r.product ? { product: r.product } : {}),
    ...(r.customerRiskLevel ? { customerRiskLevel: r.customerRiskLevel } : {}),
    ...(r.language ? { language: r.language } : {}),
    ...(r.note ? { note: r.note } : {}),
  };
}

function isFree(e: ExpertState): boolean {
  return effectiveStatus(e) === 'available' && !e.hasOffer;
}
