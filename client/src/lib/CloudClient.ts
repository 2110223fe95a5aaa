// The `/client` socket.io namespace of the cloud: presence, dispatch, dashboards.
// socket.io reconnects by itself; each (re)connection reads the current access
// token, and a refreshed token is announced with `auth:refresh` so the cloud
// keeps the socket. Views re-subscribe on `connected` (dashboards are per socket).
import { io, type Socket } from 'socket.io-client';
import type { ClientToCloudEvents, CloudToClientEvents } from '#protocol/control';
import type { Ack } from '#protocol/errors';
import { cloudBaseUrl } from './api.ts';
import { Emitter } from './Emitter.ts';
import { SocketRequests } from './SignalChannel.ts';
import { CLIENT_NAMESPACE } from './wire.ts';

type AckData<E extends keyof ClientToCloudEvents> = Parameters<ClientToCloudEvents[E]>[1] extends (
  res: Ack<infer T>,
) => void
  ? T
  : never;
type Msg<E extends keyof ClientToCloudEvents> = Parameters<ClientToCloudEvents[E]>[0];

export class CloudClient extends Emitter<{ connection: ['connected' | 'disconnected' | 'failed', string?] }> {
  readonly socket: Socket;
  readonly #requests: SocketRequests;

  constructor(token: () => string | Promise<string>, baseUrl = cloudBaseUrl()) {
    super();
    this.socket = io(new URL(CLIENT_NAMESPACE, baseUrl).toString(), {
      auth: (cb) =>
        void Promise.resolve(token()).then(
          (t) => cb({ token: t }),
          () => cb({ token: '' }),
        ),
      transports: ['websocket'],
    });
    // socket.io reconnects this one: a request fails with the attempt in progress, not at its timeout.
    this.#requests = new SocketRequests(this.socket, 'cloud', true);
    this.socket.on('connect', () => this.emit('connection', 'connected'));
    this.socket.on('disconnect', (reason) => this.emit('connection', 'disconnected', reason));
    this.socket.on('connect_error', (err) => this.emit('connection', 'failed', err.message));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  async request<E extends keyof ClientToCloudEvents>(
    event: E,
    msg: Msg<E>,
    timeoutMs = 15_000,
  ): Promise<AckData<E>> {
    return this.#requests.request<AckData<E>>(event, msg, timeoutMs);
  }

  /** Subscribes to a pushed event; returns the unsubscribe function. */
  listen<E extends keyof CloudToClientEvents>(event: E, handler: CloudToClientEvents[E]): () => void {
    // socket.io's typings are untyped here (the socket is not generic); the contract is CloudToClientEvents.
    const h = handler as (...args: unknown[]) => void;
    this.socket.on(event as string, h);
    return () => void this.socket.off(event as string, h);
  }

  close(): void {
    this.socket.close();
  }
}
