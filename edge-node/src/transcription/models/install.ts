// Getting model files into the models directory: from a shipped source (the
// synthetic test model), a configured directory, a file the cloud rolled out,
// or a download — always verified (size + SHA-256) before it is renamed into
// place, so a half-copied or tampered file is never loaded.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '#protocol/errors';
import { findModel, modelsDir, sourcePathOf, type ModelEntry } from './manifest.ts';
import { sha256File } from './resolveModel.ts';

export type InstallOutcome =
  | { id: string; status: 'present' | 'copied' | 'downloaded'; path: string }
  | { id: string; status: 'missing'; reason: string; howToGet: string };

async function verifyInto(entry: ModelEntry, candidate: string, dest: string, move: boolean): Promise<void> {
  const size = (await stat(candidate)).size;
  if (size !== entry.bytes)
    throw new AppError('unavailable', `${candidate}: ${size} bytes, expected ${entry.bytes}`);
  const sha = await sha256File(candidate);
  if (sha !== entry.sha256)
    throw new AppError('unavailable', `${candidate}: sha256 ${sha}, expected ${entry.sha256}`);
  await mkdir(path.dirname(dest), { recursive: true });
  if (move) await rename(candidate, dest);
  else {
    const tmp = `${dest}.part`;
    await copyFile(candidate, tmp);
    await rename(tmp, dest);
  }
}

/** Installs a file received from elsewhere (the cloud's model rollout) after verifying it. Moves it. */
export async function installModelFile(id: string, file: string, dir = modelsDir()): Promise<string> {
  const entry = findModel(id);
  if (!entry) throw new AppError('bad_request', `unknown model ${id}`);
  const dest = path.join(dir, entry.file);
  await verifyInto(entry, file, dest, true);
  return dest;
}

export interface EnsureOptions {
  dir?: string;
  /** A directory that may already hold the files (a USB stick, a shared mount): `BRANCHEDGE_MODEL_SOURCE_DIR`. */
  sourceDir?: string;
  /** Give up on a download that has not answered within this (the machines without internet fail fast). */
  connectTimeoutMs?: number;
  /** Whole download limit. */
  downloadTimeoutMs?: number;
  download?: boolean;
  log?: (line: string) => void;
}

/** Makes `id` present and verified in the models directory if at all possible; never throws for unreachable weights. */
export async function ensureModel(id: string, opts: EnsureOptions = {}): Promise<InstallOutcome> {
  const entry = findModel(id);
  if (!entry) throw new AppError('bad_request', `unknown model ${id}`);
  const dir = opts.dir ?? modelsDir();
  const dest = path.join(dir, entry.file);
  const log = opts.log ?? (() => undefined);
  const how = entry.synthetic
    ? `it ships in ${sourcePathOf(entry)}`
    : `download ${entry.url} (sha256 ${entry.sha256}) on a machine that can, and put it in ${dir} or in BRANCHEDGE_MODEL_SOURCE_DIR, or roll it out from the cloud`;

  if (existsSync(dest)) {
    try {
      const size = (await stat(dest)).size;
      if (size === entry.bytes && (await sha256File(dest)) === entry.sha256)
        return { id, status: 'present', path: dest };
      log(`${entry.file} in ${dir} fails verification: replacing it`);
      await rm(dest, { force: true });
    } catch (err) {
      log(`${dest}: ${(err as Error).message}`);
    }
  }
  const candidates = [sourcePathOf(entry), opts.sourceDir ?? process.env.BRANCHEDGE_MODEL_SOURCE_DIR]
    .filter((c): c is string => !!c)
    .map((c) => (c.endsWith('.bin') ? c : path.join(c, entry.file)));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    try {
      await verifyInto(entry, candidate, dest, false);
      return { id, status: 'copied', path: dest };
    } catch (err) {
      log(`${candidate} not usable: ${(err as Error).message}`);
    }
  }
  if (!entry.url || opts.download === false)
    return { id, status: 'missing', reason: 'no verified copy found', howToGet: how };

  const part = `${dest}.download`;
  const connect = AbortSignal.timeout(opts.connectTimeoutMs ?? 5_000);
  try {
    const res = await fetch(entry.url, { signal: connect, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    await mkdir(dir, { recursive: true });
    log(`downloading ${entry.file} (${Math.round(entry.bytes / 1e6)} MB)`);
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      createWriteStream(part),
      {
        signal: AbortSignal.timeout(opts.downloadTimeoutMs ?? 15 * 60_000),
      },
    );
    await verifyInto(entry, part, dest, true);
    return { id, status: 'downloaded', path: dest };
  } catch (err) {
    await rm(part, { force: true });
    const cause = err as Error & { cause?: { code?: string } };
    const reason =
      cause.name === 'TimeoutError'
        ? `no answer from ${new URL(entry.url).host} within ${(opts.connectTimeoutMs ?? 5000) / 1000} s`
        : `${cause.message}${cause.cause?.code ? ` (${cause.cause.code})` : ''}`;
    return { id, status: 'missing', reason: `download failed: ${reason}`, howToGet: how };
  }
}
