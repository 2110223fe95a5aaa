// Every role's view in real Chromium against a real cloud (serving the
// production client build) and a real edge: the manager starts a call and
// invites the customer, who consents before any media; an expert is requested
// and accepts; the expert's annotations appear on the manager's screen at the
// same point of the picture; AR view with low bandwidth; the compliance officer
// observes unseen; operations sees it all. axe-core checks each view.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { fakeSpeechWav } from '../helpers/fake-media.ts';
import { loadCorpus } from '../fixtures/compliance/corpus.ts';
import { ComplianceSession, loadRulePack } from '../../edge-node/src/compliance/index.ts';
import { waitForMediaFrom } from '../helpers/call-page.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import type { Call, DispatchStatus } from '#protocol/api';
import {
  api,
  login,
  seedBranchWithEdge,
  startCloud,
  waitFor,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import {
  loginAs,
  openPage,
  pagePoint,
  peerIdOf,
  redNear,
  seriousA11yViolations,
  stageGeometry,
  type RolePage,
} from './support/ui.ts';

const ACCOUNTS = {
  manager: {
    username: 'mgr-ui',
    password: 'manager-pass-1',
    displayName: 'Li Na',
    role: 'manager' as const,
    branchId: 'branch-ui',
  },
  expert: {
    username: 'exp-ui',
    password: 'expert-pass-01',
    displayName: 'Dr Zhang',
    role: 'expert' as const,
    skills: ['wealth'],
    languages: ['en', 'zh'],
  },
  compliance: {
    username: 'cmp-ui',
    password: 'compliance-pass-1',
    displayName: 'Cora',
    role: 'compliance' as const,
  },
  ops: { username: 'ops-ui', password: 'ops-pass-0001', displayName: 'Otto', role: 'ops' as const },
};

describe('role views in Chromium', () => {
  let cloud: CloudHandle;
  let edge: TestEdge;
  let browser: Browser;
  const pages: Record<string, RolePage> = {};
  let callId = '';

  const shot = (who: string, name: string) =>
    pages[who]!.page.screenshot({ path: artifactPath(`views-${name}.png`) });
  const a11y = async (who: string, name: string) =>
    expect(await seriousA11yViolations(pages[who]!.page, name)).toEqual([]);

  // One story told in order: once a step fails, the later ones would only time out.
  let failed = false;
  beforeEach((ctx) => {
    if (failed) ctx.skip();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  beforeAll(async () => {
    ensureClientBuild();
    const redisUrl = inject('redisUrl');
    cloud = await startCloud({ redisUrl, env: { SERVE_CLIENT: '1', DISPATCH_OFFER_TIMEOUT_MS: '60000' } });
    const key = await seedBranchWithEdge(redisUrl, cloud.prefix, 'branch-ui', 'edge-ui');
    await withServices(redisUrl, cloud.prefix, async (s) => {
      await s.branches.upsert('branch-ui', { name: 'Branch UI', lat: 22.28, lon: 114.16 });
      for (const a of Object.values(ACCOUNTS)) await s.staff.create({ skills: [], languages: [], ...a });
    });
    edge = await startTestEdge({
      EDGE_ID: 'edge-ui',
      BRANCH_ID: 'branch-ui',
      EDGE_KEY: key,
      CLOUD_URL: cloud.url,
      CALL_TOKEN_PUBLIC_KEY_FILE: '',
      HEARTBEAT_INTERVAL_MS: '200',
      RECORDING_ENABLED: '1',
    });
    await waitFor(
      async () => (await fetch(`${edge.url}/readyz`)).status === 200,
      30_000,
      'edge ready (cloud link, join-token key)',
      200,
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const p of Object.values(pages)) await p.close().catch(() => undefined);
    await browser?.close();
    await edge?.stop();
    await cloud?.stop();
  });

  test('home and login pages are served by the cloud, bilingual and accessible', async () => {
    pages.manager = await openPage(browser, 'manager', `${cloud.url}/`);
    const { page } = pages.manager;
    await expect.poll(() => page.getByText('System ready').count(), { timeout: 10_000 }).toBe(1);
    await a11y('manager', 'home');
    await page.getByRole('button', { name: /^中文/ }).click();
    await page.getByRole('heading', { name: '客户经理' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await shot('manager', 'home-zh');
    await page.getByRole('button', { name: /^English/ }).click();
    await page.getByRole('link', { name: /Account manager/ }).click();
    await page.waitForURL(/\/login\?role=manager/);
    await a11y('manager', 'login');
    await loginAs(page, ACCOUNTS.manager.username, ACCOUNTS.manager.password);
    await page.waitForURL(/\/manager$/);
    await page.getByRole('heading', { name: 'Start a call' }).waitFor();
    await a11y('manager', 'manager-lobby');
    await shot('manager', 'manager-lobby');

    // In-branch devices load the same build from the edge.
    const fromEdge = await openPage(browser, 'edge-home', `${edge.url}/`);
    await fromEdge.page.getByRole('heading', { name: 'BranchEdge', level: 1 }).waitFor();
    await expect.poll(() => fromEdge.page.getByText('System ready').count(), { timeout: 10_000 }).toBe(1);
    expect(fromEdge.errors).toEqual([]);
    await fromEdge.close();
  });

  test('the manager starts a call for a product and invites the customer, who consents before any media', async () => {
    const m = pages.manager!.page;
    await m.getByLabel(/Insurance product/).check();
    await m.getByLabel(/Wealth management product/).check();
    await m.getByLabel("Customer's risk level").selectOption('R4');
    await m.getByRole('button', { name: 'Start call' }).click();
    await m.waitForURL(/\/manager\?call=/);
    callId = new URL(m.url()).searchParams.get('call')!;
    // The call's header says what is sold to whom.
    const context = m.locator('.call-context');
    await context.getByText('R4 · Growth').waitFor({ timeout: 15_000 });
    await context.getByText('Wealth management product').waitFor();
    await m.locator('.call-status .badge.state-joined').waitFor({ timeout: 30_000 });
    await m.evaluate(() => {
      const w = window as unknown as { __chat: unknown[] };
      w.__chat = [];
      window.__branchedge!.room.on('data', (msg) => msg.label === 'chat' && w.__chat.push(msg.payload));
    });

    await m.getByLabel("Customer's name").fill('Chen Wei');
    await m.getByRole('button', { name: 'Create invite' }).click();
    const link = await m.locator('a.invite-link').getAttribute('href');
    expect(link).toMatch(/\/join\?invite=/);
    await expect.poll(() => m.getByRole('img', { name: 'QR code of the invite link' }).count()).toBe(1);

    pages.customer = await openPage(browser, 'customer', link!, { width: 820, height: 1180 });
    const c = pages.customer.page;
    await c.getByRole('heading', { name: 'Before we start: recording' }).waitFor();
    await c.getByText('Hello Chen Wei').waitFor();
    // Nothing has touched the camera or microphone yet.
    expect(await c.evaluate(() => (window as unknown as { __gumCalls: number }).__gumCalls)).toBe(0);
    const accept = c.getByRole('button', { name: 'Agree and continue' });
    expect(await accept.isDisabled()).toBe(true);
    await a11y('customer', 'customer-consent');
    await shot('customer', 'customer-consent');
    await c.getByLabel('I have read this and agree to the recording.').check();
    await accept.click();
    await c.getByRole('heading', { name: 'Check your camera and microphone' }).waitFor();
    await c.getByRole('button', { name: 'Join the call' }).waitFor();
    await expect.poll(() => c.getByRole('button', { name: 'Join the call' }).isEnabled()).toBe(true);
    expect(await c.evaluate(() => (window as unknown as { __gumCalls: number }).__gumCalls)).toBe(1);
    await a11y('customer', 'customer-device-check');
    await shot('customer', 'customer-device-check');
    await c.getByRole('button', { name: 'Join the call' }).click();
    await c.locator('.call-status .badge.state-joined').waitFor({ timeout: 30_000 });

    // The consent is recorded in the call: the manager's room receives it on the chat channel.
    await expect
      .poll(
        () =>
          m.evaluate(() =>
            (window as unknown as { __chat: Array<{ type?: string }> }).__chat.find(
              (x) => x.type === 'consent',
            ),
          ),
        { timeout: 15_000 },
      )
      .toMatchObject({ type: 'consent', recording: true, version: expect.any(String) });
    const customerId = await peerIdOf(m, 'customer');
    await waitForMediaFrom(m, [customerId]);
  });

  test('the manager requests an expert, sees the queue, and the expert accepts with the request’s context', async () => {
    const m = pages.manager!.page;
    await m.getByLabel('Urgency').selectOption('high');
    await m.getByLabel('Note for the expert').fill('Asks about early redemption');
    await m.getByRole('button', { name: 'Request an expert' }).click();
    // No expert online yet: the request waits in the queue.
    await m.getByText('Waiting for an expert').waitFor();
    await m.getByText('Position in queue: 1').waitFor();
    await m.getByText('no expert with this skill is online').waitFor();
    await a11y('manager', 'manager-call-queued');
    await shot('manager', 'manager-call-queued');

    // Another call at the branch asks for a skill this expert lacks: it waits in the queue the expert sees.
    const token = (await login(cloud.url, ACCOUNTS.manager.username, ACCOUNTS.manager.password)).accessToken;
    const other = await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
      token,
      body: { product: 'insurance-sale', customerRiskLevel: 'R2' },
    });
    const waiting = await api<DispatchStatus>(cloud.url, 'POST', '/api/v1/dispatch/requests', {
      token,
      body: { callId: other.body.id, skill: 'mortgage', note: 'Renewal of a savings policy' },
    });
    expect(waiting.body).toMatchObject({
      product: 'insurance-sale',
      customerRiskLevel: 'R2',
      status: 'queued',
    });

    pages.expert = await openPage(browser, 'expert', `${cloud.url}/expert`, { width: 1440, height: 900 });
    const e = pages.expert.page;
    await e.waitForURL(/\/login/);
    await loginAs(e, ACCOUNTS.expert.username, ACCOUNTS.expert.password);
    await e.waitForURL(/\/expert$/);
    const offer = e.getByRole('article', { name: 'Request from Branch UI' });
    await offer.waitFor({ timeout: 20_000 });
    await offer.getByText('Wealth management product').waitFor();
    await offer.getByText('R4 · Growth').waitFor();
    await offer.getByText('Asks about early redemption').waitFor();
    await offer.getByText('High').waitFor();
    const queued = e.locator(`tr[data-request="${waiting.body.requestId}"]`);
    await queued.waitFor({ timeout: 15_000 });
    for (const text of [
      'Branch UI',
      'Insurance product',
      'R2 · Cautious',
      'Mortgages',
      'Renewal of a savings policy',
    ])
      await queued.getByText(text).waitFor();
    await a11y('expert', 'expert-offer');
    await shot('expert', 'expert-offer');
    // Ending that call withdraws its request.
    expect((await api(cloud.url, 'POST', `/api/v1/calls/${other.body.id}/end`, { token })).status).toBe(200);
    await queued.waitFor({ state: 'detached', timeout: 15_000 });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await e.waitForURL(/\/expert\?call=/);
    await e.locator('.call-status .badge.state-joined').waitFor({ timeout: 30_000 });
    await e.locator('.call-context').getByText('R4 · Growth').waitFor({ timeout: 15_000 });
    await m.getByText('Dr Zhang is in the call').waitFor({ timeout: 15_000 });

    const [managerId, customerId] = [await peerIdOf(e, 'manager'), await peerIdOf(e, 'customer')];
    await waitForMediaFrom(e, [managerId, customerId]);
    await waitForMediaFrom(m, [await peerIdOf(m, 'expert'), customerId]);
    await waitForMediaFrom(pages.customer!.page, [
      await peerIdOf(pages.customer!.page, 'expert'),
      await peerIdOf(pages.customer!.page, 'manager'),
    ]);
  });

  test('the expert’s annotations appear on the manager’s screen at the same normalised position', async () => {
    const e = pages.expert!.page;
    const m = pages.manager!.page;
    const managerId = await peerIdOf(e, 'manager');
    // The expert's stage shows the manager's camera; both screens letterbox it differently.
    await expect
      .poll(async () => (await stageGeometry(e)).intrinsic.width, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const eg = await stageGeometry(e);

    // A circle dragged from (0.3, 0.4) to (0.4, 0.4) of the picture, and an arrow to (0.7, 0.65).
    await e.getByRole('radio', { name: 'Circle' }).click();
    const c0 = pagePoint(eg, { x: 0.3, y: 0.4 });
    const c1 = pagePoint(eg, { x: 0.4, y: 0.4 });
    await e.mouse.move(c0.x, c0.y);
    await e.mouse.down();
    await e.mouse.move((c0.x + c1.x) / 2, c0.y, { steps: 3 });
    await e.mouse.move(c1.x, c1.y, { steps: 3 });
    await e.mouse.up();
    await e.getByRole('radio', { name: 'Arrow' }).click();
    const a0 = pagePoint(eg, { x: 0.55, y: 0.8 });
    const a1 = pagePoint(eg, { x: 0.7, y: 0.65 });
    await e.mouse.move(a0.x, a0.y);
    await e.mouse.down();
    await e.mouse.move(a1.x, a1.y, { steps: 5 });
    await e.mouse.up();

    type Item = {
      target: { peerId: string };
      shape: {
        kind: string;
        center?: { x: number; y: number };
        edge?: { x: number; y: number };
        to?: { x: number; y: number };
      };
    };
    const items = (page: typeof e) =>
      page.evaluate(() => window.__branchedge!.annotations!.state.items as unknown as Item[]);
    const sent = await items(e);
    expect(sent.map((a) => a.shape.kind)).toEqual(['circle', 'arrow']);
    expect(sent[0]!.target.peerId).toBe(managerId);
    expect(sent[0]!.shape.center!.x).toBeCloseTo(0.3, 2);
    expect(sent[0]!.shape.center!.y).toBeCloseTo(0.4, 2);
    expect(sent[1]!.shape.to!.x).toBeCloseTo(0.7, 2);

    // The manager receives the same normalised marks, on their own camera, which comes to the stage.
    await expect.poll(() => items(m), { timeout: 10_000 }).toEqual(sent);
    await expect
      .poll(() => m.locator(`.stage [data-target="${managerId}/camera"]`).count(), { timeout: 10_000 })
      .toBe(1);
    await expect
      .poll(async () => (await stageGeometry(m)).intrinsic.width, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const mg = await stageGeometry(m);
    expect(Math.abs(mg.box.width / mg.box.height - eg.box.width / eg.box.height)).toBeGreaterThan(0.05);
    // Drawn where the picture point is on the manager's screen: red on the ring and at the arrow tip, nothing inside the ring.
    const ringOnManager = pagePoint(mg, sent[0]!.shape.edge!);
    const tipOnManager = pagePoint(mg, sent[1]!.shape.to!);
    const centreOnManager = pagePoint(mg, sent[0]!.shape.center!);
    await expect
      .poll(async () => (await redNear(m, ringOnManager)).r, { timeout: 5_000 })
      .toBeGreaterThan(200);
    const ring = await redNear(m, ringOnManager);
    expect(ring.g).toBeLessThan(120);
    expect((await redNear(m, tipOnManager)).r).toBeGreaterThan(200);
    expect((await redNear(m, centreOnManager, 2)).a).toBe(0);
    // …and the same on the expert's own screen.
    expect((await redNear(e, pagePoint(eg, sent[0]!.shape.edge!))).r).toBeGreaterThan(200);
    await shot('expert', 'expert-annotating');
    await shot('manager', 'manager-sees-annotation');
    await a11y('expert', 'expert-call');
    await a11y('manager', 'manager-call');

    // The customer (portrait tablet: the picture letterboxed top and bottom) sees the marks at the same point too.
    const c = pages.customer!.page;
    await expect.poll(() => items(c), { timeout: 10_000 }).toEqual(sent);
    await expect
      .poll(() => c.locator(`.stage [data-target="${managerId}/camera"] video`).count(), { timeout: 10_000 })
      .toBe(1);
    await expect
      .poll(async () => (await stageGeometry(c)).intrinsic.width, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const cg = await stageGeometry(c);
    expect(cg.box.width / cg.box.height).toBeLessThan(1.5);
    await expect
      .poll(async () => (await redNear(c, pagePoint(cg, sent[0]!.shape.edge!))).r, { timeout: 5_000 })
      .toBeGreaterThan(200);
    expect((await redNear(c, pagePoint(cg, sent[1]!.shape.to!))).r).toBeGreaterThan(200);
    await shot('customer', 'customer-sees-annotation');

    // Freeze frame: the exact still goes to everyone; marks drawn on it go away with it.
    await e.getByRole('button', { name: 'Freeze frame' }).click();
    await m
      .locator(`.stage [data-target="${managerId}/camera"][data-frozen="true"] img`)
      .waitFor({ timeout: 10_000 });
    await e.getByRole('radio', { name: 'Pen' }).click();
    const fg = await stageGeometry(e);
    const f0 = pagePoint(fg, { x: 0.2, y: 0.2 });
    await e.mouse.move(f0.x, f0.y);
    await e.mouse.down();
    for (const [dx, dy] of [
      [40, 10],
      [80, 40],
      [120, 20],
    ])
      await e.mouse.move(f0.x + dx!, f0.y + dy!, { steps: 2 });
    await e.mouse.up();
    await expect.poll(async () => (await items(m)).length, { timeout: 10_000 }).toBe(3);
    await shot('manager', 'manager-sees-frozen-frame');
    await e.getByRole('button', { name: 'Back to live' }).click();
    await m
      .locator(`.stage [data-target="${managerId}/camera"][data-frozen="false"] video`)
      .waitFor({ timeout: 10_000 });
    expect((await items(m)).map((a) => a.shape.kind)).toEqual(['circle', 'arrow']);
  });

  test('AR view: one large stream, big controls, low-bandwidth mode drops remote video to its lowest layer', async () => {
    const m = pages.manager!.page;
    await m.getByRole('button', { name: 'AR glasses view' }).click();
    await m.locator('.ar-view').waitFor();
    // The expert's marks bring the document (the manager's camera) to the front.
    await m.getByRole('button', { name: 'Show expert' }).waitFor();
    await m.getByRole('button', { name: 'Show expert' }).click();
    const expertId = await peerIdOf(m, 'expert');
    await m.locator(`.ar-stage [data-target="${expertId}/camera"] video`).waitFor();
    const frameWidth = () =>
      m.evaluate(() => document.querySelector<HTMLVideoElement>('.ar-stage video')?.videoWidth ?? 0);
    await expect.poll(frameWidth, { timeout: 15_000 }).toBeGreaterThan(0);
    // What the edge forwards to the manager from the expert's camera (its consumer's preferred simulcast layers).
    const managerId = await m.evaluate(() => window.__branchedge!.room.peerId!);
    const layersAtEdge = () => {
      const viewer = edge.edge.calls.get(callId)?.room?.peers.get(managerId);
      const consumer = [...(viewer?.consumers.values() ?? [])].find(
        (c) => c.kind === 'video' && (c.appData as { peerId?: string }).peerId === expertId,
      );
      return consumer?.preferredLayers;
    };
    await m.getByRole('button', { name: 'Low bandwidth' }).click();
    expect(await m.getByRole('button', { name: 'Low bandwidth' }).getAttribute('aria-pressed')).toBe('true');
    expect(await m.evaluate(() => window.__branchedge!.room.lowBandwidth)).toBe(true);
    await expect.poll(layersAtEdge, { timeout: 10_000 }).toEqual({ spatialLayer: 0, temporalLayer: 0 });
    // The picture that arrives shrinks to that layer (¼ or ½ of 640 wide, as Chrome sends 2–3 layers at this size).
    await expect.poll(frameWidth, { timeout: 20_000 }).toBeLessThanOrEqual(320);
    await a11y('manager', 'manager-ar');
    await shot('manager', 'manager-ar-low-bandwidth');
    await m.getByRole('button', { name: 'Low bandwidth' }).click();
    await m.getByRole('button', { name: 'Exit AR view' }).click();
    await m.locator('.manager-call').waitFor();
  });

  test('when the edge’s media worker dies, everyone reconnects and the call goes on', async () => {
    const who = ['customer', 'manager', 'expert'] as const;
    for (const w of who) {
      await pages[w]!.page.evaluate(() => {
        const states: string[] = [];
        (window as unknown as { __states: string[] }).__states = states;
        window.__branchedge!.room.on('state', (s) => states.push(s));
      });
    }
    const pid = edge.edge.pool.workers[0]!.worker.pid!;
    process.kill(pid, 'SIGKILL');
    for (const w of who) {
      const page = pages[w]!.page;
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { __states: string[] }).__states), {
          timeout: 30_000,
        })
        .toEqual(expect.arrayContaining(['reconnecting', 'joined']));
    }
    const c = pages.customer!.page;
    await c.locator('.call-status .badge.state-joined').waitFor({ timeout: 30_000 });
    // Same call, fresh sessions: media flows again between all three.
    await expect
      .poll(async () => (await Promise.all([peerIdOf(c, 'manager'), peerIdOf(c, 'expert')])).every(Boolean), {
        timeout: 30_000,
      })
      .toBe(true);
    await waitForMediaFrom(c, [await peerIdOf(c, 'manager'), await peerIdOf(c, 'expert')]);
    const m = pages.manager!.page;
    await waitForMediaFrom(m, [await peerIdOf(m, 'customer'), await peerIdOf(m, 'expert')]);
    expect(new URL(m.url()).searchParams.get('call')).toBe(callId);
    await shot('customer', 'customer-after-reconnect');
  });

  test('the compliance officer observes the call unseen and operations sees edges, experts and calls', async () => {
    pages.compliance = await openPage(browser, 'compliance', `${cloud.url}/compliance`);
    const o = pages.compliance.page;
    await o.waitForURL(/\/login/);
    await loginAs(o, ACCOUNTS.compliance.username, ACCOUNTS.compliance.password);
    await o.waitForURL(/\/compliance$/);
    const row = o.locator(`tr[data-call="${callId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByText('Wealth management product').waitFor();
    await row.getByText('R4 · Growth').waitFor();
    await a11y('compliance', 'compliance-live');
    await o.getByRole('tab', { name: 'Reports' }).click();
    await o.getByText('No reports yet').waitFor();
    // A report written by the compliance engine for a corpus call (the JSON `npm run inspect` prints), with a recording to play.
    const sample = loadCorpus().find(
      (x) => x.pack === 'wealth-sale' && x.expect.verdict === 'non-compliant',
    )!;
    const session = new ComplianceSession(loadRulePack(sample.pack), `call-${sample.id}`, {
      transcriptSource: 'transcript',
    });
    for (const line of sample.transcript) session.addSegment({ ...line, final: true });
    const report = session.finish({ durationMs: sample.transcript.at(-1)!.endMs + 1000 });
    await o.getByLabel('Open a report file').setInputFiles({
      name: 'report.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(report)),
    });
    await o.getByRole('heading', { name: 'Inspection report' }).waitFor();
    await o.locator('.report-head').getByText('Non-compliant').waitFor();
    const failed = report.checks.find((ch) => ch.status === 'fail')!;
    await o
      .locator('.report-checks li.check-fail')
      .first()
      .getByText(failed.title ?? failed.id)
      .waitFor();
    await o.getByLabel('Recording for playback').setInputFiles(fakeSpeechWav());
    const line = o.locator('.report-transcript .transcript-lines li').nth(0);
    await line.getByRole('button').click();
    await expect.poll(() => line.getAttribute('aria-current'), { timeout: 10_000 }).toBe('true');
    const at = await o.evaluate(() => document.querySelector<HTMLVideoElement>('.report video')!.currentTime);
    expect(at).toBeGreaterThanOrEqual(report.transcript[0]!.startMs / 1000 - 0.05);
    await a11y('compliance', 'compliance-report');
    await shot('compliance', 'compliance-report');
    await o.getByRole('button', { name: 'Back to reports' }).click();
    await o.getByRole('row', { name: new RegExp(`call-${sample.id}`) }).waitFor();
    await o.getByLabel('Verdict').selectOption('compliant');
    await o.getByText('No report matches the filters.').waitFor();
    await a11y('compliance', 'compliance-reports');
    await o.getByRole('tab', { name: 'Live calls' }).click();
    await row.getByRole('button', { name: /Observe/ }).click();
    await o.waitForURL(/observe=/);
    await o.locator('.call-status .badge.state-joined').waitFor({ timeout: 30_000 });
    const ids = await Promise.all(['manager', 'customer', 'expert'].map((r) => peerIdOf(o, r)));
    await waitForMediaFrom(o, ids);
    // Nobody in the call sees the observer.
    for (const who of ['manager', 'customer', 'expert']) {
      expect(
        await pages[who]!.page.evaluate(() =>
          [...window.__branchedge!.room.peers.values()].map((p) => p.role).sort(),
        ),
      ).not.toContain('observer');
    }
    await a11y('compliance', 'compliance-observing');
    await shot('compliance', 'compliance-observing');
    await o.getByRole('button', { name: 'Stop observing' }).click();
    await o.getByRole('tab', { name: 'Reports' }).click();

    pages.ops = await openPage(browser, 'ops', `${cloud.url}/ops`, { width: 1440, height: 1000 });
    const p = pages.ops.page;
    await p.waitForURL(/\/login/);
    await loginAs(p, ACCOUNTS.ops.username, ACCOUNTS.ops.password);
    await p.waitForURL(/\/ops$/);
    const edgeRow = p.locator('tr[data-edge="edge-ui"]');
    await edgeRow.getByText('Online').waitFor({ timeout: 15_000 });
    await edgeRow.getByText('0.1.0').waitFor();
    await p
      .locator('.kpi', { hasText: 'Calls now' })
      .getByText('1', { exact: true })
      .waitFor({ timeout: 10_000 });
    await p.locator('[data-expert]', { hasText: 'Dr Zhang' }).waitFor();
    // Who is online: the expert (in the call) counts as busy for wealth; the branch's manager is on duty.
    await p
      .locator('[data-skill="wealth"] td.n-busy')
      .getByText('1', { exact: true })
      .waitFor({ timeout: 20_000 });
    await p.locator('.managers-online [data-branch="branch-ui"]').getByText('1 of 1 online').waitFor();
    await p.getByRole('img', { name: /Calls per edge/ }).waitFor();
    await p.getByRole('img', { name: /Branch busyness/ }).waitFor();
    await a11y('ops', 'ops');
    await shot('ops', 'ops');
  });

  test('the manager ends the call: everyone sees it end, the manager gets the call summary', async () => {
    const m = pages.manager!.page;
    await m.getByRole('button', { name: 'End call' }).click();
    await m.getByRole('heading', { name: 'Call ended' }).waitFor({ timeout: 15_000 });
    // The edge writes the inspection report as the call ends and announces its verdict through the cloud.
    await m
      .getByText(
        /Inspection report written by the branch edge: (Compliant|Non-compliant|Needs review), score \d+%/,
      )
      .waitFor({ timeout: 20_000 });
    await pages.customer!.page.getByRole('heading', { name: 'Thank you' }).waitFor({ timeout: 15_000 });
    // …and the compliance officer's report list gets it live.
    const reportRow = pages.compliance!.page.locator(`tr[data-report="${callId}"]`);
    await reportRow.waitFor({ timeout: 20_000 });
    await reportRow.getByText('wealth-sale@').waitFor();
    await a11y('compliance', 'compliance-reports-live');
    // The edge's outbox delivers the report to the cloud archive; opening it there is audited, with a reason.
    const o = pages.compliance!.page;
    await o.getByLabel('Reason for access (audited)').fill('QA review 2024-117');
    await expect
      .poll(
        async () => {
          await o.getByRole('button', { name: 'Refresh' }).click();
          return o.locator(`tr[data-report="${callId}"] button`).count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    await o.getByRole('button', { name: `Open the report of call ${callId}` }).click();
    await o.getByRole('heading', { name: 'Inspection report' }).waitFor({ timeout: 15_000 });
    await o.getByText(`Call ${callId}`, { exact: false }).waitFor();
    // Raw media stays on the edge: the recording is fetched from it on request (audited), then playable.
    await o.getByRole('button', { name: 'Ask the branch edge for the recording' }).click();
    await o.getByText('Requested: the branch edge uploads the recording').waitFor();
    await a11y('compliance', 'compliance-archived-report');
    await shot('compliance', 'compliance-archived-report');
    await a11y('manager', 'manager-ended');
    await shot('manager', 'manager-ended');
    await shot('customer', 'customer-ended');
    // The production build loaded and ran on every page without a console error.
    for (const [who, p] of Object.entries(pages)) expect(p.errors, who).toEqual([]);
  });
});
