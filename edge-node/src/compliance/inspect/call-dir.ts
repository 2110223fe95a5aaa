// A stored call directory (shared/specs/dual-recording-checks.md, "Inputs"):
// role WAVs starting at the same instant, optional frames/ and transcript.json.
// Everything is checked before any work starts, so bad input is one clear line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '#protocol/errors';
import { CallRole } from '#protocol/roles';
import { probeDurationMs } from '../audio/wav.ts';

export const TRACK_ROLES = ['manager', 'customer', 'expert'] as const;
export type TrackRole = (typeof TRACK_ROLES)[number];
const REQUIRED_TRACKS: TrackRole[] = ['manager', 'customer'];

/** Tracks may differ by this much (encoder padding), beyond it the recording is broken. */
const TRACK_TOLERANCE_MS = 1000;

export const TranscriptFile = z.array(
  z
    .object({
      role: CallRole,
      startMs: z.number().nonnegative(),
      endMs: z.number().nonnegative(),
      text: z.string(),
    })
    .refine((l) => l.endMs >= l.startMs, { message: 'endMs is before startMs' }),
);
export type TranscriptFile = z.infer<typeof TranscriptFile>;

export interface FrameFile {
  file: string;
  atMs: number;
  camera: string;
}

export interface CallDir {
  dir: string;
  callId: string;
  tracks: { role: TrackRole; file: string; durationMs: number }[];
  frames: FrameFile[];
  durationMs: number;
}

const FRAME_NAME = /^(?:([a-z][a-z0-9_]*)-)?(\d+)\.(jpe?g|png)$/i;

export function listFrames(dir: string): FrameFile[] {
  const framesDir = path.join(dir, 'frames');
  if (!existsSync(framesDir)) return [];
  return readdirSync(framesDir)
    .map((f) => ({ f, m: FRAME_NAME.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({
      file: path.join(framesDir, f),
      atMs: Number(m[2]),
      camera: (m[1] ?? 'main').toLowerCase(),
    }))
    .sort((a, b) => a.atMs - b.atMs || a.camera.localeCompare(b.camera));
}

/** Validates the directory; `audioRequired` when speech must be recognised from the tracks. */
export async function openCallDir(dir: string, options: { audioRequired: boolean }): Promise<CallDir> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new AppError('not_found', `call directory not found: ${dir}`);
  const tracks: CallDir['tracks'] = [];
  for (const role of TRACK_ROLES) {
    const file = path.join(dir, `${role}.wav`);
    if (!existsSync(file)) {
      if (options.audioRequired && REQUIRED_TRACKS.includes(role))
        throw new AppError('not_found', `missing audio track ${role}.wav in ${dir}`);
      continue;
    }
    tracks.push({ role, file, durationMs: await probeDurationMs(file, `${role}.wav`) });
  }
  if (tracks.length > 1) {
    const longest = tracks.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
    const shortest = tracks.reduce((a, b) => (b.durationMs < a.durationMs ? b : a));
    if (longest.durationMs - shortest.durationMs > TRACK_TOLERANCE_MS) {
      throw new AppError(
        'bad_request',
        `mismatched track lengths: ${tracks.map((t) => `${t.role}.wav ${(t.durationMs / 1000).toFixed(1)} s`).join(', ')} (tracks must start and end together)`,
      );
    }
  }
  if (options.audioRequired && tracks.every((t) => t.durationMs === 0))
    throw new AppError('bad_request', `empty call: the audio tracks in ${dir} hold no samples`);
  const frames = listFrames(dir);
  const durationMs = Math.max(0, ...tracks.map((t) => t.durationMs), ...frames.map((f) => f.atMs));
  return { dir, callId: path.basename(path.resolve(dir)), tracks, frames, durationMs };
}

export function readTranscriptFile(file: string): TranscriptFile {
  if (!existsSync(file)) throw new AppError('not_found', `transcript not found: ${file}`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('bad_request', `transcript ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const r = TranscriptFile.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new AppError(
      'bad_request',
      `invalid transcript ${file}: ${i.path.join('.') || '(root)'}: ${i.message}`,
    );
  }
  if (r.data.every((l) => l.text.trim() === ''))
    throw new AppError('bad_request', `empty call: transcript ${file} has no speech`);
  return r.data;
}
