import type { WhisperFullParams } from '@napi-rs/whisper';

export interface RecognitionRequest {
  threads: number;
  language: string;
  singleSegment: boolean;
  /** Encoder positions (0 = the model's full 30 s). */
  audioCtx: number;
  maxTokens: number;
  prompt?: string;
}

export function recognitionParams(r: RecognitionRequest): WhisperFullParams;
