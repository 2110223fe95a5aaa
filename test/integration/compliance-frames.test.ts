// Frames of rendered corpus calls through the real vision models: OpenCV Haar
// faces (opencv-js WASM) and PaddleOCR (onnxruntime-node).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { inspectCall } from '../../edge-node/src/compliance/index.ts';
import { analyzeFrames, sampleFrames } from '../../edge-node/src/compliance/frames/analyze-frames.ts';
import { countFaces } from '../../edge-node/src/compliance/frames/face-detector.ts';
import { readText } from '../../edge-node/src/compliance/frames/ocr.ts';
import { loadCorpus } from '../fixtures/compliance/corpus.ts';
import { renderCall } from '../../scripts/render-call-audio.ts';

const logger = createLogger('test', { level: 'silent' });
const work = mkdtempSync(path.join(os.tmpdir(), 'frames-'));
const corpus = loadCorpus();
const FACE = path.join(import.meta.dirname, '../fixtures/compliance/faces/face.jpg');
const dirs: Record<string, string> = {};

afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  for (const id of ['w01-clean-sale', 'w19-customer-leaves-frame', 'w20-document-not-shown'])
    dirs[id] = (
      await renderCall(
        corpus.find((c) => c.id === id)!,
        path.join(work, 'corpus'),
      )
    ).dir;
});

describe('frame analysis', () => {
  test('counts 0, 1 and 2 faces in composed frames', async () => {
    const bg = {
      create: { width: 960, height: 540, channels: 3 as const, background: { r: 190, g: 200, b: 205 } },
    };
    const face = await sharp(FACE).resize(300).toBuffer();
    const mirrored = await sharp(FACE).flop().resize(280).toBuffer();
    expect(await countFaces(await sharp(bg).jpeg().toBuffer())).toBe(0);
    expect(
      await countFaces(
        await sharp(bg)
          .composite([{ input: face, left: 100, top: 100 }])
          .jpeg()
          .toBuffer(),
      ),
    ).toBe(1);
    expect(
      await countFaces(
        await sharp(bg)
          .composite([
            { input: face, left: 40, top: 100 },
            { input: mirrored, left: 600, top: 120 },
          ])
          .jpeg()
          .toBuffer(),
      ),
    ).toBe(2);
  });

  test('OCR reads the document title drawn in a frame', async () => {
    const text = await readText(path.join(dirs['w19-customer-leaves-frame']!, 'frames', '20000.jpg'));
    expect(text.toLowerCase().replace(/\s/g, '')).toContain('productkeyfacts');
  });

  test('frames are sampled to one per 2 s per camera', () => {
    const files = [0, 500, 1000, 2000, 2500, 4100].flatMap((atMs) =>
      ['a', 'b'].map((camera) => ({ file: `${camera}-${atMs}.jpg`, atMs, camera })),
    );
    expect(
      sampleFrames(files)
        .map((f) => `${f.camera}@${f.atMs}`)
        .sort(),
    ).toEqual(['a@0', 'a@2000', 'a@4100', 'b@0', 'b@2000', 'b@4100']);
  });
});

describe('frame checks on corpus calls', () => {
  async function frameChecks(id: string) {
    const d = dirs[id]!;
    const { report } = await inspectCall({
      pack: 'wealth-sale',
      callDir: d,
      transcriptFile: path.join(d, 'transcript.json'),
      analyzeFrames,
      logger,
    });
    const call = corpus.find((c) => c.id === id)!;
    return { report, call, status: (check: string) => report.checks.find((c) => c.id === check)!.status };
  }

  test('two role cameras, document held up: both checks pass, verdict compliant', async () => {
    const { report, call, status } = await frameChecks('w01-clean-sale');
    expect(status('document-shown')).toBe(call.expect.checks['document-shown']);
    expect(status('faces-present')).toBe(call.expect.checks['faces-present']);
    expect(report.verdict).toBe(call.expect.verdict);
    const doc = report.checks.find((c) => c.id === 'document-shown')!;
    expect(doc.evidence[0]).toMatchObject({ role: 'frame', startMs: expect.any(Number) });
  });

  test('one counter camera, customer away for 20 s: faces-present fails, document found', async () => {
    const { report, call, status } = await frameChecks('w19-customer-leaves-frame');
    expect(status('faces-present')).toBe('fail');
    expect(status('document-shown')).toBe('pass');
    expect(report.verdict).toBe(call.expect.verdict);
    expect(report.checks.find((c) => c.id === 'faces-present')!.reason).toMatch(
      /in 2\d of 3\d sampled instants/,
    );
  });

  test('only a poster in view: document-shown fails, verdict needs review', async () => {
    const { report, status } = await frameChecks('w20-document-not-shown');
    expect(status('document-shown')).toBe('fail');
    expect(status('faces-present')).toBe('pass');
    expect(report.verdict).toBe('needs-review');
  });

  test('analyzeFrames stops reading text once the title was seen', async () => {
    const { listFrames } = await import('../../edge-node/src/compliance/inspect/call-dir.ts');
    const early = listFrames(dirs['w19-customer-leaves-frame']!).filter((f) => f.atMs <= 30_000);
    const obs = await analyzeFrames(early, { ocrDone: (t) => /key\s*facts/i.test(t) });
    const read = obs.filter((o) => o.text !== undefined);
    expect(read.length).toBeLessThan(obs.length);
    expect(read.at(-1)!.text).toMatch(/Key\s*Facts/i);
  });
});
