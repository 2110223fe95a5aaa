// Expert presence. What the expert chose (available/busy/away) is stored as is;
// liveness is a key with a TTL that the instance holding the expert's socket
// keeps refreshing — if that instance dies, the expert quietly goes offline and
// is offered nothing. Load is the number of calls the expert is assigned to.
// Managers get the same liveness keys (no choice, no load) so operations can
// see who is on duty at each branch.
import type { ExpertPresence, PresenceStatus } from '#protocol/control';
import type { StaffStore } from '../auth/staff-store.ts';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import type { ExpertCandidate } from './scoring.ts';

export type Choice = 'available' | 'busy' | 'away';
/** Roles whose liveness is tracked. */
export type TrackedRole = 'expert' | 'manager';

export interface ExpertState extends ExpertCandidate {
  alive: boolean;
  choice: Choice;
  hasOffer: boolean;
}

export function effectiveStatus(
  s: Pick<ExpertState, 'alive' | 'choice' | 'load' | 'maxLoad'>,
): PresenceStatus {
  if (!s.alive) return 'offline';
  if (s.choice !== 'available') return s.choice;
  return s.load >= s.maxLoad ? 'busy' : 'available';
}

export function toPresence(s: ExpertState): ExpertPresence {
  return { expertId: s.id, status: effectiveStatus(s), chosen: s.choice, load: s.load, maxLoad: s.maxLoad };
}

export class Presence {
  /** Staff with a socket on this instance (count of sockets): the only in-process dispatch state. */
  private readonly local = new Map<string, { role: TrackedRole; sockets: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly staff: StaffStore,
    private readonly ttlMs: number,
    private readonly instanceId: string,
  ) {}

  private alive(role: TrackedRole, userId: string): string {
    return role === 'expert' ? this.keys.expertAlive(userId) : this.keys.managerAlive(userId);
  }

  async connected(userId: string, role: TrackedRole = 'expert'): Promise<void> {
    this.local.set(userId, { role, sockets: (this.local.get(userId)?.sockets ?? 0) + 1 });
    await this.redis
      .multi()
      .set(this.alive(role, userId), this.instanceId, { PX: this.ttlMs })
      .sAdd(role === 'expert' ? this.keys.expertsOnline() : this.keys.managersOnline(), userId)
      .exec();
  }

  /** Returns true when the user has no socket left on this instance. */
  disconnectedLocally(userId: string): boolean {
    const cur = this.local.get(userId);
    const n = (cur?.sockets ?? 1) - 1;
    if (n <= 0 || !cur) this.local.delete(userId);
    else this.local.set(userId, { ...cur, sockets: n });
    return n <= 0;
  }

  /** The user has no socket anywhere: offline now rather than at TTL expiry. */
  async gone(userId: string, role: TrackedRole = 'expert'): Promise<void> {
    await this.redis.del(this.alive(role, userId));
  }

  /** Refreshes liveness of every locally connected user (called on a timer). */
  async refresh(): Promise<void> {
    if (this.local.size === 0) return;
    const m = this.redis.multi();
    for (const [id, { role }] of this.local) m.set(this.alive(role, id), this.instanceId, { PX: this.ttlMs });
    await m.exec();
  }

  /** Ids of managers with a live connection; prunes the others from the online set. */
  async managersOnline(): Promise<string[]> {
    const ids = await this.redis.sMembers(this.keys.managersOnline());
    if (ids.length === 0) return [];
    const m = this.redis.multi();
    for (const id of ids) m.exists(this.keys.managerAlive(id));
    const alive = ((await m.exec()) as unknown[]).map((v) => Number(v) === 1);
    const gone = ids.filter((_, i) => !alive[i]);
    if (gone.length) await this.redis.sRem(this.keys.managersOnline(), gone);
    return ids.filter((_, i) => alive[i]);
  }

  async choose(expertId: string, choice: Choice): Promise<void> {
    const m = this.redis.multi().set(this.keys.expertChoice(expertId), choice);
    if (choice === 'available')
      m.zAdd(this.keys.expertAvailableSince(), { score: Date.now(), value: expertId });
    await m.exec();
  }

  /** Sets `away` only if the expert is still `available` (a missed offer must not override a newer choice). */
  async awayIfAvailable(expertId: string): Promise<boolean> {
    const script = `if redis.call('GET', KEYS[1]) == 'available' then redis.call('SET', KEYS[1], 'away') return 1 end return 0`;
    return Number(await this.redis.eval(script, { keys: [this.keys.expertChoice(expertId)] })) === 1;
  }

  async state(expertId: string): Promise<ExpertState | undefined> {
    const [one] = await this.states([expertId]);
    return one;
  }

  async presenceOf(expertId: string): Promise<ExpertPresence | undefined> {
    const s = await this.state(expertId);
    return s && toPresence(s);
  }

  /** Every expert that has been online, with live state; prunes long-gone ones from the online set. */
  async all(): Promise<ExpertState[]> {
    const ids = await this.redis.sMembers(this.keys.expertsOnline());
    const states = await this.states(ids);
    const gone = states.filter((s) => !s.alive && s.load === 0).map((s) => s.id);
    if (gone.length) await this.redis.sRem(this.keys.expertsOnline(), gone);
    return states;
  }

  /** Live state of the given experts (ids that are not expert accounts are left out). */
  async states(ids: string[]): Promise<ExpertState[]> {
    if (ids.length === 0) return [];
    const m = this.redis.multi();
    for (const id of ids) {
      m.exists(this.keys.expertAlive(id));
      m.get(this.keys.expertChoice(id));
      m.hLen(this.keys.expertCalls(id));
      m.exists(this.keys.expertOffer(id));
      m.zScore(this.keys.expertAvailableSince(), id);
      m.zScore(this.keys.expertLastAssigned(), id);
    }
    const replies = (await m.exec()) as unknown[];
    const records = await Promise.all(ids.map((id) => this.staff.get(id)));
    const out: ExpertState[] = [];
    ids.forEach((id, i) => {
      const r = records[i];
      if (!r || r.role !== 'expert') return;
      const [alive, choice, load, offer, since, last] = replies.slice(i * 6, i * 6 + 6) as [
        number,
        string | null,
        number,
        number,
        number | null,
        number | null,
      ];
      out.push({
        id,
        skills: r.skills,
        languages: r.languages,
        maxLoad: r.maxConcurrentCalls,
        load: Number(load),
        alive: Number(alive) === 1,
        choice: (choice as Choice | null) ?? 'away',
        hasOffer: Number(offer) === 1,
        availableSince: since ?? undefined,
        lastAssignedAt: last ?? undefined,
      });
    });
    return out;
  }
}
