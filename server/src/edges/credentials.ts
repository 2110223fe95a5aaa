// Per-edge credentials. An edge proves itself with a long random key (stored
// only as a SHA-256 digest: the key has 256 bits of entropy, so a slow hash buys
// nothing) and gets a short edge JWT carrying the key version. Rotating the key
// bumps the version, which invalidates every edge JWT issued under the old key.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '#protocol/errors';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import { authError } from '../errors.ts';

export interface EdgeRecord {
  edgeId: string;
  branchId: string;
  keyVersion: number;
  createdAt: number;
}

const digest = (key: string) => createHash('sha256').update(key).digest();
const newKey = () => `bek_${randomBytes(32).toString('base64url')}`;

export class EdgeCredentials {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Registers an edge for a branch and returns its first key. `key` lets seeding pin a known key. */
  async register(
    edgeId: string,
    branchId: string,
    opts: { key?: string; upsert?: boolean } = {},
  ): Promise<{ key: string; keyVersion: number }> {
    const k = this.keys.edge(edgeId);
    const existing = await this.get(edgeId);
    if (existing && !opts.upsert) throw new AppError('conflict', `edge ${edgeId} already registered`);
    if (existing && existing.branchId !== branchId) {
      await this.redis.sRem(this.keys.branchEdges(existing.branchId), edgeId);
    }
    const key = opts.key ?? newKey();
    const keyVersion = (existing?.keyVersion ?? 0) + 1;
    await this.redis
      .multi()
      .hSet(k, {
        edgeId,
        branchId,
        keyDigest: digest(key).toString('base64'),
        keyVersion: String(keyVersion),
        createdAt: String(existing?.createdAt ?? Date.now()),
      })
      .sAdd(this.keys.edgeIndex(), edgeId)
      .sAdd(this.keys.branchEdges(branchId), edgeId)
      .exec();
    return { key, keyVersion };
  }

  /** New key; the old key and every edge JWT issued under it stop working. */
  async rotate(edgeId: string): Promise<{ key: string; keyVersion: number }> {
    const key = newKey();
    const script = `
      if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
      redis.call('HSET', KEYS[1], 'keyDigest', ARGV[1])
      return redis.call('HINCRBY', KEYS[1], 'keyVersion', 1)`;
    const version = Number(
      await this.redis.eval(script, {
        keys: [this.keys.edge(edgeId)],
        arguments: [digest(key).toString('base64')],
      }),
    );
    if (version < 0) throw new AppError('not_found', `no edge ${edgeId}`);
    return { key, keyVersion: version };
  }

  async get(edgeId: string): Promise<EdgeRecord | undefined> {
    const h = await this.redis.hGetAll(this.keys.edge(edgeId));
    if (!h.edgeId) return undefined;
    return {
      edgeId: h.edgeId,
      branchId: h.branchId ?? '',
      keyVersion: Number(h.keyVersion ?? 0),
      createdAt: Number(h.createdAt ?? 0),
    };
  }

  async list(): Promise<EdgeRecord[]> {
    const ids = (await this.redis.sMembers(this.keys.edgeIndex())).sort();
    const all = await Promise.all(ids.map((id) => this.get(id)));
    return all.filter((e): e is EdgeRecord => e !== undefined);
  }

  async authenticate(edgeId: string, key: string): Promise<EdgeRecord> {
    const [record, stored] = await Promise.all([
      this.get(edgeId),
      this.redis.hGet(this.keys.edge(edgeId), 'keyDigest'),
    ]);
    const given = digest(key);
    const expected = stored ? Buffer.from(stored, 'base64') : randomBytes(32);
    if (!record || !timingSafeEqual(given, expected.length === given.length ? expected : randomBytes(32))) {
      throw authError('bad_credentials', 'unknown edge or wrong key');
    }
    return record;
  }
}
