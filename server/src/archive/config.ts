// Cloud archive settings (ARCHIVE_CLOUD_*), read from the environment: where
// received blobs and sealed data keys live, and how long media grants last.
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '#common/config';
import { varDir } from '#common/paths';

const Env = z.object({
  /** Received ciphertext (reports, transcripts, clips, full recordings). Shared volume when running N instances. */
  ARCHIVE_CLOUD_DIR: z.string().optional(),
  /** Seal private keys and sealed data keys: keep OUT of data backups (crypto-shredding relies on it). */
  ARCHIVE_CLOUD_KEY_DIR: z.string().optional(),
  /** Lifetime of a playback/download grant (the URL a <video> element uses). */
  ARCHIVE_GRANT_TTL_S: z.coerce.number().int().min(30).max(3600).default(900),
  /** How long the cloud waits for an edge to answer a playback read. */
  ARCHIVE_READ_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export type CloudArchiveConfig = ReturnType<typeof loadCloudArchiveConfig>;

export function loadCloudArchiveConfig(env: NodeJS.ProcessEnv, redisPrefix: string) {
  const e = parseEnv('cloud archive', Env, env);
  const slug = redisPrefix.replace(/[^A-Za-z0-9_-]/g, '_') || 'default';
  return {
    dir: e.ARCHIVE_CLOUD_DIR ?? path.join(varDir, 'cloud-archive', slug),
    keyDir: e.ARCHIVE_CLOUD_KEY_DIR ?? path.join(varDir, 'cloud-archive-keys', slug),
    grantTtlS: e.ARCHIVE_GRANT_TTL_S,
    readTimeoutMs: e.ARCHIVE_READ_TIMEOUT_MS,
  };
}
