// No personal data in logs or metrics, over a full three-party call with live
// transcription and compliance checks: participants with real names, a
// customer who says her phone and identity-card numbers, the report and the
// transcript stored, sent to the cloud and opened there by an officer — with
// the edge and the cloud logging at debug level. The logs and the edge's
// /metrics must contain none of the names, numbers or anything transcribed.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createLogger } from '#common/logger';
import { containsPiiShape } from '#common/redact';
import type { TranscriptSegment } from '#protocol/events';
import { createCloud, type Cloud } from '../../server/src/app.ts';
import { loadCloudConfig } from '../../server/src/config.ts';
import { artifactPath } from '../helpers/artifacts.ts';
import {
  FAST_ENV,
  TEST_JWT_SECRET,
  api,
  login,
  seedBranchWithEdge,
  uniquePrefix,
  waitFor,
  withServices,
} from '../helpers/cloud.ts';
import { fakeSpeechWav } from '../helpers/fake-media.ts';
import {
  joinWithMedia,
  recordersLive,
  startEdgeAt,
  startSender,
  tempDir,
  withEnv,
  type MediaParticipant,
} from './recording-support.ts';

const redisUrl = inject('redisUrl');
const NAMES = { customer: 'Chan Tai Man', manager: 'Wong Siu Ming', expert: 'Lee Ka Yan' };
const SAID = {
  customer:
    'My name is Chan Tai Man. My phone number is nine one two three, four five six seven. My identity card number is A one two three four five six seven. I understand the risks.',
  manager:
    'Good morning. This product is not a bank deposit, and the principal may be lost. Please confirm you understand the fees.',
  expert: 'The fund invests in global equities. Past performance is not a guide to future returns.',
};

function captureLogger(name: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger(name, { level: 'debug' }, stream) };
}

describe('no personal data in logs', () => {
  const dir = tempDir('logscan');
  const prefix = uniquePrefix('pii');
  const restoreEnv = withEnv({
    RECORDING_SEGMENT_SECONDS: '4',
    RECORDING_COMPOSITE_TILE: '320x180',
    ARCHIVE_MIN_FREE_BYTES: '0',
    ARCHIVE_OUTBOX_RETRY_BASE_MS: '100',
    ARCHIVE_CLOUD_DIR: path.join(dir, 'cloud-archive'),
    ARCHIVE_CLOUD_KEY_DIR: path.join(dir, 'cloud-keys'),
  });
  const edgeLog = captureLogger('edge');
  const cloudLog = captureLogger('cloud');
  let cloud: Cloud;
  let stopEdge: (() => Promise<void>) | undefined;
  const participants: MediaParticipant[] = [];

  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(async () => {
    for (const p of participants) p.client.close();
    await stopEdge?.();
    await cloud?.close();
    restoreEnv();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a full three-party call with compliance checks leaves no name, number or transcript text in logs or metrics', async () => {
    const key = await seedBranchWithEdge(redisUrl, prefix, 'branch-pii', 'edge-pii');
    await withServices(redisUrl, prefix, (s) =>
      s.staff.create({
        username: 'officer',
        password: 'officer-pass',
        displayName: 'Officer Ho Wing',
        role: 'compliance',
      }),
    );
    const config = loadCloudConfig({
      ...process.env,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      CLOUD_HOST: '127.0.0.1',
      CLOUD_PORT: '0',
      SERVE_CLIENT: '0',
      ...FAST_ENV,
    });
    cloud = await createCloud({ config, logger: cloudLog.logger });
    const base = `http://127.0.0.1:${await cloud.listen(0, '127.0.0.1')}`;
    const edge = await startEdgeAt(
      dir,
      {
        EDGE_ID: 'edge-pii',
        BRANCH_ID: 'branch-pii',
        CLOUD_URL: base,
        EDGE_KEY: key,
        HEARTBEAT_INTERVAL_MS: '500',
      },
      undefined,
      edgeLog.logger,
    );
    stopEdge = () => edge.stop();
    await waitFor(() => edge.edge.cloudLink?.state === 'online', 20_000, 'edge online');

    // three participants under their real names, each saying something (the customer: personal data)
    const callId = 'call-pii-1';
    for (const role of ['customer', 'manager', 'expert'] as const) {
      const p = await joinWithMedia(edge, callId, `${role}-1`, role, ['audio', 'video'], NAMES[role]);
      participants.push(p);
    }
    await recordersLive(edge, callId, 6);
    const senders = participants.map((p) =>
      startSender(p, {
        durationS: 12,
        speech: fakeSpeechWav(SAID[p.role as keyof typeof SAID], `pii-${p.role}`),
      }),
    );
    await new Promise((r) => setTimeout(r, 5000));
    // mid-call, so per-call series exist (the room gauges are filled by the scrape before)
    await fetch(`${edge.url}/metrics`).then((r) => r.text());
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    await Promise.all(senders.map((s) => s.done));
    edge.edge.calls.endCall(callId, 'test call over');
    await edge.edge.archive.recording!.settled();
    const archive = edge.edge.archive.archive;
    await archive.idle();
    await waitFor(
      () =>
        archive.store
          .get(callId)!
          .entries('artifact')
          .some((a) => a.kind === 'report-html'),
      60_000,
      'report stored',
    );
    await waitFor(() => archive.outbox.counts().pending === 0, 30_000, 'outbox drained');

    // the officer opens everything in the cloud (personal data crosses the cloud's handlers)
    const officer = await login(base, 'officer', 'officer-pass');
    const transcript = await api<TranscriptSegment[]>(
      base,
      'GET',
      `/api/v1/archive/calls/${callId}/transcript?reason=${encodeURIComponent('review of call C-1')}`,
      { token: officer.accessToken },
    );
    expect(transcript.status).toBe(200);
    expect(
      (await api(base, 'GET', `/api/v1/archive/calls/${callId}/report`, { token: officer.accessToken }))
        .status,
    ).toBe(200);
    expect(
      (
        await api(base, 'POST', `/api/v1/archive/calls/${callId}/playback`, {
          token: officer.accessToken,
          body: { reason: 'review of call C-1' },
        })
      ).status,
    ).toBe(200);

    // A careless module logging a participant and what they said, through the edge's logger:
    // the fields are censored (messages must stay constant strings — a name in one cannot be recognised).
    edgeLog.logger
      .child({ module: 'careless', displayName: NAMES.customer })
      .info(
        { participant: { name: NAMES.customer, phone: '+852 9123 4567' }, segment: transcript.body[0] },
        'participant said something',
      );

    // What must not appear anywhere: the names, the numbers, and whatever was transcribed.
    const said = transcript.body
      .map((s) => s.text.toLowerCase().trim())
      .filter((t) => t.split(/\s+/).length >= 2);
    const phrases = new Set<string>();
    for (const t of said) {
      const words = t.split(/\s+/);
      for (let i = 0; i + 3 <= words.length; i++) phrases.add(words.slice(i, i + 3).join(' '));
    }
    const logs = [...edgeLog.lines, ...cloudLog.lines].join('');
    const haystack = `${logs}\n${metrics}`.toLowerCase();
    const leaks = [
      ...Object.values(NAMES).filter((n) => haystack.includes(n.toLowerCase())),
      ...['officer ho wing', '91234567', '9123 4567', 'a1234567'].filter((x) => haystack.includes(x)),
      ...said.filter((t) => haystack.includes(t)),
      ...[...phrases].filter((p) => haystack.includes(p)),
    ];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      artifactPath('log-scan.json'),
      JSON.stringify(
        {
          logLines: edgeLog.lines.length + cloudLog.lines.length,
          transcriptSegments: said.length,
          phrasesChecked: phrases.size,
          leaks,
        },
        null,
        2,
      ),
    );

    // the scan looked at something: a verbose log of this very call, and a transcript with words in it
    expect(edgeLog.lines.length).toBeGreaterThan(50);
    expect(logs).toContain(callId);
    expect(said.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
    expect(containsPiiShape(logs)).toBe(false);
    // metric values are numbers (byte counts, timestamps); labels are where text could leak
    const labels = [...metrics.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).join('\n');
    expect(labels).toContain(callId);
    expect(containsPiiShape(labels)).toBe(false);
  });
});
