// Desired configuration per edge and deployments ("one-click deployment to
// designated edges"): a deployment bumps each target's desired revision, the
// edge applies it and reports back, the deployment shows per-edge progress, and
// a rollback restores each target's previous config as a new, higher revision
// (revisions only go up, so an edge never mistakes old for new).
import { randomUUID } from 'node:crypto';
import { ConfigChange, Deployment, DeploymentTarget } from '#protocol/api';
import { RunningConfig, type ConfigApplied } from '#protocol/edge-link';
import { AppError } from '#protocol/errors';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import { applyChange, diffConfig, EMPTY_CONFIG } from './config-change.ts';
import type { EdgeCredentials } from './credentials.ts';

/** Compare-and-set of the desired config on its revision; also records the revision in the history. */
const SET_DESIRED = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'revision') or '-1')
if cur ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'config', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1`;

export class Rollout {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly credentials: EdgeCredentials,
  ) {}

  async desired(edgeId: string): Promise<RunningConfig | undefined> {
    const raw = await this.redis.hGet(this.keys.edgeDesired(edgeId), 'config');
    return raw ? RunningConfig.parse(JSON.parse(raw)) : undefined;
  }

  /** On first contact the cloud adopts what the edge runs as its desired config — no surprise rollout. */
  async desiredOrAdopt(edgeId: string, running: RunningConfig): Promise<RunningConfig> {
    const cur = await this.desired(edgeId);
    if (cur) return cur;
    await this.cas(edgeId, -1, running);
    return (await this.desired(edgeId)) ?? running;
  }

  private async cas(edgeId: string, expected: number, next: RunningConfig): Promise<boolean> {
    const res = await this.redis.eval(SET_DESIRED, {
      keys: [this.keys.edgeDesired(edgeId), this.keys.edgeRevisions(edgeId)],
      arguments: [String(expected), String(next.revision), JSON.stringify(next)],
    });
    return Number(res) === 1;
  }

  /** Moves one edge's desired config forward by `make(current)`, retrying on concurrent changes. */
  private async advance(
    edgeId: string,
    make: (cur: RunningConfig) => Promise<RunningConfig>,
  ): Promise<{ from: number; to: RunningConfig }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const stored = await this.desired(edgeId);
      const cur = stored ?? EMPTY_CONFIG;
      const next = { ...(await make(cur)), revision: cur.revision + 1 };
      if (await this.cas(edgeId, stored ? cur.revision : -1, next)) return { from: cur.revision, to: next };
    }
    throw new AppError('conflict', `desired config of ${edgeId} keeps changing, retry`);
  }

  async deploy(input: {
    edgeIds: string[];
    change: ConfigChange;
    createdBy: string;
    note?: string | undefined;
  }): Promise<Deployment> {
    const edgeIds = [...new Set(input.edgeIds)];
    const missing = (
      await Promise.all(edgeIds.map(async (id) => ((await this.credentials.get(id)) ? null : id)))
    ).filter(Boolean);
    if (missing.length)
      throw new AppError('not_found', `unknown edges: ${missing.join(', ')}`, { edgeIds: missing });
    const id = `dep-${randomUUID()}`;
    const targets: DeploymentTarget[] = [];
    for (const edgeId of edgeIds) {
      const { from, to } = await this.advance(edgeId, async (cur) => applyChange(cur, input.change));
      targets.push({
        edgeId,
        fromRevision: from,
        toRevision: to.revision,
        status: 'pending',
        updatedAt: Date.now(),
      });
    }
    return this.save(
      {
        id,
        kind: 'rollout',
        createdAt: Date.now(),
        createdBy: input.createdBy,
        note: input.note,
        change: input.change,
      },
      targets,
    );
  }

  async rollback(deploymentId: string, createdBy: string): Promise<Deployment> {
    const original = await this.get(deploymentId);
    const id = `dep-${randomUUID()}`;
    const targets: DeploymentTarget[] = [];
    for (const t of original.targets) {
      const { from, to } = await this.advance(t.edgeId, async () => {
        const raw = await this.redis.hGet(this.keys.edgeRevisions(t.edgeId), String(t.fromRevision));
        if (!raw)
          throw new AppError('conflict', `edge ${t.edgeId} has no record of revision ${t.fromRevision}`);
        return RunningConfig.parse(JSON.parse(raw));
      });
      targets.push({
        edgeId: t.edgeId,
        fromRevision: from,
        toRevision: to.revision,
        status: 'pending',
        updatedAt: Date.now(),
      });
    }
    const first = original.targets[0];
    const change = first ? await this.describe(first.edgeId, first.toRevision, first.fromRevision) : {};
    return this.save(
      { id, kind: 'rollback', rollbackOf: deploymentId, createdAt: Date.now(), createdBy, change },
      targets,
    );
  }

  private async describe(edgeId: string, fromRev: number, toRev: number): Promise<ConfigChange> {
    const [a, b] = await this.redis.hmGet(this.keys.edgeRevisions(edgeId), [String(fromRev), String(toRev)]);
    if (!a || !b) return {};
    return diffConfig(RunningConfig.parse(JSON.parse(a)), RunningConfig.parse(JSON.parse(b)));
  }

  private async save(
    meta: Omit<Deployment, 'targets' | 'status'>,
    targets: DeploymentTarget[],
  ): Promise<Deployment> {
    const m = this.redis.multi();
    m.set(this.keys.deployment(meta.id), JSON.stringify(meta));
    for (const t of targets) {
      m.hSet(this.keys.deploymentTargets(meta.id), t.edgeId, JSON.stringify(t));
      m.hSet(this.keys.edgeRevisionDeployments(t.edgeId), String(t.toRevision), meta.id);
    }
    m.zAdd(this.keys.deploymentIndex(), { score: meta.createdAt, value: meta.id });
    await m.exec();
    return this.get(meta.id);
  }

  async get(id: string): Promise<Deployment> {
    const [raw, targetsRaw] = await Promise.all([
      this.redis.get(this.keys.deployment(id)),
      this.redis.hGetAll(this.keys.deploymentTargets(id)),
    ]);
    if (!raw) throw new AppError('not_found', `no deployment ${id}`);
    const targets = Object.values(targetsRaw)
      .map((t) => DeploymentTarget.parse(JSON.parse(t)))
      .sort((a, b) => a.edgeId.localeCompare(b.edgeId));
    const status = targets.some((t) => t.status === 'failed')
      ? 'failed'
      : targets.every((t) => t.status === 'applied')
        ? 'completed'
        : 'in-progress';
    return Deployment.parse({ ...JSON.parse(raw), targets, status });
  }

  async list(limit = 50): Promise<Deployment[]> {
    const ids = await this.redis.zRange(this.keys.deploymentIndex(), 0, limit - 1, { REV: true });
    return Promise.all(ids.map((id) => this.get(id)));
  }

  /**
   * The edge reports it runs `revision` (after `edge:config` or on reconnect). Marks the deployment
   * that produced that revision; returns it (for dashboards) and the config now running.
   */
  async applied(
    edgeId: string,
    msg: ConfigApplied,
  ): Promise<{ deployment?: Deployment; running?: RunningConfig }> {
    const rawCfg = await this.redis.hGet(this.keys.edgeRevisions(edgeId), String(msg.revision));
    const running = msg.ok && rawCfg ? RunningConfig.parse(JSON.parse(rawCfg)) : undefined;
    const depId = await this.redis.hGet(this.keys.edgeRevisionDeployments(edgeId), String(msg.revision));
    if (!depId) return { running };
    const rawTarget = await this.redis.hGet(this.keys.deploymentTargets(depId), edgeId);
    if (!rawTarget) return { running };
    const target = DeploymentTarget.parse(JSON.parse(rawTarget));
    const next: DeploymentTarget = {
      ...target,
      status: msg.ok ? 'applied' : 'failed',
      updatedAt: Date.now(),
      ...(msg.ok ? {} : { error: msg.error ?? 'edge reported failure' }),
    };
    if (msg.ok) delete next.error;
    await this.redis.hSet(this.keys.deploymentTargets(depId), edgeId, JSON.stringify(next));
    return { deployment: await this.get(depId), running };
  }
}
