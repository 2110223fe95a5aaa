// One participant on a bad network: the customer's media runs through a UDP
// relay (test/helpers/udp-impair.ts) that drops 15 % of the datagrams in both
// directions and adds up to 40 ms of jitter, while the manager and the expert
// are connected directly. The call must go on for everyone — the customer stays
// joined, hears and is heard throughout, and has video both ways once the link
// heals — and the two unimpaired participants must not suffer: they see each
// other throughout, losing no more between them than in a window without the
// impairment (+1 %), as their receiver reports say. Per-window counters are an artefact
// (test-results/artifacts/fault-network-impairment.json).
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { openCallPage, waitForMediaFrom } from '../helpers/call-page.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { routeMediaThroughRelay, UdpImpairRelay } from '../helpers/udp-impair.ts';

const PARTICIPANTS = [
  { role: 'customer', sub: 'ni-customer', name: 'Chen Wei' },
  { role: 'manager', sub: 'ni-manager', name: 'Li Na' },
  { role: 'expert', sub: 'ni-expert', name: 'Dr Zhang' },
] as const;
const IMPAIRMENT = { loss: 0.15, jitterMs: 40 };
const WINDOW_MS = 8000;

type PeerCounters = Record<string, { frames: number; samples: number; received: number; lost: number }>;

async function counters(page: Page): Promise<PeerCounters> {
  const stats = await page.evaluate(() => window.__branchedge!.room.inboundStats());
  const out: PeerCounters = {};
  for (const s of stats as Array<{
    peerId: string;
    kind: string;
    framesDecoded?: number;
    totalSamplesReceived?: number;
    packetsLost?: number;
    packetsReceived?: number;
  }>) {
    const e = (out[s.peerId] ??= { frames: 0, samples: 0, received: 0, lost: 0 });
    e.frames += s.framesDecoded ?? 0;
    e.samples += s.totalSamplesReceived ?? 0;
    e.lost += s.packetsLost ?? 0;
  }
  return out;
}

const delta = (a: PeerCounters, b: PeerCounters) =>
  Object.fromEntries(
    Object.keys(b).map((k) => [
      k,
      {
        frames: b[k]!.frames - (a[k]?.frames ?? 0),
        samples: b[k]!.samples - (a[k]?.samples ?? 0),
        lost: b[k]!.lost - (a[k]?.lost ?? 0),
      },
    ]),
  );

describe('one participant on an impaired network', () => {
  let edge: TestEdge;
  let browser: Browser;
  let relay: UdpImpairRelay;
  const pages: Page[] = [];

  beforeAll(async () => {
    ensureClientBuild();
    edge = await startTestEdge();
    browser = await launchChromium();
    const server = await edge.edge.pool.workers[0]!.webRtcServer.dump();
    relay = await UdpImpairRelay.start({
      host: '127.0.0.1',
      target: { host: '127.0.0.1', port: server.udpSockets[0]!.port },
    });
  });

  afterAll(async () => {
    await browser?.close();
    relay?.close();
    await edge?.stop();
  });

  test('the call goes on for the impaired participant and the others are unaffected', async () => {
    for (const p of PARTICIPANTS) {
      const token = edge.keys.mint('edge-test', {
        sub: p.sub,
        callId: 'call-fault-net',
        role: p.role,
        branchId: 'branch-test',
        name: p.name,
      });
      if (p.role === 'customer') {
        // The customer's page learns the relay's address instead of the edge's media port.
        const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
        await routeMediaThroughRelay(context, relay);
        const page = await context.newPage();
        await page.goto(
          `${edge.url}/call?token=${encodeURIComponent(token)}&name=${encodeURIComponent(p.name)}`,
        );
        pages.push(page);
      } else {
        pages.push(await openCallPage(browser, edge.url, token, p.name));
      }
    }
    const others = (i: number) => PARTICIPANTS.filter((_, j) => j !== i).map((p) => p.sub);
    for (const [i, page] of pages.entries()) await waitForMediaFrom(page, others(i));
    expect(relay.toEdge.forwarded).toBeGreaterThan(0); // the customer's media really goes through the relay
    const [customer, manager, expert] = pages as [Page, Page, Page];

    // Loss as the receivers report it to the SFU (RTCP receiver reports on each consumer).
    const consumerLoss = async (viewer: string, publisher: string) => {
      const room = edge.edge.calls.get('call-fault-net')!.room!;
      let sent = 0;
      let lost = 0;
      for (const c of room.peers.get(viewer)!.consumers.values()) {
        if ((c.appData as { peerId?: string }).peerId !== publisher) continue;
        for (const st of await c.getStats()) {
          if (st.type !== 'outbound-rtp') continue;
          sent += st.packetCount;
          lost += st.packetsLost;
        }
      }
      return { sent, lost };
    };
    const pair = async () => [
      await consumerLoss('ni-manager', 'ni-expert'),
      await consumerLoss('ni-expert', 'ni-manager'),
    ];
    const lossRate = (a: Array<{ sent: number; lost: number }>, b: Array<{ sent: number; lost: number }>) =>
      b.map((x, i) => ({ sent: x.sent - a[i]!.sent, lost: x.lost - a[i]!.lost }));

    // A window without impairment, for reference (a busy machine loses a little on its own).
    const base0 = await Promise.all(pages.map(counters));
    const basePair0 = await pair();
    await customer.waitForTimeout(WINDOW_MS);
    const base1 = await Promise.all(pages.map(counters));
    await customer.waitForTimeout(1500);
    const baselinePairLoss = lossRate(basePair0, await pair());
    const baseline = base1.map((a, i) => delta(base0[i]!, a));

    // Impair the customer's link, both ways.
    const unimpairedBefore = await pair();
    const before = await Promise.all(pages.map(counters));
    const relayBefore = { ...relay.toEdge, back: { ...relay.toClient } };
    relay.impairment = IMPAIRMENT;
    await customer.waitForTimeout(WINDOW_MS);
    const after = await Promise.all(pages.map(counters));
    relay.impairment = { loss: 0, jitterMs: 0 };
    const d = after.map((a, i) => delta(before[i]!, a));
    // Receiver reports lag a little: let one more arrive before reading the SFU side.
    await customer.waitForTimeout(1500);
    const pairLoss = lossRate(unimpairedBefore, await pair());
    const droppedToEdge = relay.toEdge.dropped - relayBefore.dropped;
    const droppedToClient = relay.toClient.dropped - relayBefore.back.dropped;
    writeFileSync(
      artifactPath('fault-network-impairment.json'),
      JSON.stringify(
        {
          impairment: IMPAIRMENT,
          windowMs: WINDOW_MS,
          baseline: Object.fromEntries(PARTICIPANTS.map((p, i) => [p.role, baseline[i]])),
          droppedToEdge,
          droppedToClient,
          perPage: Object.fromEntries(PARTICIPANTS.map((p, i) => [p.role, d[i]])),
          lossBetweenUnimpaired: pairLoss,
          lossBetweenUnimpairedBaseline: baselinePairLoss,
        },
        null,
        2,
      ),
    );

    // The relay did drop packets in both directions.
    expect(droppedToEdge).toBeGreaterThan(0);
    expect(droppedToClient).toBeGreaterThan(0);
    // The impaired participant stays in the call (no reconnection) and keeps hearing both others…
    expect(await customer.evaluate(() => window.__branchedge!.room.state)).toBe('joined');
    for (const other of others(0)) expect(d[0]![other]!.samples).toBeGreaterThan(0);
    // …and both others keep hearing the impaired participant (its video may freeze until a key frame gets through).
    for (const page of [1, 2]) expect(d[page]!['ni-customer']!.samples).toBeGreaterThan(0);
    // The two unimpaired participants see each other throughout, and lose no more than without the impairment (+1 %).
    expect(d[1]!['ni-expert']!.frames).toBeGreaterThan(0);
    expect(d[2]!['ni-manager']!.frames).toBeGreaterThan(0);
    pairLoss.forEach(({ sent, lost }, i) => {
      const base = baselinePairLoss[i]!;
      expect(sent).toBeGreaterThan(0);
      expect(lost / sent).toBeLessThan(0.01 + Math.max(0, base.lost) / Math.max(1, base.sent));
    });
    expect(await manager.evaluate(() => window.__branchedge!.room.state)).toBe('joined');
    expect(await expert.evaluate(() => window.__branchedge!.room.state)).toBe('joined');

    // With the link healthy again, video flows both ways for the customer.
    const healed = await Promise.all(pages.map(counters));
    for (const other of others(0))
      await expect
        .poll(async () => (await counters(customer))[other]!.frames, { timeout: 30_000 })
        .toBeGreaterThan(healed[0]![other]!.frames);
    for (const page of [1, 2])
      await expect
        .poll(async () => (await counters(pages[page]!))['ni-customer']!.frames, { timeout: 30_000 })
        .toBeGreaterThan(healed[page]!['ni-customer']!.frames);
  });
});
