// Calls in Redis: a hash per call, a hash of participants, a set of staff
// allowed in (experts get in by being assigned), index sets per branch/edge,
// and a Redis stream per call as its event log.
import { randomUUID } from 'node:crypto';
import { Call, CallEvent, CallParticipant, type CallEventType, type RiskLevel } from '#protocol/api';
import { AppError } from '#protocol/errors';
import { productOf } from '#protocol/products';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';

const END = `
if redis.call('HGET', KEYS[1], 'status') ~= 'active' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'ended', 'endedAt', ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2]); redis.call('SREM', KEYS[3], ARGV[2]); redis.call('SREM', KEYS[4], ARGV[2])
return 1`;

const EVENT_LOG_MAX = 10_000;

export class CallStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async create(input: {
    branchId: string;
    edgeId: string;
    createdBy: string;
    product?: string | undefined;
    customerRiskLevel?: RiskLevel | undefined;
    topic?: string | undefined;
    allowRemoteCustomer: boolean;
    edgeOnline: boolean;
  }): Promise<Call> {
    const call: Call = {
      id: `call-${randomUUID()}`,
      branchId: input.branchId,
      edgeId: input.edgeId,
      status: 'active',
      createdAt: Date.now(),
      createdBy: input.createdBy,
      allowRemoteCustomer: input.allowRemoteCustomer,
      edgeOnline: input.edgeOnline,
      ...(input.product ? { product: input.product } : {}),
      ...(input.customerRiskLevel ? { customerRiskLevel: input.customerRiskLevel } : {}),
      ...(input.topic ? { topic: input.topic } : {}),
    };
    await this.redis
      .multi()
      .hSet(this.keys.call(call.id), {
        id: call.id,
        branchId: call.branchId,
        edgeId: call.edgeId,
        status: call.status,
        createdAt: String(call.createdAt),
        createdBy: call.createdBy,
        product: call.product ?? '',
        customerRiskLevel: call.customerRiskLevel ?? '',
        topic: call.topic ?? '',
        allowRemoteCustomer: call.allowRemoteCustomer ? '1' : '0',
        edgeOnline: call.edgeOnline ? '1' : '0',
      })
      .sAdd(this.keys.branchCalls(call.branchId), call.id)
      .sAdd(this.keys.edgeCalls(call.edgeId), call.id)
      .sAdd(this.keys.activeCalls(), call.id)
      .exec();
    return call;
  }

  async get(id: string): Promise<Call | undefined> {
    const h = await this.redis.hGetAll(this.keys.call(id));
    if (!h.id) return undefined;
    // Calls stored before `product` existed carry it in `topic`.
    const product = productOf({ product: h.product, topic: h.topic });
    return Call.parse({
      id: h.id,
      branchId: h.branchId,
      edgeId: h.edgeId,
      status: h.status,
      createdAt: Number(h.createdAt),
      createdBy: h.createdBy,
      ...(h.endedAt ? { endedAt: Number(h.endedAt) } : {}),
      ...(product ? { product } : {}),
      ...(h.customerRiskLevel ? { customerRiskLevel: h.customerRiskLevel } : {}),
      ...(h.topic ? { topic: h.topic } : {}),
      allowRemoteCustomer: h.allowRemoteCustomer === '1',
      edgeOnline: h.edgeOnline === '1',
    });
  }

  async require(id: string): Promise<Call> {
    const call = await this.get(id);
    if (!call) throw new AppError('not_found', `no call ${id}`);
    return call;
  }

  /** Returns true for the one caller that actually ended it. */
  async end(call: Call): Promise<boolean> {
    const res = await this.redis.eval(END, {
      keys: [
        this.keys.call(call.id),
        this.keys.branchCalls(call.branchId),
        this.keys.edgeCalls(call.edgeId),
        this.keys.activeCalls(),
      ],
      arguments: [String(Date.now()), call.id],
    });
    return Number(res) === 1;
  }

  async listIds(scope: { branchId?: string | undefined; edgeId?: string | undefined }): Promise<string[]> {
    const key = scope.branchId
      ? this.keys.branchCalls(scope.branchId)
      : scope.edgeId
        ? this.keys.edgeCalls(scope.edgeId)
        : this.keys.activeCalls();
    return (await this.redis.sMembers(key)).sort();
  }

  async list(scope: { branchId?: string | undefined; edgeId?: string | undefined }): Promise<Call[]> {
    const calls = await Promise.all((await this.listIds(scope)).map((id) => this.get(id)));
    return calls.filter((c): c is Call => c !== undefined).sort((a, b) => a.createdAt - b.createdAt);
  }

  async countOnEdge(edgeId: string): Promise<number> {
    return this.redis.sCard(this.keys.edgeCalls(edgeId));
  }

  async setEdgeOnline(callId: string, online: boolean): Promise<void> {
    await this.redis.hSet(this.keys.call(callId), 'edgeOnline', online ? '1' : '0');
  }

  async addParticipant(callId: string, p: CallParticipant): Promise<void> {
    await this.redis.hSet(this.keys.callParticipants(callId), p.id, JSON.stringify(p));
  }

  /** Returns the removed participant, or undefined if it was already gone (so "left" is logged once). */
  async removeParticipant(callId: string, participantId: string): Promise<CallParticipant | undefined> {
    const [raw, removed] = (await this.redis
      .multi()
      .hGet(this.keys.callParticipants(callId), participantId)
      .hDel(this.keys.callParticipants(callId), participantId)
      .exec()) as unknown as [string | null, number];
    return removed === 1 && raw ? CallParticipant.parse(JSON.parse(raw)) : undefined;
  }

  async participants(callId: string): Promise<CallParticipant[]> {
    const all = await this.redis.hVals(this.keys.callParticipants(callId));
    return all.map((r) => CallParticipant.parse(JSON.parse(r))).sort((a, b) => a.joinedAt - b.joinedAt);
  }

  async allow(callId: string, userId: string): Promise<void> {
    await this.redis.sAdd(this.keys.callAllowed(callId), userId);
  }

  allowedUsers(callId: string): Promise<string[]> {
    return this.redis.sMembers(this.keys.callAllowed(callId));
  }

  async isAllowed(callId: string, userId: string): Promise<boolean> {
    return (await this.redis.sIsMember(this.keys.callAllowed(callId), userId)) === 1;
  }

  async appendEvent(callId: string, type: CallEventType, data: Record<string, unknown>): Promise<CallEvent> {
    const at = Date.now();
    const id = await this.redis.xAdd(
      this.keys.callEvents(callId),
      '*',
      { type, at: String(at), data: JSON.stringify(data) },
      { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: EVENT_LOG_MAX } },
    );
    return { id, callId, type, at, data };
  }

  async events(callId: string, afterId?: string, count = 1000): Promise<CallEvent[]> {
    const start = afterId ? `(${afterId}` : '-';
    const entries = await this.redis.xRange(this.keys.callEvents(callId), start, '+', { COUNT: count });
    return entries.map((e) =>
      CallEvent.parse({
        id: e.id,
        callId,
        type: e.message.type,
        at: Number(e.message.at),
        data: JSON.parse(e.message.data ?? '{}'),
      }),
    );
  }
}
