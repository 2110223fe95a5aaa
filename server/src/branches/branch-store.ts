// Branch records (name, location) and which edges serve each branch.
import { Branch, UpsertBranchRequest } from '#protocol/api';
import { AppError, validate } from '#protocol/errors';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';

export class BranchStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async upsert(id: string, input: unknown): Promise<Branch> {
    const body = validate(UpsertBranchRequest, input, 'branch');
    const branch = validate(Branch, { id, ...body }, 'branch');
    await this.redis
      .multi()
      .set(this.keys.branch(id), JSON.stringify(branch))
      .sAdd(this.keys.branchIndex(), id)
      .exec();
    return branch;
  }

  async get(id: string): Promise<Branch | undefined> {
    const raw = await this.redis.get(this.keys.branch(id));
    return raw ? Branch.parse(JSON.parse(raw)) : undefined;
  }

  async require(id: string): Promise<Branch> {
    const b = await this.get(id);
    if (!b) throw new AppError('not_found', `no branch ${id}`);
    return b;
  }

  async list(): Promise<Branch[]> {
    const ids = (await this.redis.sMembers(this.keys.branchIndex())).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mGet(ids.map((id) => this.keys.branch(id)));
    return raws.filter((r): r is string => r !== null).map((r) => Branch.parse(JSON.parse(r)));
  }

  edgeIds(branchId: string): Promise<string[]> {
    return this.redis.sMembers(this.keys.branchEdges(branchId));
  }
}
