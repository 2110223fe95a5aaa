// Boxes and polygons in normalised image coordinates (0…1, origin top-left).
// Pure functions shared by the tracker, the zones and the heat map.
import type { Point } from '#protocol/lobby';

/** Axis-aligned box: [x1, y1, x2, y2], x1 ≤ x2, y1 ≤ y2. */
export type Box = [number, number, number, number];

export function area(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function centre(b: Box): Point {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

/**
 * Where a person stands: the bottom-centre of their box. Zones are drawn on
 * the floor, and the feet (unlike the box centre) stay inside a floor polygon
 * whatever the person's height in the image.
 */
export function footPoint(b: Box): Point {
  return [(b[0] + b[2]) / 2, b[3]];
}

/** Even–odd ray casting. Points on an edge count as inside on one side only, which is fine for people. */
export function pointInPolygon(p: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Greedy non-maximum suppression: keeps the best-scored of boxes overlapping more than `threshold`. */
export function nms<T extends { box: Box; score: number }>(items: T[], threshold: number): T[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const item of sorted) if (kept.every((k) => iou(k.box, item.box) <= threshold)) kept.push(item);
  return kept;
}
