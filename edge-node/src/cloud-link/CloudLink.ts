// The edge's outbound link to the cloud (it sits behind the branch's NAT, so it
// always dials out). Authenticates with its per-edge key for a short-lived edge
// JWT, says hello, heartbeats, and takes desired configuration. The link comes
// and goes; the edge keeps serving its branch either way and retries with back-off.
import { io, type Socket } from 'socket.io-client';
import type { Logger } from '#common/logger';
import {
  CallAssigned,
  EDGE_NAMESPACE,
  EdgeAuthResponse,
  RunningConfig,
  type CloudToEdgeEvents,
  type EdgeHeartbeat,
  type EdgeHello,
  type EdgeToCloudEvents,
} from '#protocol/edge-link';
import { SafeEmitter } from '#sfu/SafeEmitter';

export type LinkState = 'connecting' | 'online' | 'offline';

export interface CloudLinkOptions {
  cloudUrl: string;
  edgeId: string;
  /** Read on every authentication, so a rotated key file takes effect without a restart. */
  key: () => string;
  heartbeatIntervalMs: number;
  hello: () => EdgeHello;
  heartbeat: () => Promise<EdgeHeartbeat>;
  logger: Logger;
}

type LinkEvents = {
  online: [];
  offline: [reason: string];
  config: [desired: RunningConfig];
  callTokenPublicKey: [pem: string];
  /** The cloud started a call at this branch on this edge (validated). */
  callAssigned: [call: CallAssigned];
};

const MAX_BACKOFF_MS = 30_000;

export class CloudLink extends SafeEmitter<LinkEvents> {
  #socket?: Socket<CloudToEdgeEvents, EdgeToCloudEvents>;
  #state: LinkState = 'offline';
  #heartbeatTimer?: NodeJS.Timeout;
  #retryTimer?: NodeJS.Timeout;
  #failures = 0;
  #closed = false;
  readonly #logger: Logger;

  constructor(private readonly options: CloudLinkOptions) {
    super(options.logger);
    this.#logger = options.logger.child({ module: 'cloud-link' });
  }

  get state(): LinkState {
    return this.#state;
  }

  /** The socket for other edge modules (outbox, relay) to register their own events on. */
  get socket(): Socket<CloudToEdgeEvents, EdgeToCloudEvents> | undefined {
    return this.#socket;
  }

  start(): void {
    const { cloudUrl } = this.options;
    this.#state = 'connecting';
    const socket: Socket<CloudToEdgeEvents, EdgeToCloudEvents> = io(
      new URL(EDGE_NAMESPACE, cloudUrl).toString(),
      {
        // A fresh edge JWT on every (re)connect: the previous one may have expired while offline.
        auth: (cb) => {
          this.#fetchToken()
            .then((token) => cb({ token }))
            .catch((err) => {
              this.#logger.warn({ err: (err as Error).message }, 'edge authentication failed');
              cb({ token: '' });
            });
        },
        transports: ['websocket'],
        reconnectionDelayMax: MAX_BACKOFF_MS,
      },
    );
    this.#socket = socket;

    socket.on('connect', () => void this.#onConnect());
    socket.on('disconnect', (reason) => this.#setOffline(reason));
    socket.on('connect_error', (err) => {
      this.#setOffline(err.message);
      // socket.io does not retry a connection its server middleware refused: we do, with back-off.
      if (!socket.active) this.#scheduleRetry();
    });
    socket.on('edge:config', (desired) => {
      const parsed = RunningConfig.safeParse(desired);
      if (!parsed.success)
        return this.#logger.warn({ issues: parsed.error.issues }, 'ignoring malformed desired config');
      this.safeEmit('config', parsed.data);
    });
    socket.on('call:assigned', (msg) => {
      const parsed = CallAssigned.safeParse(msg);
      if (!parsed.success)
        return this.#logger.warn({ issues: parsed.error.issues }, 'ignoring malformed call assignment');
      this.safeEmit('callAssigned', parsed.data);
    });
  }

  /** Sends a message if online; returns false when offline (callers with must-deliver data use the outbox). */
  send<E extends keyof EdgeToCloudEvents>(event: E, ...args: Parameters<EdgeToCloudEvents[E]>): boolean {
    if (this.#state !== 'online' || !this.#socket) return false;
    this.#socket.emit(event, ...args);
    return true;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#retryTimer);
    this.#socket?.close();
    this.#state = 'offline';
  }

  async #fetchToken(): Promise<string> {
    const res = await fetch(new URL('/api/v1/edges/auth', this.options.cloudUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ edgeId: this.options.edgeId, key: this.options.key() }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`cloud refused edge credentials: HTTP ${res.status} ${await res.text()}`);
    return EdgeAuthResponse.parse(await res.json()).token;
  }

  async #onConnect(): Promise<void> {
    const socket = this.#socket!;
    const ack = (await socket
      .timeout(10_000)
      .emitWithAck('edge:hello', this.options.hello())
      .catch((err: Error) => ({
        ok: false,
        error: err.message,
      }))) as { ok: boolean; desired?: unknown; error?: string; callTokenPublicKey?: string };
    if (!ack.ok) {
      this.#logger.error({ error: ack.error }, 'cloud refused hello');
      socket.disconnect();
      this.#scheduleRetry();
      return;
    }
    this.#failures = 0;
    this.#state = 'online';
    this.#logger.info({ cloud: this.options.cloudUrl }, 'cloud link online');
    this.safeEmit('online');
    if (typeof ack.callTokenPublicKey === 'string')
      this.safeEmit('callTokenPublicKey', ack.callTokenPublicKey);
    const desired = RunningConfig.safeParse(ack.desired);
    if (desired.success) this.safeEmit('config', desired.data);
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(() => void this.#beat(), this.options.heartbeatIntervalMs);
    await this.#beat();
  }

  async #beat(): Promise<void> {
    try {
      this.send('edge:heartbeat', await this.options.heartbeat());
    } catch (err) {
      this.#logger.warn({ err }, 'could not build heartbeat');
    }
  }

  #setOffline(reason: string): void {
    clearInterval(this.#heartbeatTimer);
    if (this.#state === 'online') {
      this.#logger.warn({ reason }, 'cloud link offline; serving the branch stand-alone and retrying');
      this.safeEmit('offline', reason);
    }
    this.#state = this.#closed ? 'offline' : 'connecting';
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.#failures++);
    this.#retryTimer = setTimeout(() => this.#socket?.connect(), delay);
  }
}
