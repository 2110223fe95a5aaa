// A UDP relay that impairs one participant's network: it sits between a
// browser and the edge's media port, forwards every datagram both ways, and —
// when told — drops a share of them and delays the rest by a random jitter
// (which also reorders them, as a bad Wi-Fi link does). The edge sees the relay
// as the participant's address; ICE, DTLS and SRTP pass through untouched.
//
// Also: the rewrite that points one page's ICE candidates at the relay, for
// Playwright's routeWebSocket on the edge's socket.io signaling.
import dgram from 'node:dgram';
import type { BrowserContext } from 'playwright-core';

export interface Impairment {
  /** Share of datagrams dropped, 0…1. */
  loss: number;
  /** Extra delay, uniformly random in [0, jitterMs]. */
  jitterMs: number;
  /** Fixed extra delay. */
  delayMs?: number;
}

export interface RelayCounters {
  forwarded: number;
  dropped: number;
}

export class UdpImpairRelay {
  impairment: Impairment = { loss: 0, jitterMs: 0 };
  readonly toEdge: RelayCounters = { forwarded: 0, dropped: 0 };
  readonly toClient: RelayCounters = { forwarded: 0, dropped: 0 };
  readonly #upstream = new Map<string, dgram.Socket>();
  #closed = false;

  private constructor(
    private readonly front: dgram.Socket,
    readonly host: string,
    private readonly target: { host: string; port: number },
  ) {
    front.on('message', (msg, from) => this.#fromClient(msg, from));
  }

  /** Listens on `host` (an ephemeral port) and forwards to the edge's media port `target`. */
  static async start(o: { host: string; target: { host: string; port: number } }): Promise<UdpImpairRelay> {
    const front = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(0, o.host, () => resolve());
    });
    return new UdpImpairRelay(front, o.host, o.target);
  }

  get port(): number {
    return this.front.address().port;
  }

  #pass(counters: RelayCounters, send: () => void): void {
    const { loss, jitterMs, delayMs = 0 } = this.impairment;
    if (loss > 0 && Math.random() < loss) {
      counters.dropped++;
      return;
    }
    counters.forwarded++;
    const delay = delayMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
    if (delay <= 0) send();
    else setTimeout(() => !this.#closed && send(), delay);
  }

  #fromClient(msg: Buffer, from: dgram.RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let up = this.#upstream.get(key);
    if (!up) {
      const socket = dgram.createSocket('udp4');
      up = socket;
      this.#upstream.set(key, socket);
      socket.on('message', (back) =>
        this.#pass(this.toClient, () => this.front.send(back, from.port, from.address)),
      );
      socket.on('error', () => undefined);
      socket.bind(0, this.host);
    }
    const socket = up;
    this.#pass(this.toEdge, () => socket.send(msg, this.target.port, this.target.host));
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#upstream.values()) s.close();
    this.front.close();
  }
}

/**
 * Makes every page of `context` send its media through `relay`: in the edge's
 * answers to `createWebRtcTransport`, UDP candidates are pointed at the relay
 * and TCP candidates removed (so ICE cannot go around it).
 */
export async function routeMediaThroughRelay(context: BrowserContext, relay: UdpImpairRelay): Promise<void> {
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) =>
      ws.send(typeof m === 'string' ? rewriteCandidates(m, relay.host, relay.port) : m),
    );
  });
}

/** socket.io text frame (e.g. `43/sfu,7[{...}]`) → same frame with ICE candidates rewritten. */
export function rewriteCandidates(frame: string, host: string, port: number): string {
  const m = /^(4[0-6](?:\/[^,[]*,)?\d*)(\[.*)$/s.exec(frame);
  if (!m || !frame.includes('iceCandidates')) return frame;
  let payload: unknown;
  try {
    payload = JSON.parse(m[2]!);
  } catch {
    return frame;
  }
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.iceCandidates)) {
      o.iceCandidates = (o.iceCandidates as Array<Record<string, unknown>>)
        .filter((c) => c.protocol === 'udp')
        .map((c) => ({ ...c, address: host, ...(c.ip !== undefined ? { ip: host } : {}), port }));
    }
    Object.values(o).forEach(visit);
  };
  visit(payload);
  return `${m[1]}${JSON.stringify(payload)}`;
}
