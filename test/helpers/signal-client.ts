// A scripted participant for tests that do not need a browser: speaks the same
// socket.io signaling protocol as the React client.
import { io, type Socket } from 'socket.io-client';
import type { Ack, ErrorBody } from '#protocol/errors';
import {
  SFU_NAMESPACE,
  SFU_NOTIFY_EVENT,
  SFU_REQUEST_EVENT,
  type SignalNotification,
} from '#protocol/signaling';

export class SignalClient {
  readonly notifications: SignalNotification[] = [];
  private constructor(readonly socket: Socket) {
    socket.on(SFU_NOTIFY_EVENT, (n: SignalNotification) => this.notifications.push(n));
  }

  /** Connects; rejects with the server's ErrorBody if the handshake is refused. */
  static connect(edgeUrl: string, token: string | undefined): Promise<SignalClient> {
    const socket = io(new URL(SFU_NAMESPACE, edgeUrl).toString(), {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new SignalClient(socket)));
      socket.once('connect_error', (err: Error & { data?: ErrorBody }) => {
        socket.close();
        reject(Object.assign(new Error(err.message), { body: err.data }));
      });
    });
  }

  /** Sends a raw payload (valid or not) and returns the server's Ack. */
  async raw(payload: unknown): Promise<Ack<unknown>> {
    return (await this.socket.timeout(10_000).emitWithAck(SFU_REQUEST_EVENT, payload)) as Ack<unknown>;
  }

  async request<T = Record<string, unknown>>(method: string, data: unknown = {}): Promise<T> {
    const res = await this.raw({ method, data });
    if (!res.ok)
      throw Object.assign(new Error(`${method}: ${res.error.code}: ${res.error.message}`), {
        code: res.error.code,
      });
    return res.data as T;
  }

  async waitFor<T extends SignalNotification['type']>(
    type: T,
    timeoutMs = 10_000,
  ): Promise<Extract<SignalNotification, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.notifications.find((n) => n.type === type);
      if (found) {
        this.notifications.splice(this.notifications.indexOf(found), 1);
        return found as Extract<SignalNotification, { type: T }>;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `no ${type} notification within ${timeoutMs} ms (got: ${this.notifications.map((n) => n.type).join(', ') || 'none'})`,
    );
  }

  close(): void {
    this.socket.close();
  }
}
