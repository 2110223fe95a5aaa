// The at-rest format of every archived file ("BEA1"): AES-256-GCM in 64 KiB
// chunks, so a byte range (HTTP Range, a clip cut) decrypts only the chunks it
// touches. Each file derives its own key from the call's data key and a random
// salt (HKDF-SHA256), so nonces (the chunk index) never repeat under one key.
// Every chunk authenticates the header and whether it is the last one: chunks
// cannot be reordered, dropped or the file truncated without failing to decrypt.
//
//   header (28 B): "BEA1" | version u8 = 1 | flags u8 | reserved u16 | chunkSize u32 BE | salt 16 B
//   chunk i:       ciphertext (chunkSize bytes, the last one shorter) | GCM tag 16 B
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';

const MAGIC = Buffer.from('BEA1');
const HEADER_BYTES = 28;
const TAG_BYTES = 16;
export const BLOB_CHUNK_BYTES = 64 * 1024;
const HKDF_INFO = Buffer.from('branchedge archive blob v1');

export class BlobFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobFormatError';
  }
}

function fileKey(dataKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, salt, HKDF_INFO, 32));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function aad(header: Buffer, last: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([last ? 1 : 0])]);
}

function makeHeader(chunkSize: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(1, 4);
  header.writeUInt32BE(chunkSize, 8);
  randomBytes(16).copy(header, 12);
  return header;
}

function parseHeader(header: Buffer): { chunkSize: number; salt: Buffer } {
  if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC) || header.readUInt8(4) !== 1) {
    throw new BlobFormatError('not an archive blob (bad magic or version)');
  }
  const chunkSize = header.readUInt32BE(8);
  if (chunkSize < 1024 || chunkSize > 16 * 1024 * 1024)
    throw new BlobFormatError(`implausible chunk size ${chunkSize}`);
  return { chunkSize, salt: header.subarray(12, 28) };
}

/** Plaintext size of a blob of `fileBytes` bytes. */
export function plaintextSize(fileBytes: number, chunkSize = BLOB_CHUNK_BYTES): number {
  const body = fileBytes - HEADER_BYTES;
  const full = chunkSize + TAG_BYTES;
  if (body < TAG_BYTES) throw new BlobFormatError('blob shorter than one chunk');
  const chunks = Math.ceil(body / full);
  return body - chunks * TAG_BYTES;
}

export interface WrittenBlob {
  /** SHA-256 (hex) of the ciphertext file as written: what the manifest records. */
  sha256: string;
  bytes: number;
  plainBytes: number;
}

/**
 * Streams plaintext into an encrypted file. Writes to `<path>.part` and renames on
 * `close()`, so a crash never leaves a half-written file under the final name.
 */
export class BlobWriter {
  readonly #hash = createHash('sha256');
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #index = 0;
  #bytes = 0;
  #plainBytes = 0;
  #closed = false;

  private constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly header: Buffer,
    private readonly key: Buffer,
    private readonly chunkSize: number,
  ) {}

  static async create(path: string, dataKey: Buffer, chunkSize = BLOB_CHUNK_BYTES): Promise<BlobWriter> {
    const fh = await open(`${path}.part`, 'w', 0o600);
    const header = makeHeader(chunkSize);
    const writer = new BlobWriter(fh, path, header, fileKey(dataKey, header.subarray(12, 28)), chunkSize);
    await writer.#out(header);
    return writer;
  }

  async write(data: Buffer): Promise<void> {
    if (this.#closed) throw new Error('blob writer closed');
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    this.#plainBytes += data.length;
    // Hold back at least one byte: the last chunk is only known at close().
    if (this.#pendingBytes <= this.chunkSize) return;
    const all = Buffer.concat(this.#pending);
    let off = 0;
    while (all.length - off > this.chunkSize) {
      await this.#chunk(all.subarray(off, off + this.chunkSize), false);
      off += this.chunkSize;
    }
    this.#pending = [all.subarray(off)];
    this.#pendingBytes = all.length - off;
  }

  async close(): Promise<WrittenBlob> {
    if (this.#closed) throw new Error('blob writer closed twice');
    this.#closed = true;
    try {
      await this.#chunk(Buffer.concat(this.#pending), true);
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
    await rename(`${this.path}.part`, this.path);
    return { sha256: this.#hash.digest('hex'), bytes: this.#bytes, plainBytes: this.#plainBytes };
  }

  /** Drops the partial file (after a failed write). */
  async abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.fh.close().catch(() => undefined);
    }
    await unlink(`${this.path}.part`).catch(() => undefined);
  }

  async #chunk(plain: Buffer, last: boolean): Promise<void> {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.#index++));
    cipher.setAAD(aad(this.header, last));
    const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    await this.#out(ct);
  }

  async #out(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.#hash.update(buf);
    this.#bytes += buf.length;
  }
}

/** Encrypts a whole buffer into `path`. */
export async function writeBlob(path: string, dataKey: Buffer, plain: Buffer): Promise<WrittenBlob> {
  const writer = await BlobWriter.create(path, dataKey);
  try {
    await writer.write(plain);
    return await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Random-access reader of one blob. */
export class BlobReader {
  private constructor(
    private readonly fh: FileHandle,
    private readonly header: Buffer,
    private readonly key: Buffer,
    private readonly chunkSize: number,
    private readonly chunks: number,
    readonly size: number,
  ) {}

  static async open(path: string, dataKey: Buffer): Promise<BlobReader> {
    const fh = await open(path, 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      await fh.read(header, 0, HEADER_BYTES, 0);
      const { chunkSize, salt } = parseHeader(header);
      const { size: fileBytes } = await fh.stat();
      const size = plaintextSize(fileBytes, chunkSize);
      const chunks = Math.ceil((fileBytes - HEADER_BYTES) / (chunkSize + TAG_BYTES));
      return new BlobReader(fh, header, fileKey(dataKey, salt), chunkSize, chunks, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Plaintext bytes [start, end) (end clamped to the size). */
  async read(start: number, end: number): Promise<Buffer> {
    end = Math.min(end, this.size);
    if (start >= end) return Buffer.alloc(0);
    const first = Math.floor(start / this.chunkSize);
    const last = Math.floor((end - 1) / this.chunkSize);
    const parts: Buffer[] = [];
    for (let i = first; i <= last; i++) parts.push(await this.#chunk(i));
    const joined = Buffer.concat(parts);
    const offset = start - first * this.chunkSize;
    return joined.subarray(offset, offset + (end - start));
  }

  /** Yields the plaintext chunk by chunk (whole-file reads: decrypting into a spool for ffmpeg). */
  async *chunksFrom(start = 0): AsyncGenerator<Buffer> {
    for (let i = Math.floor(start / this.chunkSize); i < this.chunks; i++) {
      const chunk = await this.#chunk(i);
      yield i === Math.floor(start / this.chunkSize) ? chunk.subarray(start - i * this.chunkSize) : chunk;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  async #chunk(index: number): Promise<Buffer> {
    const full = this.chunkSize + TAG_BYTES;
    const buf = Buffer.alloc(full);
    const { bytesRead } = await this.fh.read(buf, 0, full, HEADER_BYTES + index * full);
    if (bytesRead < TAG_BYTES) throw new BlobFormatError(`chunk ${index} truncated`);
    const ct = buf.subarray(0, bytesRead - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce(index));
    decipher.setAAD(aad(this.header, index === this.chunks - 1));
    decipher.setAuthTag(buf.subarray(bytesRead - TAG_BYTES, bytesRead));
    try {
      return Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      throw new BlobFormatError(`chunk ${index} failed authentication (altered, or the wrong key)`);
    }
  }
}

/** Decrypts a whole blob into memory (reports, transcripts: small files). */
export async function readBlob(path: string, dataKey: Buffer): Promise<Buffer> {
  const reader = await BlobReader.open(path, dataKey);
  try {
    return await reader.read(0, reader.size);
  } finally {
    await reader.close();
  }
}

/** Decrypts a blob into a plaintext file (for ffmpeg), written with mode 0600. */
export async function decryptToFile(path: string, dataKey: Buffer, target: string): Promise<void> {
  const reader = await BlobReader.open(path, dataKey);
  const out = await open(target, 'w', 0o600);
  try {
    for await (const chunk of reader.chunksFrom(0)) await out.write(chunk);
  } finally {
    await out.close();
    await reader.close();
  }
}

/** Encrypts a plaintext file into a blob, streaming. */
export async function encryptFile(source: string, dataKey: Buffer, target: string): Promise<WrittenBlob> {
  const input = await open(source, 'r');
  const writer = await BlobWriter.create(target, dataKey);
  try {
    const buf = Buffer.alloc(BLOB_CHUNK_BYTES * 4);
    for (;;) {
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      await writer.write(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    await input.close();
  }
}

/** SHA-256 (hex) of a file's bytes as stored. */
export async function sha256File(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}
