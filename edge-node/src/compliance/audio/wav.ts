// Audio tracks of a stored call: probed with ffprobe before any work (so bad
// input is one line), read as 16 kHz mono Float32 by the transcription
// pipeline's reader, with the track's name in the error.
import { spawn } from 'node:child_process';
import { AppError } from '#protocol/errors';
import { readWavAs16kMono } from '../../transcription/index.ts';

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', (e) => reject(new AppError('unavailable', `cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
  });
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? 'unknown error'
  );
}

/** Duration of an audio file in ms; throws a one-line `bad_request` when it is not readable audio. */
export async function probeDurationMs(file: string, label = file): Promise<number> {
  const r = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'a:0',
    '-show_entries',
    'stream=duration,codec_type:format=duration',
    '-of',
    'json',
    file,
  ]);
  if (r.code !== 0) throw new AppError('bad_request', `unreadable audio ${label}: ${firstLine(r.stderr)}`);
  const info = JSON.parse(r.stdout.toString() || '{}') as {
    streams?: { duration?: string; codec_type?: string }[];
    format?: { duration?: string };
  };
  const stream = info.streams?.[0];
  if (!stream || stream.codec_type !== 'audio')
    throw new AppError('bad_request', `unreadable audio ${label}: no audio stream`);
  // A well-formed file with no samples has no duration at all: that is 0 s (an empty call), not an error here.
  const seconds = Number(stream.duration ?? info.format?.duration ?? 0);
  if (!Number.isFinite(seconds))
    throw new AppError('bad_request', `unreadable audio ${label}: unknown duration`);
  return Math.round(seconds * 1000);
}

/** Whole file as 16 kHz mono Float32 PCM in [-1, 1]; errors name the track (`manager.wav`), not the temp path. */
export async function readPcm16k(file: string, label = file): Promise<Float32Array> {
  try {
    return await readWavAs16kMono(file);
  } catch (err) {
    if (err instanceof AppError && err.code === 'bad_request')
      throw new AppError('bad_request', err.message.replace(file, label));
    throw err;
  }
}
