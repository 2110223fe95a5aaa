// whisper_full parameters of one recognition, in one place: the worker thread
// recognises with them and bench:transcription times the prompt with them.
// Plain JS like the worker, which loads without tsx (types: whisper-params.d.mts).
import { WhisperFullParams, WhisperSamplingStrategy } from '@napi-rs/whisper';

export function recognitionParams(r) {
  const params = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
  params.nThreads = r.threads;
  params.language = r.language;
  params.translate = false;
  params.printProgress = false;
  params.printRealtime = false;
  params.printTimestamps = false;
  params.printSpecial = false;
  params.noContext = true;
  params.singleSegment = r.singleSegment;
  params.suppressBlank = true;
  params.audioCtx = r.audioCtx;
  params.maxTokens = r.maxTokens;
  params.temperature = 0;
  if (r.prompt) params.initialPrompt = r.prompt;
  return params;
}
