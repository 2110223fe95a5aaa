// Customer, account manager and remote expert in one room through the edge SFU,
// each in a real Chromium page with a fake camera and microphone.
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { readArchivedArtifact, startTestEdge, type TestEdge } from '../helpers/edge.ts';
import type { CallEvent } from '#protocol/events';
import { inboundByPeer, openCallPage, waitForMediaFrom } from '../helpers/call-page.ts';

const PARTICIPANTS = [
  { role: 'customer', sub: 'customer-1', name: 'Chen Wei' },
  { role: 'manager', sub: 'manager-1', name: 'Li Na' },
  { role: 'expert', sub: 'expert-1', name: 'Dr Zhang' },
] as const;

describe('three-party call in Chromium', () => {
  let edge: TestEdge;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    ensureClientBuild();
    edge = await startTestEdge();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
  });

  test('every participant receives the other two participants’ audio and video', async () => {
    const joinTimes: Record<string, number> = {};
    for (const p of PARTICIPANTS) {
      const token = edge.keys.mint('edge-test', {
        sub: p.sub,
        callId: 'call-e2e-1',
        role: p.role,
        branchId: 'branch-test',
        name: p.name,
      });
      pages.push(await openCallPage(browser, edge.url, token, p.name));
    }
    for (const [i, page] of pages.entries()) {
      const others = PARTICIPANTS.filter((_, j) => j !== i).map((p) => p.sub);
      joinTimes[PARTICIPANTS[i]!.role] = await waitForMediaFrom(page, others);
    }
    // Media keeps flowing: counters grow between two samples for every remote peer.
    for (const [i, page] of pages.entries()) {
      const before = await inboundByPeer(page);
      await page.waitForTimeout(1500);
      const after = await inboundByPeer(page);
      for (const other of PARTICIPANTS.filter((_, j) => j !== i)) {
        expect(after[other.sub]!.framesDecoded).toBeGreaterThan(before[other.sub]!.framesDecoded);
        expect(after[other.sub]!.samples).toBeGreaterThan(before[other.sub]!.samples);
      }
    }
    await pages[1]!.screenshot({ path: artifactPath('three-party-call-manager.png') });
    writeFileSync(artifactPath('three-party-call-join-times.json'), JSON.stringify(joinTimes, null, 2));
  });

  test('a participant who leaves disappears for the others, and can rejoin', async () => {
    const [customer, manager] = pages;
    await customer!.evaluate(() => window.__branchedge!.room.leave());
    await expect
      .poll(() => manager!.evaluate(() => window.__branchedge!.room.peers.size), { timeout: 10_000 })
      .toBe(1);
    await customer!.context().close();
    const token = edge.keys.mint('edge-test', {
      sub: 'customer-1',
      callId: 'call-e2e-1',
      role: 'customer',
      branchId: 'branch-test',
      name: 'Chen Wei',
    });
    const again = await openCallPage(browser, edge.url, token, 'Chen Wei');
    await waitForMediaFrom(again, ['manager-1', 'expert-1']);
    await waitForMediaFrom(manager!, ['customer-1', 'expert-1']);
  });

  test('annotations and chat sent on the data channels are kept in the call’s archived event log', async () => {
    const [, manager, expert] = pages;
    const mark = {
      type: 'shape',
      id: 'm1',
      shape: { kind: 'circle', cx: 0.42, cy: 0.58, r: 0.1 },
      color: '#ff3b30',
    };
    await expert!.evaluate((m) => window.__branchedge!.room.sendData('annotations', m), mark);
    await manager!.evaluate(() =>
      window.__branchedge!.room.sendData('chat', { text: 'Please look at page two' }),
    );
    await expect
      .poll(() => edge.edge.analysis.eventCount('call-e2e-1'), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    edge.edge.calls.endCall('call-e2e-1', 'test over');
    await expect
      .poll(async () => (await readArchivedArtifact(edge, 'call-e2e-1', 'events')) !== undefined, {
        timeout: 10_000,
      })
      .toBe(true);
    const events = JSON.parse(
      (await readArchivedArtifact(edge, 'call-e2e-1', 'events'))!.toString(),
    ) as CallEvent[];
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          peerId: 'expert-1',
          role: 'expert',
          channel: 'annotations',
          payload: mark,
        }),
        expect.objectContaining({
          peerId: 'manager-1',
          role: 'manager',
          channel: 'chat',
          payload: { text: 'Please look at page two' },
        }),
      ]),
    );
  });
});
