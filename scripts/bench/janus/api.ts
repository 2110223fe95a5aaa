// Minimal client of the Janus HTTP API (https://janus.conf.meetecho.com/docs/rest):
// one session, handles attached to the VideoRoom plugin, synchronous plugin
// requests, and asynchronous ones whose answer (with a JSEP) arrives on the
// session's long-poll — matched by transaction.
import { randomUUID } from 'node:crypto';

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

interface JanusReply {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
}

export interface PluginReply {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

export class JanusSession {
  readonly #pending = new Map<string, { resolve: (r: JanusReply) => void; reject: (e: Error) => void }>();
  #closed = false;
  readonly hangups: number[] = [];

  private constructor(
    readonly url: string,
    readonly id: number,
  ) {}

  static async create(url: string): Promise<JanusSession> {
    const r = await post(url, { janus: 'create' });
    if (r.janus !== 'success' || !r.data) throw new Error(`janus create: ${JSON.stringify(r)}`);
    const session = new JanusSession(url, r.data.id);
    void session.#poll();
    return session;
  }

  async attach(plugin = 'janus.plugin.videoroom'): Promise<number> {
    const r = await post(`${this.url}/${this.id}`, { janus: 'attach', plugin });
    if (r.janus !== 'success' || !r.data) throw new Error(`janus attach: ${JSON.stringify(r)}`);
    return r.data.id;
  }

  /** A plugin request answered synchronously (create, add_remote_publisher, …). */
  async request(handle: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await post(`${this.url}/${this.id}/${handle}`, { janus: 'message', body });
    const data = r.plugindata?.data;
    if (r.janus !== 'success' || !data)
      throw new Error(`janus ${String(body.request)}: ${JSON.stringify(r)}`);
    if (data.error)
      throw new Error(`janus ${String(body.request)}: ${String(data.error)} (${String(data.error_code)})`);
    return data;
  }

  /** A plugin request answered asynchronously by an event (join as subscriber, start, …). */
  async message(
    handle: number,
    body: Record<string, unknown>,
    jsep?: Jsep,
    timeoutMs = 15_000,
  ): Promise<PluginReply> {
    const transaction = randomUUID();
    const answered = new Promise<JanusReply>((resolve, reject) => {
      this.#pending.set(transaction, { resolve, reject });
      setTimeout(() => {
        if (this.#pending.delete(transaction))
          reject(new Error(`janus ${String(body.request)}: no event within ${timeoutMs} ms`));
      }, timeoutMs).unref();
    });
    const ack = await post(
      `${this.url}/${this.id}/${handle}`,
      { janus: 'message', body, ...(jsep ? { jsep } : {}) },
      transaction,
    );
    if (ack.janus !== 'ack' && ack.janus !== 'success') {
      this.#pending.delete(transaction);
      throw new Error(`janus ${String(body.request)}: ${JSON.stringify(ack)}`);
    }
    const r = ack.janus === 'success' ? ack : await answered;
    const data = r.plugindata?.data ?? {};
    if (data.error)
      throw new Error(`janus ${String(body.request)}: ${String(data.error)} (${String(data.error_code)})`);
    return { data, ...(r.jsep ? { jsep: r.jsep } : {}) };
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    await post(`${this.url}/${this.id}`, { janus: 'destroy' }).catch(() => undefined);
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let events: JanusReply[];
      try {
        const res = await fetch(`${this.url}/${this.id}?maxev=50&rid=${Date.now()}`);
        const body = (await res.json()) as JanusReply | JanusReply[];
        events = Array.isArray(body) ? body : [body];
      } catch {
        if (this.#closed) return;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const e of events) {
        if (e.janus === 'hangup' && e.sender) this.hangups.push(e.sender);
        if (e.transaction && this.#pending.has(e.transaction) && e.janus !== 'ack') {
          this.#pending.get(e.transaction)!.resolve(e);
          this.#pending.delete(e.transaction);
        }
      }
    }
  }
}

async function post(
  url: string,
  body: Record<string, unknown>,
  transaction: string = randomUUID(),
): Promise<JanusReply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, transaction }),
  });
  const reply = (await res.json()) as JanusReply;
  if (reply.janus === 'error')
    throw new Error(`janus ${String(body.janus)}: ${reply.error?.reason ?? JSON.stringify(reply)}`);
  return reply;
}
