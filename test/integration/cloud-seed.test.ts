// seedDemo is idempotent and leaves a usable demo: every documented account
// logs in, and the returned edge key authenticates the demo edge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { seedDemo, DEMO_ACCOUNTS } from '../../server/src/admin/seed-demo.ts';
import { api, login, startCloud, uniquePrefix, withServices, type CloudHandle } from '../helpers/cloud.ts';

const redisUrl = inject('redisUrl');
const prefix = uniquePrefix('seed');
let cloud: CloudHandle;

beforeAll(async () => {
  cloud = await startCloud({ redisUrl, prefix });
});
afterAll(async () => {
  await cloud?.stop();
});

describe('seedDemo', () => {
  it('can run twice; the demo accounts log in and the latest edge key works', async () => {
    const first = await seedDemo({ redisUrl, prefix });
    const second = await seedDemo({ redisUrl, prefix });
    expect(second).toMatchObject({ branchId: 'branch-demo', edgeId: 'edge-demo' });
    await withServices(redisUrl, prefix, async (s) => {
      expect((await s.staff.list()).map((p) => p.id).sort()).toEqual(
        DEMO_ACCOUNTS.map((a) => a.username).sort(),
      );
      expect((await s.edgeCredentials.list()).map((e) => e.edgeId)).toEqual(['edge-demo']);
    });
    for (const a of second.accounts) {
      const res = await login(cloud.url, a.username, a.password);
      expect(res.user.role).toBe(a.role);
    }
    const stale = await api(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'edge-demo', key: first.edgeKey },
    });
    expect(stale.status).toBe(401);
    const fresh = await api(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'edge-demo', key: second.edgeKey },
    });
    expect(fresh.status).toBe(200);
    const pinned = await seedDemo({ redisUrl, prefix, edgeKey: 'pinned-demo-key-0123456789' });
    expect(pinned.edgeKey).toBe('pinned-demo-key-0123456789');
  });
});
