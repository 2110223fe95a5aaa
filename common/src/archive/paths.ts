// Where a call's archive lives on disk. Call and track ids become path
// components only when they are plainly safe; anything else is hashed.
import { createHash } from 'node:crypto';
import path from 'node:path';

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function fileSafe(id: string): string {
  return SAFE.test(id) ? id : `h-${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

export interface CallPaths {
  dir: string;
  meta: string;
  manifest: string;
  head: string;
  track(trackId: string): string;
  artifacts: string;
}

export function callPaths(archiveDir: string, callId: string): CallPaths {
  const dir = path.join(archiveDir, 'calls', fileSafe(callId));
  return {
    dir,
    meta: path.join(dir, 'call.json'),
    manifest: path.join(dir, 'manifest.jsonl'),
    head: path.join(dir, 'manifest.head.json'),
    track: (trackId) => path.join(dir, 'tracks', fileSafe(trackId)),
    artifacts: path.join(dir, 'artifacts'),
  };
}

/** Resolves a manifest-relative file name inside the call's directory, refusing escapes. */
export function resolveInCall(callDir: string, relative: string): string {
  const full = path.resolve(callDir, relative);
  if (!full.startsWith(path.resolve(callDir) + path.sep))
    throw new Error(`path ${relative} escapes the call directory`);
  return full;
}
