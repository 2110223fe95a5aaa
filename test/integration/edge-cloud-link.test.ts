// The edge keeps serving its branch when the cloud goes away, and re-registers
// by itself (fresh edge JWT, hello, heartbeats) when the cloud comes back.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createLogger } from '#common/logger';
import { createCloud, type Cloud } from '../../server/src/app.ts';
import { loadCloudConfig } from '../../server/src/config.ts';
import { FAST_ENV, TEST_JWT_SECRET, seedBranchWithEdge, uniquePrefix, waitFor } from '../helpers/cloud.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { freePort } from '../helpers/ports.ts';
import { SignalClient } from '../helpers/signal-client.ts';

describe('edge ↔ cloud link', () => {
  const prefix = uniquePrefix('link');
  let port: number;
  let cloud: Cloud | undefined;
  let edge: TestEdge;

  async function startCloudOnPort(): Promise<Cloud> {
    const config = loadCloudConfig({
      ...process.env,
      ...FAST_ENV,
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      SERVE_CLIENT: '0',
      CLOUD_HOST: '127.0.0.1',
    });
    const c = await createCloud({ config, logger: createLogger('cloud-test', { level: 'error' }) });
    await c.listen(port, '127.0.0.1');
    return c;
  }

  async function readiness() {
    return (await (await fetch(`${edge.url}/readyz`)).json()) as {
      ready: boolean;
      checks: Record<string, { ok: boolean; detail: string }>;
    };
  }

  beforeAll(async () => {
    port = await freePort();
    cloud = await startCloudOnPort();
    const key = await seedBranchWithEdge(inject('redisUrl'), prefix, 'branch-link', 'edge-link');
    edge = await startTestEdge({
      EDGE_ID: 'edge-link',
      BRANCH_ID: 'branch-link',
      EDGE_KEY: key,
      CLOUD_URL: `http://127.0.0.1:${port}`,
      HEARTBEAT_INTERVAL_MS: '200',
    });
    await waitFor(async () => (await readiness()).checks.cloudLink?.ok === true, 15_000, 'edge registered');
  });

  afterAll(async () => {
    await edge?.stop();
    await cloud?.close();
  });

  test('with the cloud down the edge stays ready and keeps hosting calls; it re-registers when the cloud returns', async () => {
    await cloud!.close();
    cloud = undefined;
    await expect.poll(async () => (await readiness()).checks.cloudLink?.ok, { timeout: 10_000 }).toBe(false);
    const r = await readiness();
    expect(r.ready).toBe(true);
    expect(edge.edge.cloudLink?.state).toBe('connecting');

    // An in-branch participant can still join with a token minted before the outage.
    const token = edge.keys.mint('edge-link', {
      sub: 'mgr-offline',
      callId: 'call-offline',
      role: 'manager',
      branchId: 'branch-link',
    });
    const client = await SignalClient.connect(edge.url, token);
    const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>(
      'getRouterRtpCapabilities',
    );
    await client.request('join', { displayName: 'Offline Manager', rtpCapabilities });
    client.close();

    cloud = await startCloudOnPort();
    await expect.poll(async () => (await readiness()).checks.cloudLink?.ok, { timeout: 30_000 }).toBe(true);
    expect(edge.edge.cloudLink?.state).toBe('online');
  });
});
