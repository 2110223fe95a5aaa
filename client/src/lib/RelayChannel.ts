// Signaling through the cloud for remote participants (experts, compliance
// observers): `call:join` opens a relay session on the edge, each request is a
// `call:signal`, and the edge's notifications come back as `call:notify`. A
// fresh socket per channel: RoomClient rebuilds channels to reconnect, and
// closing the socket is how the cloud learns the participant left.
import { io, type Socket } from 'socket.io-client';
import type { CallJoinInfo, CallNotify } from '#protocol/control';
import type { SignalMethod, SignalNotification, SignalResponses } from '#protocol/signaling';
import { SocketRequests, type SignalChannel } from './SignalChannel.ts';
import { CLIENT_NAMESPACE } from './wire.ts';

export class RelayChannel implements SignalChannel {
  readonly #socket: Socket;
  readonly #requests: SocketRequests;
  readonly #joined: Promise<CallJoinInfo>;

  constructor(
    baseUrl: string,
    token: string,
    private readonly callId: string,
  ) {
    this.#socket = io(new URL(CLIENT_NAMESPACE, baseUrl).toString(), {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.#requests = new SocketRequests(this.#socket, 'cloud relay', false);
    // Sent once connected (or failed with the connection): call:signal must not overtake it.
    this.#joined = this.#requests.request<CallJoinInfo>('call:join', { callId });
    // An unhandled rejection here would be noise: request() surfaces the failure.
    this.#joined.catch(() => undefined);
  }

  /** What the cloud answered to `call:join` (edge URL, ICE servers, the participant id). */
  get joinInfo(): Promise<CallJoinInfo> {
    return this.#joined;
  }

  async request<M extends SignalMethod>(method: M, data: unknown = {}): Promise<SignalResponses[M]> {
    await this.#joined;
    return this.#requests.request<SignalResponses[M]>('call:signal', {
      callId: this.callId,
      request: { method, data },
    });
  }

  onNotify(listener: (n: SignalNotification) => void): void {
    this.#socket.on('call:notify', (msg: CallNotify) => {
      if (msg.callId === this.callId) listener(msg.notification as SignalNotification);
    });
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
    return (await this.#joined).edge.iceServers;
  }
}

/**
 * A channel whose real channel is made asynchronously (e.g. after fetching a
 * fresh join token): listeners are attached once it exists, requests wait for it.
 */
export class DeferredChannel implements SignalChannel {
  readonly #inner: Promise<SignalChannel>;
  #closed = false;

  constructor(make: () => Promise<SignalChannel>) {
    this.#inner = make().then((ch) => {
      if (this.#closed) ch.close();
      return ch;
    });
    this.#inner.catch(() => undefined);
  }

  async request<M extends SignalMethod>(method: M, data?: unknown): Promise<SignalResponses[M]> {
    return (await this.#inner).request(method, data);
  }

  onNotify(listener: (n: SignalNotification) => void): void {
    void this.#inner.then(
      (ch) => ch.onNotify(listener),
      () => undefined,
    );
  }

  onConnectionChange(
    listener: (state: 'connected' | 'disconnected' | 'failed', reason?: string) => void,
  ): void {
    void this.#inner.then(
      (ch) => ch.onConnectionChange(listener),
      (err: Error) => listener('failed', err.message),
    );
  }

  close(): void {
    this.#closed = true;
    void this.#inner.then(
      (ch) => ch.close(),
      () => undefined,
    );
  }

  async iceServers(): Promise<RTCIceServer[] | undefined> {
    return (await this.#inner).iceServers?.();
  }
}
