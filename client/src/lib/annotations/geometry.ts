// Where a video's picture actually is inside its element. Annotations are stored
// in normalised coordinates (0..1) of the video's intrinsic frame, so a mark
// lands on the same point of the image on every screen, whatever the element's
// size, the object-fit (letterboxing or cropping) or the simulcast layer received.
export interface Point {
  x: number;
  y: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Rect extends Point, Size {}
export type Fit = 'contain' | 'cover' | 'fill';

/** The rectangle (in the element's coordinates) the intrinsic frame is drawn into, with object-position 50% 50%. */
export function frameRect(box: Size, intrinsic: Size, fit: Fit): Rect {
  if (fit === 'fill' || intrinsic.width <= 0 || intrinsic.height <= 0 || box.width <= 0 || box.height <= 0) {
    return { x: 0, y: 0, width: box.width, height: box.height };
  }
  const sx = box.width / intrinsic.width;
  const sy = box.height / intrinsic.height;
  const scale = fit === 'contain' ? Math.min(sx, sy) : Math.max(sx, sy);
  const width = intrinsic.width * scale;
  const height = intrinsic.height * scale;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/**
 * Element point → normalised frame point; null outside the visible picture
 * (a click on a letterbox bar, or on a part cropped away).
 */
export function toNormalised(p: Point, frame: Rect, box: Size, mirrored = false): Point | null {
  if (p.x < Math.max(0, frame.x) || p.y < Math.max(0, frame.y)) return null;
  if (p.x > Math.min(box.width, frame.x + frame.width) || p.y > Math.min(box.height, frame.y + frame.height))
    return null;
  const x = (p.x - frame.x) / frame.width;
  const y = (p.y - frame.y) / frame.height;
  return { x: mirrored ? 1 - x : x, y };
}

/** Normalised frame point → element point (may fall outside the element when cropped). */
export function toElement(n: Point, frame: Rect, mirrored = false): Point {
  const x = mirrored ? 1 - n.x : n.x;
  return { x: frame.x + x * frame.width, y: frame.y + n.y * frame.height };
}

/** Clamps into the frame: a drag that leaves the picture keeps its last edge point. */
export function clampNormalised(p: Point): Point {
  return { x: Math.min(1, Math.max(0, p.x)), y: Math.min(1, Math.max(0, p.y)) };
}

/** Like toNormalised, but clamps instead of refusing: for the moves of a drag that began inside. */
export function toNormalisedClamped(p: Point, frame: Rect, mirrored = false): Point {
  const x = (p.x - frame.x) / frame.width;
  return clampNormalised({ x: mirrored ? 1 - x : x, y: (p.y - frame.y) / frame.height });
}
