// Drives the React call page in Chromium and reads what it receives.
import type { Browser, Page } from 'playwright-core';

export async function openCallPage(
  browser: Browser,
  edgeUrl: string,
  token: string,
  name: string,
  extra = '',
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page ${name}]`, err.message));
  if (process.env.E2E_CONSOLE)
    page.on('console', (m) => console.error(`[page ${name}] ${m.type()}: ${m.text()}`));
  await page.goto(
    `${edgeUrl}/call?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}${extra}`,
  );
  return page;
}

export type InboundByPeer = Record<string, { framesDecoded: number; samples: number }>;

/** Per remote peer: video frames decoded and audio samples received so far. */
export async function inboundByPeer(page: Page): Promise<InboundByPeer> {
  const stats = await page.evaluate(() => window.__branchedge?.room.inboundStats() ?? Promise.resolve([]));
  const out: InboundByPeer = {};
  for (const s of stats) {
    const entry = (out[s.peerId] ??= { framesDecoded: 0, samples: 0 });
    if (s.kind === 'video') entry.framesDecoded += s.framesDecoded ?? 0;
    if (s.kind === 'audio') entry.samples += s.totalSamplesReceived ?? 0;
  }
  return out;
}

/** Waits until video frames and audio samples arrived from each of `peerIds`; returns ms waited. */
export async function waitForMediaFrom(page: Page, peerIds: string[], timeoutMs = 45_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const byPeer = await inboundByPeer(page);
    if (peerIds.every((id) => (byPeer[id]?.framesDecoded ?? 0) > 0 && (byPeer[id]?.samples ?? 0) > 0))
      return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      const state = await page.evaluate(() => window.__branchedge?.room.state);
      const raw = await page.evaluate(() => window.__branchedge?.room.inboundStats() ?? Promise.resolve([]));
      throw new Error(
        `no media from ${peerIds.join(', ')} within ${timeoutMs} ms (state ${state}; got ${JSON.stringify(byPeer)}; inbound ${JSON.stringify(raw)})`,
      );
    }
    await page.waitForTimeout(250);
  }
}
