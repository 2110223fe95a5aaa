// Splits ffmpeg's `image2pipe` MJPEG output (JPEG images back to back on a
// pipe, no framing) into whole images. Headers carry their own length up to the
// scan; inside the entropy-coded scan every 0xFF byte is followed by 0x00 or a
// restart marker, so the first other marker after a scan (EOI, or the next
// scan of a progressive image) is found by scanning. No false splits, unlike
// searching for FF D9 alone.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

function standalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/** Index just past the image starting at 0, or -1 when `buf` does not hold all of it yet. */
function imageEnd(buf: Buffer): number {
  let pos = 2;
  for (;;) {
    // Markers may be preceded by any number of 0xFF fill bytes.
    while (pos < buf.length && buf[pos] === 0xff && buf[pos + 1] === 0xff) pos++;
    if (pos + 1 >= buf.length) return -1;
    if (buf[pos] !== 0xff) throw new JpegStreamError(`expected a JPEG marker at byte ${pos}`);
    const marker = buf[pos + 1]!;
    if (marker === EOI) return pos + 2;
    if (standalone(marker)) {
      pos += 2;
      continue;
    }
    if (pos + 3 >= buf.length) return -1;
    pos += 2 + buf.readUInt16BE(pos + 2);
    if (marker !== SOS) continue;
    // Entropy-coded data: runs to the first marker that is neither stuffing (FF 00) nor a restart.
    for (;;) {
      const ff = buf.indexOf(0xff, pos);
      if (ff === -1 || ff + 1 >= buf.length) return -1;
      const next = buf[ff + 1]!;
      if (next === 0x00 || standalone(next) || next === 0xff) {
        pos = next === 0xff ? ff + 1 : ff + 2;
        continue;
      }
      pos = ff;
      break;
    }
  }
}

export class JpegStreamError extends Error {
  override name = 'JpegStreamError';
}

export class JpegSplitter {
  #buf: Buffer = Buffer.alloc(0);
  /** Images skipped because their headers made no sense. */
  damaged = 0;

  /** Bytes held for an image not complete yet. */
  get pending(): number {
    return this.#buf.length;
  }

  /** Adds bytes from the pipe; returns the images they completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      const start = this.#findSoi();
      if (start === -1) return images;
      if (start > 0) this.#buf = this.#buf.subarray(start);
      let end: number;
      try {
        end = imageEnd(this.#buf);
      } catch (err) {
        if (!(err instanceof JpegStreamError)) throw err;
        // A damaged image: skip it and resynchronise on the next start of image.
        this.#buf = this.#buf.subarray(2);
        this.damaged++;
        continue;
      }
      if (end === -1) return images;
      images.push(Buffer.from(this.#buf.subarray(0, end)));
      this.#buf = this.#buf.subarray(end);
    }
  }

  /** Start of the next image; bytes before it (none from a healthy ffmpeg) are dropped. */
  #findSoi(): number {
    for (
      let i = this.#buf.indexOf(0xff);
      i !== -1 && i + 1 < this.#buf.length;
      i = this.#buf.indexOf(0xff, i + 1)
    ) {
      if (this.#buf[i + 1] === SOI) return i;
    }
    if (this.#buf.length > 0 && this.#buf[this.#buf.length - 1] !== 0xff) this.#buf = Buffer.alloc(0);
    return -1;
  }
}
