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

/** Direct connection to the edge's signaling, authenticated by a join token. */
export class EdgeSocketChannel implements SignalChannel {
  readonly #socket: Socket;

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
  }

  async request<M extends SignalMethod>(method: M, data: unknown = {}): Promise<SignalResponses[M]> {
    const res = (await this.#socket.timeout(15_000).emitWithAck(SFU_REQUEST_EVENT, { method, data })) as Ack<
      SignalResponses[M]
    >;
    if (!res.ok) throw new SignalError(res.error.code, res.error.message);
    return res.data;
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
