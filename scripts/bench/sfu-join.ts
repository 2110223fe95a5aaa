// Join time for bench:sfu, in the e2e harness: a real edge (in-process, as the
// tests start it) and Debian's Chromium with a fake camera and microphone. Per
// round, two participants join and publish; then the third opens the call page
// and we read, on the page's own clock, `join` (RoomClient state `connecting`)
// → first decoded remote video frame (inbound-rtp framesDecoded > 0).
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../test/helpers/browser.ts';
import { waitForMediaFrom } from '../../test/helpers/call-page.ts';
import { ensureClientBuild } from '../../test/helpers/client-build.ts';
import { startTestEdge, type TestEdge } from '../../test/helpers/edge.ts';
import { openProbedCallPage, readPageTiming, type PageTiming } from '../../test/helpers/join-timing.ts';

export interface JoinTimeResult {
  samplesMs: number[];
  p50Ms: number;
  p95Ms: number;
  /** join → `join` answered (signaling, transports, device load) */
  signalingP50Ms: number;
  /** `join` answered → first decoded frame (ICE, DTLS, consumer resume, key frame, decode) */
  mediaP50Ms: number;
  /** Rounds that did not complete (e.g. a page starved on a busy machine), with why. */
  failedRounds: string[];
  conditions: string;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!) : NaN;
};

export async function measureJoinTimes(rounds: number): Promise<JoinTimeResult> {
  ensureClientBuild();
  let edge: TestEdge | undefined;
  let browser: Browser | undefined;
  const timings: PageTiming[] = [];
  const failedRounds: string[] = [];
  try {
    edge = await startTestEdge();
    browser = await launchChromium();
    for (let round = 0; round < rounds; round++) {
      const callId = `join-bench-${round}`;
      const token = (sub: string, role: 'customer' | 'manager' | 'expert') =>
        edge!.keys.mint('edge-test', { sub, callId, role, branchId: 'branch-test', name: sub });
      const pages: Page[] = [];
      try {
        pages.push(await openProbedCallPage(browser, edge.url, token(`c${round}`, 'customer'), 'Customer'));
        pages.push(await openProbedCallPage(browser, edge.url, token(`m${round}`, 'manager'), 'Manager'));
        await waitForMediaFrom(pages[1]!, [`c${round}`]);
        const third = await openProbedCallPage(browser, edge.url, token(`e${round}`, 'expert'), 'Expert');
        pages.push(third);
        await waitForMediaFrom(third, [`c${round}`, `m${round}`]);
        timings.push(await readPageTiming(third));
      } catch (err) {
        failedRounds.push(
          `round ${round}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        );
      } finally {
        for (const p of pages) await p.context().close();
      }
    }
  } finally {
    await browser?.close();
    await edge?.stop();
  }
  const samples = timings.map((t) => t.firstVideoFrame! - t.connecting!).filter((x) => Number.isFinite(x));
  const signaling = timings.map((t) => t.joined! - t.connecting!).filter((x) => Number.isFinite(x));
  const media = timings.map((t) => t.firstVideoFrame! - t.joined!).filter((x) => Number.isFinite(x));
  if (samples.length === 0) throw new Error('no join produced a timing');
  return {
    samplesMs: samples.map(Math.round),
    p50Ms: pct(samples, 50),
    p95Ms: pct(samples, 95),
    signalingP50Ms: pct(signaling, 50),
    mediaP50Ms: pct(media, 50),
    failedRounds,
    conditions:
      'edge in-process (1 worker), Chromium headless on the same host over loopback, fake 640×360 camera, simulcast publishing',
  };
}
