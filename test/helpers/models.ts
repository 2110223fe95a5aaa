// Whether the synthetic Whisper test model is on this machine: installed by
// setup into var/models, or shipped in ../shared beside the clone. Tests that
// need it skip, saying why, where it is absent (a user's machine).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findModel, modelsDir, sourcePathOf } from '../../edge-node/src/transcription/models/manifest.ts';

export function syntheticWhisperPath(): string | undefined {
  const entry = findModel('synthetic-tiny.en');
  if (!entry) return undefined;
  const candidates = [path.join(modelsDir(), entry.file), sourcePathOf(entry)].filter((p): p is string =>
    Boolean(p),
  );
  return candidates.find((p) => existsSync(p));
}

export const hasSyntheticWhisper = syntheticWhisperPath() !== undefined;

if (!hasSyntheticWhisper) {
  console.warn(
    '[tests] synthetic Whisper test model not found (var/models or ../shared/models/whisper-test): Whisper plumbing tests are skipped',
  );
}
