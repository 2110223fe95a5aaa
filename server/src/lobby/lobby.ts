// Lobby reports from the edges, for the ops view: each edge pushes its latest
// lobby aggregates (counts, dwell histograms, busyness) and heat-map images on
// the `/edge` namespace; the cloud keeps the latest per edge in Redis (a day)
// and serves them per branch. The busyness that drives routing still comes
// from heartbeats — this is the picture behind it. No video ever arrives here:
// the edge has none to send (docs/lobby.md). At the branch's midnight each
// edge sends the day that ended once (acknowledged); the first copy per edge
// and day is kept for DAY_TTL_S. Staff who need to read an edge's own lobby
// endpoints get a short-lived, edge-scoped lobby access token here.
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '#common/logger';
import { validate } from '#protocol/errors';
import {
  BranchLobby,
  BranchLobbyDay,
  LOBBY_DAY_EVENT,
  LOBBY_REPORT_EVENT,
  LobbyAccessResponse,
  LobbyDayReport,
  LocalDay,
  LobbyReport,
  type LobbyDayAck,
  type LobbyScope,
} from '#protocol/lobby';
import type { EdgePrincipal } from '../auth/tokens.ts';
import { forbidden } from '../errors.ts';
import type { ApiRouter } from '../http/api-router.ts';
import { staffOf } from '../http/principals.ts';
import { onNotice, onRequest } from '../realtime/handle.ts';
import type { Services } from '../services.ts';

const TTL_S = 24 * 3600;
const key = (s: Services, edgeId: string) => `${s.keys.prefix}lobby:edge:${edgeId}`;
/** Daily summaries are small aggregates: kept 400 days, so a day compares with the same day last year. */
const DAY_TTL_S = 400 * 24 * 3600;
const dayKey = (s: Services, edgeId: string, day: string) => `${s.keys.prefix}lobby:day:${edgeId}:${day}`;

export function registerLobbyEdgeHandlers(nsp: Namespace, s: Services, logger: Logger): void {
  nsp.on('connection', (socket: Socket) => {
    const edge = (socket.data as { edge: EdgePrincipal }).edge;
    const log = logger.child({ edgeId: edge.edgeId, module: 'lobby' });
    onNotice(socket, LOBBY_REPORT_EVENT, LobbyReport, log, async (report) => {
      // An edge reports for itself only: the token names it and its branch.
      if (report.snapshot.edgeId !== edge.edgeId || report.snapshot.branchId !== edge.branchId)
        throw forbidden('wrong_edge', `token is for ${edge.edgeId}@${edge.branchId}`);
      await s.redis.set(
        key(s, edge.edgeId),
        JSON.stringify({ ...report, edgeId: edge.edgeId, receivedAt: Date.now() }),
        {
          EX: TTL_S,
        },
      );
    });
    onRequest(socket, LOBBY_DAY_EVENT, LobbyDayReport, log, async (report): Promise<LobbyDayAck> => {
      const { summary } = report;
      if (summary.edgeId !== edge.edgeId || summary.branchId !== edge.branchId)
        throw forbidden('wrong_edge', `token is for ${edge.edgeId}@${edge.branchId}`);
      // First copy wins: a resend after a lost acknowledgement changes nothing.
      const stored = await s.redis.set(
        dayKey(s, edge.edgeId, summary.day),
        JSON.stringify({ ...report, edgeId: edge.edgeId, receivedAt: Date.now() }),
        { NX: true, EX: DAY_TTL_S },
      );
      return { stored: stored === 'OK' };
    });
  });
}

export function lobbyRoutes(api: ApiRouter, s: Services): void {
  api.add({
    method: 'get',
    path: '/branches/:branchId/lobby',
    tag: 'branches',
    summary:
      'Latest lobby report of each of the branch’s edges: people waiting, per-zone counts and dwell histograms, busyness, heat maps (PNG, base64). Managers: own branch.',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    response: BranchLobby,
    handler: async ({ params, principal }) => {
      const branchId = params.branchId ?? '';
      const p = staffOf(principal);
      if (p.role === 'manager' && p.branchId !== branchId)
        throw forbidden('wrong_branch', 'lobby of another branch');
      const edges = [];
      for (const edgeId of await s.branches.edgeIds(branchId)) {
        const raw = await s.redis.get(key(s, edgeId));
        if (raw) edges.push(JSON.parse(raw) as BranchLobby['edges'][number]);
      }
      return { branchId, edges };
    },
  });
  api.add({
    method: 'post',
    path: '/branches/:branchId/lobby/access',
    tag: 'branches',
    summary:
      'Short-lived tokens (ES256, audience edge-lobby:<edgeId>) for reading the lobby endpoints on each of the branch’s edges directly; scope `staff` (PUT /lobby/staff) for the branch’s managers and edge operators. Managers: own branch.',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    response: LobbyAccessResponse,
    handler: async ({ params, principal }) => {
      const branchId = params.branchId ?? '';
      const p = staffOf(principal);
      if (p.role === 'manager' && p.branchId !== branchId)
        throw forbidden('wrong_branch', 'lobby of another branch');
      await s.branches.require(branchId);
      // Whoever runs the branch (its manager) or the edges (edge:manage) may set the staff count.
      const scope: LobbyScope[] =
        p.role === 'manager' || p.permissions.includes('edge:manage') ? ['read', 'staff'] : ['read'];
      const ttlS = s.config.callTokenTtlS;
      const edges = [];
      for (const edgeId of (await s.branches.edgeIds(branchId)).sort()) {
        const summary = await s.edges.summary(edgeId);
        edges.push({
          edgeId,
          publicUrl: summary?.publicUrl ?? '',
          token: s.callTokens.signLobbyAccess(
            edgeId,
            { typ: 'lobby-access', sub: p.userId, branchId, scope },
            ttlS,
          ),
          scope,
        });
      }
      return { branchId, expiresInS: ttlS, edges };
    },
  });
  api.add({
    method: 'get',
    path: '/branches/:branchId/lobby/days/:day',
    tag: 'branches',
    summary:
      'A closed day (YYYY-MM-DD, branch local time) from each of the branch’s edges: per-zone entries, exits and dwell histograms, heat maps (PNG, base64). Managers: own branch.',
    auth: { kinds: ['staff'], permission: 'branch:read' },
    response: BranchLobbyDay,
    handler: async ({ params, principal }) => {
      const branchId = params.branchId ?? '';
      const p = staffOf(principal);
      if (p.role === 'manager' && p.branchId !== branchId)
        throw forbidden('wrong_branch', 'lobby of another branch');
      const day = validate(LocalDay, params.day, 'day');
      const edges = [];
      for (const edgeId of (await s.branches.edgeIds(branchId)).sort()) {
        const raw = await s.redis.get(dayKey(s, edgeId, day));
        if (raw) edges.push(JSON.parse(raw) as BranchLobbyDay['edges'][number]);
      }
      return { branchId, day, edges };
    },
  });
}
