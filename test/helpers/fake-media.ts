// Fake camera and microphone for Chromium (--use-file-for-fake-*-capture):
// a y4m test pattern from ffmpeg and speech from espeak-ng, generated on first
// use into var/test-media and reused (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
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

const FACE = path.join(import.meta.dirname, '..', 'fixtures', 'compliance', 'faces', 'face.jpg');

/** A product document as a participant holds it up: white sheet, bold title, a few lines. */
function documentSvg(title: string): Buffer {
  const lines = ['Product risk level: R3', 'Returns are not guaranteed.', 'Not a bank deposit.']
    .map(
      (l, i) =>
        `<text x="20" y="${120 + i * 34}" font-family="DejaVu Sans" font-size="22" fill="#333">${l}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="300"><rect width="420" height="300" fill="#fff" stroke="#222" stroke-width="3"/>` +
      `<text x="20" y="60" font-family="DejaVu Sans" font-weight="bold" font-size="34" fill="#000">${title}</text>${lines}</svg>`,
  );
}

export interface CameraScene {
  /** The face photo (test/fixtures/compliance/faces, public domain) in view. */
  face: boolean;
  /** A document with this title held up beside the face for `documentSeconds` of each loop. */
  document?: string;
}

/**
 * A fake camera for Chromium: 960×540 at 5 fps (three simulcast layers:
 * 240×135, 480×270, 960×540), looped by Chromium. With a document: 3 s of the
 * scene without it, then `documentSeconds` with it.
 */
export async function fakeCameraY4m(scene: CameraScene, documentSeconds = 5): Promise<string> {
  const name = `camera-960x540-${scene.face ? 'face' : 'empty'}${scene.document ? `-${scene.document.replace(/\W+/g, '_')}-${documentSeconds}s` : ''}.y4m`;
  const target = path.join(mediaDir, name);
  if (existsSync(target)) return target;
  mkdirSync(mediaDir, { recursive: true });
  const bg = {
    create: { width: 960, height: 540, channels: 3 as const, background: { r: 196, g: 202, b: 210 } },
  };
  const face = scene.face ? [{ input: await sharp(FACE).resize(300).toBuffer(), left: 80, top: 120 }] : [];
  const tmp = `${target}.${process.pid}`;
  const plain = `${tmp}-plain.png`;
  await sharp(bg).composite(face).png().toFile(plain);
  const inputs = ['-loop', '1', '-framerate', '5', '-t', scene.document ? '3' : '1', '-i', plain];
  if (scene.document) {
    const withDoc = `${tmp}-doc.png`;
    await sharp(bg)
      .composite([...face, { input: documentSvg(scene.document), left: 500, top: 120 }])
      .png()
      .toFile(withDoc);
    inputs.push('-loop', '1', '-framerate', '5', '-t', String(documentSeconds), '-i', withDoc);
  }
  const concat = scene.document ? ['-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]'] : [];
  try {
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      ...inputs,
      ...concat,
      '-pix_fmt',
      'yuv420p',
      '-f',
      'yuv4mpegpipe',
      `${tmp}.y4m`,
    ]);
    renameSync(`${tmp}.y4m`, target); // atomic: parallel test files never see half a file
  } finally {
    rmSync(plain, { force: true });
    rmSync(`${tmp}-doc.png`, { force: true });
  }
  return target;
}
