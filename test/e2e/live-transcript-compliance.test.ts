// Speech in a real call → SFU audio tap → offline speech engine → transcript
// on the staff's screens → compliance checks → alerts and the inspection report
// at call end. The account manager is a Chromium page whose fake microphone
// plays espeak-ng speech; the compliance officer watches as an observer.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '#protocol/report';
import type { TranscriptSegment } from '#protocol/events';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { openCallPage } from '../helpers/call-page.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { readArchivedArtifact, startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { fakeSpeechWav } from '../helpers/fake-media.ts';

const MANAGER_SPEECH =
  'This product is not a bank deposit. It is not covered by deposit insurance. Returns are guaranteed.';

describe('live transcript and compliance in a real call', () => {
  let edge: TestEdge;
  let browser: Browser;
  let officerPage: Page;

  beforeAll(async () => {
    ensureClientBuild();
    edge = await startTestEdge({ TRANSCRIPTION_ENGINE: 'pocketsphinx' });
    browser = await launchChromium({ audioFile: fakeSpeechWav(MANAGER_SPEECH, 'manager-disclosure') });
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
  });

  test('the manager’s words reach the observer’s transcript with the manager’s role', async () => {
    const mint = (sub: string, role: 'manager' | 'observer', name: string) =>
      edge.keys.mint('edge-test', { sub, callId: 'call-live-1', role, branchId: 'branch-test', name });
    officerPage = await openCallPage(
      browser,
      edge.url,
      mint('officer-1', 'observer', 'Cora'),
      'Cora',
      '&receiveOnly=1',
    );
    // Everything the edge pushes to this page, as the RoomClient sees it.
    await officerPage.evaluate(() => {
      const w = window as unknown as {
        __seen: { segments: unknown[]; alerts: unknown[]; checklists: unknown[] };
      };
      w.__seen = { segments: [], alerts: [], checklists: [] };
      const poll = setInterval(() => {
        const room = window.__branchedge?.room;
        if (!room) return;
        clearInterval(poll);
        room.on('transcript', (s) => w.__seen.segments.push(s));
        room.on('alert', (a) => w.__seen.alerts.push(a));
        room.on('checklist', (c) => w.__seen.checklists.push(c));
      }, 20);
    });
    await openCallPage(browser, edge.url, mint('manager-1', 'manager', 'Li Na'), 'Li Na');
    const seen = () =>
      officerPage.evaluate(
        () =>
          (
            window as unknown as {
              __seen: { segments: TranscriptSegment[]; alerts: unknown[]; checklists: unknown[] };
            }
          ).__seen,
      );
    await expect
      .poll(async () => (await seen()).segments.filter((s) => s.final && /deposit/i.test(s.text)).length, {
        timeout: 60_000,
        interval: 500,
      })
      .toBeGreaterThan(0);
    const { segments, checklists } = await seen();
    const finals = segments.filter((s) => s.final);
    expect(
      finals.every(
        (s) => s.role === 'manager' && s.participantId === 'manager-1' && s.callId === 'call-live-1',
      ),
    ).toBe(true);
    expect(finals.every((s) => s.endMs > s.startMs && s.engine.startsWith('pocketsphinx'))).toBe(true);
    expect(checklists.length).toBeGreaterThan(0);
    await officerPage.screenshot({ path: artifactPath('live-transcript-observer.png') });
  });

  test('the misleading claim raises an alert and the call’s report is written when it ends', async () => {
    const seenAlerts = () =>
      officerPage.evaluate(
        () => (window as unknown as { __seen: { alerts: Array<{ checkId: string }> } }).__seen.alerts,
      );
    await expect
      .poll(async () => (await seenAlerts()).map((a) => a.checkId), { timeout: 60_000, interval: 500 })
      .toContain('no-misleading-claims');
    // The customer never sees compliance alerts: checked through the edge's routing (observer yes, customer no) in LiveCallAnalysis.
    edge.edge.calls.endCall('call-live-1', 'test over');
    // The report is stored in the encrypted call archive (never in plain text on disk).
    // The HTML is stored right after the JSON report: wait for the whole result.
    await expect
      .poll(async () => (await readArchivedArtifact(edge, 'call-live-1', 'report-html')) !== undefined, {
        timeout: 10_000,
      })
      .toBe(true);
    const report = JSON.parse(
      (await readArchivedArtifact(edge, 'call-live-1', 'report'))!.toString(),
    ) as Report;
    expect(report.pack.id).toBe('wealth-sale');
    expect(report.verdict).toBe('non-compliant');
    expect(report.checks.find((c) => c.id === 'no-misleading-claims')?.status).toBe('fail');
    expect(report.transcript.some((l) => l.role === 'manager' && /deposit/i.test(l.text))).toBe(true);
    expect((await readArchivedArtifact(edge, 'call-live-1', 'report-html'))?.toString()).toContain(
      'no-misleading-claims',
    );
    const transcript = JSON.parse(
      (await readArchivedArtifact(edge, 'call-live-1', 'transcript'))!.toString(),
    ) as TranscriptSegment[];
    expect(transcript.every((s) => s.final && s.role === 'manager')).toBe(true);
  });
});
