// Help requests in Redis and their atomic state changes (see lua.ts):
// queued → offered → assigned, offered → queued (declined/timeout), queued|offered → cancelled.
import { randomUUID } from 'node:crypto';
import { DispatchStatus, RiskLevel, type Urgency } from '#protocol/api';
import { AppError } from '#protocol/errors';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import { ACCEPT, CANCEL, CLAIM, DEL_IF_EQUALS, RELEASE, REQUEUE } from './lua.ts';
import { queueScore } from './scoring.ts';

export interface HelpRequest {
  id: string;
  callId: string;
  branchId: string;
  /** Context copied from the call and branch when the request is made (they do not change meanwhile). */
  branchName: string | undefined;
  product: string | undefined;
  customerRiskLevel: RiskLevel | undefined;
  managerId: string;
  skill: string;
  language: string | undefined;
  urgency: Urgency;
  note: string | undefined;
  createdAt: number;
  status: DispatchStatus['status'];
  attempts: number;
  offeredTo: string | undefined;
  offerExpiresAt: number | undefined;
  expertId: string | undefined;
}

export class RequestStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async create(
    input: Omit<
      HelpRequest,
      'id' | 'createdAt' | 'status' | 'attempts' | 'offeredTo' | 'offerExpiresAt' | 'expertId'
    >,
  ): Promise<HelpRequest> {
    const createdAt = Date.now();
    const req: HelpRequest = {
      ...input,
      id: `req-${randomUUID()}`,
      createdAt,
      status: 'queued',
      attempts: 0,
      offeredTo: undefined,
      offerExpiresAt: undefined,
      expertId: undefined,
    };
    const score = queueScore(createdAt, req.urgency);
    await this.redis
      .multi()
      .hSet(this.keys.request(req.id), {
        id: req.id,
        callId: req.callId,
        branchId: req.branchId,
        branchName: req.branchName ?? '',
        product: req.product ?? '',
        customerRiskLevel: req.customerRiskLevel ?? '',
        managerId: req.managerId,
        skill: req.skill.toLowerCase(),
        language: req.language?.toLowerCase() ?? '',
        urgency: req.urgency,
        note: req.note ?? '',
        createdAt: String(createdAt),
        score: String(score),
        status: 'queued',
        attempts: '0',
      })
      .zAdd(this.keys.queue(), { score, value: req.id })
      .sAdd(this.keys.callRequests(req.callId), req.id)
      .exec();
    return { ...req, skill: req.skill.toLowerCase(), language: req.language?.toLowerCase() };
  }

  async get(id: string): Promise<HelpRequest | undefined> {
    const [r] = await this.getMany([id]);
    return r;
  }

  async require(id: string): Promise<HelpRequest> {
    const r = await this.get(id);
    if (!r) throw new AppError('not_found', `no dispatch request ${id}`);
    return r;
  }

  async getMany(ids: string[]): Promise<(HelpRequest | undefined)[]> {
    if (ids.length === 0) return [];
    const m = this.redis.multi();
    for (const id of ids) m.hGetAll(this.keys.request(id));
    const rows = (await m.exec()) as unknown as Record<string, string>[];
    return rows.map((h) =>
      h.id
        ? {
            id: h.id,
            callId: h.callId ?? '',
            branchId: h.branchId ?? '',
            branchName: h.branchName || undefined,
            product: h.product || undefined,
            customerRiskLevel: RiskLevel.safeParse(h.customerRiskLevel).data,
            managerId: h.managerId ?? '',
            skill: h.skill ?? '',
            language: h.language || undefined,
            urgency: (h.urgency ?? 'normal') as Urgency,
            note: h.note || undefined,
            createdAt: Number(h.createdAt),
            status: h.status as HelpRequest['status'],
            attempts: Number(h.attempts ?? 0),
            offeredTo: h.offeredTo || undefined,
            offerExpiresAt: h.offerExpiresAt ? Number(h.offerExpiresAt) : undefined,
            expertId: h.expertId || undefined,
          }
        : undefined,
    );
  }

  /** Queued request ids, first served first. */
  queued(): Promise<string[]> {
    return this.redis.zRange(this.keys.queue(), 0, -1);
  }

  async recentSkips(reqId: string, since: number): Promise<Set<string>> {
    return new Set(await this.redis.zRangeByScore(this.keys.requestSkips(reqId), since, '+inf'));
  }

  /** 1 offered, 0 request gone, -1 expert not eligible. */
  async claim(
    req: HelpRequest,
    expertId: string,
    maxLoad: number,
    offerTimeoutMs: number,
  ): Promise<{ result: number; expiresAt: number }> {
    const now = Date.now();
    const expiresAt = now + offerTimeoutMs;
    const result = Number(
      await this.redis.eval(CLAIM, {
        keys: [
          this.keys.request(req.id),
          this.keys.expertAlive(expertId),
          this.keys.expertChoice(expertId),
          this.keys.expertCalls(expertId),
          this.keys.expertOffer(expertId),
          this.keys.queue(),
          this.keys.offers(),
        ],
        // The offer key outlives the offer a little: the sweeper, not the TTL, ends offers.
        arguments: [
          req.id,
          expertId,
          String(now),
          String(expiresAt),
          String(maxLoad),
          String(offerTimeoutMs * 2 + 5000),
        ],
      }),
    );
    return { result, expiresAt };
  }

  async accept(req: HelpRequest, expertId: string): Promise<number> {
    return Number(
      await this.redis.eval(ACCEPT, {
        keys: [
          this.keys.request(req.id),
          this.keys.expertOffer(expertId),
          this.keys.expertCalls(expertId),
          this.keys.offers(),
          this.keys.callAllowed(req.callId),
          this.keys.expertLastAssigned(),
        ],
        arguments: [req.id, expertId, String(Date.now()), req.callId],
      }),
    );
  }

  async requeue(reqId: string, expertId: string, onlyIfExpired: boolean): Promise<boolean> {
    const res = await this.redis.eval(REQUEUE, {
      keys: [
        this.keys.request(reqId),
        this.keys.expertOffer(expertId),
        this.keys.offers(),
        this.keys.queue(),
        this.keys.requestSkips(reqId),
      ],
      arguments: [reqId, expertId, String(Date.now()), onlyIfExpired ? '1' : '0'],
    });
    return Number(res) === 1;
  }

  /** Returns the expert holding its offer ('' if none), or null when not cancellable. */
  async cancel(reqId: string): Promise<string | null> {
    const res = await this.redis.eval(CANCEL, {
      keys: [this.keys.request(reqId), this.keys.queue(), this.keys.offers()],
      arguments: [reqId],
    });
    if (res === null || res === false) return null;
    const offeredTo = String(res);
    if (offeredTo)
      await this.redis.eval(DEL_IF_EQUALS, { keys: [this.keys.expertOffer(offeredTo)], arguments: [reqId] });
    return offeredTo;
  }

  /** Id of the request offered to this expert right now, if any. */
  heldBy(expertId: string): Promise<string | null> {
    return this.redis.get(this.keys.expertOffer(expertId));
  }

  /** Ids of requests currently offered to an expert. */
  offered(): Promise<string[]> {
    return this.redis.zRange(this.keys.offers(), 0, -1);
  }

  forCall(callId: string): Promise<string[]> {
    return this.redis.sMembers(this.keys.callRequests(callId));
  }

  /** Ids of offers past their deadline. */
  async expiredOffers(now: number): Promise<string[]> {
    return this.redis.zRangeByScore(this.keys.offers(), '-inf', now);
  }

  async release(expertId: string, callId: string, defaultHandleS: number): Promise<boolean> {
    const res = await this.redis.eval(RELEASE, {
      keys: [this.keys.expertCalls(expertId), this.keys.dispatchStats(), this.keys.expertAvailableSince()],
      arguments: [callId, String(Date.now()), expertId, '0.2', String(defaultHandleS)],
    });
    return Number(res) === 1;
  }

  async expertCallIds(expertId: string): Promise<string[]> {
    return this.redis.hKeys(this.keys.expertCalls(expertId));
  }

  async avgHandleS(defaultHandleS: number): Promise<number> {
    const v = await this.redis.hGet(this.keys.dispatchStats(), 'avgHandleS');
    return v ? Number(v) : defaultHandleS;
  }
}
