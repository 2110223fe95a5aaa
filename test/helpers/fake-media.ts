// Fake camera and microphone for Chromium (--use-file-for-fake-*-capture):
// a y4m test pattern from ffmpeg and speech from espeak-ng, generated on first
// use into var/test-media and reused (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
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
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=15',
      '-t',
      '10',
      '-pix_fmt',
      'yuv420p',
      '-f',
      'yuv4mpegpipe',
      tmp,
    ]),
  );
}

/** Speech (espeak-ng) as 48 kHz mono WAV: what a participant says into the fake microphone. */
export function fakeSpeechWav(
  text = 'Good morning. This product is not a bank deposit, and the principal may be lost.',
  name = 'speech',
): string {
  return generate(`${name}-48k.wav`, (tmp) => {
    const raw = `${tmp}.raw.wav`;
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, text]);
    execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', tmp, 'pad', '0.5', '1.5']);
  });
}

const FACE = path.join(import.meta.dirname, '..', 'fixtures', 'compliance', 'faces', 'face.jpg');

/** A product document as a participant holds it up: white sheet, bold title, a few lines; `scale` 1 = 420×300 px, title 34 px. */
function documentSvg(title: string, scale = 1): Buffer {
  const px = (n: number) => Math.round(n * scale);
  const lines = ['Product risk level: R3', 'Returns are not guaranteed.', 'Not a bank deposit.']
    .map(
      (l, i) =>
        `<text x="${px(20)}" y="${px(120 + i * 34)}" font-family="DejaVu Sans" font-size="${px(22)}" fill="#333">${l}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(420)}" height="${px(300)}"><rect width="${px(420)}" height="${px(300)}" fill="#fff" stroke="#222" stroke-width="3"/>` +
      `<text x="${px(20)}" y="${px(60)}" font-family="DejaVu Sans" font-weight="bold" font-size="${px(34)}" fill="#000">${title}</text>${lines}</svg>`,
  );
}

export interface CameraScene {
  /** The face photo (test/fixtures/compliance/faces, public domain) in view. */
  face: boolean;
  /** A document with this title held up beside the face for part of each loop. */
  document?: string;
  /** Size of the document in the picture (1: 420×300 px, title 34 px high, of 960×540). */
  documentScale?: number;
}

/** The camera's two pictures as 960×540 PNGs in `dir`: the scene without the document, and with it. */
export async function cameraStills(
  scene: CameraScene,
  dir: string,
): Promise<{ plain: string; withDocument?: string }> {
  const bg = {
    create: { width: 960, height: 540, channels: 3 as const, background: { r: 196, g: 202, b: 210 } },
  };
  const face = scene.face ? [{ input: await sharp(FACE).resize(300).toBuffer(), left: 80, top: 120 }] : [];
  const plain = path.join(dir, 'plain.png');
  await sharp(bg).composite(face).png().toFile(plain);
  if (!scene.document) return { plain };
  const withDocument = path.join(dir, 'document.png');
  await sharp(bg)
    .composite([...face, { input: documentSvg(scene.document, scene.documentScale), left: 500, top: 120 }])
    .png()
    .toFile(withDocument);
  return { plain, withDocument };
}

/**
 * A fake camera for Chromium: 960×540 at 5 fps (three simulcast layers:
 * 240×135, 480×270, 960×540), looped by Chromium. With a document: 3 s of the
 * scene without it, then `documentSeconds` with it.
 */
export async function fakeCameraY4m(scene: CameraScene, documentSeconds = 5): Promise<string> {
  const doc = scene.document
    ? `-${scene.document.replace(/\W+/g, '_')}${scene.documentScale ? `-x${scene.documentScale}` : ''}-${documentSeconds}s`
    : '';
  const target = path.join(mediaDir, `camera-960x540-${scene.face ? 'face' : 'empty'}${doc}.y4m`);
  if (existsSync(target)) return target;
  mkdirSync(mediaDir, { recursive: true });
  const work = mkdtempSync(`${target}.${process.pid}-`);
  try {
    const stills = await cameraStills(scene, work);
    const inputs = [
      '-loop',
      '1',
      '-framerate',
      '5',
      '-t',
      stills.withDocument ? '3' : '1',
      '-i',
      stills.plain,
    ];
    if (stills.withDocument)
      inputs.push('-loop', '1', '-framerate', '5', '-t', String(documentSeconds), '-i', stills.withDocument);
    const concat = stills.withDocument
      ? ['-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]']
      : [];
    const tmp = path.join(work, 'camera.y4m');
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
      tmp,
    ]);
    renameSync(tmp, target); // atomic: parallel test files never see half a file
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}
