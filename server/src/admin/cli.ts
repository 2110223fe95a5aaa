// `npm run admin -- <command> [--options]`: staff accounts, branches, edge keys,
// demo seeding. Talks to Redis directly (REDIS_URL / REDIS_PREFIX), so it works
// before any cloud instance runs.
import { parseArgs } from 'node:util';
import { loadEnvFile } from '#common/config';
import { createLogger } from '#common/logger';
import { StaffRole } from '#protocol/roles';
import { AppError } from '#protocol/errors';
import { loadCloudConfig } from '../config.ts';
import { connectRedis } from '../redis/client.ts';
import { buildServices } from '../services.ts';
import { seedDemo } from './seed-demo.ts';

const USAGE = `usage: npm run admin -- <command> [options]

  create-staff  --username U --role manager|expert|compliance|ops --password P [--name "Display Name"]
                [--branch B] [--skills a,b] [--languages en,zh] [--max-calls N] [--upsert]
  disable-staff --username U        enable-staff --username U
  list-staff
  upsert-branch --id B --name N --lat 22.3 --lon 114.1 [--address A]
  list-branches
  create-edge   --edge E --branch B          prints the edge key (shown once)
  rotate-edge-key --edge E                   prints the new key; the old one stops working
  list-edges
  seed-demo     [--edge-key K]               idempotent demo data; prints credentials and the edge key

Environment: REDIS_URL (default redis://127.0.0.1:6390), REDIS_PREFIX (default be:).
A password may also come from ADMIN_PASSWORD instead of --password.`;

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

async function main(): Promise<number> {
  loadEnvFile();
  const [command, ...rest] = process.argv.slice(2);
  const { values: o } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      branch: { type: 'string' },
      skills: { type: 'string' },
      languages: { type: 'string' },
      'max-calls': { type: 'string' },
      upsert: { type: 'boolean' },
      id: { type: 'string' },
      lat: { type: 'string' },
      lon: { type: 'string' },
      address: { type: 'string' },
      edge: { type: 'string' },
      'edge-key': { type: 'string' },
    },
  });
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadCloudConfig();
  if (command === 'seed-demo') {
    const res = await seedDemo({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      ...(o['edge-key'] ? { edgeKey: o['edge-key'] } : {}),
    });
    console.log(
      JSON.stringify(
        { branchId: res.branchId, edgeId: res.edgeId, edgeKey: res.edgeKey, accounts: res.accounts },
        null,
        2,
      ),
    );
    return 0;
  }
  const logger = createLogger('admin', { level: process.env.LOG_LEVEL ?? 'warn' });
  const redis = await connectRedis(config.redisUrl, logger);
  try {
    const s = buildServices({ config, logger, redis: redis.data });
    const need = (v: string | undefined, flag: string): string => {
      if (!v) throw new AppError('bad_request', `--${flag} is required`);
      return v;
    };
    switch (command) {
      case 'create-staff': {
        const profile = await s.staff.create(
          {
            username: need(o.username, 'username'),
            role: StaffRole.parse(o.role),
            password: need(o.password ?? process.env.ADMIN_PASSWORD, 'password'),
            displayName: o.name ?? need(o.username, 'username'),
            ...(o.branch ? { branchId: o.branch } : {}),
            skills: list(o.skills),
            languages: list(o.languages),
            maxConcurrentCalls: o['max-calls'] ? Number(o['max-calls']) : 1,
          },
          { upsert: o.upsert ?? false },
        );
        console.log(JSON.stringify(profile, null, 2));
        return 0;
      }
      case 'disable-staff':
      case 'enable-staff':
        await s.staff.setDisabled(need(o.username, 'username'), command === 'disable-staff');
        console.log(`${o.username}: ${command === 'disable-staff' ? 'disabled' : 'enabled'}`);
        return 0;
      case 'list-staff':
        console.table(
          (await s.staff.list()).map((p) => ({
            id: p.id,
            role: p.role,
            branch: p.branchId ?? '',
            skills: p.skills.join(','),
            languages: p.languages.join(','),
          })),
        );
        return 0;
      case 'upsert-branch': {
        const b = await s.branches.upsert(need(o.id, 'id'), {
          name: need(o.name, 'name'),
          lat: Number(need(o.lat, 'lat')),
          lon: Number(need(o.lon, 'lon')),
          ...(o.address ? { address: o.address } : {}),
        });
        console.log(JSON.stringify(b, null, 2));
        return 0;
      }
      case 'list-branches':
        console.table(await s.branches.list());
        return 0;
      case 'create-edge': {
        const branchId = need(o.branch, 'branch');
        await s.branches.require(branchId);
        const { key, keyVersion } = await s.edgeCredentials.register(need(o.edge, 'edge'), branchId);
        console.log(JSON.stringify({ edgeId: o.edge, branchId, key, keyVersion }, null, 2));
        return 0;
      }
      case 'rotate-edge-key': {
        const { key, keyVersion } = await s.edgeCredentials.rotate(need(o.edge, 'edge'));
        console.log(JSON.stringify({ edgeId: o.edge, key, keyVersion }, null, 2));
        return 0;
      }
      case 'list-edges':
        console.table(
          await Promise.all(
            (await s.edgeCredentials.list()).map(async (e) => {
              const sum = await s.edges.summary(e.edgeId);
              return {
                edge: e.edgeId,
                branch: e.branchId,
                keyVersion: e.keyVersion,
                online: sum?.online ?? false,
                version: sum?.version ?? '',
              };
            }),
          ),
        );
        return 0;
      default:
        console.error(`unknown command ${command}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await redis.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof AppError ? `error: ${err.message}` : err);
    process.exit(1);
  },
);
