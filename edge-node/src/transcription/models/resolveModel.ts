// Finds a Whisper model file and proves it is the one it claims to be: size and
// SHA-256 against the manifest on every load. A missing or corrupt file is an
// `unavailable` AppError that says what is missing and how to get it.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '#protocol/errors';
import { findModel, modelsDir, MODELS, sourcePathOf, type ModelEntry } from './manifest.ts';

export interface ResolvedModel {
  /** Manifest entry, or undefined for a file outside the manifest (size/hash unchecked: said so in `verified`). */
  entry?: ModelEntry;
  id: string;
  path: string;
  sha256?: string;
  verified: boolean;
  synthetic: boolean;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (b) => hash.update(b))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** whisper.cpp's legacy ggml files start with 0x67676d6c ("ggml") as a little-endian uint32. */
export function hasGgmlMagic(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32LE(0) === 0x67676d6c;
  } finally {
    closeSync(fd);
  }
}

function howToGet(entry: ModelEntry): string {
  if (entry.synthetic) return `it ships in ${sourcePathOf(entry)}`;
  return `run \`npm run --silent models -- ensure ${entry.id}\` on a machine that reaches ${entry.url}, copy ${entry.file} into ${modelsDir()}, or roll it out from the cloud`;
}

/**
 * `model` is a manifest id (`tiny.en`), a manifest file name, or a path to a
 * .bin file. Manifest models are looked up in the models directory (and the
 * synthetic one also at its shipped source).
 */
export async function resolveModel(model: string): Promise<ResolvedModel> {
  const byId = findModel(model);
  const isPath = !byId && (model.includes('/') || model.endsWith('.bin'));
  let file: string;
  let entry: ModelEntry | undefined = byId;
  if (isPath) {
    file = path.resolve(model);
    // A path to a known file name is still checked against the manifest.
    entry = MODELS.find(
      (m) => m.file === path.basename(file) && m.bytes === (existsSync(file) ? statSync(file).size : -1),
    );
  } else if (byId) {
    const inDir = path.join(modelsDir(), byId.file);
    const shipped = sourcePathOf(byId);
    file = existsSync(inDir) || !shipped || !existsSync(shipped) ? inDir : shipped;
  } else {
    throw new AppError(
      'bad_request',
      `unknown Whisper model "${model}"; known: ${MODELS.map((m) => m.id).join(', ')}, or a path to a ggml .bin file`,
    );
  }

  if (!existsSync(file)) {
    throw new AppError(
      'unavailable',
      `Whisper model ${entry?.id ?? model} is missing: ${file} does not exist${entry ? `; ${howToGet(entry)}` : ''}`,
      {
        model: entry?.id ?? model,
        path: file,
      },
    );
  }
  const size = statSync(file).size;
  if (!entry) {
    // Unknown files are at least checked for the ggml magic: whisper.cpp may abort the process on garbage.
    if (size < 1024 || !hasGgmlMagic(file))
      throw new AppError(
        'unavailable',
        `Whisper model ${file} is not a ggml Whisper model (bad header or ${size} bytes)`,
        { path: file },
      );
    return {
      id: path.basename(file, '.bin').replace(/^ggml-/, ''),
      path: file,
      verified: false,
      synthetic: false,
    };
  }
  if (size !== entry.bytes) {
    throw new AppError(
      'unavailable',
      `Whisper model ${entry.id} at ${file} is corrupt or truncated: ${size} bytes, expected ${entry.bytes}; ${howToGet(entry)}`,
      {
        model: entry.id,
        path: file,
      },
    );
  }
  const sha256 = await sha256File(file);
  if (sha256 !== entry.sha256) {
    throw new AppError(
      'unavailable',
      `Whisper model ${entry.id} at ${file} fails its checksum (sha256 ${sha256}, expected ${entry.sha256}); ${howToGet(entry)}`,
      {
        model: entry.id,
        path: file,
      },
    );
  }
  return { entry, id: entry.id, path: file, sha256, verified: true, synthetic: entry.synthetic === true };
}
