// Redis connections for one cloud instance: `data` for commands, `pub`/`sub`
// for the socket.io adapter. They reconnect forever with capped backoff so an
// instance rides out a Redis restart; commands issued while Redis is away fail
// fast (no offline queue) and surface as `unavailable` errors.
import { createClient } from 'redis';
import type { Logger } from '#common/logger';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnections {
  data: RedisClient;
  pub: RedisClient;
  sub: RedisClient;
  close(): Promise<void>;
}

function makeClient(url: string, name: string, logger: Logger, offlineQueue: boolean): RedisClient {
  const client = createClient({
    url,
    name: `branchedge-${name}`,
    disableOfflineQueue: !offlineQueue,
    socket: {
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000),
      connectTimeout: 5000,
    },
  });
  let down = false;
  // node-redis emits 'error' on every failed reconnect attempt: log the first, then the recovery.
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, client: name }, 'redis connection error');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ client: name }, 'redis reconnected');
    down = false;
  });
  return client;
}

export async function connectRedis(url: string, logger: Logger): Promise<RedisConnections> {
  const data = makeClient(url, 'data', logger, false);
  // The adapter's publisher keeps a queue: a broadcast during a blip is delayed rather than lost.
  const pub = makeClient(url, 'pub', logger, true);
  const sub = makeClient(url, 'sub', logger, true);
  await Promise.all([data.connect(), pub.connect(), sub.connect()]);
  return {
    data,
    pub,
    sub,
    async close() {
      await Promise.all(
        [data, pub, sub].map(async (c) => {
          if (!c.isOpen) return;
          // close() drains pending commands; while Redis is unreachable there is nothing to drain.
          if (c.isReady) await c.close();
          else c.destroy();
        }),
      );
    },
  };
}
