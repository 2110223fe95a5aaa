// RTP fixed header (RFC 3550 §5.1) with CSRCs, header extension and padding.
export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Uint8Array;
}

/** Parses one RTP packet; returns undefined for anything that is not RTP v2 (RTCP included). */
export function parseRtp(buf: Uint8Array): RtpPacket | undefined {
  if (buf.length < 12) return undefined;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 >> 6 !== 2) return undefined;
  const payloadType = b1 & 0x7f;
  // RTCP packet types 200–204 land on payload types 72–76 with the marker bit set.
  if (payloadType >= 72 && payloadType <= 76) return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (buf.length < offset + 4) return undefined;
    offset += 4 + view.getUint16(offset + 2) * 4;
  }
  let end = buf.length;
  if (b0 & 0x20) end -= buf[buf.length - 1]!;
  if (offset > end) return undefined;
  return {
    payloadType,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: buf.subarray(offset, end),
  };
}

/** Builds an RTP packet (tests and benchmarks generate streams with it). */
export function buildRtp(p: Omit<RtpPacket, 'marker'> & { marker?: boolean }): Buffer {
  const out = Buffer.alloc(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  out.set(p.payload, 12);
  return out;
}

/** Unwraps 16-bit sequence numbers into a monotonic count, choosing the nearest candidate. */
export class SequenceUnwrapper {
  #last: number | undefined;
  unwrap(seq: number): number {
    if (this.#last === undefined) {
      this.#last = seq;
      return seq;
    }
    const base = this.#last - (this.#last & 0xffff);
    let candidate = base + seq;
    if (candidate - this.#last > 0x8000) candidate -= 0x10000;
    else if (this.#last - candidate > 0x8000) candidate += 0x10000;
    if (candidate > this.#last) this.#last = candidate;
    return candidate;
  }
}

/** Unwraps 32-bit RTP timestamps the same way. */
export class TimestampUnwrapper {
  #last: number | undefined;
  unwrap(ts: number): number {
    if (this.#last === undefined) {
      this.#last = ts;
      return ts;
    }
    const low = this.#last % 0x100000000;
    let candidate = this.#last - low + ts;
    if (candidate - this.#last > 0x80000000) candidate -= 0x100000000;
    else if (this.#last - candidate > 0x80000000) candidate += 0x100000000;
    if (candidate > this.#last) this.#last = candidate;
    return candidate;
  }
}
