// Lobby endpoints on the edge's HTTP server (the branch's ops screen and the
// cloud's view read these; they carry aggregates only):
//   GET /lobby                            LobbySnapshot (counts, dwell, busyness)
//   GET /lobby/cameras/:id/heatmap.png    heat map image (no camera pixels in it)
//   GET /lobby/cameras/:id/heatmap.json   the grid of person-seconds
//   PUT /lobby/staff {staffOnDuty}        staff serving customers now; needs
//                                         `Authorization: Bearer <LOBBY_ADMIN_TOKEN>`
//                                         (disabled when that is unset)
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AppError, validate } from '#protocol/errors';
import { StaffOnDuty } from '#protocol/lobby';
import type { LobbyService } from './LobbyService.ts';

export interface LobbyRouterOptions {
  lobby: LobbyService;
  activeCalls: () => number;
  maxCalls: number;
  adminToken?: string;
}

export function lobbyRouter(o: LobbyRouterOptions): Router {
  const router = express.Router();
  router.get('/lobby', (_req, res) => {
    res.json(o.lobby.snapshot(o.activeCalls(), o.maxCalls));
  });
  router.get('/lobby/cameras/:id/heatmap.png', async (req, res, next) => {
    try {
      const cam = o.lobby.camera(String(req.params.id));
      res
        .type('image/png')
        .set('cache-control', 'no-store')
        .send(await cam.heatmap.png(cam.config.zones));
    } catch (err) {
      next(err);
    }
  });
  router.get('/lobby/cameras/:id/heatmap.json', (req, res, next) => {
    try {
      const cam = o.lobby.camera(String(req.params.id));
      res.json({
        cameraId: cam.config.id,
        cols: cam.heatmap.cols,
        rows: cam.heatmap.rows,
        totalS: cam.heatmap.totalS,
        personSeconds: cam.heatmap.toGrid(),
      });
    } catch (err) {
      next(err);
    }
  });
  router.put('/lobby/staff', express.json({ limit: '1kb' }), (req, res, next) => {
    try {
      if (!o.adminToken)
        throw new AppError('forbidden', 'staff updates are disabled (LOBBY_ADMIN_TOKEN unset)');
      const given = Buffer.from(req.get('authorization')?.replace(/^Bearer /i, '') ?? '');
      const want = Buffer.from(o.adminToken);
      if (given.length !== want.length || !timingSafeEqual(given, want))
        throw new AppError('unauthenticated', 'bad or missing lobby admin token');
      const body = validate(StaffOnDuty, req.body, 'staff on duty');
      o.lobby.staffOnDuty = body.staffOnDuty;
      res.json(o.lobby.busyness(o.activeCalls(), o.maxCalls));
    } catch (err) {
      next(err);
    }
  });
  router.use('/lobby', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof AppError ? err : new AppError('internal', 'internal error');
    res.status(e.httpStatus).json(e.toBody());
  });
  return router;
}
