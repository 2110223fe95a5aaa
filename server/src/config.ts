// Cloud configuration: defaults → .env → environment → zod parse, failing fast
// with every bad variable named. Every default is written once, here, with why.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, parseEnv } from '#common/config';
import { repoRoot, varDir } from '#common/paths';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const CloudEnv = z.object({
  CLOUD_HOST: z.string().default('0.0.0.0'),
  /** 0 picks a free port (tests). */
  CLOUD_PORT: int(8080),
  /** Base URL browsers use to reach the cloud (invite links). Default: http://localhost:<port>. */
  CLOUD_PUBLIC_URL: z.string().url().optional(),
  /** Names this process in logs and /healthz; must differ between instances. */
  CLOUD_INSTANCE_ID: z.string().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6390'),
  /** Every Redis key and pub/sub channel starts with it: several deployments (or test files) share one Redis. */
  REDIS_PREFIX: z.string().default('be:'),
  JWT_SECRET: z.string().min(32).optional(),
  JWT_SECRET_FILE: z.string().optional(),
  /** The secret before the last rotation: tokens it signed stay valid until they expire (zero-downtime rotation). */
  JWT_SECRET_PREVIOUS: z.string().min(32).optional(),
  /** ES256 private key (PEM) that signs participants' join tokens for edges; or a file holding it. Dev: generated into var/. */
  CALL_TOKEN_KEY: z.string().optional(),
  CALL_TOKEN_KEY_FILE: z.string().optional(),
  CALL_TOKEN_TTL_S: int(900, 30),
  /** Staff access tokens: short-lived by design (≤ 15 min), refreshed with the refresh token. */
  ACCESS_TOKEN_TTL_S: int(900, 5).refine((v) => v <= 900, 'must be ≤ 900 (15 min)'),
  REFRESH_TOKEN_TTL_S: int(12 * 3600, 60),
  EDGE_TOKEN_TTL_S: int(900, 5),
  /** Customer token after redeeming an invite: scoped to one call. */
  CUSTOMER_TOKEN_TTL_S: int(3600, 5),
  /** Heartbeat period the cloud asks edges for, and how long without one before an edge counts as offline. */
  EDGE_HEARTBEAT_INTERVAL_MS: int(5000, 50),
  EDGE_OFFLINE_AFTER_MS: int(15_000, 100),
  /** How often each instance sweeps for stale edges and expired offers (all instances do; Redis CAS decides). */
  SWEEP_INTERVAL_MS: int(1000, 20),
  DISPATCH_OFFER_TIMEOUT_MS: int(20_000, 100),
  /** Initial average expert handling time for ETAs, until real calls teach it. */
  DISPATCH_DEFAULT_HANDLE_S: int(300, 1),
  /** An expert who declined or missed a request is skipped for it this long, then may be offered it again. */
  DISPATCH_SKIP_WINDOW_MS: int(60_000, 0),
  /** Expert liveness: refreshed while connected; experts whose key expired are not offered requests. */
  PRESENCE_TTL_MS: int(15_000, 100),
  RELAY_TIMEOUT_MS: int(5000, 100),
  LOGIN_RATE_MAX: int(10, 1),
  INVITE_RATE_MAX: int(30, 1),
  EDGE_AUTH_RATE_MAX: int(30, 1),
  RATE_WINDOW_S: int(60, 1),
  /** Comma-separated origins allowed by CORS (HTTP and socket.io); empty = same origin only. */
  CORS_ORIGINS: list,
  /** Built React client; absent directory → a clear message at `/`, not a crash. */
  CLIENT_DIST_DIR: z.string().default(path.join(repoRoot, 'client', 'dist')),
  SERVE_CLIENT: z
    .string()
    .optional()
    .transform((v) => v === undefined || ['1', 'true', 'yes'].includes(v.toLowerCase())),
  /** coturn `use-auth-secret` shared secret; with it the cloud issues time-limited TURN credentials. */
  TURN_SECRET: z.string().optional(),
  /** TURN URLs for edges that announce none. */
  TURN_URLS: list,
  TURN_CREDENTIAL_TTL_S: int(3600, 60),
  /** Branch routing: how many km one unit of busyness (0…1) weighs against distance. */
  BRANCH_BUSYNESS_PENALTY_KM: z.coerce.number().min(0).default(5),
  /** express `trust proxy` (for client IPs behind the load balancer): e.g. `loopback`, `1`, `10.0.0.0/8`. */
  TRUST_PROXY: z.string().default('loopback'),
  SHUTDOWN_GRACE_MS: int(10_000, 0),
  NODE_ENV: z.string().default('development'),
});

export interface CloudConfig {
  host: string;
  port: number;
  publicUrl: string | undefined;
  instanceId: string;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  jwtSecretPrevious?: string;
  callTokenKeyPem: string;
  callTokenTtlS: number;
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
  edgeTokenTtlS: number;
  customerTokenTtlS: number;
  edgeHeartbeatIntervalMs: number;
  edgeOfflineAfterMs: number;
  sweepIntervalMs: number;
  offerTimeoutMs: number;
  defaultHandleS: number;
  skipWindowMs: number;
  presenceTtlMs: number;
  relayTimeoutMs: number;
  rate: { loginMax: number; inviteMax: number; edgeAuthMax: number; windowS: number };
  corsOrigins: string[];
  clientDistDir: string;
  serveClient: boolean;
  turn: { secret: string | undefined; urls: string[]; ttlS: number };
  busynessPenaltyKm: number;
  trustProxy: string;
  shutdownGraceMs: number;
}

/** JWT_SECRET, else JWT_SECRET_FILE, else (not in production) a generated var/jwt-secret shared by local instances. */
export function resolveJwtSecret(env: z.infer<typeof CloudEnv>): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.JWT_SECRET_FILE) {
    const secret = readFileSync(env.JWT_SECRET_FILE, 'utf8').trim();
    if (secret.length < 32)
      throw new ConfigError('cloud', [
        `JWT_SECRET_FILE: ${env.JWT_SECRET_FILE} holds fewer than 32 characters`,
      ]);
    return secret;
  }
  if (env.NODE_ENV === 'production')
    throw new ConfigError('cloud', ['JWT_SECRET or JWT_SECRET_FILE is required in production']);
  return devSecretFile('jwt-secret', () => randomBytes(48).toString('base64url'));
}

/** Writes var/<name> once — `wx`: two instances starting at once must not overwrite each other's — and returns it. */
function devSecretFile(name: string, make: () => string): string {
  const file = path.join(varDir, name);
  if (!existsSync(file)) {
    mkdirSync(varDir, { recursive: true });
    try {
      writeFileSync(file, make(), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** CALL_TOKEN_KEY, else CALL_TOKEN_KEY_FILE, else (not in production) a generated var/call-token-key.pem. */
export function resolveCallTokenKey(env: z.infer<typeof CloudEnv>): string {
  if (env.CALL_TOKEN_KEY) return env.CALL_TOKEN_KEY.replace(/\\n/g, '\n');
  if (env.CALL_TOKEN_KEY_FILE) return readFileSync(env.CALL_TOKEN_KEY_FILE, 'utf8');
  if (env.NODE_ENV === 'production')
    throw new ConfigError('cloud', ['CALL_TOKEN_KEY or CALL_TOKEN_KEY_FILE is required in production']);
  return devSecretFile('call-token-key.pem', () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  );
}

export function loadCloudConfig(env: NodeJS.ProcessEnv = process.env): CloudConfig {
  const e = parseEnv('cloud', CloudEnv, env);
  return {
    host: e.CLOUD_HOST,
    port: e.CLOUD_PORT,
    publicUrl: e.CLOUD_PUBLIC_URL,
    instanceId: e.CLOUD_INSTANCE_ID ?? `${os.hostname()}-${process.pid}`,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: resolveJwtSecret(e),
    ...(e.JWT_SECRET_PREVIOUS ? { jwtSecretPrevious: e.JWT_SECRET_PREVIOUS } : {}),
    callTokenKeyPem: resolveCallTokenKey(e),
    callTokenTtlS: e.CALL_TOKEN_TTL_S,
    accessTokenTtlS: e.ACCESS_TOKEN_TTL_S,
    refreshTokenTtlS: e.REFRESH_TOKEN_TTL_S,
    edgeTokenTtlS: e.EDGE_TOKEN_TTL_S,
    customerTokenTtlS: e.CUSTOMER_TOKEN_TTL_S,
    edgeHeartbeatIntervalMs: e.EDGE_HEARTBEAT_INTERVAL_MS,
    edgeOfflineAfterMs: e.EDGE_OFFLINE_AFTER_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    offerTimeoutMs: e.DISPATCH_OFFER_TIMEOUT_MS,
    defaultHandleS: e.DISPATCH_DEFAULT_HANDLE_S,
    skipWindowMs: e.DISPATCH_SKIP_WINDOW_MS,
    presenceTtlMs: e.PRESENCE_TTL_MS,
    relayTimeoutMs: e.RELAY_TIMEOUT_MS,
    rate: {
      loginMax: e.LOGIN_RATE_MAX,
      inviteMax: e.INVITE_RATE_MAX,
      edgeAuthMax: e.EDGE_AUTH_RATE_MAX,
      windowS: e.RATE_WINDOW_S,
    },
    corsOrigins: e.CORS_ORIGINS,
    clientDistDir: e.CLIENT_DIST_DIR,
    serveClient: e.SERVE_CLIENT,
    turn: { secret: e.TURN_SECRET, urls: e.TURN_URLS, ttlS: e.TURN_CREDENTIAL_TTL_S },
    busynessPenaltyKm: e.BRANCH_BUSYNESS_PENALTY_KM,
    trustProxy: e.TRUST_PROXY,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}
