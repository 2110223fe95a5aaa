// The live pipeline (Silero VAD segments, each recognised on its own) must be
// within 2 WER points of the same engine decoding the whole file. Compared
// over several alignments of the audio, because pocketsphinx's result on one
// file depends on where its 10 ms frames fall: on these sentences the whole
// file alone measured 20.4–34.0% over the alignments below, the pipeline
// 20.4–25.2%; a single alignment compares two draws, not two methods.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import {
  createSpeechEngine,
  readWavAs16kMono,
  SileroVad,
  type SpeechEngine,
} from '../../edge-node/src/transcription/index.ts';
import { alignedWer, DEFAULT_SHIFTS } from '../../edge-node/src/transcription/eval/alignedWer.ts';
import { renderSpeech, type RenderedSpeech } from '../../edge-node/src/transcription/eval/renderSpeech.ts';

const sentences = (
  JSON.parse(
    readFileSync(new URL('../fixtures/transcription/domain-sentences.json', import.meta.url), 'utf8'),
  ) as {
    sentences: string[];
  }
).sentences;

let engine: SpeechEngine;
let vad: SileroVad;
let speech: RenderedSpeech;

beforeAll(async () => {
  engine = await createSpeechEngine({
    engine: 'pocketsphinx',
    logger: createLogger('test', { level: 'warn' }),
  });
  vad = await SileroVad.load();
  speech = await renderSpeech(sentences, { gapMs: 1500 });
});
afterAll(async () => {
  await engine?.close();
  await vad?.close();
  speech?.cleanup();
});

test('pipeline WER within 2 points of the whole file, over four alignments of the domain sentences', async () => {
  const shifts = DEFAULT_SHIFTS.slice(0, 4);
  const r = await alignedWer(engine, await readWavAs16kMono(speech.path), sentences.join(' '), {
    vad,
    shifts,
    channel: 'domain',
  });
  expect(r.alignments.map((a) => a.shift)).toEqual(shifts);
  // every alignment was recognised, by both methods, over all the words
  for (const a of r.alignments) {
    expect(a.pipeline.words).toBe(r.pipeline.words / shifts.length);
    expect(a.pipeline.wer).toBeLessThan(0.35);
    expect(a.wholeFile.wer).toBeLessThan(0.5);
  }
  expect(r.pipeline.wer).toBeLessThan(0.3);
  expect(r.gapPoints).toBeLessThanOrEqual(2);
});
