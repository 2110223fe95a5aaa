// Test and benchmark speech rendered on the spot with espeak-ng + sox (no
// committed audio): each sentence trimmed to its speech, then laid out with
// known gaps, so the exact start and end of every utterance is known. sox runs
// repeatable (-R): its dither is seeded, so the same sentences give the same
// samples and the word error rates measured on them do not vary from run to run
// (unseeded, one test measured 21–25% WER on the same sentences).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SAMPLE_RATE } from '../engine.ts';

const run = promisify(execFile);

export interface RenderedUtterance {
  text: string;
  startMs: number;
  endMs: number;
}

export interface RenderedSpeech {
  /** 16 kHz mono 16-bit WAV. */
  path: string;
  durationMs: number;
  utterances: RenderedUtterance[];
  cleanup(): void;
}

export interface RenderOptions {
  voice?: string;
  /** Words per minute. */
  speed?: number;
  leadMs?: number;
  gapMs?: number;
  tailMs?: number;
  dir?: string;
}

const samplesOf = (wav: string) => (statSync(wav).size - 44) / 2;

/** One WAV of `sentences` separated by silence, with each utterance's exact times. */
export async function renderSpeech(sentences: string[], opts: RenderOptions = {}): Promise<RenderedSpeech> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'branchedge-speech-'));
  const { voice = 'en-us', speed = 165, leadMs = 500, gapMs = 1500, tailMs = 1500 } = opts;
  const parts: string[] = [];
  const utterances: RenderedUtterance[] = [];
  const silence = async (name: string, ms: number) => {
    const file = path.join(dir, name);
    await run('sox', [
      '-R',
      '-n',
      '-r',
      String(SAMPLE_RATE),
      '-c',
      '1',
      '-b',
      '16',
      file,
      'trim',
      '0',
      String(ms / 1000),
    ]);
    return file;
  };
  let cursor = 0;
  parts.push(await silence('lead.wav', leadMs));
  cursor += leadMs;
  for (const [i, text] of sentences.entries()) {
    const raw = path.join(dir, `s${i}-raw.wav`);
    const clean = path.join(dir, `s${i}.wav`);
    await run('espeak-ng', ['-v', voice, '-s', String(speed), '-w', raw, text]);
    // 16 kHz mono, leading and trailing silence removed: the utterance is exactly the speech.
    await run('sox', [
      '-R',
      raw,
      '-r',
      String(SAMPLE_RATE),
      '-c',
      '1',
      '-b',
      '16',
      clean,
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
    ]);
    const ms = (samplesOf(clean) / SAMPLE_RATE) * 1000;
    utterances.push({ text, startMs: Math.round(cursor), endMs: Math.round(cursor + ms) });
    parts.push(clean);
    cursor += ms;
    const pause = i === sentences.length - 1 ? tailMs : gapMs;
    parts.push(await silence(`gap${i}.wav`, pause));
    cursor += pause;
  }
  const out = path.join(dir, 'speech.wav');
  await run('sox', ['-R', ...parts, out]);
  return {
    path: out,
    durationMs: Math.round((samplesOf(out) / SAMPLE_RATE) * 1000),
    utterances,
    cleanup: () => (opts.dir ? undefined : rmSync(dir, { recursive: true, force: true })),
  };
}
