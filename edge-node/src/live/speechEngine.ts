// Which speech engine the edge runs. `auto`: Whisper when real weights are
// present and verified, otherwise the offline pocketsphinx engine — saying so
// in the log and on /readyz, never silently.
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import {
  createSpeechEngine,
  DEFAULT_MODEL,
  resolveModel,
  type SpeechEngine,
} from '../transcription/index.ts';

export type EngineChoice = 'auto' | 'whisper' | 'pocketsphinx' | 'none';

export interface EngineStatus {
  engine?: SpeechEngine;
  /** Why the chosen engine is what it is (shown on /readyz). */
  detail: string;
  /** false when the configured engine could not be loaded. */
  ok: boolean;
}

export async function loadSpeechEngine(
  choice: EngineChoice,
  whisperModel: string | undefined,
  hints: string[],
  logger: Logger,
): Promise<EngineStatus> {
  if (choice === 'none') return { ok: true, detail: 'transcription disabled (TRANSCRIPTION_ENGINE=none)' };
  const model = whisperModel ?? DEFAULT_MODEL;
  if (choice === 'whisper' || choice === 'auto') {
    try {
      const resolved = await resolveModel(model);
      if (choice === 'auto' && resolved.synthetic)
        throw new AppError('unavailable', `${model} is the synthetic test model`);
      const engine = await createSpeechEngine({ engine: 'whisper', model, logger });
      return {
        ok: true,
        engine,
        detail: `${engine.name}${resolved.synthetic ? ' (synthetic test model: fixed output)' : ''}`,
      };
    } catch (err) {
      const reason = (err as Error).message;
      if (choice === 'whisper') {
        logger.error({ reason }, 'Whisper engine unavailable');
        return { ok: false, detail: `whisper unavailable: ${reason}` };
      }
      logger.warn({ reason }, 'no usable Whisper weights; using the offline pocketsphinx engine');
      const engine = await createSpeechEngine({ engine: 'pocketsphinx', hints, logger });
      return { ok: true, engine, detail: `${engine.name} (Whisper weights missing: ${reason})` };
    }
  }
  try {
    const engine = await createSpeechEngine({ engine: 'pocketsphinx', hints, logger });
    return { ok: true, engine, detail: engine.name };
  } catch (err) {
    return { ok: false, detail: `pocketsphinx unavailable: ${(err as Error).message}` };
  }
}
