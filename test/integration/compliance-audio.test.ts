// Audio mode on rendered corpus calls: espeak-ng voices per role → real ffmpeg →
// the real offline recogniser (the transcription pipeline's pocketsphinx engine,
// given the pack's phrases as hints) — what `inspect` does without --transcript.
// The recogniser gets many words wrong (see npm run bench:compliance), so these
// tests assert what it really does on clearly spoken calls: the verdict and the
// critical checks, not every minor item.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { inspectCall, type Report } from '../../edge-node/src/compliance/index.ts';
import { loadCorpus } from '../fixtures/compliance/corpus.ts';
import { renderCall } from '../../scripts/render-call-audio.ts';

const logger = createLogger('test', { level: 'silent' });
const work = mkdtempSync(path.join(os.tmpdir(), 'audio-'));
const corpus = loadCorpus();
const reports: Record<string, Report> = {};

afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  for (const id of ['w01-clean-sale', 'w03-guaranteed-claim']) {
    const { dir } = await renderCall(
      corpus.find((c) => c.id === id)!,
      path.join(work, 'corpus'),
    );
    reports[id] = (await inspectCall({ pack: 'wealth-sale', callDir: dir, frames: false, logger })).report;
  }
}, 300_000);

const status = (id: string, check: string) => reports[id]!.checks.find((c) => c.id === check)!.status;

describe('audio mode with the offline engine', () => {
  test('the report says which engine produced the text, and has a transcript per role', () => {
    const r = reports['w01-clean-sale']!;
    expect(r.transcriptSource).toBe('pocketsphinx:en-us');
    expect(new Set(r.transcript.map((l) => l.role))).toEqual(new Set(['manager', 'customer']));
    // Segments sit where the speech was rendered (within the call, in time order per role).
    expect(r.transcript.every((l) => l.endMs <= r.durationMs && l.startMs <= l.endMs)).toBe(true);
  });

  test('a clean sale: the critical disclosures and the customer confirmation are heard, no false claim', () => {
    for (const check of [
      'not-a-deposit',
      'principal-risk',
      'no-misleading-claims',
      'customer-confirms-understanding',
    ]) {
      expect(status('w01-clean-sale', check), check).toBe('pass');
    }
  });

  test('a guaranteed-returns claim is caught from speech and makes the call non-compliant', () => {
    const r = reports['w03-guaranteed-claim']!;
    expect(r.verdict).toBe('non-compliant');
    const claim = r.checks.find((c) => c.id === 'no-misleading-claims')!;
    expect(claim.status).toBe('fail');
    expect(claim.evidence.some((e) => e.role === 'manager' && /guarantee/.test(e.text))).toBe(true);
    expect(r.alerts.some((a) => a.checkId === 'no-misleading-claims')).toBe(true);
  });
});
