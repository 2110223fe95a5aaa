// Fake camera and microphone for Chromium (--use-file-for-fake-*-capture):
// a y4m test pattern from ffmpeg and speech from espeak-ng, generated on first
// use into var/test-media and reused (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { varDir } from '#common/paths';

const mediaDir = path.join(varDir, 'test-media');

function generate(file: string, make: (tmp: string) => void): string {
  const target = path.join(mediaDir, file);
  if (existsSync(target)) return target;
  mkdirSync(mediaDir, { recursive: true });
  const tmp = `${target}.${process.pid}.tmp${path.extname(file)}`;
  make(tmp);
  renameSync(tmp, target); // atomic: parallel test files never see half a file
  return target;
}

/** 640×360, 15 fps, 10 s moving test pattern with a clock (Chromium loops it). */
export function fakeVideoY4m(): string {
  return generate('camera-640x360.y4m', (tmp) =>
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15', '-t', '10', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', tmp]),
  );
}

/** Speech (espeak-ng) as 48 kHz mono WAV: what a participant says into the fake microphone. */
export function fakeSpeechWav(text = 'Good morning. This product is not a bank deposit, and the principal may be lost.', name = 'speech'): string {
  return generate(`${name}-48k.wav`, (tmp) => {
    const raw = `${tmp}.raw.wav`;
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, text]);
    execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', tmp, 'pad', '0.5', '1.5']);
  });
}
