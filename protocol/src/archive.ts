// The call archive: what the edge records and keeps (segments, a hash-chained
// manifest signed by the edge), what it sends to the cloud through its durable
// outbox (manifest heads, reports, transcripts, clips, sealed data keys, alerts,
// audit entries, full recordings on demand), the cloud's commands back to the
// edge, and the audited REST bodies the cloud serves. One schema for all.
//
// Every stored blob is ciphertext (AES-256-GCM under a per-call data key); the
// manifest lists the SHA-256 of the ciphertext, so integrity is checked without
// decrypting, by the edge, the cloud or `npm run verify`.
import { z } from 'zod';
import type { Ack } from './errors.ts';
import { CallRole } from './roles.ts';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256');
/** Ids that become path components on disk: no separators, no dots at the start. */
export const SafeId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only');

// ---- manifest ---------------------------------------------------------------------------

/** How a track's first frame is placed on the call's timeline (see docs/recording.md#sync). */
export const TrackTiming = z.object({
  /** RTP timestamp of the first packet ffmpeg received (its file time 0). */
  firstRtpTs: z.number().int().nonnegative(),
  clockRate: z.number().int().positive(),
  /** Edge wall clock (epoch ms) when that packet left the SFU towards the recorder. */
  firstArrivalMs: z.number(),
  /** The sender's RTCP SR mapping (its NTP clock, epoch ms ↔ RTP), when one was seen: aligns a participant's audio and video exactly. */
  sr: z
    .object({ ntpMs: z.number(), rtpTs: z.number().int().nonnegative(), arrivalMs: z.number() })
    .optional(),
});
export type TrackTiming = z.infer<typeof TrackTiming>;

const EntryBase = z.object({
  seq: z.number().int().nonnegative(),
  /** Epoch ms when the entry was written. */
  at: z.number(),
  /** Hash of the previous entry (64 zeros for the first). */
  prev: Sha256,
  /** SHA-256 of the canonical JSON of this entry without `hash`. */
  hash: Sha256,
});

export const ManifestEntry = z.discriminatedUnion('type', [
  EntryBase.extend({
    type: z.literal('call'),
    callId: z.string(),
    edgeId: z.string(),
    branchId: z.string(),
    /** Epoch ms of the call's time 0. */
    startedAt: z.number(),
    /** The edge's Ed25519 public key (SPKI DER, base64) that signs this manifest's heads. */
    publicKey: z.string(),
  }),
  EntryBase.extend({
    type: z.literal('track'),
    track: SafeId,
    participantId: z.string(),
    role: CallRole,
    kind: z.enum(['audio', 'video']),
    source: z.string(),
    codec: z.string(),
    /** Absent until the first packet (and, when possible, the sender's SR) was seen; see `timing` entries. */
    timing: TrackTiming.optional(),
  }),
  EntryBase.extend({ type: z.literal('timing'), track: SafeId, timing: TrackTiming }),
  EntryBase.extend({
    type: z.literal('segment'),
    track: SafeId,
    index: z.number().int().nonnegative(),
    /** Path relative to the call's directory. */
    file: z.string(),
    sha256: Sha256,
    bytes: z.number().int().nonnegative(),
    /** Media time of the segment within its track file (seconds from the track's time 0). */
    startS: z.number(),
    endS: z.number(),
    /** Recovered from a recorder that died mid-segment (remuxed up to its last complete frame). */
    salvaged: z.boolean().optional(),
  }),
  EntryBase.extend({
    type: z.literal('gap'),
    /** Absent: the whole call (e.g. the room was rebuilt after a worker died). */
    track: SafeId.optional(),
    /** Call time (ms from the call's time 0). */
    fromMs: z.number(),
    toMs: z.number().optional(),
    reason: z.enum([
      'recorder-crashed',
      'disk-full',
      'write-failed',
      'room-rebuilt',
      'edge-restarted',
      'no-media',
    ]),
    detail: z.string().optional(),
  }),
  EntryBase.extend({
    type: z.literal('artifact'),
    kind: z.enum(['report', 'report-html', 'transcript', 'events', 'clip', 'composite']),
    file: z.string(),
    sha256: Sha256,
    bytes: z.number().int().nonnegative(),
    /** Clips: the flagged moment and window (call time, ms). */
    atMs: z.number().optional(),
    fromMs: z.number().optional(),
    toMs: z.number().optional(),
  }),
  EntryBase.extend({ type: z.literal('flag'), atMs: z.number(), reason: z.string().max(200) }),
  EntryBase.extend({ type: z.literal('seal'), reason: z.string(), durationMs: z.number() }),
  EntryBase.extend({ type: z.literal('shred'), reason: z.string() }),
]);
export type ManifestEntry = z.infer<typeof ManifestEntry>;
export type ManifestEntryType = ManifestEntry['type'];

/** The latest signed checkpoint of a call's manifest; the cloud keeps the newest one. */
export const ManifestHead = z.object({
  callId: z.string(),
  edgeId: z.string(),
  /** Sequence number and hash of the last entry covered. */
  seq: z.number().int().nonnegative(),
  hash: Sha256,
  signedAt: z.number(),
  alg: z.literal('Ed25519'),
  publicKey: z.string(),
  /** Base64 Ed25519 signature over the canonical JSON of {callId, edgeId, seq, hash, signedAt}. */
  signature: z.string(),
});
export type ManifestHead = z.infer<typeof ManifestHead>;

// ---- keys ---------------------------------------------------------------------------------

/** A data key wrapped by the edge's key-encryption key (never leaves the edge). */
export const WrappedKey = z.object({
  kekId: z.string(),
  alg: z.literal('A256GCM'),
  iv: z.string(),
  ct: z.string(),
  tag: z.string(),
});
export type WrappedKey = z.infer<typeof WrappedKey>;

/** A data key sealed to the cloud's archive public key (X25519 ECDH + HKDF-SHA256 + AES-256-GCM). */
export const SealedKey = z.object({
  alg: z.literal('X25519-HKDF-SHA256-A256GCM'),
  /** SHA-256 (hex, first 16 chars) of the recipient public key, so the cloud picks the right private key after a rotation. */
  kid: z.string(),
  epk: z.string(),
  iv: z.string(),
  ct: z.string(),
  tag: z.string(),
});
export type SealedKey = z.infer<typeof SealedKey>;

// ---- outbox: edge → cloud -----------------------------------------------------------

export const OutboxKind = z.enum([
  'manifest-head',
  'manifest', // the manifest file itself (with a full recording)
  'datakey',
  'report',
  'report-html',
  'transcript',
  'events', // the call's event log: annotations, chat, consent (data channels)
  'clip',
  'segment', // part of a full recording sent on demand
  'composite',
  'alert',
  'audit',
  'shredded',
]);
export type OutboxKind = z.infer<typeof OutboxKind>;

/** Largest part of an item in one delivery (the cloud's socket.io buffer is 1 MB). */
export const OUTBOX_PART_BYTES = 256 * 1024;

/**
 * One part of one outbox item. Items are idempotent by `id` (the same logical
 * thing always gets the same id), parts by `(id, part)`: the cloud stores a
 * repeated delivery once and acknowledges it again.
 */
export const OutboxDelivery = z.object({
  id: z.string().min(1).max(200),
  kind: OutboxKind,
  callId: z.string(),
  part: z.number().int().nonnegative(),
  parts: z.number().int().positive(),
  /** SHA-256 of the whole item's bytes (ciphertext for files). */
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  /** Item metadata (JSON, never personal data): file name, manifest head, alert, audit entry… */
  meta: z.record(z.string(), z.unknown()),
  data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'binary data').optional(),
});
export type OutboxDelivery = z.infer<typeof OutboxDelivery>;
export type OutboxAck = Ack<{ complete: boolean; duplicate: boolean }>;

/** Edge → cloud when the link comes up: the cloud answers with its seal key and pending commands. */
export const ArchiveHello = z.object({ edgeId: z.string() });
export interface ArchiveHelloAck {
  /** X25519 public key (SPKI PEM) data keys are sealed to. */
  sealPublicKey: string;
  commands: ArchiveCommand[];
}

// ---- cloud → edge ---------------------------------------------------------------------

export const ArchiveCommand = z.discriminatedUnion('type', [
  z.object({ id: z.string(), type: z.literal('request-full'), callId: z.string(), requestedBy: z.string() }),
  z.object({
    id: z.string(),
    type: z.literal('hold'),
    callId: z.string(),
    by: z.string(),
    reason: z.string(),
  }),
  z.object({
    id: z.string(),
    type: z.literal('release'),
    callId: z.string(),
    by: z.string(),
    reason: z.string(),
  }),
  z.object({ id: z.string(), type: z.literal('rotate-kek'), by: z.string() }),
]);
export type ArchiveCommand = z.infer<typeof ArchiveCommand>;
export type ArchiveCommandAck = Ack<{ done: boolean; detail?: string }>;

/** Cloud → edge: read a byte range of a stored file, decrypted (playback through the cloud). */
export const ArchiveRead = z.object({
  callId: z.string(),
  file: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive().max(OUTBOX_PART_BYTES),
  /** Who is reading, for the edge's own audit log (the cloud checked and logged the grant). */
  actor: z.string(),
});
export type ArchiveRead = z.infer<typeof ArchiveRead>;
export type ArchiveReadAck = Ack<{ data: Uint8Array; total: number; contentType: string }>;

export interface ArchiveEdgeToCloudEvents {
  'archive:hello': (msg: z.infer<typeof ArchiveHello>, ack: (res: Ack<ArchiveHelloAck>) => void) => void;
  'archive:deliver': (msg: OutboxDelivery, ack: (res: OutboxAck) => void) => void;
  'archive:command-done': (msg: { id: string; ok: boolean; detail?: string }) => void;
}
export interface ArchiveCloudToEdgeEvents {
  'archive:command': (cmd: ArchiveCommand, ack: (res: ArchiveCommandAck) => void) => void;
  'archive:read': (msg: ArchiveRead, ack: (res: ArchiveReadAck) => void) => void;
}

// ---- audit --------------------------------------------------------------------------

export const AuditAction = z.enum([
  'report.view',
  'transcript.view',
  'media.play',
  'media.download',
  'recording.request-full',
  'hold.set',
  'hold.release',
  'export.request',
  'export.approve',
  'export.download',
  'audit.query',
  'kek.rotate',
  // written by edges
  'retention.delete',
  'retention.shred',
  'edge.read',
]);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z.object({
  /** Redis stream id (cloud) — orders entries and lets a reader resume. */
  id: z.string(),
  at: z.number(),
  /** Staff user id, or `edge:<edgeId>`. Never a name. */
  actor: z.string(),
  actorRole: z.string(),
  action: AuditAction,
  callId: z.string().optional(),
  branchId: z.string().optional(),
  reason: z.string().optional(),
  outcome: z.enum(['granted', 'denied', 'done']),
  detail: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

// ---- REST (cloud /api/v1/archive) -----------------------------------------------------

export const AccessReason = z.object({
  /** Why the data is opened (a case number, a dispute id…): required for media, transcripts and exports. */
  reason: z.string().trim().min(3).max(500).optional(),
});

export const ArchivedCallSummary = z.object({
  callId: z.string(),
  edgeId: z.string(),
  branchId: z.string(),
  head: ManifestHead.optional(),
  items: z.record(z.string(), z.number()),
  hold: z.boolean(),
  shredded: z.boolean(),
  updatedAt: z.number(),
});
export type ArchivedCallSummary = z.infer<typeof ArchivedCallSummary>;

export const PlaybackEvidence = z.object({
  atMs: z.number(),
  endMs: z.number().optional(),
  label: z.string(),
  source: z.enum(['flag', 'check', 'alert']),
});
export const PlaybackTranscriptLine = z.object({
  role: CallRole,
  startMs: z.number(),
  endMs: z.number(),
  text: z.string(),
});
export const PlaybackResponse = z.object({
  callId: z.string(),
  /** Short-lived URL (a grant in the query string, for <video src>) that serves the composite with HTTP range requests. */
  mediaUrl: z.string(),
  expiresAt: z.number(),
  transcript: z.array(PlaybackTranscriptLine),
  evidence: z.array(PlaybackEvidence),
});
export type PlaybackResponse = z.infer<typeof PlaybackResponse>;

export const ExportRequest = z.object({
  callIds: z.array(z.string().min(1)).min(1).max(500),
  reason: z.string().trim().min(3).max(500),
});
export const ExportStatus = z.object({
  id: z.string(),
  callIds: z.array(z.string()),
  requestedBy: z.string(),
  approvedBy: z.string().optional(),
  status: z.enum(['pending', 'approved']),
  createdAt: z.number(),
});
export type ExportStatus = z.infer<typeof ExportStatus>;
