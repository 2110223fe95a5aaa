// `npm start` after setup: the whole system comes up for the demo branch (Redis,
// cloud, edge), every health endpoint answers, the start page renders without
// console errors, and Ctrl-C stops everything cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '#common/paths';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { freePort } from '../helpers/ports.ts';

describe('npm start', () => {
  let child: ChildProcess;
  let output = '';
  let varDir: string;
  let ports: { cloud: number; edge: number; redis: number };
  let browser: Browser;

  beforeAll(async () => {
    ensureClientBuild();
    varDir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-start-'));
    ports = { cloud: await freePort(), edge: await freePort(), redis: await freePort() };
    child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['scripts/start.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        BRANCHEDGE_VAR_DIR: varDir,
        CLOUD_PORT: String(ports.cloud),
        EDGE_PORT: String(ports.edge),
        REDIS_PORT: String(ports.redis),
        RTC_PORT_BASE: '0',
        SFU_WORKERS: '1',
        LOG_PRETTY: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 120_000;
    while (!output.includes('BranchEdge is running')) {
      if (child.exitCode !== null) throw new Error(`start exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(varDir, { recursive: true, force: true });
  });

  test('prints every role’s URL and the demo logins', () => {
    for (const role of ['manager', 'expert', 'compliance', 'ops'])
      expect(output).toContain(`http://localhost:${ports.cloud}/${role}`);
    expect(output).toMatch(/manager\s+manager \/ \S+/);
  });

  test('cloud and edge answer their health and readiness endpoints; the edge is registered', async () => {
    for (const url of [`http://127.0.0.1:${ports.cloud}/healthz`, `http://127.0.0.1:${ports.edge}/healthz`]) {
      expect((await fetch(url)).status).toBe(200);
    }
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${ports.cloud}/readyz`)).status, { timeout: 20_000 })
      .toBe(200);
    await expect
      .poll(
        async () =>
          (await (await fetch(`http://127.0.0.1:${ports.edge}/readyz`)).json()) as {
            ready: boolean;
            checks: { cloudLink: { ok: boolean } };
          },
        { timeout: 30_000 },
      )
      .toMatchObject({ ready: true, checks: { cloudLink: { ok: true } } });
    const metrics = await (await fetch(`http://127.0.0.1:${ports.edge}/metrics`)).text();
    expect(metrics).toContain('branchedge_worker_routers');
  });

  test('the start page renders without console errors (screenshot saved)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${ports.cloud}/`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('BranchEdge');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: artifactPath('start-page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('Ctrl-C stops the edge, the cloud and Redis, then exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('redis stopped');
    await expect(fetch(`http://127.0.0.1:${ports.cloud}/healthz`)).rejects.toThrow();
  });
});
