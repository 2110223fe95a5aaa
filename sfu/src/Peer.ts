// A participant in a room: identity, the channel that reaches their device, and
// the mediasoup objects they own. Closing a peer closes its transports, which
// cascades to its producers and consumers.
import type { types } from 'mediasoup';
import type { CallRole } from '#protocol/roles';
import type { PeerInfo, SignalNotification } from '#protocol/signaling';

/** How the room reaches a participant: a local socket, or the cloud relay. */
export interface PeerChannel {
  notify(notification: SignalNotification): void;
  /** Ends the participant's session (e.g. the same identity joined again elsewhere). */
  disconnect(reason: string): void;
}

export interface PeerIdentity {
  peerId: string;
  role: CallRole;
  displayName: string;
  device?: string;
  /** Reached through the cloud relay rather than the edge's own socket. */
  remote?: boolean;
}

export class Peer {
  joined = false;
  rtpCapabilities?: types.RtpCapabilities;
  sctpCapabilities?: unknown;
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, types.Producer>();
  readonly consumers = new Map<string, types.Consumer>();
  readonly dataProducers = new Map<string, types.DataProducer>();
  readonly dataConsumers = new Map<string, types.DataConsumer>();
  /** Viewport heights per video consumer, for simulcast layer choice. */
  readonly viewports = new Map<string, number>();
  router!: types.Router;
  #closed = false;

  constructor(
    readonly identity: PeerIdentity,
    public channel: PeerChannel,
  ) {}

  get id(): string {
    return this.identity.peerId;
  }

  get role(): CallRole {
    return this.identity.role;
  }

  get closed(): boolean {
    return this.#closed;
  }

  info(): PeerInfo {
    const { peerId, role, displayName, device } = this.identity;
    return { peerId, role, displayName, ...(device ? { device } : {}) };
  }

  notify(notification: SignalNotification): void {
    if (!this.#closed) this.channel.notify(notification);
  }

  /** The receive transport (`appData.direction === 'recv'`), where consumers live. */
  recvTransport(): types.WebRtcTransport | undefined {
    for (const t of this.transports.values()) if (t.appData.direction === 'recv') return t;
    return undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.transports.values()) t.close();
  }
}
