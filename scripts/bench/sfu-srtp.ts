// SRTP/SRTCP protection for the benchmark's synthetic publishers, sending side
// only: AES_CM_128_HMAC_SHA1_80 (RFC 3711) and AEAD_AES_256_GCM (RFC 7714, what
// Chrome and mediasoup negotiate over DTLS). The SFUs under test decrypt and
// authenticate what this produces, so a wrong byte shows up as loss at once.
// Node's crypto does the AES; one call per packet is cheap because the generator
// protects each packet once and sends the same bytes to every room.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_256_GCM';

const SUITES: Record<SrtpSuite, { keyLen: number; saltLen: number }> = {
  AES_CM_128_HMAC_SHA1_80: { keyLen: 16, saltLen: 14 },
  AEAD_AES_256_GCM: { keyLen: 32, saltLen: 12 },
};
const HMAC_TAG_LEN = 10;
const GCM_TAG_LEN = 16;

export interface SrtpMasterKey {
  suite: SrtpSuite;
  key: Buffer;
  salt: Buffer;
}

export function randomMasterKey(suite: SrtpSuite = 'AES_CM_128_HMAC_SHA1_80'): SrtpMasterKey {
  const s = SUITES[suite];
  return { suite, key: randomBytes(s.keyLen), salt: randomBytes(s.saltLen) };
}

/** The SDES-style `inline:` key: base64(master key ‖ master salt), as mediasoup and Janus take it. */
export function masterKeyBase64(m: SrtpMasterKey): string {
  return Buffer.concat([m.key, m.salt]).toString('base64');
}

export function masterKeyFromBase64(b64: string, suite: SrtpSuite): SrtpMasterKey {
  const raw = Buffer.from(b64, 'base64');
  const s = SUITES[suite];
  if (raw.length !== s.keyLen + s.saltLen)
    throw new Error(`${suite} master key must be ${s.keyLen + s.saltLen} bytes, got ${raw.length}`);
  return { suite, key: raw.subarray(0, s.keyLen), salt: raw.subarray(s.keyLen) };
}

/** AES-CM key derivation (RFC 3711 §4.3.1, key derivation rate 0; RFC 7714 §11 for the 96-bit salt). */
export function deriveSessionKey(master: SrtpMasterKey, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  master.salt.copy(iv, 0);
  iv[7]! ^= label;
  const cipher = createCipheriv(master.key.length === 32 ? 'aes-256-ctr' : 'aes-128-ctr', master.key, iv);
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

interface SessionKeys {
  encKey: Buffer;
  authKey: Buffer;
  salt: Buffer;
}

function sessionKeys(master: SrtpMasterKey, rtcp: boolean): SessionKeys {
  const base = rtcp ? 3 : 0;
  const { keyLen, saltLen } = SUITES[master.suite];
  return {
    encKey: deriveSessionKey(master, base, keyLen),
    authKey: master.suite === 'AEAD_AES_256_GCM' ? Buffer.alloc(0) : deriveSessionKey(master, base + 1, 20),
    salt: deriveSessionKey(master, base + 2, saltLen),
  };
}

/** AES-CM IV: salt·2^16 ⊕ SSRC·2^64 ⊕ index·2^16 (RFC 3711 §4.1.1). */
function counterIv(salt: Buffer, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16);
  salt.copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const hi = Math.floor(index / 0x1_0000_0000);
  const lo = index >>> 0;
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ (hi & 0xffff), 8);
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ lo) >>> 0, 10);
  return iv;
}

/** GCM IV: (0x0000 ‖ SSRC ‖ ROC ‖ SEQ) ⊕ salt for SRTP; (0x0000 ‖ SSRC ‖ 0x0000 ‖ index) ⊕ salt for SRTCP (RFC 7714 §8.1, §9.1). */
function gcmIv(salt: Buffer, ssrc: number, hi: number, lo: number, loBytes: 2 | 4): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc >>> 0, 2);
  if (loBytes === 2) {
    iv.writeUInt32BE(hi >>> 0, 6);
    iv.writeUInt16BE(lo & 0xffff, 10);
  } else {
    iv.writeUInt32BE(lo >>> 0, 8);
  }
  for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
  return iv;
}

function rtpHeaderLength(packet: Buffer): number {
  const cc = packet[0]! & 0x0f;
  let len = 12 + 4 * cc;
  if (packet[0]! & 0x10) len += 4 + 4 * packet.readUInt16BE(len + 2);
  return len;
}

/** One sender's SRTP context: tracks the rollover counter per SSRC. */
export class SrtpSender {
  readonly #suite: SrtpSuite;
  readonly #rtp: SessionKeys;
  readonly #rtcp: SessionKeys;
  readonly #streams = new Map<number, { roc: number; lastSeq: number }>();
  #srtcpIndex = 0;

  constructor(master: SrtpMasterKey) {
    this.#suite = master.suite;
    this.#rtp = sessionKeys(master, false);
    this.#rtcp = sessionKeys(master, true);
  }

  /** Returns a new buffer: header in clear, payload encrypted, tag appended. */
  protectRtp(packet: Buffer): Buffer {
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    let s = this.#streams.get(ssrc);
    if (!s) this.#streams.set(ssrc, (s = { roc: 0, lastSeq: seq }));
    else if (seq < s.lastSeq && s.lastSeq - seq > 0x8000) s.roc++;
    s.lastSeq = seq;
    const headerLen = rtpHeaderLength(packet);
    const header = packet.subarray(0, headerLen);
    const payload = packet.subarray(headerLen);
    if (this.#suite === 'AEAD_AES_256_GCM') {
      const cipher = createCipheriv(
        'aes-256-gcm',
        this.#rtp.encKey,
        gcmIv(this.#rtp.salt, ssrc, s.roc, seq, 2),
        { authTagLength: GCM_TAG_LEN },
      );
      cipher.setAAD(header);
      return Buffer.concat([header, cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
    }
    const index = s.roc * 0x10000 + seq;
    const cipher = createCipheriv('aes-128-ctr', this.#rtp.encKey, counterIv(this.#rtp.salt, ssrc, index));
    const out = Buffer.allocUnsafe(packet.length + HMAC_TAG_LEN);
    header.copy(out, 0);
    cipher.update(payload).copy(out, headerLen);
    const roc = Buffer.allocUnsafe(4);
    roc.writeUInt32BE(s.roc >>> 0);
    const tag = createHmac('sha1', this.#rtp.authKey)
      .update(out.subarray(0, packet.length))
      .update(roc)
      .digest();
    tag.copy(out, packet.length, 0, HMAC_TAG_LEN);
    return out;
  }

  /** SRTCP: encrypts after the first 8 bytes, adds E‖index and the tag. */
  protectRtcp(packet: Buffer): Buffer {
    const ssrc = packet.readUInt32BE(4);
    const index = this.#srtcpIndex++ & 0x7fffffff;
    const eIndex = Buffer.allocUnsafe(4);
    eIndex.writeUInt32BE((0x80000000 | index) >>> 0);
    if (this.#suite === 'AEAD_AES_256_GCM') {
      const cipher = createCipheriv(
        'aes-256-gcm',
        this.#rtcp.encKey,
        gcmIv(this.#rtcp.salt, ssrc, 0, index, 4),
        { authTagLength: GCM_TAG_LEN },
      );
      cipher.setAAD(Buffer.concat([packet.subarray(0, 8), eIndex]));
      return Buffer.concat([
        packet.subarray(0, 8),
        cipher.update(packet.subarray(8)),
        cipher.final(),
        cipher.getAuthTag(),
        eIndex,
      ]);
    }
    const cipher = createCipheriv('aes-128-ctr', this.#rtcp.encKey, counterIv(this.#rtcp.salt, ssrc, index));
    const out = Buffer.allocUnsafe(packet.length + 4 + HMAC_TAG_LEN);
    packet.copy(out, 0, 0, 8);
    cipher.update(packet.subarray(8)).copy(out, 8);
    eIndex.copy(out, packet.length);
    const tag = createHmac('sha1', this.#rtcp.authKey)
      .update(out.subarray(0, packet.length + 4))
      .digest();
    tag.copy(out, packet.length + 4, 0, HMAC_TAG_LEN);
    return out;
  }
}
