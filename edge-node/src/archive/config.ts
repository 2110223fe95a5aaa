// Recording and archive settings (RECORDING_*, ARCHIVE_*, KEK_*). Every default
// is written once, here, with why; docs/recording.md and docs/security.md list them.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '#common/config';
import { RetentionRules } from './retention/RetentionPolicy.ts';

const int = (d: number, min = 0) => z.coerce.number().int().min(min).default(d);
const flag = (d: '0' | '1') =>
  z
    .string()
    .default(d)
    .transform((v) => ['1', 'true', 'yes'].includes(v.toLowerCase()));

const ArchiveEnv = z.object({
  /** Record every call (each participant's tracks as segments, then a composite). */
  RECORDING_ENABLED: flag('1'),
  /** Segment length: the unit of tamper evidence, of loss on a crash, and of a clip's granularity. */
  RECORDING_SEGMENT_SECONDS: int(10, 2),
  /** Where ffmpeg writes the segment in progress (plaintext): RAM (tmpfs) so plaintext never reaches a disk. */
  RECORDING_SPOOL_DIR: z.string().optional(),
  /** UDP ports ffmpeg recorders listen on: outside mediasoup's (10000–59999) and Linux's ephemeral range. */
  RECORDING_PORT_MIN: int(61000, 1024),
  RECORDING_PORT_MAX: int(62999, 1024),
  /** Build the side-by-side composite after each call (CPU: see `npm run bench:recording`). */
  RECORDING_COMPOSITE: flag('1'),
  RECORDING_COMPOSITE_TILE: z
    .string()
    .regex(/^\d+x\d+$/)
    .default('480x270'),
  RECORDING_COMPOSITE_FPS: int(15, 1),
  /** x264 preset of the composite: `veryfast` keeps one call's composite well under real time on one core. */
  RECORDING_COMPOSITE_PRESET: z.string().default('veryfast'),
  RECORDING_FONT_FILE: z.string().default('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
  /** Seconds before and after a flagged moment that go into its clip. */
  RECORDING_CLIP_SECONDS: int(10, 1),
  /** First restart delay of a crashed recorder (doubles up to 30 s). */
  RECORDING_RESTART_DELAY_MS: int(500, 0),
  /** How long to wait for the sender's RTCP SR before placing a track by arrival time only. */
  RECORDING_SR_WAIT_MS: int(6000, 0),
  RECORDING_FFMPEG: z.string().default('ffmpeg'),
  RECORDING_FFPROBE: z.string().default('ffprobe'),

  /** Encrypted recordings, manifests and artifacts. Put it on its own volume: a full archive disk must not stop the edge. */
  ARCHIVE_DIR: z.string().optional(),
  /** Wrapped data keys and the signing key; keep OUT of archive backups (see docs/security.md). */
  ARCHIVE_KEY_DIR: z.string().optional(),
  KEK_DIR: z.string().optional(),
  /** KEKs from the environment instead of KEK_DIR (a secret manager injects them; see docs/security.md). */
  KEK_CURRENT_BASE64: z.string().optional(),
  KEK_CURRENT_ID: z.string().optional(),
  KEK_PREVIOUS_BASE64: z.string().optional(),
  KEK_PREVIOUS_ID: z.string().optional(),
  ARCHIVE_SIGNING_KEY_FILE: z.string().optional(),
  /** Segments are refused (a gap is logged) once the archive volume has less than this free: manifests and keys keep the rest. */
  ARCHIVE_MIN_FREE_BYTES: int(256 * 1024 * 1024),
  /** Retention rules per product, JSON (see RetentionPolicy.ts); default: 7 years after the call. */
  ARCHIVE_RETENTION: z.string().default('{"default":{"years":7}}'),
  ARCHIVE_SWEEP_INTERVAL_MS: int(3_600_000, 100),
  /** After crypto-shredding, also delete the (now unreadable) ciphertext to free the disk. */
  ARCHIVE_DELETE_CIPHERTEXT: flag('1'),
  ARCHIVE_OUTBOX_FILE: z.string().optional(),
  ARCHIVE_OUTBOX_RETRY_BASE_MS: int(1000, 10),
  ARCHIVE_OUTBOX_RETRY_MAX_MS: int(300_000, 100),
  ARCHIVE_AUDIT_FILE: z.string().optional(),
});

export type ArchiveConfig = ReturnType<typeof loadArchiveConfig>;

/**
 * Claims a private spool directory: `/dev/shm/branchedge-<edge>-<pid>` (RAM), with a
 * suffix when another edge in this process has the name. Created here, atomically,
 * so two edges built at once never share one; spools of dead processes are
 * recovered on start (recording/SpoolRecovery.ts).
 */
function claimDefaultSpool(edgeId: string, dataDir: string): string {
  const base = existsSync('/dev/shm')
    ? path.join('/dev/shm', `branchedge-${edgeId}-${process.pid}`)
    : path.join(dataDir, `spool-${process.pid}`);
  mkdirSync(path.dirname(base), { recursive: true });
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** The archive's and recording's variables in `env`: what `loadArchiveConfig` reads. */
export function archiveEnvOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.keys(ArchiveEnv.shape).flatMap((k) => (env[k] === undefined ? [] : [[k, env[k]!]])),
  );
}

export function loadArchiveConfig(
  env: NodeJS.ProcessEnv,
  edge: { edgeId: string; branchId: string; dataDir: string },
) {
  const e = parseEnv('archive', ArchiveEnv, env);
  const keyDir = e.ARCHIVE_KEY_DIR ?? path.join(edge.dataDir, 'keys');
  const retention = RetentionRules.safeParse(JSON.parse(e.ARCHIVE_RETENTION));
  if (!retention.success)
    throw new Error(
      `ARCHIVE_RETENTION: ${retention.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const [tileW, tileH] = e.RECORDING_COMPOSITE_TILE.split('x').map(Number) as [number, number];
  return {
    edgeId: edge.edgeId,
    branchId: edge.branchId,
    recording: {
      enabled: e.RECORDING_ENABLED,
      segmentSeconds: e.RECORDING_SEGMENT_SECONDS,
      spoolDir:
        e.RECORDING_SPOOL_DIR ??
        (e.RECORDING_ENABLED
          ? claimDefaultSpool(edge.edgeId, edge.dataDir)
          : path.join(edge.dataDir, 'spool')),
      ports: { min: e.RECORDING_PORT_MIN, max: e.RECORDING_PORT_MAX },
      composite: e.RECORDING_COMPOSITE,
      tile: { width: tileW, height: tileH },
      fps: e.RECORDING_COMPOSITE_FPS,
      preset: e.RECORDING_COMPOSITE_PRESET,
      fontFile: e.RECORDING_FONT_FILE,
      clipSeconds: e.RECORDING_CLIP_SECONDS,
      restartDelayMs: e.RECORDING_RESTART_DELAY_MS,
      srWaitMs: e.RECORDING_SR_WAIT_MS,
      ffmpeg: e.RECORDING_FFMPEG,
      ffprobe: e.RECORDING_FFPROBE,
    },
    archiveDir: e.ARCHIVE_DIR ?? path.join(edge.dataDir, 'archive'),
    keyDir,
    kekDir: e.KEK_DIR ?? path.join(keyDir, 'kek'),
    kekEnv: e.KEK_CURRENT_BASE64
      ? {
          current: { base64: e.KEK_CURRENT_BASE64, ...(e.KEK_CURRENT_ID ? { id: e.KEK_CURRENT_ID } : {}) },
          ...(e.KEK_PREVIOUS_BASE64
            ? {
                previous: {
                  base64: e.KEK_PREVIOUS_BASE64,
                  ...(e.KEK_PREVIOUS_ID ? { id: e.KEK_PREVIOUS_ID } : {}),
                },
              }
            : {}),
        }
      : undefined,
    dataKeyDir: path.join(keyDir, 'data'),
    signingKeyFile: e.ARCHIVE_SIGNING_KEY_FILE ?? path.join(keyDir, 'edge-ed25519.pem'),
    minFreeBytes: e.ARCHIVE_MIN_FREE_BYTES,
    retention: retention.data,
    sweepIntervalMs: e.ARCHIVE_SWEEP_INTERVAL_MS,
    deleteCiphertext: e.ARCHIVE_DELETE_CIPHERTEXT,
    outboxFile: e.ARCHIVE_OUTBOX_FILE ?? path.join(edge.dataDir, 'outbox.sqlite'),
    outboxRetry: { baseMs: e.ARCHIVE_OUTBOX_RETRY_BASE_MS, maxMs: e.ARCHIVE_OUTBOX_RETRY_MAX_MS },
    auditFile: e.ARCHIVE_AUDIT_FILE ?? path.join(edge.dataDir, 'archive-audit.jsonl'),
  };
}
