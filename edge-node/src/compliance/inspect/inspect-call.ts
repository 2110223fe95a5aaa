// Inspection of a stored call: the same ComplianceSession as live mode, fed
// from a transcript file or from speech recognised on each role's track, plus
// the call's frames. Used by `npm run inspect` and by the benchmark.
import type { Report } from '#protocol/report';
import { AppError } from '#protocol/errors';
import type { Logger } from '#common/logger';
import type { SpeechEngine } from '../../transcription/engine.ts';
import { createSpeechEngine } from '../../transcription/index.ts';
import { readPcm16k } from '../audio/wav.ts';
import type { FrameObservation } from '../engine/call-state.ts';
import { packHints } from '../pack/hints.ts';
import { loadRulePack } from '../pack/loader.ts';
import type { RulePack } from '../pack/schema.ts';
import { ComplianceSession, type SegmentInput } from '../session.ts';
import { documentTitleSeen } from '../checks/frame-checks.ts';
import type { AnalyzeOptions } from '../frames/analyze-frames.ts';
import { openCallDir, readTranscriptFile, type FrameFile } from './call-dir.ts';

export { documentTitleSeen };

export interface InspectInput {
  /** Pack id, `id@version`, file path, or a loaded pack. */
  pack: string | RulePack;
  callDir: string;
  /** Ground-truth transcript: skips speech recognition. */
  transcriptFile?: string;
  /** Engine for audio mode; default: the transcription pipeline's offline pocketsphinx engine with the pack's hints. Not closed here. */
  engine?: SpeechEngine;
  /** Analyses frames/ (faces, OCR) when present; default true. */
  frames?: boolean;
  /** Frame analysis; injected so inspection without frames never loads the vision models. */
  analyzeFrames?: (files: FrameFile[], options: AnalyzeOptions) => Promise<FrameObservation[]>;
  logger?: Logger;
}

export interface InspectResult {
  report: Report;
  timings: { recognizeMs: number; framesMs: number; evaluateMs: number };
}

export async function inspectCall(input: InspectInput): Promise<InspectResult> {
  const pack = typeof input.pack === 'string' ? loadRulePack(input.pack) : input.pack;
  const log = input.logger;
  const transcript = input.transcriptFile ? readTranscriptFile(input.transcriptFile) : undefined;
  const call = await openCallDir(input.callDir, { audioRequired: transcript === undefined });

  let segments: SegmentInput[];
  let source: string;
  const t0 = performance.now();
  if (transcript) {
    segments = transcript;
    source = 'transcript';
  } else {
    const hints = packHints(pack);
    const engine =
      input.engine ??
      (await createSpeechEngine({ engine: 'pocketsphinx', hints, ...(log ? { logger: log } : {}) }));
    source = engine.name;
    segments = [];
    try {
      for (const track of call.tracks) {
        log?.info({ track: track.role, durationMs: track.durationMs, engine: engine.name }, 'recognising');
        const pcm = await readPcm16k(track.file, `${track.role}.wav`);
        for (const s of await engine.recognize(pcm, { hints, channel: track.role }))
          segments.push({ role: track.role, startMs: s.startMs, endMs: s.endMs, text: s.text });
      }
    } finally {
      if (!input.engine) await engine.close();
    }
    if (segments.every((s) => s.text.trim() === ''))
      throw new AppError('bad_request', `empty call: no speech recognised in ${input.callDir}`);
  }
  const recognizeMs = performance.now() - t0;

  let frames: FrameObservation[] = [];
  const t1 = performance.now();
  if (input.frames !== false && call.frames.length > 0) {
    if (!input.analyzeFrames) throw new AppError('internal', 'frames present but no frame analyser given');
    log?.info({ frames: call.frames.length }, 'analysing frames');
    frames = await input.analyzeFrames(call.frames, {
      ...(log ? { logger: log } : {}),
      ocrDone: documentTitleSeen(pack),
    });
  }
  const framesMs = performance.now() - t1;

  const t2 = performance.now();
  const session = new ComplianceSession(pack, call.callId, {
    transcriptSource: source,
    ...(log ? { logger: log } : {}),
  });
  // Replay in time order, as the live pipeline would have delivered them.
  const events = [
    ...segments.map((s) => ({ atMs: s.endMs, add: () => session.addSegment(s) })),
    ...frames.map((f) => ({ atMs: f.atMs, add: () => session.addFrameObservation(f) })),
  ].sort((a, b) => a.atMs - b.atMs);
  for (const e of events) e.add();
  const lastSpeech = Math.max(0, ...segments.map((s) => s.endMs));
  const report = session.finish({ durationMs: Math.max(call.durationMs, lastSpeech) });
  return { report, timings: { recognizeMs, framesMs, evaluateMs: performance.now() - t2 } };
}
