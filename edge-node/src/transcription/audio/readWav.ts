// Any audio file (WAV of any rate/channels/sample format, or anything ffmpeg
// reads) as the 16 kHz mono Float32 PCM every SpeechEngine takes.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { AppError } from '#protocol/errors';
import { SAMPLE_RATE } from '../engine.ts';

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? 'unknown error'
  );
}

/** Decodes `file` with ffmpeg; throws `bad_request` naming the file when it is missing or not audio. */
export async function readWavAs16kMono(file: string): Promise<Float32Array> {
  try {
    await access(file);
  } catch {
    throw new AppError('bad_request', `audio file not found: ${file}`);
  }
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: Buffer; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(
        'ffmpeg',
        [
          '-v',
          'error',
          '-nostdin',
          '-i',
          file,
          '-vn',
          '-f',
          'f32le',
          '-ac',
          '1',
          '-ar',
          String(SAMPLE_RATE),
          '-',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('error', (e) =>
        reject(new AppError('unavailable', `cannot run ffmpeg: ${e.message}`, undefined, { cause: e })),
      );
      child.on('close', (c) => resolve({ code: c ?? 1, stdout: Buffer.concat(out), stderr: err }));
    },
  );
  if (code !== 0) throw new AppError('bad_request', `unreadable audio ${file}: ${firstLine(stderr)}`);
  if (stdout.length < 4) throw new AppError('bad_request', `unreadable audio ${file}: no audio samples`);
  // Copy into an aligned buffer: Buffer's pool is not 4-byte aligned.
  const pcm = new Float32Array(Math.floor(stdout.length / 4));
  new Uint8Array(pcm.buffer).set(stdout.subarray(0, pcm.length * 4));
  return pcm;
}

/** 16-bit PCM WAV bytes of 16 kHz mono Float32 samples (for engines that take files or stdin). */
export function toS16le(pcm: Float32Array): Buffer {
  const out = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++)
    out.writeInt16LE(Math.round(Math.max(-1, Math.min(1, pcm[i]!)) * 32767), i * 2);
  return out;
}

export function wavBytes(pcm: Float32Array, sampleRate = SAMPLE_RATE): Buffer {
  const data = toS16le(pcm);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
