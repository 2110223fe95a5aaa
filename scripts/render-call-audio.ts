// Renders the labelled compliance corpus (test/fixtures/compliance/calls) into
// stored-call directories the `inspect` CLI reads: one WAV per role (espeak-ng,
// a different voice per role, each turn placed at its transcript time and
// squeezed with sox `tempo` when it would overrun its slot), transcript.json,
// labels.json and, for calls that declare them, video frames (a real face
// photo composed per camera, a document with its title drawn in).
//
//   npm run render:calls -- [--out var/compliance-corpus] [--only id,id] [--force]
//
// Output is cached per call (hash of its content and of this renderer's settings).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { varDir } from '#common/paths';
import { loadCorpus, type CorpusCall, type FrameSpec } from '../test/fixtures/compliance/corpus.ts';

const RATE = 16_000;
// Chosen with a small recognition test: the offline recogniser gets these espeak variants right far more often than en-us+m3.
export const VOICES: Record<string, string> = {
  manager: 'en-us+f2',
  customer: 'en-us+m1',
  expert: 'en-us+f3',
};
const WORDS_PER_MIN = 165;
const FRAME_EVERY_MS = 2000;
const RENDERER_VERSION = 6;
const FACE = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  'test',
  'fixtures',
  'compliance',
  'faces',
  'face.jpg',
);

export const DEFAULT_CORPUS_OUT = path.join(varDir, 'compliance-corpus');

function run(cmd: string, args: string[]): Buffer {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.toString().split('\n')[0]}`);
  return r.stdout;
}

/** 16 kHz mono s16 samples of one spoken turn, at most `maxMs` long. */
function speak(text: string, voice: string, maxMs: number, tmp: string): Int16Array {
  const raw = path.join(tmp, 'turn.wav');
  run('espeak-ng', ['-v', voice, '-s', String(WORDS_PER_MIN), '-w', raw, text]);
  const seconds = Number(run('soxi', ['-D', raw]).toString().trim());
  const tempo = seconds * 1000 > maxMs ? ['tempo', '-s', ((seconds * 1000) / maxMs + 0.01).toFixed(3)] : [];
  // -D: no dither, so a render is bit-identical every time (the recogniser is sensitive to dither noise).
  const pcm = run('sox', [
    '-D',
    raw,
    '-t',
    'raw',
    '-r',
    String(RATE),
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    '-L',
    '-',
    ...tempo,
  ]);
  return new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length & ~1)));
}

function wavFile(samples: Int16Array): Buffer {
  const h = Buffer.alloc(44);
  const bytes = samples.length * 2;
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + bytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(bytes, 40);
  return Buffer.concat([h, Buffer.from(samples.buffer, samples.byteOffset, bytes)]);
}

function documentSvg(title: string, body: string[]): Buffer {
  const lines = body
    .map(
      (l, i) =>
        `<text x="16" y="${100 + i * 26}" font-family="DejaVu Sans" font-size="17" fill="#333">${l}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="350" height="240"><rect width="350" height="240" fill="#ffffff" stroke="#222" stroke-width="3"/>` +
      `<text x="16" y="52" font-family="DejaVu Sans" font-weight="bold" font-size="22" fill="#000">${title}</text>${lines}</svg>`,
  );
}

async function renderFrames(
  call: CorpusCall,
  spec: FrameSpec,
  dir: string,
  durationMs: number,
): Promise<number> {
  const framesDir = path.join(dir, 'frames');
  mkdirSync(framesDir, { recursive: true });
  const bg = {
    create: { width: 960, height: 540, channels: 3 as const, background: { r: 196, g: 202, b: 210 } },
  };
  const customerFace = await sharp(FACE).resize(280).toBuffer();
  const managerFace = await sharp(FACE).flop().modulate({ brightness: 0.9 }).resize(280).toBuffer();
  const inWindow = (w: { fromMs: number; toMs: number } | undefined, t: number) =>
    w !== undefined && t >= w.fromMs && t <= w.toMs;
  const overlay = (t: number) => {
    if (inWindow(spec.document, t))
      return documentSvg(spec.document!.title, [
        'Product risk level: R3',
        'Returns are not guaranteed.',
        'Not a bank deposit.',
      ]);
    if (inWindow(spec.poster, t))
      return documentSvg(spec.poster!.title, ['Open 9:00 to 17:00', 'Ask us about savings']);
    return undefined;
  };
  let n = 0;
  for (let t = 0; t <= durationMs; t += FRAME_EVERY_MS) {
    const doc = overlay(t);
    const customerAbsent =
      spec.customerAbsentFromMs !== undefined &&
      t >= spec.customerAbsentFromMs &&
      t <= (spec.customerAbsentToMs ?? Infinity);
    if (spec.layout === 'role-cameras') {
      await sharp(bg)
        .composite([{ input: managerFace, left: 330, top: 110 }])
        .jpeg({ quality: 80 })
        .toFile(path.join(framesDir, `manager-${t}.jpg`));
      const parts = [
        ...(customerAbsent ? [] : [{ input: customerFace, left: 60, top: 110 }]),
        ...(doc ? [{ input: doc, left: 560, top: 150 }] : []),
      ];
      await sharp(bg)
        .composite(parts)
        .jpeg({ quality: 80 })
        .toFile(path.join(framesDir, `customer-${t}.jpg`));
      n += 2;
    } else {
      const parts = [
        { input: managerFace, left: 10, top: 120 },
        ...(customerAbsent ? [] : [{ input: customerFace, left: 670, top: 100 }]),
        ...(doc ? [{ input: doc, left: 305, top: 280 }] : []),
      ];
      await sharp(bg)
        .composite(parts)
        .jpeg({ quality: 80 })
        .toFile(path.join(framesDir, `${t}.jpg`));
      n += 1;
    }
  }
  return n;
}

export async function renderCall(
  call: CorpusCall,
  outDir: string,
  force = false,
): Promise<{ dir: string; cached: boolean }> {
  const dir = path.join(outDir, call.id);
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        t: call.transcript,
        f: call.frames ?? null,
        v: VOICES,
        r: RENDERER_VERSION,
        w: WORDS_PER_MIN,
      }),
    )
    .digest('hex');
  const stamp = path.join(dir, '.render.json');
  if (
    !force &&
    existsSync(stamp) &&
    (JSON.parse(readFileSync(stamp, 'utf8')) as { hash: string }).hash === hash
  )
    return { dir, cached: true };

  // Build in a sibling temp dir and rename: an interrupted render leaves no half call.
  mkdirSync(outDir, { recursive: true });
  const building = mkdtempSync(path.join(outDir, `.${call.id}-`));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'branchedge-render-'));
  try {
    const durationMs = Math.max(...call.transcript.map((l) => l.endMs)) + 1000;
    const roles = [
      'manager',
      'customer',
      ...(call.transcript.some((l) => l.role === 'expert') ? ['expert'] : []),
    ];
    for (const role of roles) {
      const track = new Int16Array(Math.ceil((durationMs / 1000) * RATE));
      for (const line of call.transcript.filter((l) => l.role === role)) {
        const samples = speak(line.text, VOICES[role]!, line.endMs - line.startMs, tmp);
        const at = Math.round((line.startMs / 1000) * RATE);
        track.set(samples.subarray(0, Math.max(0, track.length - at)), at);
      }
      writeFileSync(path.join(building, `${role}.wav`), wavFile(track));
    }
    writeFileSync(path.join(building, 'transcript.json'), `${JSON.stringify(call.transcript, null, 2)}\n`);
    writeFileSync(
      path.join(building, 'labels.json'),
      `${JSON.stringify({ id: call.id, pack: call.pack, note: call.note, expect: call.expect }, null, 2)}\n`,
    );
    if (call.frames) await renderFrames(call, call.frames, building, durationMs - 1000);
    writeFileSync(path.join(building, '.render.json'), JSON.stringify({ hash }));
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(building, { recursive: true, force: true });
  }
  return { dir, cached: false };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, only: { type: 'string' }, force: { type: 'boolean' } },
  });
  const out = path.resolve(values.out ?? DEFAULT_CORPUS_OUT);
  const only = values.only?.split(',');
  const calls = loadCorpus().filter((c) => !only || only.includes(c.id));
  for (const call of calls) {
    const t = performance.now();
    const r = await renderCall(call, out, values.force);
    process.stderr.write(
      `${call.id}: ${r.cached ? 'cached' : `rendered in ${Math.round(performance.now() - t)} ms`} → ${r.dir}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
