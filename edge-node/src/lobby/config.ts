// Lobby camera configuration: a JSON or YAML file (LOBBY_CONFIG_FILE) listing
// the branch's cameras, where each one's picture comes from and the zones
// drawn on it. Parsed with zod at load time; every bad field is named with its
// path (`cameras.0.zones.1.polygon: …`) so an installer can fix the file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { AppError, validate } from '#protocol/errors';
import { LobbyZone, Point } from '#protocol/lobby';

export const CameraSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('rtsp'),
    /** rtsp://user:pass@host/stream — credentials are never logged. */
    url: z.string().regex(/^rtsps?:\/\//, 'must start with rtsp:// or rtsps://'),
    /** RTSP over TCP survives lossy branch Wi-Fi better than UDP. */
    transport: z.enum(['tcp', 'udp']).default('tcp'),
  }),
  z.object({
    /** Plain RTP described by an SDP file (a camera or encoder pushing to the edge). */
    kind: z.literal('rtp'),
    sdpFile: z.string().min(1),
  }),
  z.object({
    kind: z.literal('file'),
    path: z.string().min(1),
    /** Pace decoding at the file's own speed (a demo camera); off = as fast as the detector goes. */
    realtime: z.boolean().default(false),
    loop: z.boolean().default(false),
  }),
]);
export type CameraSource = z.infer<typeof CameraSource>;

export const CameraConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (≤ 40)'),
    name: z.string().max(80).optional(),
    source: CameraSource,
    /** Frames analysed per second. Lobby occupancy changes over seconds, not milliseconds: 1 fps is plenty. */
    fps: z.number().min(0.1).max(10).default(1),
    /**
     * Detector score below which a box is not a person. 0.35 keeps people far
     * from the camera or half hidden (scores 0.35–0.45 on the test clip) —
     * static look-alikes are masked with `ignore` instead.
     */
    minScore: z.number().min(0.05).max(0.99).default(0.35),
    zones: z.array(LobbyZone).max(32).default([]),
    /**
     * Floor areas whose "people" are ignored: things the detector takes for a
     * person (posters of people, mannequins, a bollard), drawn like zones.
     */
    ignore: z.array(z.array(Point).min(3, 'a polygon needs at least 3 points').max(64)).max(32).default([]),
    heatmap: z
      .object({
        cols: z.number().int().min(4).max(128).default(32),
        rows: z.number().int().min(4).max(128).default(24),
      })
      .default({ cols: 32, rows: 24 }),
    /**
     * Frames are never stored unless this is set: a directory on the edge's own
     * disk and how often to keep one (for tuning zones; they never leave the edge).
     */
    storeFrames: z.object({ dir: z.string().min(1), everyS: z.number().min(1).default(60) }).optional(),
  })
  .superRefine((cam, ctx) => {
    const seen = new Set<string>();
    cam.zones.forEach((zone, i) => {
      if (seen.has(zone.id))
        ctx.addIssue({ code: 'custom', path: ['zones', i, 'id'], message: `duplicate zone id "${zone.id}"` });
      seen.add(zone.id);
    });
  });
export type CameraConfig = z.infer<typeof CameraConfig>;

export const LobbyFile = z.object({ cameras: z.array(CameraConfig).max(16) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.cameras.forEach((cam, i) => {
    if (seen.has(cam.id))
      ctx.addIssue({
        code: 'custom',
        path: ['cameras', i, 'id'],
        message: `duplicate camera id "${cam.id}"`,
      });
    seen.add(cam.id);
  });
});
export type LobbyFile = z.infer<typeof LobbyFile>;

/** Parses an already-loaded object (tests, HTTP). Throws a bad_request AppError naming each bad field. */
export function parseLobbyConfig(data: unknown, what = 'lobby configuration'): LobbyFile {
  return validate(LobbyFile, data, what);
}

/**
 * Reads LOBBY_CONFIG_FILE (.json, .yaml or .yml). Relative paths inside it
 * (video files, SDP files, frame directories) are resolved against the file's folder.
 */
export function loadLobbyConfigFile(file: string): LobbyFile {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'bad_request',
      `cannot read lobby configuration ${file}: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  const parsed = parseLobbyConfig(raw, `lobby configuration ${file}`);
  const base = path.dirname(path.resolve(file));
  for (const cam of parsed.cameras) {
    if (cam.source.kind === 'file') cam.source.path = path.resolve(base, cam.source.path);
    if (cam.source.kind === 'rtp') cam.source.sdpFile = path.resolve(base, cam.source.sdpFile);
    if (cam.storeFrames) cam.storeFrames.dir = path.resolve(base, cam.storeFrames.dir);
  }
  return parsed;
}

/** rtsp://user:secret@host → rtsp://user:***@host, anywhere in a string (URLs, ffmpeg's messages). */
export function redactUrl(text: string): string {
  return text.replace(/(\w+:\/\/[^:/@\s]+):[^@/\s]*@/g, '$1:***@');
}
