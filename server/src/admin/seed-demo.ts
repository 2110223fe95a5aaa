// Idempotent demo data for `npm start`: branch `branch-demo` (plus two nearby
// branches for routing), edge `edge-demo`, and one account per staff role.
// Re-running resets the demo passwords and (unless `edgeKey` is given) issues a
// fresh edge key, which is returned for the edge process.
import { createLogger } from '#common/logger';
import type { StaffProfile } from '#protocol/api';
import { loadCloudConfig } from '../config.ts';
import { connectRedis } from '../redis/client.ts';
import { buildServices } from '../services.ts';

export const DEMO_BRANCH_ID = 'branch-demo';
export const DEMO_EDGE_ID = 'edge-demo';

/** Documented demo credentials (printed by the start script). Never use outside a demo. */
export const DEMO_ACCOUNTS = [
  {
    username: 'manager',
    password: 'manager-demo-pass',
    displayName: 'Mia Manager',
    role: 'manager',
    branchId: DEMO_BRANCH_ID,
  },
  {
    username: 'expert',
    password: 'expert-demo-pass',
    displayName: 'Eli Expert',
    role: 'expert',
    skills: ['wealth', 'insurance', 'mortgage'],
    languages: ['en', 'zh'],
  },
  {
    username: 'expert2',
    password: 'expert2-demo-pass',
    displayName: 'Esa Expert',
    role: 'expert',
    skills: ['wealth', 'loans'],
    languages: ['en'],
  },
  {
    username: 'compliance',
    password: 'compliance-demo-pass',
    displayName: 'Cora Compliance',
    role: 'compliance',
  },
  { username: 'ops', password: 'ops-demo-pass', displayName: 'Otto Ops', role: 'ops' },
] as const;

const DEMO_BRANCHES = [
  { id: DEMO_BRANCH_ID, name: 'Demo Branch (Central)', lat: 22.2819, lon: 114.1582, address: '1 Demo Road' },
  { id: 'branch-harbour', name: 'Harbour Branch', lat: 22.2855, lon: 114.1577 },
  { id: 'branch-hill', name: 'Hill Branch', lat: 22.2701, lon: 114.1496 },
];

export interface SeedResult {
  branchId: string;
  edgeId: string;
  edgeKey: string;
  accounts: { username: string; password: string; role: string }[];
  staff: StaffProfile[];
}

export async function seedDemo(opts: {
  redisUrl: string;
  prefix?: string;
  edgeKey?: string;
}): Promise<SeedResult> {
  const logger = createLogger('seed-demo');
  const config = {
    ...loadCloudConfig({
      ...process.env,
      REDIS_URL: opts.redisUrl,
      ...(opts.prefix ? { REDIS_PREFIX: opts.prefix } : {}),
    }),
  };
  const redis = await connectRedis(opts.redisUrl, logger);
  try {
    const s = buildServices({ config, logger, redis: redis.data });
    for (const b of DEMO_BRANCHES) {
      const { id, ...rest } = b;
      await s.branches.upsert(id, rest);
    }
    const { key } = await s.edgeCredentials.register(DEMO_EDGE_ID, DEMO_BRANCH_ID, {
      upsert: true,
      ...(opts.edgeKey ? { key: opts.edgeKey } : {}),
    });
    const staff: StaffProfile[] = [];
    for (const a of DEMO_ACCOUNTS) {
      staff.push(
        await s.staff.create(
          {
            ...a,
            skills: 'skills' in a ? [...a.skills] : [],
            languages: 'languages' in a ? [...a.languages] : [],
          },
          { upsert: true },
        ),
      );
    }
    return {
      branchId: DEMO_BRANCH_ID,
      edgeId: DEMO_EDGE_ID,
      edgeKey: key,
      accounts: DEMO_ACCOUNTS.map((a) => ({ username: a.username, password: a.password, role: a.role })),
      staff,
    };
  } finally {
    await redis.close();
  }
}
