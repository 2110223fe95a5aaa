// Public API of edge transcription. Other areas import from here only.
export { SAMPLE_RATE, type RecognizedSegment, type RecognizeOptions, type SpeechEngine } from './engine.ts';
export { createSpeechEngine, type EngineKind, type SpeechEngineOptions } from './createSpeechEngine.ts';
export { readWavAs16kMono } from './audio/readWav.ts';
export {
  transcribeFile,
  speechRegions,
  type TranscribeFileOptions,
  type SpeechRegion,
} from './transcribeFile.ts';
export { SileroVad } from './vad/SileroVad.ts';
export { MODELS, DEFAULT_MODEL, findModel, modelsDir, type ModelEntry } from './models/manifest.ts';
export { resolveModel, type ResolvedModel } from './models/resolveModel.ts';
export { DEFAULT_HINTS } from './engines/pocketsphinx/bankingCorpus.ts';
export {
  TranscriptionService,
  type RtpSource,
  type AttachOptions,
  type SpeakerHandle,
  type TranscriptionServiceOptions,
  type TranscriptionStatus,
} from './TranscriptionService.ts';
export {
  RecognitionScheduler,
  RecognitionDropped,
  type CapacityReport,
  type SchedulerSettings,
} from './scheduler/RecognitionScheduler.ts';
export { RtpAudioStream, type RtpAudioStats } from './stream/RtpAudioStream.ts';
export { StreamTranscriber, type SpeakerMeta } from './stream/StreamTranscriber.ts';
export { Segmenter, DEFAULT_SEGMENTER, type SegmenterSettings } from './vad/Segmenter.ts';
export { UdpRtpSource, ffmpegOpusRtpArgs, type Impairment } from './stream/UdpRtpSource.ts';
