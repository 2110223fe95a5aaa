// One entry point for every engine: which one, which model, how many threads.
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { SpeechEngine } from './engine.ts';
import { PocketsphinxEngine } from './engines/pocketsphinx/PocketsphinxEngine.ts';
import { WhisperEngine } from './engines/whisper/WhisperEngine.ts';
import { DEFAULT_PROMPT_CHARS } from './engines/whisper/whisperText.ts';
import { defaultLogger } from './log.ts';
import { DEFAULT_MODEL } from './models/manifest.ts';
import { resolveModel } from './models/resolveModel.ts';

export type EngineKind = 'whisper' | 'pocketsphinx';

export interface SpeechEngineOptions {
  engine: EngineKind;
  /** Whisper: manifest id (`tiny.en`, `base.en`, `base` for Mandarin, `synthetic-tiny.en`) or a .bin path. */
  model?: string;
  /** Whisper: whisper.cpp threads per recognition (default 1; see docs/transcription.md). */
  threads?: number;
  /** Whisper: worker threads, each with its own copy of the weights (default 2: one stays free for finals). */
  workers?: number;
  /** Whisper: `en`, `zh`, `auto`… (default `en` for .en models, `auto` otherwise). */
  language?: string;
  audioCtx?: 'auto' | 'full';
  /** Whisper: characters of domain hints prompted to finals (default 100; 0 = none). */
  promptChars?: number;
  /** Pocketsphinx: default domain hints (the edge's rule pack phrases). */
  hints?: string[];
  /** Pocketsphinx: `domain` (default) or Debian's `general` en-us LM. */
  languageModel?: 'domain' | 'general';
  logger?: Logger;
}

/**
 * Loads an engine, ready to recognise. Throws an `unavailable` AppError that
 * names what is missing (model file, checksum, binary) when it cannot.
 */
export async function createSpeechEngine(opts: SpeechEngineOptions): Promise<SpeechEngine> {
  const logger = opts.logger ?? defaultLogger();
  switch (opts.engine) {
    case 'whisper': {
      const model = await resolveModel(opts.model ?? process.env.BRANCHEDGE_WHISPER_MODEL ?? DEFAULT_MODEL);
      if (model.synthetic)
        logger.warn(
          { model: model.id },
          'synthetic Whisper test model: fixed output, for plumbing and timing only, never accuracy',
        );
      return WhisperEngine.create({
        model,
        threads: opts.threads ?? Number(process.env.BRANCHEDGE_WHISPER_THREADS ?? 1),
        workers: opts.workers ?? Number(process.env.BRANCHEDGE_WHISPER_WORKERS ?? 2),
        ...(opts.language ? { language: opts.language } : {}),
        ...(opts.audioCtx ? { audioCtx: opts.audioCtx } : {}),
        promptChars:
          opts.promptChars ?? Number(process.env.BRANCHEDGE_WHISPER_PROMPT_CHARS ?? DEFAULT_PROMPT_CHARS),
        logger,
      });
    }
    case 'pocketsphinx':
      return PocketsphinxEngine.create({
        logger,
        ...(opts.hints ? { hints: opts.hints } : {}),
        ...(opts.languageModel ? { languageModel: opts.languageModel } : {}),
      });
    default:
      throw new AppError(
        'bad_request',
        `unknown speech engine "${String(opts.engine)}" (whisper or pocketsphinx)`,
      );
  }
}
