// How the client reaches the SFU: straight to the branch's edge (`/sfu`
// namespace) or through the cloud relay. RoomClient only sees this interface.
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '#protocol/errors';
import type { SignalMethod, SignalNotification, SignalResponses } from '#protocol/signaling';
import { SFU_NAMESPACE, SFU_NOTIFY_EVENT, SFU_REQUEST_EVENT } from './wire.ts';

export class SignalError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignalError';
  }
}

export interface SignalChannel {
  request<M extends SignalMethod>(method: M, data?: unknown): Promise<SignalResponses[M]>;
  onNotify(listener: (n: SignalNotification) => void): void;
  onConnectionChange(
    listener: (state: 'connected' | 'disconnected' | 'failed', reason?: string) => void,
  ): void;
  close(): void;
  /** STUN/TURN servers the cloud handed out with this session's credentials (time-limited TURN), if any. */
  iceServers?(): Promise<RTCIceServer[] | undefined>;
}

/** How long a request waits for its answer on a live connection. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Acknowledged requests on a socket.io socket that fail, typed, as soon as the
 * connection does. socket.io keeps an emit made while disconnected in its send
 * buffer and rejects it only at its ack timeout: a reconnection attempt against a
 * down edge then took 15 s to fail whatever the edge did meanwhile. Here a request
 * waits at most for the connection attempt in progress.
 */
export class SocketRequests {
  readonly #pending = new Set<(err: SignalError) => void>();
  #lost?: SignalError;

  /**
   * @param reconnects whether socket.io reconnects this socket by itself; if not,
   *   the first failure is final and later requests fail at once.
   */
  constructor(
    private readonly socket: Socket,
    private readonly what: string,
    private readonly reconnects: boolean,
  ) {
    socket.on('disconnect', (reason) =>
      this.#fail(new SignalError('unavailable', `${what}: connection lost (${reason})`)),
    );
    socket.on('connect_error', (err) =>
      this.#fail(new SignalError('unavailable', `${what}: cannot connect (${err.message})`)),
    );
  }

  async request<T>(event: string, msg: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    if (this.#lost) throw this.#lost;
    // Closed, or refused by the server's middleware (socket.io gives up on those).
    if (!this.socket.connected && !this.socket.active)
      throw new SignalError('unavailable', `${this.what}: not connected`);
    let fail!: (err: SignalError) => void;
    const lost = new Promise<never>((_, reject) => (fail = reject));
    this.#pending.add(fail);
    let res: Ack<T>;
    try {
      res = (await Promise.race([this.socket.timeout(timeoutMs).emitWithAck(event, msg), lost])) as Ack<T>;
    } catch (err) {
      // Failed while still buffered: it must not go out on a later reconnection.
      this.socket.sendBuffer = this.socket.sendBuffer.filter(
        (p) => (p.data as unknown[] | undefined)?.[1] !== msg,
      );
      if (err instanceof SignalError) throw err;
      // socket.io's own: its ack timeout, or an in-flight request cut by a disconnection.
      throw new SignalError('unavailable', `${this.what}: ${(err as Error).message}`);
    } finally {
      this.#pending.delete(fail);
    }
    if (!res.ok) throw new SignalError(res.error.code, res.error.message);
    return res.data;
  }

  #fail(err: SignalError): void {
    if (!this.reconnects) this.#lost = err;
    for (const fail of this.#pending) fail(err);
    this.#pending.clear();
  }
}

/** Direct connection to the edge's signaling, authenticated by a join token. */
export class EdgeSocketChannel implements SignalChannel {
  readonly #socket: Socket;
  readonly #requests: SocketRequests;

  constructor(
    edgeUrl: string,
    token: string,
    private readonly ice?: RTCIceServer[],
  ) {
    this.#socket = io(new URL(SFU_NAMESPACE, edgeUrl).toString(), {
      auth: { token },
      transports: ['websocket'],
      reconnection: false, // RoomClient owns reconnection: it must rebuild transports anyway
    });
    this.#requests = new SocketRequests(this.#socket, 'edge signaling', false);
  }

  request<M extends SignalMethod>(method: M, data: unknown = {}): Promise<SignalResponses[M]> {
    return this.#requests.request<SignalResponses[M]>(SFU_REQUEST_EVENT, { method, data });
  }

  onNotify(listener: (n: SignalNotification) => void): void {
    this.#socket.on(SFU_NOTIFY_EVENT, listener);
  }

  onConnectionChange(
    listener: (state: 'connected' | 'disconnected' | 'failed', reason?: string) => void,
  ): void {
    this.#socket.on('connect', () => listener('connected'));
    this.#socket.on('disconnect', (reason) => listener('disconnected', reason));
    this.#socket.on('connect_error', (err) => listener('failed', err.message));
  }

  close(): void {
    this.#socket.close();
  }

  async iceServers(): Promise<RTCIceServer[] | undefined> {
    return this.ice;
  }
}
