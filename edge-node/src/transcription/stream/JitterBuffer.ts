// Reorders RTP packets by (unwrapped) sequence number, drops duplicates and
// packets too late to play, and declares a missing run lost once a newer
// packet has waited `maxDelayMs` for it. Packet- and time-driven (`poll`), no
// timers of its own; the caller passes the clock so tests control it.

export interface JitterPacket {
  /** Unwrapped sequence number (monotonic across wraps). */
  seq: number;
  /** Unwrapped RTP timestamp. */
  ts: number;
  payload: Uint8Array;
}

export type JitterOutput =
  { type: 'packet'; packet: JitterPacket } | { type: 'lost'; fromSeq: number; count: number };

export interface JitterStats {
  received: number;
  duplicates: number;
  late: number;
  lost: number;
  reordered: number;
}

export class JitterBuffer {
  readonly #held = new Map<number, { packet: JitterPacket; arrivalMs: number }>();
  #next: number | undefined;
  /** Until the first playout, packets wait `maxDelayMs` so a reordered start is not lost. */
  #firstArrival: number | undefined;
  #maxSeen = -Infinity;
  readonly stats: JitterStats = { received: 0, duplicates: 0, late: 0, lost: 0, reordered: 0 };

  constructor(
    /** How long a newer packet waits for a missing older one before it is declared lost. */
    readonly maxDelayMs = 60,
    /** A jump of more sequence numbers than this is a restart of the stream, not a loss. */
    readonly maxGap = 500,
  ) {}

  get held(): number {
    return this.#held.size;
  }

  push(packet: JitterPacket, nowMs: number): JitterOutput[] {
    this.stats.received++;
    this.#firstArrival ??= nowMs;
    if (this.#next !== undefined && packet.seq < this.#next) {
      this.stats.late++;
      return [];
    }
    if (this.#held.has(packet.seq)) {
      this.stats.duplicates++;
      return [];
    }
    if (packet.seq < this.#maxSeen) this.stats.reordered++;
    this.#maxSeen = Math.max(this.#maxSeen, packet.seq);
    if (this.#next !== undefined && packet.seq - this.#next > this.maxGap) {
      // Restart (new sender, long mute): everything held is older; play it, then jump.
      const out = this.#drainAll();
      this.#next = packet.seq;
      this.#held.set(packet.seq, { packet, arrivalMs: nowMs });
      return [...out, ...this.#drain(nowMs)];
    }
    this.#held.set(packet.seq, { packet, arrivalMs: nowMs });
    return this.#drain(nowMs);
  }

  /** Releases what has waited long enough (call on a timer). */
  poll(nowMs: number): JitterOutput[] {
    return this.#drain(nowMs);
  }

  /** End of stream: everything held, gaps declared lost. */
  flush(): JitterOutput[] {
    return this.#drainAll();
  }

  #drain(nowMs: number): JitterOutput[] {
    const out: JitterOutput[] = [];
    if (this.#next === undefined) {
      if (this.#held.size === 0 || nowMs - this.#firstArrival! < this.maxDelayMs) return out;
      this.#next = Math.min(...this.#held.keys());
    }
    for (;;) {
      const hit = this.#held.get(this.#next!);
      if (hit) {
        this.#held.delete(this.#next!);
        this.#next!++;
        out.push({ type: 'packet', packet: hit.packet });
        continue;
      }
      if (this.#held.size === 0) return out;
      // A gap: give up on it once the oldest waiting packet has waited long enough.
      let oldest = Infinity;
      let minSeq = Infinity;
      for (const [seq, h] of this.#held) {
        oldest = Math.min(oldest, h.arrivalMs);
        minSeq = Math.min(minSeq, seq);
      }
      if (nowMs - oldest < this.maxDelayMs) return out;
      out.push({ type: 'lost', fromSeq: this.#next!, count: minSeq - this.#next! });
      this.stats.lost += minSeq - this.#next!;
      this.#next = minSeq;
    }
  }

  #drainAll(): JitterOutput[] {
    return this.#drain(Infinity);
  }
}
