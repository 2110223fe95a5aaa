// The app factory: one cloud instance = express + socket.io (Redis adapter) +
// services over Redis + periodic sweeps. Tests create instances in-process on
// port 0; main.ts creates one per process. Nothing here is process-global, so
// several instances can live in one process.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import express, { type Express } from 'express';
import { Server } from 'socket.io';
import { API_PREFIX } from '#protocol/api';
import { CLIENT_NAMESPACE } from '#protocol/control';
import { EDGE_NAMESPACE } from '#protocol/edge-link';
import type { Logger } from '#common/logger';
import type { CloudConfig } from './config.ts';
import { isRedisDown } from './errors.ts';
import { registerArchiveEdgeHandlers } from './archive/edge-handlers.ts';
import { ApiRouter } from './http/api-router.ts';
import { archiveRoutes } from './http/archive.routes.ts';
import { authRoutes } from './http/auth.routes.ts';
import { callRoutes } from './http/calls.routes.ts';
import { dispatchRoutes } from './http/dispatch.routes.ts';
import { edgeRoutes } from './http/edges.routes.ts';
import { apiNotFound, errorHandler } from './http/errors.ts';
import { healthRoutes } from './http/health.routes.ts';
import { buildOpenApi } from './http/openapi.ts';
import { presenceRoutes } from './http/presence.routes.ts';
import { cors, corsAllows, securityHeaders } from './http/security.ts';
import { staticClient } from './http/static-client.ts';
import { connectRedis } from './redis/client.ts';
import { Keys } from './redis/keys.ts';
import { registerClientNamespace } from './realtime/client.handlers.ts';
import { SocketEdgeRelay } from './realtime/edge-relay.ts';
import { pushEdgeStatus, registerEdgeNamespace } from './realtime/edge.handlers.ts';
import { lobbyRoutes, registerLobbyEdgeHandlers } from './lobby/lobby.ts';
import { SocketNotifier } from './realtime/socket-notifier.ts';
import { buildServices, type Services } from './services.ts';

export interface Cloud {
  app: Express;
  httpServer: HttpServer;
  io: Server;
  services: Services;
  /** Starts listening (CLOUD_HOST:CLOUD_PORT unless given); resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Graceful: stop sweeps, close sockets and HTTP, then Redis. Safe to call twice. */
  close(): Promise<void>;
}

export async function createCloud({
  config,
  logger,
}: {
  config: CloudConfig;
  logger: Logger;
}): Promise<Cloud> {
  const log = logger.child({ instanceId: config.instanceId });
  const redis = await connectRedis(config.redisUrl, log.child({ module: 'redis' }));
  const keys = new Keys(config.redisPrefix);
  let closing = false;
  let boundPort = config.port;

  const app = express();
  const httpServer = createServer(app);
  const io = new Server(httpServer, {
    cors: { origin: (origin, cb) => cb(null, corsAllows(config.corsOrigins, origin)), credentials: false },
    pingInterval: 10_000,
    pingTimeout: 5_000,
    maxHttpBufferSize: 1e6,
    adapter: createAdapter(redis.pub, redis.sub, {
      key: keys.socketIo(),
      requestsTimeout: config.relayTimeoutMs,
    }),
  });
  const clientNsp = io.of(CLIENT_NAMESPACE);
  const edgeNsp = io.of(EDGE_NAMESPACE);
  const notifier = new SocketNotifier(clientNsp, edgeNsp, log);
  const services = buildServices({
    config,
    logger: log,
    redis: redis.data,
    notifier,
    relay: new SocketEdgeRelay(edgeNsp, config.relayTimeoutMs),
    publicUrl: () => config.publicUrl ?? `http://localhost:${boundPort}`,
  });

  // ---- HTTP ----
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(cors(config.corsOrigins));
  app.use(healthRoutes({ instanceId: config.instanceId, redis: redis.data, isClosing: () => closing }));
  app.use(express.json({ limit: '100kb' }));
  const api = new ApiRouter(API_PREFIX, services.tokens);
  authRoutes(api, services);
  edgeRoutes(api, services);
  callRoutes(api, services);
  lobbyRoutes(api, services);
  dispatchRoutes(api, services);
  presenceRoutes(api, services);
  archiveRoutes(api, services.archive);
  const openapi = buildOpenApi(api.docs, { title: 'BranchEdge cloud API', version: '1' });
  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => void res.json(openapi));
  app.use(API_PREFIX, api.router);
  app.use('/api', apiNotFound());
  if (config.serveClient) {
    const client = staticClient(config.clientDistDir);
    if (!client.present)
      log.warn({ dir: config.clientDistDir }, 'client build not found; serving a notice at /');
    app.use(client.router);
  }
  app.use(errorHandler(log.child({ module: 'http' })));

  // ---- realtime ----
  registerLobbyEdgeHandlers(edgeNsp, services, log.child({ module: 'lobby' }));
  registerEdgeNamespace(edgeNsp, services, log.child({ module: 'edge-link' }));
  registerArchiveEdgeHandlers(edgeNsp, services.archive, log.child({ module: 'archive' }));
  registerClientNamespace(clientNsp, services, log.child({ module: 'client-link' }));
  services.edges.on('offline', (edgeId, reason) => {
    log.warn({ edgeId, reason }, 'edge offline');
    void services.calls
      .edgeOnlineChanged(edgeId, false)
      .then(() => pushEdgeStatus(services, edgeId))
      .catch((err: unknown) => log.error({ err, edgeId }, 'flagging calls of offline edge failed'));
  });
  services.edges.on('online', (edgeId) => {
    log.info({ edgeId }, 'edge online');
    void services.calls
      .edgeOnlineChanged(edgeId, true)
      .catch((err: unknown) => log.error({ err, edgeId }, 'unflagging calls failed'));
  });

  // ---- sweeps: every instance runs them; Redis CAS makes each transition happen once ----
  let sweeping = false;
  let redisWasDown = false;
  const sweepTimer = setInterval(async () => {
    if (sweeping || closing) return;
    sweeping = true;
    try {
      await services.edges.sweep();
      await services.dispatcher.sweep();
      redisWasDown = false;
    } catch (err) {
      if (!isRedisDown(err)) log.error({ err }, 'sweep failed');
      else if (!redisWasDown) log.warn('sweep skipped: redis unavailable');
      redisWasDown = isRedisDown(err);
    } finally {
      sweeping = false;
    }
  }, config.sweepIntervalMs);

  let closed: Promise<void> | undefined;
  return {
    app,
    httpServer,
    io,
    services,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          boundPort = (httpServer.address() as AddressInfo).port;
          log.info({ port: boundPort, host, prefix: config.redisPrefix }, 'cloud listening');
          resolve(boundPort);
        });
      });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(sweepTimer);
        const force = setTimeout(() => httpServer.closeAllConnections(), config.shutdownGraceMs).unref();
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
          httpServer.closeIdleConnections();
        });
        clearTimeout(force);
        // Let disconnect handlers (edge offline, participant left) reach Redis before it closes.
        await new Promise((r) => setTimeout(r, 50));
        notifier.stop();
        await redis.close();
        log.info('cloud closed');
      })();
      return closed;
    },
  };
}
