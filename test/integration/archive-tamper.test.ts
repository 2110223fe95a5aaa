// Tamper evidence: a call stored by the real archive (segments cut by ffmpeg,
// encrypted, hash-chained, head signed with the edge's Ed25519 key) is copied,
// damaged in one way per test, and checked with `npm run verify`, which must
// name the first segment altered, removed or reordered, and catch edits to the
// manifest itself.
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { repoRoot } from '#common/paths';
import type { ManifestEntry } from '#protocol/archive';
import { CallArchive } from '../../edge-node/src/archive/CallArchive.ts';
import { loadArchiveConfig } from '../../edge-node/src/archive/config.ts';
import { entryHash } from '#common/archive/canonical';
import type { VerifyResult } from '../../edge-node/src/archive/manifest/verify.ts';
import { tempDir } from './recording-support.ts';

const exec = promisify(execFile);

async function verify(
  callDir: string,
  extra: string[] = [],
  withText = false,
): Promise<{ code: number; result: VerifyResult; text: string }> {
  const cli = path.join(repoRoot, 'edge-node/src/cli/verify.ts');
  const run = async (args: string[]) => {
    try {
      const { stdout } = await exec(process.execPath, ['--import', 'tsx', cli, '--call', callDir, ...args], {
        cwd: repoRoot,
      });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, stdout: e.stdout };
    }
  };
  const json = await run([...extra, '--json']);
  const text = withText ? (await run(extra)).stdout : '';
  return { code: json.code, result: JSON.parse(json.stdout) as VerifyResult, text };
}

describe('verify catches tampering with a stored call', () => {
  const dir = tempDir('tamper');
  let archive: CallArchive;
  let callDir: string;
  let segments: Extract<ManifestEntry, { type: 'segment' }>[];
  let publicKey: string;
  let n = 0;

  /** A fresh copy of the stored call to damage. */
  function copy(): string {
    const target = path.join(dir, `copy-${n++}`);
    cpSync(callDir, target, { recursive: true });
    return target;
  }

  beforeAll(async () => {
    const config = loadArchiveConfig(
      { RECORDING_ENABLED: '0', ARCHIVE_MIN_FREE_BYTES: '0' },
      { edgeId: 'edge-tamper', branchId: 'branch-t', dataDir: path.join(dir, 'data') },
    );
    archive = await CallArchive.open(config, createLogger('tamper-test', { level: 'warn' }));
    // Six 2-second VP8 segments, cut on key frames by ffmpeg's segment muxer, as a recorder makes them.
    const spool = path.join(dir, 'spool');
    rmSync(spool, { recursive: true, force: true });
    await exec('mkdir', ['-p', spool]);
    await exec('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=160x120:rate=15',
      '-t',
      '12',
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-g',
      '30',
      '-f',
      'segment',
      '-segment_time',
      '2',
      '-segment_format',
      'webm',
      '-segment_list',
      path.join(spool, 'list.csv'),
      '-segment_list_type',
      'csv',
      '-reset_timestamps',
      '0',
      path.join(spool, 'seg-%05d.webm'),
    ]);
    const callId = 'call-tamper';
    const startedAt = Date.now() - 20_000;
    await archive.openCall(callId, startedAt);
    await archive.addTrack(callId, {
      track: 'cust-camera-0',
      participantId: 'cust',
      role: 'customer',
      kind: 'video',
      source: 'camera',
      codec: 'video/VP8',
    });
    await archive.addTiming(callId, 'cust-camera-0', {
      firstRtpTs: 1000,
      clockRate: 90000,
      firstArrivalMs: startedAt + 500,
    });
    const lines = readFileSync(path.join(spool, 'list.csv'), 'utf8').trim().split('\n');
    for (const [i, line] of lines.entries()) {
      const [name, start, end] = line.split(',');
      await archive.addSegment(callId, {
        track: 'cust-camera-0',
        index: i,
        spoolFile: path.join(spool, name!),
        startS: Number(start),
        endS: Number(end),
      });
    }
    await archive.finishCall(callId, 'test');
    await archive.idle();
    const record = archive.store.get(callId)!;
    callDir = record.paths.dir;
    segments = record.entries('segment');
    publicKey = archive.publicKey;
    expect(segments.length).toBeGreaterThanOrEqual(5);
  });
  afterAll(() => {
    archive?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an untouched call verifies against the edge key', async () => {
    const { code, result, text } = await verify(copy(), ['--public-key', publicKey], true);
    expect(code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.filesChecked).toBe(segments.length);
    expect(text).toContain('OK: intact');
  });

  test('flipping one byte of a segment names that segment', async () => {
    const target = copy();
    const victim = segments[2]!;
    const file = path.join(target, victim.file);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    const { code, result, text } = await verify(target, ['--public-key', publicKey], true);
    expect(code).toBe(1);
    expect(result.first).toMatchObject({ kind: 'file-altered', file: victim.file, seq: victim.seq });
    expect(text).toContain(`TAMPERED: ${victim.file}`);
  });

  test('deleting a segment names the missing segment', async () => {
    const target = copy();
    const victim = segments[3]!;
    rmSync(path.join(target, victim.file));
    const { code, result } = await verify(target, ['--public-key', publicKey]);
    expect(code).toBe(1);
    expect(result.first).toMatchObject({ kind: 'file-missing', file: victim.file, seq: victim.seq });
  });

  test('swapping two segments names the first of them as reordered', async () => {
    const target = copy();
    const [a, b] = [segments[1]!, segments[4]!];
    const fa = path.join(target, a.file);
    const fb = path.join(target, b.file);
    renameSync(fa, `${fa}.tmp`);
    renameSync(fb, fa);
    renameSync(`${fa}.tmp`, fb);
    const { code, result } = await verify(target, ['--public-key', publicKey]);
    expect(code).toBe(1);
    expect(result.first).toMatchObject({ kind: 'file-reordered', file: a.file, seq: a.seq });
    expect(result.first!.message).toContain(b.file);
    expect(result.problems.filter((p) => p.kind === 'file-reordered').map((p) => p.file)).toEqual([
      a.file,
      b.file,
    ]);
  });

  test('editing a manifest entry is caught at that entry', async () => {
    const target = copy();
    const file = path.join(target, 'manifest.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const victim = segments[2]!;
    const entry = JSON.parse(lines[victim.seq]!) as Record<string, unknown>;
    entry.endS = Number(entry.endS) + 5; // claim more media than was recorded
    lines[victim.seq] = JSON.stringify(entry);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, result } = await verify(target, ['--public-key', publicKey]);
    expect(code).toBe(1);
    expect(result.first).toMatchObject({ kind: 'manifest-edited', seq: victim.seq, file: victim.file });
  });

  test('a manifest rewritten with a recomputed chain fails against the signed head', async () => {
    const target = copy();
    const file = path.join(target, 'manifest.jsonl');
    const entries = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Drop segment 3 from the list and re-chain everything after it, as a forger without the edge's key would.
    const dropped = segments[3]!;
    rmSync(path.join(target, dropped.file));
    const kept = entries.filter((e) => e.seq !== dropped.seq);
    let prev = '0'.repeat(64);
    kept.forEach((e, i) => {
      e.seq = i;
      e.prev = prev;
      e.hash = entryHash(e);
      prev = e.hash as string;
    });
    writeFileSync(file, `${kept.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const { code, result } = await verify(target, ['--public-key', publicKey]);
    expect(code).toBe(1);
    expect(result.problems.map((p) => p.kind)).toEqual(
      expect.arrayContaining([expect.stringMatching(/head-mismatch|manifest-truncated/)]),
    );
  });

  test('a head re-signed with another key is refused when the edge key is known', async () => {
    const target = copy();
    const headFile = path.join(target, 'manifest.head.json');
    const head = JSON.parse(readFileSync(headFile, 'utf8')) as Record<string, unknown>;
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const { headSigningBytes } = await import('#common/archive/canonical');
    const forger = generateKeyPairSync('ed25519');
    head.publicKey = forger.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    head.signature = sign(null, headSigningBytes(head as never), forger.privateKey).toString('base64');
    writeFileSync(headFile, JSON.stringify(head));
    const { code, result } = await verify(target, ['--public-key', publicKey]);
    expect(code).toBe(1);
    expect(result.problems.map((p) => p.kind)).toContain('untrusted-key');
  });

  test('a segment file listed by two entries (its first bytes overwritten) is named', async () => {
    // What a restarted recorder reusing a track name did before track serials continued.
    const spool = path.join(dir, 'spool');
    const reuse = path.join(dir, 'spool-reuse');
    cpSync(spool, reuse, { recursive: true });
    const callId = 'call-relisted';
    await archive.openCall(callId, Date.now() - 10_000);
    await archive.addTrack(callId, {
      track: 'mgr-camera-0',
      participantId: 'mgr',
      role: 'manager',
      kind: 'video',
      source: 'camera',
      codec: 'video/VP8',
    });
    await archive.addSegment(callId, {
      track: 'mgr-camera-0',
      index: 0,
      spoolFile: path.join(reuse, 'seg-00000.webm'),
      startS: 0,
      endS: 2,
    });
    await archive.addSegment(callId, {
      track: 'mgr-camera-0',
      index: 0,
      spoolFile: path.join(reuse, 'seg-00001.webm'),
      startS: 0,
      endS: 2,
    });
    await archive.finishCall(callId, 'test');
    await archive.idle();
    const record = archive.store.get(callId)!;
    const [first, second] = record.entries('segment');
    expect(first!.file).toBe(second!.file);
    const { code, result } = await verify(record.paths.dir, ['--public-key', publicKey]);
    expect(code).toBe(1);
    expect(result.first).toMatchObject({ kind: 'file-relisted', file: first!.file, seq: first!.seq });
    expect(result.first!.message).toContain(`entries ${first!.seq} and ${second!.seq}`);
  });

  test('a call directory holds nothing the manifest does not list', async () => {
    const target = copy();
    const trackDir = path.join(target, path.dirname(segments[0]!.file));
    writeFileSync(path.join(trackDir, 'seg-99999.webm.bea'), 'extra');
    const { result } = await verify(target, ['--public-key', publicKey]);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'file-unlisted' })]);
    expect(readdirSync(trackDir).length).toBe(segments.length + 1);
  });
});
