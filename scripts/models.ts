// Whisper model files for this machine: `npm run --silent models -- <command>`.
//   list                 known models and whether each is present and verified
//   ensure [id ...]      make them present: shipped copy, BRANCHEDGE_MODEL_SOURCE_DIR, or a
//                        download (fails fast offline). Default: synthetic-tiny.en tiny.en.
//                        Exit 0 even when real weights are unreachable (setup must not fail);
//                        --strict makes a missing model exit 1.
//   install <id> <file>  verify a file received from elsewhere and move it into place
// Models live in var/models/ (BRANCHEDGE_MODELS_DIR); every load verifies SHA-256 again.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureModel, installModelFile } from '../edge-node/src/transcription/models/install.ts';
import { MODELS, modelsDir } from '../edge-node/src/transcription/models/manifest.ts';

const DEFAULT_ENSURE = ['synthetic-tiny.en', 'tiny.en'];

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      'no-download': { type: 'boolean' },
      'timeout-ms': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  const dir = modelsDir();
  switch (command) {
    case 'list': {
      const rows = MODELS.map((m) => {
        const file = path.join(dir, m.file);
        const size = existsSync(file) ? statSync(file).size : undefined;
        return {
          id: m.id,
          file: m.file,
          bytes: m.bytes,
          present: size === undefined ? 'no' : size === m.bytes ? 'yes (size ok)' : `corrupt (${size} bytes)`,
          synthetic: !!m.synthetic,
          url: m.url ?? '',
        };
      });
      if (values.json) process.stdout.write(`${JSON.stringify({ dir, models: rows }, null, 2)}\n`);
      else {
        process.stdout.write(`models directory: ${dir}\n`);
        for (const r of rows)
          process.stdout.write(
            `${r.id.padEnd(18)} ${r.file.padEnd(28)} ${String(r.bytes).padStart(10)}  ${r.present}${r.synthetic ? '  (synthetic: plumbing/timing only)' : ''}\n`,
          );
      }
      return 0;
    }
    case 'ensure': {
      const ids = rest.length > 0 ? rest : DEFAULT_ENSURE;
      const outcomes = [];
      for (const id of ids) {
        const outcome = await ensureModel(id, {
          log: (l) => process.stderr.write(`models: ${l}\n`),
          download: !values['no-download'],
          ...(values['timeout-ms'] ? { connectTimeoutMs: Number(values['timeout-ms']) } : {}),
        });
        outcomes.push(outcome);
        if (outcome.status === 'missing')
          process.stderr.write(`models: MISSING ${id}: ${outcome.reason}. To get it: ${outcome.howToGet}\n`);
        else process.stderr.write(`models: ${id} ${outcome.status} (${outcome.path})\n`);
      }
      if (values.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      return values.strict && outcomes.some((o) => o.status === 'missing') ? 1 : 0;
    }
    case 'install': {
      const [id, file] = rest;
      if (!id || !file) break;
      process.stderr.write(`models: installed ${await installModelFile(id, file)}\n`);
      return 0;
    }
  }
  process.stderr.write(
    'usage: npm run --silent models -- list | ensure [id ...] [--strict] [--no-download] [--timeout-ms N] | install <id> <file>\n',
  );
  return 2;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`models: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
