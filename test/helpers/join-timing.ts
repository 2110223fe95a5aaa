// Timing of a call page, measured inside the page on its own clock: when the
// RoomClient started joining (state `connecting`), when the edge answered
// `join` (state `joined`), when the first remote video frame and audio samples
// were decoded, and every later state change (reconnections). Install before
// the page loads (`context.addInitScript`), read with `readPageTiming`.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface PageTiming {
  /** Epoch ms (performance.timeOrigin + performance.now(): sub-ms, comparable with Date.now() in Node) of each event. */
  connecting?: number;
  joined?: number;
  firstVideoFrame?: number;
  firstAudio?: number;
  /** Every state change after the first join: [state, at]. */
  states: Array<[string, number]>;
  /** After each reconnection: when frames from a remote peer grew again. */
  mediaBackAt: number[];
}

// Plain JavaScript on purpose: a function passed from TypeScript would be
// rewritten by tsx/esbuild (keepNames adds `__name(...)` calls) and fail in the page.
const PROBE = `(() => {
  const poll = __POLL__;
  const now = () => performance.timeOrigin + performance.now();
  const timing = { states: [], mediaBackAt: [] };
  let waitingForMedia = false;
  let frames = 0;
  let stored;
  window.__joinTiming = timing;
  Object.defineProperty(window, '__branchedge', {
    configurable: true,
    get: () => stored,
    set: (value) => {
      stored = value;
      value.room.on('state', (state) => {
        const at = now();
        timing.states.push([state, at]);
        if (state === 'connecting' && timing.connecting === undefined) timing.connecting = at;
        if (state === 'joined' && timing.joined === undefined) timing.joined = at;
        if (state === 'reconnecting') waitingForMedia = true;
      });
      const tick = async () => {
        try {
          const stats = await value.room.inboundStats();
          const at = now();
          let video = 0;
          let audio = 0;
          for (const s of stats) {
            if (s.kind === 'video') video += s.framesDecoded || 0;
            if (s.kind === 'audio') audio += s.totalSamplesReceived || 0;
          }
          if (video > 0 && timing.firstVideoFrame === undefined) timing.firstVideoFrame = at;
          if (audio > 0 && timing.firstAudio === undefined) timing.firstAudio = at;
          // After a reconnection the consumers are new and their counters start again from zero.
          if (waitingForMedia && value.room.state === 'joined' && video > 0 && video !== frames) {
            timing.mediaBackAt.push(at);
            waitingForMedia = false;
          }
          frames = video;
        } catch (e) {
          // between transports: try again on the next tick
        }
        setTimeout(tick, poll);
      };
      setTimeout(tick, poll);
    },
  });
})();`;

/** Installs the probe in every page of `context`. Polls inbound stats every `pollMs`. */
export async function installJoinProbe(context: BrowserContext, pollMs = 20): Promise<void> {
  await context.addInitScript({ content: PROBE.replace('__POLL__', String(pollMs)) });
}

export async function readPageTiming(page: Page): Promise<PageTiming> {
  return page.evaluate(() => (window as unknown as { __joinTiming: PageTiming }).__joinTiming);
}

/** Join → first decoded remote video frame, in ms, once both are known. */
export function joinToFirstFrameMs(t: PageTiming): number | undefined {
  return t.connecting !== undefined && t.firstVideoFrame !== undefined
    ? t.firstVideoFrame - t.connecting
    : undefined;
}

/** Like openCallPage (call-page.ts), with the probe installed before the page loads. */
export async function openProbedCallPage(
  browser: Browser,
  edgeUrl: string,
  token: string,
  name: string,
  extra = '',
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await installJoinProbe(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page ${name}]`, err.message));
  if (process.env.E2E_CONSOLE)
    page.on('console', (m) => console.error(`[page ${name}] ${m.type()}: ${m.text()}`));
  await page.goto(
    `${edgeUrl}/call?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}${extra}`,
  );
  return page;
}
