// Liveness and readiness. /healthz: the process answers. /readyz: it can take a
// call — a live mediasoup worker, a key to verify join tokens, and the
// transcription engine loaded; the cloud link is reported but not required
// (the branch keeps working while the cloud is away).
import type { Request, Response, Router } from 'express';

export interface ReadinessCheck {
  name: string;
  /** A failing required check makes /readyz answer 503. */
  required: boolean;
  run(): Promise<{ ok: boolean; detail: string }>;
}

export function mountHealth(router: Router, checks: () => ReadinessCheck[]): void {
  router.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok', uptimeS: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req: Request, res: Response) => {
    const results: Record<string, { ok: boolean; required: boolean; detail: string }> = {};
    for (const check of checks()) {
      try {
        results[check.name] = { ...(await check.run()), required: check.required };
      } catch (err) {
        results[check.name] = { ok: false, required: check.required, detail: (err as Error).message };
      }
    }
    const ready = Object.values(results).every((r) => r.ok || !r.required);
    res.status(ready ? 200 : 503).json({ ready, checks: results });
  });
}
