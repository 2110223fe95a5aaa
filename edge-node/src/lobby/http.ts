// Lobby endpoints on the edge's HTTP server. They carry aggregates only, but
// those are still branch data, so every route needs `Authorization: Bearer`:
//   - a lobby access token the cloud signed for this edge and branch
//     (`POST /api/v1/branches/:branchId/lobby/access`; scope `read`, or
//     `staff` for the staff count), or
//   - LOBBY_ADMIN_TOKEN, the branch's own secret (all scopes): the way in for
//     local tools, and for an edge that runs without a cloud.
// The ops view does not come here: it reads the reports the edge pushes to
// the cloud (`GET /api/v1/branches/:branchId/lobby`).
//   GET /lobby                            LobbySnapshot (today's counts, dwell, busyness; yesterday's summary)
//   GET /lobby/cameras/:id/heatmap.png    today's heat map image (no camera pixels in it); ?day=previous
//   GET /lobby/cameras/:id/heatmap.json   the grid of person-seconds; ?day=previous
//   PUT /lobby/staff {staffOnDuty}        staff serving customers now (scope `staff`)
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '#common/logger';
import { AppError, validate } from '#protocol/errors';
import { StaffOnDuty, type LobbyAccessClaims, type LobbyScope } from '#protocol/lobby';
import type { HeatMap } from './heatmap.ts';
import type { LobbyCamera } from './LobbyCamera.ts';
import type { LobbyService } from './LobbyService.ts';

export interface LobbyRouterOptions {
  lobby: LobbyService;
  activeCalls: () => number;
  maxCalls: number;
  branchId: string;
  /** Verifies cloud-signed lobby access tokens for this edge. */
  verifyToken: (token: string | undefined) => LobbyAccessClaims;
  adminToken?: string;
  logger: Logger;
}

const HeatmapQuery = z.object({ day: z.enum(['today', 'previous']).default('today') });

function bearer(req: Request): string | undefined {
  const h = req.get('authorization');
  return h && /^Bearer /i.test(h) ? h.slice(7).trim() || undefined : undefined;
}

function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function lobbyRouter(o: LobbyRouterOptions): Router {
  const router = express.Router();
  const allow =
    (scope: LobbyScope) =>
    (req: Request, _res: Response, next: NextFunction): void => {
      try {
        const token = bearer(req);
        if (token && o.adminToken && sameSecret(token, o.adminToken)) return next();
        const claims = o.verifyToken(token);
        if (claims.branchId !== o.branchId)
          throw new AppError('forbidden', `token is for branch ${claims.branchId}`, {
            reason: 'wrong_branch',
          });
        if (!claims.scope.includes(scope))
          throw new AppError('forbidden', `token lacks scope ${scope}`, { reason: 'wrong_scope' });
        next();
      } catch (err) {
        next(err);
      }
    };

  /** The camera and the heat map a request names: today's, or the last closed day's. */
  const heatmapOf = (req: Request): { cam: LobbyCamera; map: HeatMap } => {
    const cam = o.lobby.camera(String(req.params.id));
    if (validate(HeatmapQuery, req.query, 'query').day === 'today') return { cam, map: cam.heatmap };
    const map = o.lobby.previous?.heatmaps.get(cam.config.id);
    if (!map) throw new AppError('not_found', 'no closed day yet: the edge has not passed a midnight');
    return { cam, map };
  };

  router.get('/lobby', allow('read'), (_req, res) => {
    res.json(o.lobby.snapshot(o.activeCalls(), o.maxCalls));
  });
  router.get('/lobby/cameras/:id/heatmap.png', allow('read'), async (req, res, next) => {
    try {
      const { cam, map } = heatmapOf(req);
      res
        .type('image/png')
        .set('cache-control', 'no-store')
        .send(await map.png(cam.config.zones));
    } catch (err) {
      next(err);
    }
  });
  router.get('/lobby/cameras/:id/heatmap.json', allow('read'), (req, res, next) => {
    try {
      const { cam, map } = heatmapOf(req);
      res.set('cache-control', 'no-store').json({
        cameraId: cam.config.id,
        cols: map.cols,
        rows: map.rows,
        totalS: map.totalS,
        personSeconds: map.toGrid(),
      });
    } catch (err) {
      next(err);
    }
  });
  router.put('/lobby/staff', allow('staff'), express.json({ limit: '1kb' }), (req, res, next) => {
    try {
      const body = validate(StaffOnDuty, req.body, 'staff on duty');
      o.lobby.staffOnDuty = body.staffOnDuty;
      res.json(o.lobby.busyness(o.activeCalls(), o.maxCalls));
    } catch (err) {
      next(err);
    }
  });
  router.use('/lobby', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e =
      err instanceof AppError
        ? err
        : // express.json's own errors (bad JSON, too large) are the caller's fault
          typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500
          ? new AppError('bad_request', (err as Error).message)
          : new AppError('internal', 'internal error');
    if (e.code === 'internal') o.logger.error({ err }, 'lobby request failed');
    res.status(e.httpStatus).json(e.toBody());
  });
  return router;
}
