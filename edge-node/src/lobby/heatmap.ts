// Where people stand, over time: a cols×rows grid of person-seconds, one cell
// per patch of the camera image, accumulated at each person's feet. Rendered
// as a colour PNG with the zones outlined for the ops view. The image is made
// from the grid only — it contains no camera pixels, so it may leave the edge.
import sharp from 'sharp';
import type { LobbyZone, Point } from '#protocol/lobby';

export class HeatMap {
  readonly cells: Float64Array;
  #totalS = 0;

  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.cells = new Float64Array(cols * rows);
  }

  /** Adds `seconds` of presence at each point (normalised feet positions). */
  add(points: readonly Point[], seconds: number): void {
    if (!(seconds > 0)) return;
    this.#totalS += seconds;
    for (const [x, y] of points) {
      const c = Math.min(this.cols - 1, Math.max(0, Math.floor(x * this.cols)));
      const r = Math.min(this.rows - 1, Math.max(0, Math.floor(y * this.rows)));
      this.cells[r * this.cols + c]! += seconds;
    }
  }

  /** Adds a saved map of the same grid (the day so far, before the edge restarted). */
  restore(cells: readonly number[], totalS: number): void {
    if (cells.length !== this.cells.length) throw new Error('heat map grid changed');
    for (let i = 0; i < cells.length; i++) this.cells[i]! += cells[i]!;
    this.#totalS += totalS;
  }

  /** Observed time the map covers (seconds of analysed video). */
  get totalS(): number {
    return this.#totalS;
  }

  /** Cell with the most person-seconds, as [col, row, seconds]. */
  peak(): [number, number, number] {
    let best = 0;
    for (let i = 1; i < this.cells.length; i++) if (this.cells[i]! > this.cells[best]!) best = i;
    return [best % this.cols, Math.floor(best / this.cols), this.cells[best]!];
  }

  /** Grid as rows of person-seconds rounded to 0.1 s (the JSON form of the map). */
  toGrid(): number[][] {
    const out: number[][] = [];
    for (let r = 0; r < this.rows; r++)
      out.push(
        Array.from(this.cells.subarray(r * this.cols, (r + 1) * this.cols), (v) => Math.round(v * 10) / 10),
      );
    return out;
  }

  /**
   * PNG, `cellPx` pixels per cell, colour from dark blue (never occupied) to
   * yellow-white (the busiest cell), zones outlined in white with their ids.
   */
  async png(zones: readonly LobbyZone[] = [], cellPx = 16): Promise<Buffer> {
    const max = this.cells.reduce((m, v) => Math.max(m, v), 0);
    const raw = Buffer.alloc(this.cols * this.rows * 3);
    for (let i = 0; i < this.cells.length; i++) {
      // sqrt: a spot used for a minute should stay visible next to one used for an hour.
      const [r, g, b] = colour(max > 0 ? Math.sqrt(this.cells[i]! / max) : 0);
      raw[i * 3] = r;
      raw[i * 3 + 1] = g;
      raw[i * 3 + 2] = b;
    }
    const width = this.cols * cellPx;
    const height = this.rows * cellPx;
    const outline = zones
      .map((z) => {
        const pts = z.polygon
          .map(([x, y]) => `${(x * width).toFixed(1)},${(y * height).toFixed(1)}`)
          .join(' ');
        const [lx, ly] = z.polygon[0]!;
        return `<polygon points="${pts}" fill="none" stroke="white" stroke-width="2" stroke-dasharray="6 3"/><text x="${(lx * width + 4).toFixed(1)}" y="${(ly * height + 14).toFixed(1)}" fill="white" font-family="sans-serif" font-size="12">${escapeXml(z.id)}</text>`;
      })
      .join('');
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${outline}</svg>`,
    );
    return sharp(raw, { raw: { width: this.cols, height: this.rows, channels: 3 } })
      .resize(width, height, { kernel: 'cubic' })
      .composite([{ input: svg, top: 0, left: 0 }])
      .png({ compressionLevel: 9 })
      .toBuffer();
  }
}

/** A perceptual-ish ramp: navy → purple → orange → light yellow. */
export function colour(t: number): [number, number, number] {
  const stops: [number, number, number, number][] = [
    [0, 10, 10, 40],
    [0.35, 110, 30, 130],
    [0.7, 240, 120, 40],
    [1, 255, 250, 190],
  ];
  const x = Math.min(1, Math.max(0, t));
  for (let i = 1; i < stops.length; i++) {
    const [t1, r1, g1, b1] = stops[i]!;
    const [t0, r0, g0, b0] = stops[i - 1]!;
    if (x <= t1) {
      const f = (x - t0) / (t1 - t0);
      return [Math.round(r0 + f * (r1 - r0)), Math.round(g0 + f * (g1 - g0)), Math.round(b0 + f * (b1 - b0))];
    }
  }
  return [255, 250, 190];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
