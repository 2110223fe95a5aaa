// The `inspect` CLI end to end on rendered corpus calls: real espeak-ng audio,
// real ffmpeg, the real offline speech engine. stdout carries only the report;
// unusable input is one line on stderr, a non-zero exit and no output file.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Report } from '#protocol/report';
import { repoRoot } from '#common/paths';
import { loadCorpus } from '../fixtures/compliance/corpus.ts';
import { renderCall } from '../../scripts/render-call-audio.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'inspect-cli-'));
const corpus = loadCorpus();
const dirs: Record<string, string> = {};

function inspect(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'edge-node/src/cli/inspect.ts'), ...args],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of a rendered call dir to break on purpose. */
function copyCall(id: string, name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dirs[id]!))
    if (f.endsWith('.wav') || f.endsWith('.json')) copyFileSync(path.join(dirs[id]!, f), path.join(dir, f));
  return dir;
}

function expectOneLineError(r: ReturnType<typeof inspect>, pattern: RegExp, out?: string) {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  if (out) {
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.dirname(out)).filter((f) => f.includes(path.basename(out)))).toEqual([]);
  }
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  for (const id of ['w01-clean-sale', 'w03-guaranteed-claim'])
    dirs[id] = (
      await renderCall(
        corpus.find((c) => c.id === id)!,
        path.join(work, 'corpus'),
      )
    ).dir;
});

describe('inspect CLI, transcript mode', () => {
  test('prints only the report JSON and exits 0 for a non-compliant call', () => {
    const d = dirs['w03-guaranteed-claim']!;
    const r = inspect([
      '--pack',
      'wealth-sale',
      '--call',
      d,
      '--transcript',
      path.join(d, 'transcript.json'),
      '--no-frames',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = Report.parse(JSON.parse(r.stdout));
    expect(report.verdict).toBe('non-compliant');
    expect(report.pack).toEqual({ id: 'wealth-sale', version: '1.0.0' });
    const claim = report.checks.find((c) => c.id === 'no-misleading-claims')!;
    expect(claim.status).toBe('fail');
    expect(claim.evidence[0]).toMatchObject({
      role: 'manager',
      text: expect.stringMatching(/returns are guaranteed/),
    });
    expect(report.alerts.some((a) => a.checkId === 'no-misleading-claims')).toBe(true);
  });

  test('the npm script prints nothing but the JSON on stdout', () => {
    const d = dirs['w03-guaranteed-claim']!;
    const r = spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'inspect',
        '--',
        '--pack',
        'wealth-sale',
        '--call',
        d,
        '--transcript',
        path.join(d, 'transcript.json'),
        '--no-frames',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  test('--out and --html write complete files and nothing on stdout', () => {
    const d = dirs['w03-guaranteed-claim']!;
    const out = path.join(work, 'out', 'report.json');
    const html = path.join(work, 'out', 'report.html');
    mkdirSync(path.dirname(out), { recursive: true });
    const r = inspect([
      '--pack',
      'wealth-sale',
      '--call',
      d,
      '--transcript',
      path.join(d, 'transcript.json'),
      '--out',
      out,
      '--html',
      html,
      '--no-frames',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(Report.parse(JSON.parse(readFileSync(out, 'utf8'))).callId).toBe('w03-guaranteed-claim');
    expect(readFileSync(html, 'utf8')).toMatch(/href="manager\.wav#t=\d+\.\d"/);
    expect(readdirSync(path.dirname(out)).sort()).toEqual(['report.html', 'report.json']);
  });
});

describe('inspect CLI, bad input', () => {
  test('unknown pack', () => {
    const out = path.join(work, 'bad1.json');
    expectOneLineError(
      inspect(['--pack', 'mortgage-sale', '--call', dirs['w03-guaranteed-claim']!, '--out', out]),
      /unknown rule pack 'mortgage-sale'/,
      out,
    );
  });

  test('malformed pack names file, line and field', () => {
    const pack = path.join(work, 'broken.yaml');
    writeFileSync(pack, 'id: broken\nversion: 1.0\ntitle: Broken\nchecks: []\n');
    const out = path.join(work, 'bad2.json');
    expectOneLineError(
      inspect(['--pack', pack, '--call', dirs['w03-guaranteed-claim']!, '--out', out]),
      /broken\.yaml:2 version: /,
      out,
    );
  });

  test('missing call directory and missing WAV', () => {
    const out = path.join(work, 'bad3.json');
    expectOneLineError(
      inspect(['--pack', 'wealth-sale', '--call', path.join(work, 'nope'), '--out', out]),
      /call directory not found/,
      out,
    );
    const d = copyCall('w03-guaranteed-claim', 'no-customer');
    spawnSync('rm', [path.join(d, 'customer.wav')]);
    expectOneLineError(
      inspect(['--pack', 'wealth-sale', '--call', d, '--out', out]),
      /missing audio track customer\.wav/,
      out,
    );
  });

  test('unreadable WAV', () => {
    const d = copyCall('w03-guaranteed-claim', 'garbage');
    writeFileSync(path.join(d, 'manager.wav'), Buffer.from('RIFF not really a wave file at all'));
    const out = path.join(work, 'bad4.json');
    expectOneLineError(
      inspect(['--pack', 'wealth-sale', '--call', d, '--out', out]),
      /unreadable audio manager\.wav/,
      out,
    );
  });

  test('mismatched track lengths', () => {
    const d = copyCall('w03-guaranteed-claim', 'short-customer');
    const short = path.join(d, 'customer-short.wav');
    spawnSync('sox', [path.join(d, 'customer.wav'), short, 'trim', '0', '10']);
    spawnSync('mv', [short, path.join(d, 'customer.wav')]);
    const out = path.join(work, 'bad5.json');
    expectOneLineError(
      inspect(['--pack', 'wealth-sale', '--call', d, '--out', out]),
      /mismatched track lengths: manager\.wav \d+\.\d s, customer\.wav 10\.0 s/,
      out,
    );
  });

  test('empty call: empty transcript, and audio tracks without samples', () => {
    const d = copyCall('w03-guaranteed-claim', 'empty');
    writeFileSync(path.join(d, 'transcript.json'), '[]');
    const out = path.join(work, 'bad6.json');
    expectOneLineError(
      inspect([
        '--pack',
        'wealth-sale',
        '--call',
        d,
        '--transcript',
        path.join(d, 'transcript.json'),
        '--out',
        out,
      ]),
      /empty call/,
      out,
    );
    for (const role of ['manager', 'customer'])
      spawnSync('sox', [
        '-n',
        '-r',
        '16000',
        '-c',
        '1',
        '-b',
        '16',
        path.join(d, `${role}.wav`),
        'trim',
        '0',
        '0',
      ]);
    expectOneLineError(inspect(['--pack', 'wealth-sale', '--call', d, '--out', out]), /empty call/, out);
  });

  test('bad command line exits 2 with usage', () => {
    const r = inspect(['--call', dirs['w03-guaranteed-claim']!]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--pack is required/);
  });
});
