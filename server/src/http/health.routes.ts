// Liveness (process up) and readiness (dependencies reachable) for the load balancer.
import express, { type Router } from 'express';
import type { Readiness } from '#protocol/api';
import type { RedisClient } from '../redis/client.ts';

export function healthRoutes(opts: {
  instanceId: string;
  redis: RedisClient;
  isClosing: () => boolean;
}): Router {
  const router = express.Router();
  const started = Date.now();
  router.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      instanceId: opts.instanceId,
      uptimeS: Math.round((Date.now() - started) / 1000),
    });
  });
  router.get('/readyz', async (_req, res) => {
    const t0 = performance.now();
    let redis: Readiness['checks'][string];
    try {
      if (!opts.redis.isReady) throw new Error('not connected');
      await Promise.race([
        opts.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out')), 1000).unref()),
      ]);
      redis = { ok: true, latencyMs: Math.round((performance.now() - t0) * 100) / 100 };
    } catch (err) {
      redis = { ok: false, error: (err as Error).message };
    }
    const shutdown = { ok: !opts.isClosing(), ...(opts.isClosing() ? { error: 'shutting down' } : {}) };
    const body: Readiness = {
      ready: redis.ok && shutdown.ok,
      instanceId: opts.instanceId,
      checks: { redis, shutdown },
    };
    res.status(body.ready ? 200 : 503).json(body);
  });
  return router;
}
