// Edge node process: load configuration, build the edge, stop cleanly on signals.
import { createLogger } from '#common/logger';
import { createEdge } from './app.ts';
import { loadEdgeConfig } from './config.ts';

const logger = createLogger('edge');

try {
  const config = loadEdgeConfig();
  const edge = await createEdge(config, logger.child({ edgeId: config.edgeId }));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    await edge.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (err) {
  logger.fatal({ err }, 'edge node failed to start');
  process.exit(1);
}
