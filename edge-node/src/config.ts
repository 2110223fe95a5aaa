// Edge node configuration. Every default is written once, here, with why.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { loadEnvFile, parseEnv } from '#common/config';
import { repoRoot, varDir } from '#common/paths';
import { archiveEnvOf } from './archive/config.ts';
import { isTimeZone, machineTimeZone } from './lobby/day.ts';

const EdgeEnv = z.object({
  /** Identity of this edge in the cloud registry, and the branch it serves. */
  EDGE_ID: z.string().min(1).default('edge-demo'),
  BRANCH_ID: z.string().min(1).default('branch-demo'),
  /** Per-edge credential issued by the cloud (`npm run admin -- edge add`); or a file holding it. */
  EDGE_KEY: z.string().optional(),
  EDGE_KEY_FILE: z.string().optional(),
  /** The cloud this edge dials out to (it works from behind the branch's NAT). Empty = run stand-alone. */
  CLOUD_URL: z.string().default('http://127.0.0.1:8080'),
  EDGE_HOST: z.string().default('0.0.0.0'),
  EDGE_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  /** How browsers reach this edge's signaling (what the cloud hands out). */
  EDGE_PUBLIC_URL: z.string().optional(),
  /** Media sockets bind here; behind NAT set RTC_ANNOUNCED_ADDRESS to the public IP. */
  RTC_LISTEN_IP: z.string().default('127.0.0.1'),
  RTC_ANNOUNCED_ADDRESS: z.string().optional(),
  /** Worker i takes UDP+TCP port RTC_PORT_BASE + i: open exactly these in the firewall. 0 = ephemeral (tests). */
  RTC_PORT_BASE: z.coerce.number().int().min(0).max(65000).default(40000),
  /** One mediasoup worker per core unless told otherwise. */
  SFU_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.max(1, os.cpus().length)),
  /**
   * A worker hosting this many consumers takes no new participants: a room then spans workers
   * (pipeToRouter), and with every worker there, new participants and calls are refused
   * (`unavailable`). Keep it below saturation (docs/performance.md).
   */
  SFU_MAX_CONSUMERS_PER_WORKER: z.coerce.number().int().min(1).default(400),
  /** Calls this edge accepts before refusing new ones (reported to the cloud as capacity). */
  EDGE_MAX_CALLS: z.coerce.number().int().positive().default(8),
  /** Public key (PEM, ES256) that verifies participants' join tokens; also received from the cloud. */
  CALL_TOKEN_PUBLIC_KEY_FILE: z.string().optional(),
  EDGE_DATA_DIR: z.string().optional(),
  CLIENT_DIST: z.string().default(path.join(repoRoot, 'client', 'dist')),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  /** Speech engine: `auto` = Whisper when real weights are present, else offline pocketsphinx. */
  TRANSCRIPTION_ENGINE: z.enum(['auto', 'whisper', 'pocketsphinx', 'none']).default('auto'),
  /** Whisper model id (tiny.en, base.en, base…) or a path to a ggml .bin file. */
  WHISPER_MODEL: z.string().optional(),
  /** A pause this long ends an utterance: shorter = faster finals, more sentences split in two (bench:transcription §4). */
  TRANSCRIPTION_PAUSE_MS: z.coerce.number().int().min(100).max(3000).default(400),
  /** At a pause this long the final's recognition starts speculatively (withdrawn if speech resumes); ≥ the pause = off. */
  TRANSCRIPTION_SPECULATE_MS: z.coerce.number().int().min(32).max(3000).default(150),
  /** Speech between partial hypotheses on screen. */
  TRANSCRIPTION_PARTIAL_MS: z.coerce.number().int().min(250).max(10_000).default(1000),
  /** Rule pack for calls whose product the cloud did not name. */
  COMPLIANCE_DEFAULT_PACK: z.string().default('wealth-sale'),
  /** A call whose room stays empty this long has ended: its report is written (0 = only when the cloud ends it). */
  CALL_EMPTY_END_MS: z.coerce.number().int().min(0).default(60_000),
  // ---- live video for the compliance checks document-shown / faces-present (edge-node/src/live/frames) ----
  /** Sample every camera of every call (faces, OCR of the product document); off = those checks are not-applicable live. */
  FRAME_SAMPLING_ENABLED: z
    .string()
    .default('1')
    .transform((v) => ['1', 'true', 'yes'].includes(v.toLowerCase())),
  /** One frame per camera this often: the rate `faces-present` counts instants at (spec: every 2 s). */
  FRAME_SAMPLE_MS: z.coerce.number().int().min(250).max(60_000).default(2000),
  /** Simulcast layer decoded (0 = ¼, 1 = ½, 2 = full resolution): ½ reads a document title held up at the counter (bench:frames). */
  FRAME_SAMPLE_LAYER: z.coerce.number().int().min(0).max(2).default(1),
  /** UDP ports the samplers' ffmpegs listen on: beside the recorders' range, outside mediasoup's and Linux's ephemeral one. */
  FRAME_SAMPLE_PORT_MIN: z.coerce.number().int().min(1024).max(65534).default(63000),
  FRAME_SAMPLE_PORT_MAX: z.coerce.number().int().min(1024).max(65535).default(63999),
  // ---- lobby analytics (edge-node/src/lobby, docs/lobby.md) ----
  /** Cameras and zones (JSON or YAML). Unset = no lobby analytics. */
  LOBBY_CONFIG_FILE: z.string().optional(),
  /** Staff serving customers at the start of the day (then PUT /lobby/staff). */
  LOBBY_STAFF_ON_DUTY: z.coerce.number().int().min(0).max(1000).default(2),
  /** Detector worker threads; each keeps one core busy while frames queue. */
  LOBBY_DETECTOR_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  /** onnx: CenterNet converted for onnxruntime (~⅓ the CPU); tfjs: the package's graph on tfjs-wasm. */
  LOBBY_DETECTOR: z.enum(['onnx', 'tfjs']).default('onnx'),
  LOBBY_CUSTOMERS_PER_STAFF: z.coerce.number().positive().default(3),
  LOBBY_TARGET_WAIT_S: z.coerce.number().positive().default(600),
  /** The branch's own bearer secret for the edge's /lobby… routes (besides cloud-signed lobby tokens). */
  LOBBY_ADMIN_TOKEN: z.string().min(16).optional(),
  /** How often the lobby's aggregates and heat maps are pushed to the cloud (ops view). */
  LOBBY_REPORT_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** The branch's IANA time zone: lobby counters start a new day at its midnight. Default: the machine's. */
  LOBBY_TIMEZONE: z.string().refine(isTimeZone, 'not an IANA time zone (e.g. Asia/Hong_Kong)').optional(),
});

export type EdgeConfig = ReturnType<typeof loadEdgeConfig>;

export function loadEdgeConfig(env: NodeJS.ProcessEnv = process.env) {
  loadEnvFile();
  const e = parseEnv('edge', EdgeEnv, env);
  const dataDir = e.EDGE_DATA_DIR ?? path.join(varDir, 'edges', e.EDGE_ID);
  return {
    edgeId: e.EDGE_ID,
    branchId: e.BRANCH_ID,
    edgeKey: e.EDGE_KEY,
    edgeKeyFile: e.EDGE_KEY_FILE,
    cloudUrl: e.CLOUD_URL || undefined,
    host: e.EDGE_HOST,
    port: e.EDGE_PORT,
    publicUrl: e.EDGE_PUBLIC_URL,
    rtc: { listenIp: e.RTC_LISTEN_IP, announcedAddress: e.RTC_ANNOUNCED_ADDRESS, portBase: e.RTC_PORT_BASE },
    workers: e.SFU_WORKERS,
    maxCalls: e.EDGE_MAX_CALLS,
    maxConsumersPerWorker: e.SFU_MAX_CONSUMERS_PER_WORKER,
    callTokenPublicKeyFile: e.CALL_TOKEN_PUBLIC_KEY_FILE || undefined,
    dataDir,
    /**
     * The archive's variables from the same environment as the rest (a test edge's env object,
     * or process.env); the archive parses them when it starts (its spool is claimed then).
     */
    archiveEnv: archiveEnvOf(env),
    clientDist: e.CLIENT_DIST,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    transcription: {
      engine: e.TRANSCRIPTION_ENGINE,
      whisperModel: e.WHISPER_MODEL,
      segmenter: { minSilenceMs: e.TRANSCRIPTION_PAUSE_MS, speculateAfterMs: e.TRANSCRIPTION_SPECULATE_MS },
      partialIntervalMs: e.TRANSCRIPTION_PARTIAL_MS,
    },
    compliance: { defaultPack: e.COMPLIANCE_DEFAULT_PACK },
    emptyCallEndMs: e.CALL_EMPTY_END_MS,
    frames: {
      enabled: e.FRAME_SAMPLING_ENABLED,
      sampleMs: e.FRAME_SAMPLE_MS,
      spatialLayer: e.FRAME_SAMPLE_LAYER,
      ports: { min: e.FRAME_SAMPLE_PORT_MIN, max: e.FRAME_SAMPLE_PORT_MAX },
    },
    lobby: {
      configFile: e.LOBBY_CONFIG_FILE || undefined,
      staffOnDuty: e.LOBBY_STAFF_ON_DUTY,
      detectorWorkers: e.LOBBY_DETECTOR_WORKERS,
      detectorBackend: e.LOBBY_DETECTOR,
      customersPerStaff: e.LOBBY_CUSTOMERS_PER_STAFF,
      targetWaitS: e.LOBBY_TARGET_WAIT_S,
      adminToken: e.LOBBY_ADMIN_TOKEN,
      reportIntervalMs: e.LOBBY_REPORT_INTERVAL_MS,
      timeZone: e.LOBBY_TIMEZONE || machineTimeZone(),
    },
  };
}
