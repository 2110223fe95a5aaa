// `npm run --silent inspect -- --pack <id|path> --call <dir> [--transcript f] [--out f] [--html f]`
// Prints only the report JSON on stdout (progress goes to stderr), exits 0
// whenever a report is produced whatever its verdict, and exits non-zero with
// one line on stderr for unusable input. Output files are written to a temp
// file and renamed, so a failed run never leaves half a report.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError } from '#protocol/errors';
import { createLogger } from '#common/logger';
import { inspectCall } from '../compliance/inspect/inspect-call.ts';
import { renderReportHtml } from '../compliance/report-html.ts';

/** Exit codes: 0 report produced; 2 bad command line; 3 unusable input; 1 anything else. */
const EXIT_USAGE = 2;
const EXIT_INPUT = 3;
const EXIT_INTERNAL = 1;

const USAGE =
  'usage: inspect --pack <pack id or path> --call <dir> [--transcript <file>] [--out <file>] [--html <file>] [--no-frames]';

const Args = z.object({
  pack: z.string().min(1, '--pack is required'),
  call: z.string().min(1, '--call is required'),
  transcript: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  html: z.string().min(1).optional(),
  'no-frames': z.boolean().optional(),
});

function writeAtomically(file: string, content: string): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new AppError('bad_request', `cannot write ${file}: ${(err as Error).message}`);
  }
}

async function main(): Promise<number> {
  let args: z.infer<typeof Args>;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        pack: { type: 'string' },
        call: { type: 'string' },
        transcript: { type: 'string' },
        out: { type: 'string' },
        html: { type: 'string' },
        'no-frames': { type: 'boolean' },
      },
      strict: true,
    });
    const parsed = Args.safeParse({ pack: values.pack ?? '', call: values.call ?? '', ...values });
    if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
    args = parsed.data;
  } catch (err) {
    process.stderr.write(`inspect: ${(err as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  // Progress and logs on stderr only: stdout carries the report.
  const log = createLogger('inspect', {
    level: process.env.LOG_LEVEL ?? 'warn',
    transport: { target: 'pino/file', options: { destination: 2 } },
  });
  try {
    const { report } = await inspectCall({
      pack: args.pack,
      callDir: args.call,
      ...(args.transcript ? { transcriptFile: args.transcript } : {}),
      frames: !args['no-frames'],
      // Loaded only for calls with frames: the vision models cost ~1 s to load.
      analyzeFrames: async (files, options) =>
        (await import('../compliance/frames/analyze-frames.ts')).analyzeFrames(files, options),
      logger: log,
    });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (args.html) writeAtomically(args.html, renderReportHtml(report));
    if (args.out) writeAtomically(args.out, json);
    else process.stdout.write(json);
    return 0;
  } catch (err) {
    if (err instanceof AppError && err.code !== 'internal') {
      process.stderr.write(`inspect: ${err.message.split('\n')[0]}\n`);
      return EXIT_INPUT;
    }
    process.stderr.write(
      `inspect: internal error: ${(err as Error).message?.split('\n')[0] ?? String(err)}\n`,
    );
    log.error({ err }, 'inspect failed');
    return EXIT_INTERNAL;
  }
}

process.exitCode = await main();
