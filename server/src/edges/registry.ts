// Live state of every edge: online/offline, what it runs, load and branch
// busyness. Several instances share it through Redis. Transitions (online →
// offline and back) are decided by small Lua scripts so exactly one instance
// observes each one and reports it (to flag calls, push dashboards) — even
// when the instance that held the edge's socket died.
import { EventEmitter } from 'node:events';
import type { EdgeSummary } from '#protocol/api';
import type { EdgeHeartbeat, EdgeHello, RunningConfig } from '#protocol/edge-link';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import type { EdgeCredentials } from './credentials.ts';

/** Set status fields; (re)join the online set. Returns 1 if the edge was offline before. */
const HELLO = `
local was = redis.call('HGET', KEYS[1], 'online')
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('HSET', KEYS[1], 'online', '1')
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
if was == '1' then return 0 end
return 1`;

/** Heartbeat from the connection that owns the edge. 0 = stale connection, 1 = ok, 2 = revived an offline edge. */
const HEARTBEAT = `
if redis.call('HGET', KEYS[1], 'connId') ~= ARGV[3] then return 0 end
local was = redis.call('HGET', KEYS[1], 'online')
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('HSET', KEYS[1], 'online', '1')
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
if was == '1' then return 1 end
return 2`;

/** Offline if still online and (connId matches, or ARGV[2] is '' and the last heartbeat is older than ARGV[3]). */
const MARK_OFFLINE = `
if redis.call('HGET', KEYS[1], 'online') ~= '1' then return 0 end
if ARGV[2] ~= '' then
  if redis.call('HGET', KEYS[1], 'connId') ~= ARGV[2] then return 0 end
else
  local seen = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if seen and tonumber(seen) >= tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], 'online', '0', 'offlineAt', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

export type EdgeRegistryEvents = {
  online: [edgeId: string];
  offline: [edgeId: string, reason: string];
};

export class EdgeRegistry extends EventEmitter<EdgeRegistryEvents> {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly credentials: EdgeCredentials,
    private readonly offlineAfterMs: number,
  ) {
    super();
  }

  async hello(hello: EdgeHello, connId: string, instanceId: string): Promise<void> {
    const now = Date.now();
    const fields = {
      connId,
      instanceId,
      version: hello.version,
      publicUrl: hello.publicUrl,
      turnUrls: JSON.stringify(hello.turnUrls ?? []),
      capacity: JSON.stringify(hello.capacity),
      running: JSON.stringify(hello.running),
      transcriptionEngine: hello.transcriptionEngine,
      connectedAt: String(now),
      lastHeartbeatAt: String(now),
    };
    const revived = await this.redis.eval(HELLO, {
      keys: [this.keys.edgeStatus(hello.edgeId), this.keys.edgesOnline()],
      arguments: [String(now), hello.edgeId, ...Object.entries(fields).flat()],
    });
    if (Number(revived) === 1) this.emit('online', hello.edgeId);
  }

  async heartbeat(edgeId: string, connId: string, hb: EdgeHeartbeat): Promise<boolean> {
    const now = Date.now();
    const fields = {
      lastHeartbeatAt: String(now),
      load: JSON.stringify(hb.load),
      busyness: JSON.stringify(hb.busyness),
    };
    const res = Number(
      await this.redis.eval(HEARTBEAT, {
        keys: [this.keys.edgeStatus(edgeId), this.keys.edgesOnline()],
        arguments: [String(now), edgeId, connId, ...Object.entries(fields).flat()],
      }),
    );
    if (res === 2) this.emit('online', edgeId);
    return res !== 0;
  }

  async setRunning(edgeId: string, running: RunningConfig): Promise<void> {
    await this.redis.hSet(this.keys.edgeStatus(edgeId), 'running', JSON.stringify(running));
  }

  /** The connection `connId` closed: offline unless the edge already reconnected elsewhere. */
  async disconnected(edgeId: string, connId: string): Promise<void> {
    if (await this.markOffline(edgeId, connId, 0)) this.emit('offline', edgeId, 'disconnected');
  }

  /** Marks offline every edge whose last heartbeat is older than the threshold. Returns the ones this call flipped. */
  async sweep(now = Date.now()): Promise<string[]> {
    const threshold = now - this.offlineAfterMs;
    const stale = await this.redis.zRangeByScore(this.keys.edgesOnline(), '-inf', `(${threshold}`);
    const flipped: string[] = [];
    for (const edgeId of stale) {
      if (await this.markOffline(edgeId, '', threshold)) {
        flipped.push(edgeId);
        this.emit('offline', edgeId, 'heartbeat-timeout');
      }
    }
    return flipped;
  }

  private async markOffline(edgeId: string, connId: string, threshold: number): Promise<boolean> {
    const res = await this.redis.eval(MARK_OFFLINE, {
      keys: [this.keys.edgeStatus(edgeId), this.keys.edgesOnline()],
      arguments: [edgeId, connId, String(threshold), String(Date.now())],
    });
    return Number(res) === 1;
  }

  async isOnline(edgeId: string): Promise<boolean> {
    return (await this.redis.hGet(this.keys.edgeStatus(edgeId), 'online')) === '1';
  }

  async summary(edgeId: string, desired?: RunningConfig): Promise<EdgeSummary | undefined> {
    const record = await this.credentials.get(edgeId);
    if (!record) return undefined;
    const s = await this.redis.hGetAll(this.keys.edgeStatus(edgeId));
    const json = <T>(v: string | undefined): T | undefined => (v ? (JSON.parse(v) as T) : undefined);
    return {
      edgeId,
      branchId: record.branchId,
      online: s.online === '1',
      ...(s.version ? { version: s.version } : {}),
      ...(s.publicUrl ? { publicUrl: s.publicUrl } : {}),
      ...(s.lastHeartbeatAt ? { lastHeartbeatAt: Number(s.lastHeartbeatAt) } : {}),
      ...(s.capacity ? { capacity: json(s.capacity) } : {}),
      ...(s.load ? { load: json(s.load) } : {}),
      ...(s.busyness ? { busyness: json(s.busyness) } : {}),
      ...(s.running ? { running: json(s.running) } : {}),
      ...(desired ? { desired } : {}),
    };
  }

  async turnUrls(edgeId: string): Promise<string[]> {
    const raw = await this.redis.hGet(this.keys.edgeStatus(edgeId), 'turnUrls');
    return raw ? (JSON.parse(raw) as string[]) : [];
  }

  /** Busyness score of an online edge, or null. */
  async busyness(edgeId: string): Promise<number | null> {
    const [online, raw] = await this.redis.hmGet(this.keys.edgeStatus(edgeId), ['online', 'busyness']);
    if (online !== '1' || !raw) return null;
    return (JSON.parse(raw) as { score: number }).score;
  }
}
