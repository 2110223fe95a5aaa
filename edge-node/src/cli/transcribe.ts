// `npm run --silent transcribe -- <file.wav> [--engine whisper|pocketsphinx] [--model tiny.en|path]
//   [--threads N] [--hints "a;b"] [--hints-file file]`
// Prints the segments as a JSON array on stdout and nothing else; progress and
// logs go to stderr. Exit codes: 0 done, 2 usage, 3 unreadable audio, 4 engine unavailable.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '#protocol/errors';
import {
  createSpeechEngine,
  readWavAs16kMono,
  transcribeFile,
  type EngineKind,
} from '../transcription/index.ts';
import { stderrLogger } from '../transcription/log.ts';

const USAGE =
  'usage: npm run --silent transcribe -- <file.wav> [--engine whisper|pocketsphinx] [--model tiny.en|base.en|synthetic-tiny.en|<path.bin>] [--threads N] [--hints "a;b"] [--hints-file <file>]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        engine: { type: 'string' },
        model: { type: 'string' },
        threads: { type: 'string' },
        language: { type: 'string' },
        hints: { type: 'string' },
        'hints-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const engineKind = (values.engine ?? 'whisper') as EngineKind;
  if (engineKind !== 'whisper' && engineKind !== 'pocketsphinx') {
    process.stderr.write(`unknown engine "${engineKind}"\n${USAGE}\n`);
    return 2;
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
    process.stderr.write(`--threads must be a positive integer\n`);
    return 2;
  }
  const hints = [
    ...(values.hints ? values.hints.split(';') : []),
    ...(values['hints-file'] ? readFileSync(values['hints-file'], 'utf8').split('\n') : []),
  ]
    .map((h) => h.trim())
    .filter((h) => h.length > 0);

  const logger = stderrLogger('transcribe');
  let pcm: Float32Array;
  try {
    pcm = await readWavAs16kMono(positionals[0]!);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 3;
  }
  let engine;
  try {
    engine = await createSpeechEngine({
      engine: engineKind,
      ...(values.model ? { model: values.model } : {}),
      ...(threads ? { threads } : {}),
      ...(values.language ? { language: values.language } : {}),
      ...(hints.length > 0 ? { hints } : {}),
      logger,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return err instanceof AppError && err.code === 'bad_request' ? 2 : 4;
  }
  try {
    const started = performance.now();
    const segments = await transcribeFile(engine, pcm, hints.length > 0 ? { hints } : {});
    logger.info(
      {
        engine: engine.name,
        audioMs: Math.round(pcm.length / 16),
        elapsedMs: Math.round(performance.now() - started),
        segments: segments.length,
      },
      'transcribed',
    );
    process.stdout.write(
      `${JSON.stringify(
        segments.map((s) => ({ ...s, final: true, engine: engine.name })),
        null,
        2,
      )}\n`,
    );
    return 0;
  } finally {
    await engine.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`transcribe failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
