// The edge process killed (SIGKILL) in the middle of a three-party call and
// started again on the same ports: every Chromium participant notices the lost
// signaling, retries with back-off, rejoins the call with its join token and
// gets the other two participants' audio and video again. The edge runs as a
// real child process (`tsx edge-node/src/main.ts`). Kill → media-back times are
// an artefact (test-results/artifacts/fault-edge-restart.json), not asserted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { waitForMediaFrom } from '../helpers/call-page.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { openProbedCallPage, readPageTiming } from '../helpers/join-timing.ts';
import { leftoversOf, spawnEdge, waitGone, type EdgeProcess } from '../helpers/processes.ts';
import { createCallKeys, type TestCallKeys } from '../helpers/tokens.ts';

const PARTICIPANTS = [
  { role: 'customer', sub: 'er-customer', name: 'Chen Wei' },
  { role: 'manager', sub: 'er-manager', name: 'Li Na' },
  { role: 'expert', sub: 'er-expert', name: 'Dr Zhang' },
] as const;

describe('edge process killed and restarted mid-call', () => {
  let dir: string;
  let keys: TestCallKeys;
  let edge: EdgeProcess | undefined;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    ensureClientBuild();
    dir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-fault-restart-'));
    keys = createCallKeys(dir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('participants reconnect to the restarted edge and get media again', async () => {
    // Recording stays on (a restart recovers the dead edge's spool); speech and frame analysis
    // only add CPU, and on a shared 2-core machine a starved browser's bandwidth estimate can
    // collapse below the lowest video layer for the rest of the test.
    const env = {
      CALL_TOKEN_PUBLIC_KEY_FILE: keys.publicKeyFile,
      TRANSCRIPTION_ENGINE: 'none',
      FRAME_SAMPLING_ENABLED: '0',
    };
    const first = await spawnEdge({ env, dataDir: path.join(dir, 'data') });
    edge = first;
    const { port, rtcPort, dataDir } = first;
    const others = (i: number) => PARTICIPANTS.filter((_, j) => j !== i).map((p) => p.sub);
    for (const p of PARTICIPANTS) {
      const token = keys.mint('edge-test', {
        sub: p.sub,
        callId: 'call-fault-restart',
        role: p.role,
        branchId: 'branch-test',
        name: p.name,
      });
      pages.push(await openProbedCallPage(browser, first.url, token, p.name));
    }
    for (const [i, page] of pages.entries()) await waitForMediaFrom(page, others(i));

    const workers = first.workerPids();
    expect(workers.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    await first.kill();
    await waitGone(workers); // the orphaned worker exits and releases the media port
    for (const page of pages)
      await expect
        .poll(() => page.evaluate(() => window.__branchedge!.room.state), { timeout: 15_000 })
        .toBe('reconnecting');
    const restartAt = Date.now();
    edge = await spawnEdge({ env, port, rtcPort, dataDir });
    const upAt = Date.now();

    const recoveries: Array<{
      participant: string;
      recoveryMs: number;
      afterUpMs: number;
      rejoinedAfterUpMs: number;
      attempts: number;
    }> = [];
    for (const [i, page] of pages.entries()) {
      await expect
        .poll(async () => (await readPageTiming(page)).mediaBackAt.length, { timeout: 60_000 })
        .toBeGreaterThan(0);
      await waitForMediaFrom(page, others(i));
      expect(await page.evaluate(() => window.__branchedge!.room.state)).toBe('joined');
      const timing = await readPageTiming(page);
      const backAt = timing.mediaBackAt[0]!;
      recoveries.push({
        participant: PARTICIPANTS[i]!.role,
        recoveryMs: Math.round(backAt - killedAt),
        // what the client controls: from the new edge answering to media again
        afterUpMs: Math.round(backAt - upAt),
        rejoinedAfterUpMs: Math.round(timing.states.findLast(([s]) => s === 'joined')![1] - upAt),
        // join() re-enters `reconnecting` on each attempt; the first entry is the loss itself
        attempts: timing.states.filter(([s, at]) => s === 'reconnecting' && at > killedAt).length - 1,
      });
    }
    writeFileSync(
      artifactPath('fault-edge-restart.json'),
      JSON.stringify({ restartMs: upAt - restartAt, downMs: upAt - killedAt, recoveries }, null, 2),
    );
    expect(recoveries).toHaveLength(PARTICIPANTS.length);
    // Nothing of the killed edge lives on (its recorders end by themselves; see fault-edge-kill.test.ts).
    await waitGone(leftoversOf(first.child.pid!), 30_000);
  });
});
