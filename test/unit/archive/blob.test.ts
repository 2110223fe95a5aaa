// The at-rest blob format: round trips of any size, random-access ranges,
// and refusal of altered, truncated, reordered or wrongly keyed files.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import {
  BLOB_CHUNK_BYTES,
  BlobFormatError,
  BlobReader,
  BlobWriter,
  plaintextSize,
  readBlob,
  sha256File,
  writeBlob,
} from '#common/archive/blob';

const dir = mkdtempSync(path.join(os.tmpdir(), 'blob-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = randomBytes(32);
let n = 0;
const file = () => path.join(dir, `b${n++}.bea`);

describe('encrypted blobs', () => {
  test.each([
    0,
    1,
    100,
    BLOB_CHUNK_BYTES - 1,
    BLOB_CHUNK_BYTES,
    BLOB_CHUNK_BYTES + 1,
    3 * BLOB_CHUNK_BYTES + 5,
  ])('a %i-byte plaintext round-trips and its size is known from the file', async (size) => {
    const plain = randomBytes(size);
    const f = file();
    const written = await writeBlob(f, key, plain);
    expect(written.plainBytes).toBe(size);
    expect(written.sha256).toBe(await sha256File(f));
    expect(plaintextSize(readFileSync(f).length)).toBe(size);
    expect((await readBlob(f, key)).equals(plain)).toBe(true);
    // ciphertext does not contain the plaintext
    if (size > 64) expect(readFileSync(f).includes(plain.subarray(0, 32))).toBe(false);
  });

  test('any byte range decrypts to the same bytes as the plaintext', async () => {
    const plain = randomBytes(5 * BLOB_CHUNK_BYTES + 1234);
    const f = file();
    const writer = await BlobWriter.create(f, key);
    // written in odd pieces, as a stream would
    for (let off = 0; off < plain.length; off += 7777) await writer.write(plain.subarray(off, off + 7777));
    await writer.close();
    const reader = await BlobReader.open(f, key);
    try {
      await fc.assert(
        fc.asyncProperty(fc.nat(plain.length), fc.nat(plain.length), async (a, b) => {
          const [s, e] = a <= b ? [a, b] : [b, a];
          expect((await reader.read(s, e)).equals(plain.subarray(s, e))).toBe(true);
        }),
        { numRuns: 200 },
      );
    } finally {
      await reader.close();
    }
  });

  test('a flipped bit, a wrong key, a truncation at a chunk boundary and swapped chunks are all refused', async () => {
    const plain = randomBytes(3 * BLOB_CHUNK_BYTES);
    const f = file();
    await writeBlob(f, key, plain);
    const bytes = readFileSync(f);

    const flipped = Buffer.from(bytes);
    flipped[28 + 10]! ^= 1;
    writeFileSync(f, flipped);
    await expect(readBlob(f, key)).rejects.toThrow(BlobFormatError);

    writeFileSync(f, bytes);
    await expect(readBlob(f, randomBytes(32))).rejects.toThrow(BlobFormatError);

    const full = BLOB_CHUNK_BYTES + 16;
    writeFileSync(f, bytes.subarray(0, 28 + 2 * full)); // drop the last chunk
    await expect(readBlob(f, key)).rejects.toThrow(BlobFormatError);

    const swapped = Buffer.concat([
      bytes.subarray(0, 28),
      bytes.subarray(28 + full, 28 + 2 * full),
      bytes.subarray(28, 28 + full),
      bytes.subarray(28 + 2 * full),
    ]);
    writeFileSync(f, swapped);
    await expect(readBlob(f, key)).rejects.toThrow(BlobFormatError);
  });

  test('the same plaintext encrypts differently every time (per-file key)', async () => {
    const plain = Buffer.from('the same report');
    const [a, b] = [file(), file()];
    await writeBlob(a, key, plain);
    await writeBlob(b, key, plain);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(false);
  });

  test('a file that is not a blob is refused', async () => {
    const f = file();
    writeFileSync(f, Buffer.from('RIFF....WAVEfmt '.repeat(10)));
    await expect(readBlob(f, key)).rejects.toThrow(/not an archive blob/);
  });
});
