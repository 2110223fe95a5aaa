// `npm run cloud`: one cloud instance. Wiring only — config, logger, factory,
// listen, and graceful shutdown on SIGTERM/SIGINT.
import { loadEnvFile } from '#common/config';
import { createLogger } from '#common/logger';
import { createCloud } from './app.ts';
import { loadCloudConfig } from './config.ts';

loadEnvFile();
const logger = createLogger('cloud');
const config = loadCloudConfig();
const cloud = await createCloud({ config, logger });
await cloud.listen();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    cloud.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
