// The offline engine: Debian's pocketsphinx (0.8+5prealpha, `pocketsphinx_continuous`)
// with the en-us acoustic model and a domain language model built from the
// rule pack's hints. Weak (~40% WER on free speech), but real and available on
// every machine, so speech → transcript → compliance works without Whisper weights.
// One process per recognition, reading a raw PCM temp file (it cannot open a
// socket-backed /dev/stdin): the Debian CLI has no server mode; its start-up with
// the cut-down dictionary is measured in the benchmark.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { RecognizedSegment, RecognizeOptions, SpeechEngine } from '../../engine.ts';
import { toS16le } from '../../audio/readWav.ts';
import { DEFAULT_HINTS } from './bankingCorpus.ts';
import { buildDomainModel, type DomainModel } from './domainLm.ts';

export interface PocketsphinxOptions {
  modelDir?: string;
  binary?: string;
  /** Hints used when a recognition brings none (e.g. the rule pack of the edge). */
  hints?: string[];
  /** `domain`: LM from corpus + hints (default). `general`: Debian's full en-us LM and dictionary. */
  languageModel?: 'domain' | 'general';
  /** Extra decoder arguments (tuning experiments, e.g. `['-lw', '10']`). */
  extraArgs?: string[];
  /** Processes at once. */
  concurrency?: number;
  logger: Logger;
}

/** Word lines `word start end posterior` grouped into utterances (`<s>` … `</s>`). */
export function parseTimedOutput(out: string): RecognizedSegment[] {
  const segments: RecognizedSegment[] = [];
  let words: { w: string; s: number; e: number; c: number }[] = [];
  const flush = () => {
    if (words.length > 0) {
      segments.push({
        startMs: Math.round(words[0]!.s * 1000),
        endMs: Math.round(words.at(-1)!.e * 1000),
        text: words.map((x) => x.w).join(' '),
        // Mean word posterior probability: pocketsphinx's own confidence measure.
        confidence: Math.min(1, Math.max(0, words.reduce((a, x) => a + x.c, 0) / words.length)),
      });
    }
    words = [];
  };
  for (const line of out.split('\n')) {
    const m = /^(\S+) (\d+\.\d+) (\d+\.\d+) (\d+(?:\.\d+)?)$/.exec(line.trim());
    if (!m) continue;
    const w = m[1]!.replace(/\(\d+\)$/, '');
    if (w === '<s>' || w === '</s>') flush();
    else if (!/^[<[+]/.test(w)) words.push({ w, s: Number(m[2]), e: Number(m[3]), c: Number(m[4]) });
  }
  flush();
  return segments;
}

export class PocketsphinxEngine implements SpeechEngine {
  readonly name = 'pocketsphinx:en-us';
  readonly learnsChannel = true;
  readonly concurrency: number;
  readonly #modelDir: string;
  readonly #binary: string;
  readonly #defaultHints: string[];
  readonly #lm: 'domain' | 'general';
  readonly #extraArgs: string[];
  readonly #logger: Logger;
  readonly #domainModels = new Map<string, DomainModel>();
  #running = 0;
  #seq = 0;
  #tmpDir: string | undefined;
  /** Per channel: the cepstral mean carried from one recognition to the next (see #featParams). */
  readonly #channels = new ChannelMeans();
  #featTemplate: string | undefined;
  readonly #waiting: (() => void)[] = [];

  constructor(opts: PocketsphinxOptions) {
    this.#modelDir =
      opts.modelDir ?? process.env.POCKETSPHINX_MODEL_DIR ?? '/usr/share/pocketsphinx/model/en-us';
    this.#binary = opts.binary ?? process.env.POCKETSPHINX_BIN ?? 'pocketsphinx_continuous';
    this.#defaultHints = opts.hints ?? DEFAULT_HINTS;
    this.#lm = opts.languageModel ?? 'domain';
    this.#extraArgs = opts.extraArgs ?? [];
    this.concurrency = opts.concurrency ?? 2;
    this.#logger = opts.logger;
  }

  /** Checks that the binary and acoustic model are installed; builds the default domain model. */
  static async create(opts: PocketsphinxOptions): Promise<PocketsphinxEngine> {
    const engine = new PocketsphinxEngine(opts);
    const missing = ['en-us/mdef', 'cmudict-en-us.dict', 'en-us.lm.bin'].filter(
      (f) => !existsSync(path.join(engine.#modelDir, f)),
    );
    if (missing.length > 0) {
      throw new AppError(
        'unavailable',
        `pocketsphinx model incomplete in ${engine.#modelDir} (missing ${missing.join(', ')}): apt-get install pocketsphinx-en-us`,
      );
    }
    // An empty input proves the binary runs and the model loads.
    await engine.recognize(new Float32Array(1600), { channel: 'start-up check' });
    engine.#channels.forget('start-up check'); // learnt from silence only
    return engine;
  }

  #domainModel(hints: string[]): DomainModel {
    const key = hints.join('\n');
    let model = this.#domainModels.get(key);
    if (!model) {
      model = buildDomainModel(hints, path.join(this.#modelDir, 'cmudict-en-us.dict'));
      if (model.unknownWords.length > 0)
        this.#logger.warn(
          { unknownWords: model.unknownWords.slice(0, 50) },
          'hint words missing from the pronouncing dictionary',
        );
      this.#domainModels.set(key, model);
    }
    return model;
  }

  async recognize(pcm16k: Float32Array, options: RecognizeOptions = {}): Promise<RecognizedSegment[]> {
    // Until a channel's mean is known, one recognition at a time on it: the first teaches it
    // to the others instead of all of them starting cold (see #featParams).
    const channel = this.#channels.get(options.channel ?? '');
    while (channel.cmn === undefined && channel.learning) await channel.learning;
    if (channel.cmn !== undefined) return this.#recognize(pcm16k, options, channel);
    let learnt!: () => void;
    channel.learning = new Promise<void>((resolve) => (learnt = resolve));
    try {
      return await this.#recognize(pcm16k, options, channel);
    } finally {
      channel.learning = undefined;
      learnt();
    }
  }

  async #recognize(
    pcm16k: Float32Array,
    options: RecognizeOptions,
    channel: Channel,
  ): Promise<RecognizedSegment[]> {
    this.#tmpDir ??= mkdtempSync(path.join(os.tmpdir(), 'branchedge-sphinx-io-'));
    const seq = this.#seq++;
    const infile = path.join(this.#tmpDir, `${seq}.raw`);
    const args = [
      '-infile',
      infile,
      '-time',
      'yes',
      '-hmm',
      path.join(this.#modelDir, 'en-us'),
      '-featparams',
      await this.#featParams(`${seq}`, channel.cmn),
    ];
    if (this.#lm === 'domain') {
      const model = this.#domainModel(
        options.hints && options.hints.length > 0 ? options.hints : this.#defaultHints,
      );
      args.push('-lm', model.lmPath, '-dict', model.dictPath);
    } else {
      args.push(
        '-lm',
        path.join(this.#modelDir, 'en-us.lm.bin'),
        '-dict',
        path.join(this.#modelDir, 'cmudict-en-us.dict'),
      );
    }
    args.push(...this.#extraArgs);
    // Trailing silence lets the CLI's own endpointer close the last utterance.
    await writeFile(infile, Buffer.concat([toS16le(pcm16k), Buffer.alloc(16_000)]));
    await this.#acquire();
    try {
      let { stdout, stderr } = await this.#run(args);
      if (channel.cmn === undefined && pcm16k.length > 8000) {
        // No estimate for this channel yet: learn it from this utterance, then decode it again with it.
        channel.cmn = learntCmn(stderr);
        args[args.indexOf('-featparams') + 1] = await this.#featParams(`${seq}b`, channel.cmn);
        ({ stdout, stderr } = await this.#run(args));
      }
      channel.cmn = learntCmn(stderr) ?? channel.cmn;
      return parseTimedOutput(stdout);
    } finally {
      this.#release();
      await unlink(infile);
      await rm(path.join(this.#tmpDir, `feat-${seq}.params`), { force: true });
      await rm(path.join(this.#tmpDir, `feat-${seq}b.params`), { force: true });
    }
  }

  /**
   * Each process starts its live cepstral mean normalisation from the model's
   * `-cmninit` (set in feat.params, which overrides the command line). A short
   * utterance ends before the mean adapts, and recognition suffers badly
   * (measured: 54% → 25% WER on the domain sentences). So the mean a process
   * ends with seeds the next one on the same channel: each microphone is learnt
   * across its utterances, as a long-lived decoder per speaker would. Channels
   * are kept apart because one speaker's mean is wrong for another's microphone
   * (the benchmark's espeak sentences decoded after its human recordings: 29%
   * WER against 23% for the whole file). Until a channel's first mean is learnt,
   * its recognitions run one at a time (`recognize`): two cold ones at once both
   * decode with the model's mean (measured on the domain sentences: 30–35% WER
   * cold with two at once, 24–25% one at a time; 22–23% once learnt).
   */
  async #featParams(tag: string, cmn: string | undefined): Promise<string> {
    this.#featTemplate ??= readFileSync(path.join(this.#modelDir, 'en-us', 'feat.params'), 'utf8');
    const file = path.join(this.#tmpDir!, `feat-${tag}.params`);
    const text = cmn ? this.#featTemplate.replace(/^-cmninit .*$/m, `-cmninit ${cmn}`) : this.#featTemplate;
    await writeFile(file, text);
    return file;
  }

  #run(args: string[]): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.#binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', (e) =>
        reject(
          new AppError(
            'unavailable',
            `cannot run ${this.#binary}: ${e.message} (apt-get install pocketsphinx)`,
            undefined,
            { cause: e },
          ),
        ),
      );
      child.on('close', (code) => {
        if (code === 0) resolve({ stdout, stderr });
        else
          reject(
            new AppError(
              'internal',
              `${this.#binary} exited with ${code}: ${stderr.split('\n').find((l) => /error/i.test(l)) ?? stderr.slice(-200)}`,
            ),
          );
      });
    });
  }

  #acquire(): Promise<void> {
    if (this.#running < this.concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }

  async close(): Promise<void> {
    if (this.#tmpDir) rmSync(this.#tmpDir, { recursive: true, force: true });
    this.#tmpDir = undefined;
  }
}

/** The last cepstral mean a pocketsphinx run logged, as `-cmninit` wants it. */
function learntCmn(log: string): string | undefined {
  const updates = [...log.matchAll(/cmn_live\.c\(\d+\): Update to\s+<([^>]+)>/g)];
  const last = updates.at(-1)?.[1]?.trim().split(/\s+/);
  return last && last.length >= 13 && last.every((v) => Number.isFinite(Number(v)))
    ? last.join(',')
    : undefined;
}

interface Channel {
  cmn: string | undefined;
  /** The recognition learning this channel's mean, while none is known. */
  learning: Promise<void> | undefined;
}

/** What is learnt per channel, for the most recently used channels only (calls come and go). */
class ChannelMeans {
  static readonly MAX = 256;
  readonly #channels = new Map<string, Channel>();

  get(id: string): Channel {
    let channel = this.#channels.get(id);
    if (channel) this.#channels.delete(id);
    else channel = { cmn: undefined, learning: undefined };
    this.#channels.set(id, channel); // most recent last
    while (this.#channels.size > ChannelMeans.MAX) this.#channels.delete(this.#channels.keys().next().value!);
    return channel;
  }

  forget(id: string): void {
    this.#channels.delete(id);
  }
}
