// Helpers for driving the role views in Chromium: pages that record console
// errors, login through the real form, accessibility checks with axe-core, and
// reading where the stage's picture and annotation pixels are on screen.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { artifactPath } from '../../helpers/artifacts.ts';

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol: the app's CSP (script-src 'self') rightly refuses injected <script> tags.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface RolePage {
  page: Page;
  /** Console errors and uncaught exceptions seen on this page. */
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  name: string,
  url: string,
  viewport = { width: 1280, height: 800 },
): Promise<RolePage> {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  // Count camera/microphone requests: the customer's consent must come before the first one.
  await context.addInitScript(() => {
    const md = navigator.mediaDevices;
    const original = md.getUserMedia.bind(md);
    (window as unknown as { __gumCalls: number }).__gumCalls = 0;
    md.getUserMedia = (c) => {
      (window as unknown as { __gumCalls: number }).__gumCalls++;
      return original(c);
    };
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack ?? err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (process.env.E2E_CONSOLE) console.error(`[${name}] ${m.type()}: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors, close: () => context.close() };
}

export async function loginAs(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/** Runs axe-core (WCAG 2 A/AA rules) on the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page, name: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: Document, o: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const res = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  writeFileSync(artifactPath(`a11y-${name}.json`), JSON.stringify(violations, null, 2));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function peerIdOf(page: Page, role: string): Promise<string> {
  return page.evaluate(
    (r) => [...(window.__branchedge?.room.peers.values() ?? [])].find((p) => p.role === r)?.peerId ?? '',
    role,
  );
}

export interface StageGeometry {
  /** The stage box in page coordinates. */
  box: { x: number; y: number; width: number; height: number };
  /** Intrinsic size of what it shows (video or frozen still). */
  intrinsic: { width: number; height: number };
  dpr: number;
}

/** Measured independently of the client's own geometry code: DOM rect + videoWidth/naturalWidth. */
export async function stageGeometry(page: Page): Promise<StageGeometry> {
  return page.evaluate(() => {
    const box = document.querySelector('.stage .annotated, .ar-stage .annotated')!.getBoundingClientRect();
    const video = document.querySelector<HTMLVideoElement>(
      '.stage .annotated video, .ar-stage .annotated video',
    );
    const img = document.querySelector<HTMLImageElement>('.stage .annotated img, .ar-stage .annotated img');
    const intrinsic = img
      ? { width: img.naturalWidth, height: img.naturalHeight }
      : { width: video?.videoWidth ?? 0, height: video?.videoHeight ?? 0 };
    return {
      box: { x: box.x, y: box.y, width: box.width, height: box.height },
      intrinsic,
      dpr: window.devicePixelRatio,
    };
  });
}

/** Page point of a normalised picture point, for object-fit: contain (letterboxed). */
export function pagePoint(g: StageGeometry, n: { x: number; y: number }): { x: number; y: number } {
  const scale = Math.min(g.box.width / g.intrinsic.width, g.box.height / g.intrinsic.height);
  const w = g.intrinsic.width * scale;
  const h = g.intrinsic.height * scale;
  return { x: g.box.x + (g.box.width - w) / 2 + n.x * w, y: g.box.y + (g.box.height - h) / 2 + n.y * h };
}

/** The most annotation-red pixel of the stage's overlay canvas within `radius` px of a page point. */
export async function redNear(
  page: Page,
  p: { x: number; y: number },
  radius = 4,
): Promise<{ r: number; g: number; b: number; a: number }> {
  return page.evaluate(
    ({ p, radius }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(
        '.stage .annotation-canvas, .ar-stage .annotation-canvas',
      )!;
      const rect = canvas.getBoundingClientRect();
      const sx = canvas.width / rect.width;
      const sy = canvas.height / rect.height;
      const cx = Math.round((p.x - rect.x) * sx);
      const cy = Math.round((p.y - rect.y) * sy);
      const rr = Math.ceil(radius * sx);
      const data = canvas.getContext('2d')!.getImageData(cx - rr, cy - rr, rr * 2 + 1, rr * 2 + 1).data;
      let best = { r: 0, g: 0, b: 0, a: 0 };
      for (let i = 0; i < data.length; i += 4) {
        const px = { r: data[i]!, g: data[i + 1]!, b: data[i + 2]!, a: data[i + 3]! };
        if (px.a > 200 && px.r - px.g > best.r - best.g) best = px;
      }
      return best;
    },
    { p, radius },
  );
}
