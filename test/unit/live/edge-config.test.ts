// The edge's environment → config: end-of-utterance settings reach the transcription
// service validated, and a bad value is refused at start with the variable named.
import { describe, expect, test } from 'vitest';
import { loadEdgeConfig } from '../../../edge-node/src/config.ts';

describe('edge config: transcription timing', () => {
  test('defaults: 400 ms pause, speculation at 150 ms, a partial per second of speech', () => {
    const c = loadEdgeConfig({});
    expect(c.transcription.segmenter).toEqual({ minSilenceMs: 400, speculateAfterMs: 150 });
    expect(c.transcription.partialIntervalMs).toBe(1000);
  });

  test('set from the environment', () => {
    const c = loadEdgeConfig({
      TRANSCRIPTION_PAUSE_MS: '600',
      TRANSCRIPTION_SPECULATE_MS: '600',
      TRANSCRIPTION_PARTIAL_MS: '1500',
    });
    expect(c.transcription.segmenter).toEqual({ minSilenceMs: 600, speculateAfterMs: 600 });
    expect(c.transcription.partialIntervalMs).toBe(1500);
  });

  test('out of range or not a number: refused, naming the variable', () => {
    expect(() => loadEdgeConfig({ TRANSCRIPTION_PAUSE_MS: '20' })).toThrow(/TRANSCRIPTION_PAUSE_MS/);
    expect(() => loadEdgeConfig({ TRANSCRIPTION_PARTIAL_MS: 'soon' })).toThrow(/TRANSCRIPTION_PARTIAL_MS/);
  });
});
