// Lobby analytics: what the edge's lobby cameras tell the bank. Cameras are
// analysed on the edge; only the aggregates below ever leave it (counts, dwell
// histograms, heat-map images). Raw lobby video and frames never do.
//
// Coordinates in zone polygons are normalised to the camera image (0…1, origin
// top-left), so a zone drawn once survives a change of stream resolution.
import { z } from 'zod';

export const ZoneKind = z.enum(['waiting', 'counter', 'self-service', 'entrance', 'other']);
export type ZoneKind = z.infer<typeof ZoneKind>;

export const Point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
export type Point = z.infer<typeof Point>;

export const LobbyZone = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (≤ 40)'),
  name: z.string().max(80).optional(),
  kind: ZoneKind,
  /** Floor polygon in normalised image coordinates; a person is in the zone when their feet are. */
  polygon: z.array(Point).min(3, 'a polygon needs at least 3 points').max(64),
});
export type LobbyZone = z.infer<typeof LobbyZone>;

/** Upper bounds (seconds) of the dwell histogram buckets; the last bucket is open-ended. */
export const DWELL_BUCKETS_S = [30, 60, 120, 300, 600, 900, 1800] as const;

export const DwellHistogram = z.object({
  /** Upper bounds in seconds; `counts` has one more entry (≥ the last bound). */
  boundsS: z.array(z.number().positive()),
  counts: z.array(z.number().int().nonnegative()),
  /** Completed visits (people who left the zone). */
  visits: z.number().int().nonnegative(),
  meanS: z.number().nonnegative().nullable(),
  p50S: z.number().nonnegative().nullable(),
  p90S: z.number().nonnegative().nullable(),
});
export type DwellHistogram = z.infer<typeof DwellHistogram>;

export const ZoneStats = z.object({
  zoneId: z.string(),
  kind: ZoneKind,
  /** People in the zone now. */
  count: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
  exits: z.number().int().nonnegative(),
  /** Mean time the people now in the zone have been there (null when empty). */
  currentWaitS: z.number().nonnegative().nullable(),
  /** Longest current stay. */
  maxWaitS: z.number().nonnegative().nullable(),
  dwell: DwellHistogram,
});
export type ZoneStats = z.infer<typeof ZoneStats>;

export const CameraStats = z.object({
  cameraId: z.string(),
  state: z.enum(['starting', 'running', 'reconnecting', 'ended', 'failed']),
  /** Media time of the last analysed frame (seconds since the camera started). */
  mediaTimeS: z.number().nonnegative(),
  framesAnalysed: z.number().int().nonnegative(),
  /** Frames decoded but skipped because the detector was still busy. */
  framesDropped: z.number().int().nonnegative(),
  /** Confirmed people in the whole image now (in a zone or not). */
  people: z.number().int().nonnegative(),
  zones: z.array(ZoneStats),
  detectorMsP50: z.number().nonnegative().nullable(),
  lastError: z.string().optional(),
});
export type CameraStats = z.infer<typeof CameraStats>;

export const BusynessInputs = z.object({
  /** People now in waiting zones (all cameras). */
  lobbyCount: z.number().int().nonnegative(),
  /** Mean current wait in waiting zones, seconds (0 when nobody waits). */
  waitS: z.number().nonnegative(),
  activeCalls: z.number().int().nonnegative(),
  maxCalls: z.number().int().positive(),
  staffOnDuty: z.number().int().nonnegative(),
});
export type BusynessInputs = z.infer<typeof BusynessInputs>;

export const BusynessBreakdown = z.object({
  score: z.number().min(0).max(1),
  lobby: z.number().min(0).max(1),
  wait: z.number().min(0).max(1),
  calls: z.number().min(0).max(1),
  inputs: BusynessInputs,
});
export type BusynessBreakdown = z.infer<typeof BusynessBreakdown>;

// ---- The branch's day -----------------------------------------------------------------
// Entries, exits, dwell histograms and heat maps count "today": they start again
// at the branch's local midnight. The day that ended stays on the edge as
// `previous` and goes to the cloud once, as a LobbyDayReport.

/** A calendar day at the branch: `YYYY-MM-DD` in its time zone. */
export const LocalDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const ZoneDayStats = z.object({
  zoneId: z.string(),
  kind: ZoneKind,
  /** Visits begun in the zone that day, plus people already in it at the day's start. */
  entries: z.number().int().nonnegative(),
  exits: z.number().int().nonnegative(),
  dwell: DwellHistogram,
});
export type ZoneDayStats = z.infer<typeof ZoneDayStats>;

export const CameraDayStats = z.object({
  cameraId: z.string(),
  zones: z.array(ZoneDayStats),
  /** Seconds of analysed video in the day's heat map. */
  heatmapTotalS: z.number().nonnegative(),
});
export type CameraDayStats = z.infer<typeof CameraDayStats>;

export const LobbyDaySummary = z.object({
  branchId: z.string(),
  edgeId: z.string(),
  day: LocalDay,
  /** IANA time zone the day was counted in. */
  timeZone: z.string(),
  /** When counting for that day started (edge start or midnight) and ended, ms since the epoch. */
  startedAt: z.number(),
  endedAt: z.number(),
  cameras: z.array(CameraDayStats),
});
export type LobbyDaySummary = z.infer<typeof LobbyDaySummary>;

/** The branch's lobby as the edge serves it on `GET /lobby` (and what the cloud may store). */
export const LobbySnapshot = z.object({
  branchId: z.string(),
  edgeId: z.string(),
  at: z.number(),
  /** The day entries, exits, dwell and heat maps count (optional: edges before the daily reset lack it). */
  day: LocalDay.optional(),
  timeZone: z.string().optional(),
  /** The day before, as it was closed at midnight (until the next midnight). */
  previous: LobbyDaySummary.optional(),
  lobbyCount: z.number().int().nonnegative(),
  busyness: BusynessBreakdown,
  cameras: z.array(CameraStats),
});
export type LobbySnapshot = z.infer<typeof LobbySnapshot>;

/** `PUT /lobby/staff` body: how many staff serve customers now (feeds the busyness score). */
export const StaffOnDuty = z.object({ staffOnDuty: z.number().int().min(0).max(1000) });

// ---- Edge → cloud: periodic lobby report for the ops view ---------------------------

/** socket.io event on the `/edge` namespace (fire-and-forget, latest report wins). */
export const LOBBY_REPORT_EVENT = 'lobby:report';

/** A heat map as it leaves the edge: a PNG drawn from the occupancy grid only (no camera pixels). */
export const HeatmapImage = z.object({
  cameraId: z.string(),
  cols: z.number().int().positive(),
  rows: z.number().int().positive(),
  /** Seconds of analysed video the map covers. */
  totalS: z.number().nonnegative(),
  /** Base64 PNG; small by construction (a grid upscaled, ≲ 60 kB). */
  pngBase64: z.string().max(200_000),
});
export type HeatmapImage = z.infer<typeof HeatmapImage>;

export const LobbyReport = z.object({
  snapshot: LobbySnapshot,
  heatmaps: z.array(HeatmapImage).max(16),
});
export type LobbyReport = z.infer<typeof LobbyReport>;

/** socket.io request on `/edge` (acknowledged): a closed day, sent once per day and edge. */
export const LOBBY_DAY_EVENT = 'lobby:day';

/** The closed day with its heat maps; the cloud keeps the first it gets per edge and day. */
export const LobbyDayReport = z.object({
  summary: LobbyDaySummary,
  heatmaps: z.array(HeatmapImage).max(16),
});
export type LobbyDayReport = z.infer<typeof LobbyDayReport>;

/** Ack of LOBBY_DAY_EVENT: `stored` false = the cloud had that day already (a resend). */
export const LobbyDayAck = z.object({ stored: z.boolean() });
export type LobbyDayAck = z.infer<typeof LobbyDayAck>;

/** `GET /api/v1/branches/:branchId/lobby/days/:day`: each edge's report of that day. */
export const BranchLobbyDay = z.object({
  branchId: z.string(),
  day: LocalDay,
  edges: z.array(LobbyDayReport.extend({ edgeId: z.string(), receivedAt: z.number() })),
});
export type BranchLobbyDay = z.infer<typeof BranchLobbyDay>;

/** `GET /api/v1/branches/:branchId/lobby`: the latest report of each of the branch's edges. */
export const BranchLobby = z.object({
  branchId: z.string(),
  edges: z.array(LobbyReport.extend({ edgeId: z.string(), receivedAt: z.number() })),
});
export type BranchLobby = z.infer<typeof BranchLobby>;

// ---- Access to an edge's own lobby endpoints (`GET /lobby…`, `PUT /lobby/staff`) ----------
// The ops view reads lobby data through the cloud. Anything that reads the edge directly
// (a branch screen, a local tool) needs a short-lived token the cloud signs with its
// call-token key (ES256; the edge already holds the public key for join tokens). Its own
// audience keeps it apart from join tokens in both directions.

/** Audience of a lobby access token: one edge's lobby endpoints only. */
export const lobbyAccessAudience = (edgeId: string) => `edge-lobby:${edgeId}`;

/** `read`: the snapshot and heat maps; `staff`: also `PUT /lobby/staff`. */
export const LobbyScope = z.enum(['read', 'staff']);
export type LobbyScope = z.infer<typeof LobbyScope>;

export const LobbyAccessClaims = z.object({
  typ: z.literal('lobby-access'),
  /** The staff member it was issued to (user id). */
  sub: z.string().min(1),
  branchId: z.string().min(1),
  scope: z.array(LobbyScope).min(1),
});
export type LobbyAccessClaims = z.infer<typeof LobbyAccessClaims>;

/** `POST /api/v1/branches/:branchId/lobby/access`: one token per edge of the branch. */
export const LobbyAccessResponse = z.object({
  branchId: z.string(),
  expiresInS: z.number().int().positive(),
  edges: z.array(
    z.object({
      edgeId: z.string(),
      /** Where the edge serves HTTP ('' when it has not said yet). */
      publicUrl: z.string(),
      /** `Authorization: Bearer <token>` on the edge's `/lobby…` endpoints. */
      token: z.string(),
      scope: z.array(LobbyScope),
    }),
  ),
});
export type LobbyAccessResponse = z.infer<typeof LobbyAccessResponse>;
