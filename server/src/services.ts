// Builds the cloud's services over one Redis connection. Used by the app
// factory (with the socket.io notifier and relay) and by the admin CLI/seeding
// (with null ones). No service holds cross-request state in memory except the
// dispatcher's presence registry of locally connected experts.
import type { Logger } from '#common/logger';
import { ArchiveService } from './archive/archive-service.ts';
import { loadCloudArchiveConfig } from './archive/config.ts';
import { CallTokenSigner } from './auth/call-tokens.ts';
import { InviteService } from './auth/invites.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { SessionService } from './auth/sessions.ts';
import { StaffStore } from './auth/staff-store.ts';
import { TokenService } from './auth/tokens.ts';
import { BranchStore } from './branches/branch-store.ts';
import { CallEvents } from './calls/call-events.ts';
import { CallService } from './calls/call-service.ts';
import { CallStore } from './calls/call-store.ts';
import { ProductCatalog } from './calls/products.ts';
import type { CloudConfig } from './config.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { Presence } from './dispatch/presence.ts';
import { RequestStore } from './dispatch/requests.ts';
import { EdgeCredentials } from './edges/credentials.ts';
import { EdgeRegistry } from './edges/registry.ts';
import { Rollout } from './edges/rollout.ts';
import type { RedisClient } from './redis/client.ts';
import { Keys } from './redis/keys.ts';
import type { EdgeRelay } from './realtime/edge-relay.ts';
import { nullNotifier, type Notifier } from './realtime/notifier.ts';

export interface Services {
  config: CloudConfig;
  logger: Logger;
  redis: RedisClient;
  keys: Keys;
  tokens: TokenService;
  callTokens: CallTokenSigner;
  staff: StaffStore;
  sessions: SessionService;
  rate: RateLimiter;
  invites: InviteService;
  branches: BranchStore;
  edgeCredentials: EdgeCredentials;
  edges: EdgeRegistry;
  rollout: Rollout;
  callStore: CallStore;
  callEvents: CallEvents;
  /** Products (rule packs) known per branch. */
  products: ProductCatalog;
  calls: CallService;
  presence: Presence;
  requests: RequestStore;
  dispatcher: Dispatcher;
  notifier: Notifier;
  /** Stored calls: outbox receiver, audited access, audit log (server/src/archive). */
  archive: ArchiveService;
}

const noRelay: EdgeRelay = {
  ask: async () => ({ ok: false, error: { code: 'unavailable', message: 'no relay in this process' } }),
};

export function buildServices(opts: {
  config: CloudConfig;
  logger: Logger;
  redis: RedisClient;
  notifier?: Notifier;
  relay?: EdgeRelay;
  publicUrl?: () => string;
}): Services {
  const { config, logger, redis } = opts;
  const notifier = opts.notifier ?? nullNotifier;
  const keys = new Keys(config.redisPrefix);
  const tokens = new TokenService(config.jwtSecret, config.jwtSecretPrevious);
  const callTokens = new CallTokenSigner(config.callTokenKeyPem);
  const staff = new StaffStore(redis, keys);
  const branches = new BranchStore(redis, keys);
  const edgeCredentials = new EdgeCredentials(redis, keys);
  const edges = new EdgeRegistry(redis, keys, edgeCredentials, config.edgeOfflineAfterMs);
  const callStore = new CallStore(redis, keys);
  const callEvents = new CallEvents(callStore, notifier);
  const presence = new Presence(redis, keys, staff, config.presenceTtlMs, config.instanceId);
  const requests = new RequestStore(redis, keys);
  const dispatcher = new Dispatcher(
    requests,
    presence,
    callStore,
    branches,
    callEvents,
    staff,
    notifier,
    {
      offerTimeoutMs: config.offerTimeoutMs,
      skipWindowMs: config.skipWindowMs,
      defaultHandleS: config.defaultHandleS,
    },
    logger.child({ module: 'dispatch' }),
  );
  const rollout = new Rollout(redis, keys, edgeCredentials);
  const products = new ProductCatalog(branches, edges, rollout);
  const calls = new CallService({
    store: callStore,
    events: callEvents,
    branches,
    products,
    edges,
    relay: opts.relay ?? noRelay,
    notifier,
    dispatcher,
    turn: config.turn,
    callTokens,
    callTokenTtlS: config.callTokenTtlS,
    logger: logger.child({ module: 'calls' }),
  });
  const publicUrl = opts.publicUrl ?? (() => config.publicUrl ?? `http://localhost:${config.port}`);
  return {
    config,
    logger,
    redis,
    keys,
    tokens,
    callTokens,
    staff,
    sessions: new SessionService(redis, keys, staff, tokens, {
      accessS: config.accessTokenTtlS,
      refreshS: config.refreshTokenTtlS,
    }),
    rate: new RateLimiter(redis, keys),
    invites: new InviteService(redis, keys, tokens, { publicUrl, customerTtlS: config.customerTokenTtlS }),
    branches,
    edgeCredentials,
    edges,
    rollout,
    callStore,
    callEvents,
    products,
    calls,
    presence,
    requests,
    dispatcher,
    notifier,
    archive: new ArchiveService({
      redis,
      prefix: config.redisPrefix,
      config: loadCloudArchiveConfig(process.env, config.redisPrefix),
      jwtSecret: config.jwtSecret,
      callStore,
      callEvents,
      logger: logger.child({ module: 'archive' }),
    }),
  };
}
