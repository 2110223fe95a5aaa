// The annotation protocol on the `annotations` data channel, and the state it
// builds. Messages come from other browsers, so they are checked field by field
// before use (a bad one is dropped, never drawn).
import { clampNormalised, type Point } from './geometry.ts';

export type Tool = 'arrow' | 'circle' | 'freehand' | 'text';
export const TOOLS: readonly Tool[] = ['arrow', 'circle', 'freehand', 'text'];

export type Shape =
  | { kind: 'arrow'; from: Point; to: Point }
  /** A circle through `edge`: the radius is measured on screen, so it stays round at any size. */
  | { kind: 'circle'; center: Point; edge: Point }
  | { kind: 'freehand'; points: Point[] }
  | { kind: 'text'; at: Point; text: string };

/** The video a mark belongs to: a participant's camera or shared screen. */
export interface Target {
  peerId: string;
  source: 'camera' | 'screen';
}

export interface Annotation {
  id: string;
  target: Target;
  shape: Shape;
  color: string;
  /** Display name of whoever drew it. */
  author: string;
  /** Epoch ms when drawn. */
  at: number;
  /** The frozen frame it was drawn on, if any: marks on a still vanish when the still does. */
  frameId?: string;
}

export interface FrozenFrame {
  frameId: string;
  /** JPEG data URL of the exact frame the expert froze. */
  image: string;
}

export type AnnotationMessage =
  | { type: 'add'; annotation: Annotation }
  | { type: 'remove'; id: string }
  | { type: 'clear'; target: Target }
  | { type: 'freeze'; target: Target; frame: FrozenFrame }
  | { type: 'unfreeze'; target: Target }
  /** The author's marks again, for whoever joined (or whose channel opened) after they were drawn. */
  | { type: 'sync'; items: Annotation[] };

export interface AnnotationState {
  items: Annotation[];
  /** targetKey → the frame shown instead of live video. */
  frozen: Record<string, FrozenFrame>;
}

export const EMPTY: AnnotationState = { items: [], frozen: {} };
export const PALETTE = ['#ff3b30', '#ffcc00', '#34c759', '#0a84ff', '#ffffff'] as const;
const MAX_ITEMS = 200;
const MAX_POINTS = 400;
const MAX_TEXT = 120;
/** SCTP messages are capped at 256 KiB by the SFU; a frozen frame's data URL must fit with room to spare. */
export const MAX_FRAME_CHARS = 240_000;

export const targetKey = (t: Target): string => `${t.peerId}/${t.source}`;
export const sameTarget = (a: Target, b: Target): boolean => a.peerId === b.peerId && a.source === b.source;

export function reduce(state: AnnotationState, msg: AnnotationMessage): AnnotationState {
  switch (msg.type) {
    case 'add':
      if (state.items.some((a) => a.id === msg.annotation.id)) return state;
      return { ...state, items: [...state.items, msg.annotation].slice(-MAX_ITEMS) };
    case 'remove':
      return { ...state, items: state.items.filter((a) => a.id !== msg.id) };
    case 'clear':
      return { ...state, items: state.items.filter((a) => !sameTarget(a.target, msg.target)) };
    case 'freeze':
      return { ...state, frozen: { ...state.frozen, [targetKey(msg.target)]: msg.frame } };
    case 'sync': {
      const known = new Set(state.items.map((a) => a.id));
      const fresh = msg.items.filter((a) => !known.has(a.id));
      return fresh.length
        ? { ...state, items: [...state.items, ...fresh].sort((a, b) => a.at - b.at).slice(-MAX_ITEMS) }
        : state;
    }
    case 'unfreeze': {
      const key = targetKey(msg.target);
      const frame = state.frozen[key];
      const { [key]: _gone, ...frozen } = state.frozen;
      // Marks drawn on the still go with it; marks on the live view stay.
      return { frozen, items: state.items.filter((a) => !frame || a.frameId !== frame.frameId) };
    }
  }
}

/** The marks to draw over `target` right now: on its frozen frame if frozen, else those on the live view. */
export function visibleOn(state: AnnotationState, target: Target): Annotation[] {
  const frame = state.frozen[targetKey(target)];
  return state.items.filter(
    (a) => sameTarget(a.target, target) && (frame ? a.frameId === frame.frameId : a.frameId === undefined),
  );
}

// ---- validation of what arrives from the network ----

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

function point(v: unknown): Point | null {
  if (
    !isObj(v) ||
    typeof v.x !== 'number' ||
    typeof v.y !== 'number' ||
    !Number.isFinite(v.x) ||
    !Number.isFinite(v.y)
  )
    return null;
  return clampNormalised({ x: v.x, y: v.y });
}

function target(v: unknown): Target | null {
  if (!isObj(v) || !isStr(v.peerId, 64) || (v.source !== 'camera' && v.source !== 'screen')) return null;
  return { peerId: v.peerId, source: v.source };
}

function shape(v: unknown): Shape | null {
  if (!isObj(v)) return null;
  switch (v.kind) {
    case 'arrow': {
      const from = point(v.from);
      const to = point(v.to);
      return from && to ? { kind: 'arrow', from, to } : null;
    }
    case 'circle': {
      const center = point(v.center);
      const edge = point(v.edge);
      return center && edge ? { kind: 'circle', center, edge } : null;
    }
    case 'freehand': {
      if (!Array.isArray(v.points) || v.points.length < 2 || v.points.length > MAX_POINTS) return null;
      const points = v.points.map(point);
      return points.every((p): p is Point => p !== null) ? { kind: 'freehand', points } : null;
    }
    case 'text': {
      const at = point(v.at);
      return at && isStr(v.text, MAX_TEXT) ? { kind: 'text', at, text: v.text } : null;
    }
    default:
      return null;
  }
}

function annotation(a: unknown): Annotation | null {
  if (!isObj(a) || !isStr(a.id, 64) || !isStr(a.author, 80) || typeof a.at !== 'number') return null;
  const t = target(a.target);
  const s = shape(a.shape);
  const color = typeof a.color === 'string' && /^#[0-9a-f]{6}$/i.test(a.color) ? a.color : null;
  if (!t || !s || !color) return null;
  if (a.frameId !== undefined && !isStr(a.frameId, 64)) return null;
  return {
    id: a.id,
    target: t,
    shape: s,
    color,
    author: a.author,
    at: a.at,
    ...(a.frameId ? { frameId: a.frameId as string } : {}),
  };
}

export function parseMessage(raw: unknown): AnnotationMessage | null {
  if (!isObj(raw)) return null;
  switch (raw.type) {
    case 'add': {
      const a = annotation(raw.annotation);
      return a ? { type: 'add', annotation: a } : null;
    }
    case 'sync': {
      if (!Array.isArray(raw.items) || raw.items.length > MAX_ITEMS) return null;
      const items = raw.items.map(annotation);
      return items.every((a): a is Annotation => a !== null) ? { type: 'sync', items } : null;
    }
    case 'remove':
      return isStr(raw.id, 64) ? { type: 'remove', id: raw.id } : null;
    case 'clear': {
      const t = target(raw.target);
      return t ? { type: 'clear', target: t } : null;
    }
    case 'freeze': {
      const t = target(raw.target);
      const f = raw.frame;
      if (!t || !isObj(f) || !isStr(f.frameId, 64) || !isStr(f.image, MAX_FRAME_CHARS)) return null;
      if (!/^data:image\/(jpeg|png|webp);base64,/.test(f.image)) return null;
      return { type: 'freeze', target: t, frame: { frameId: f.frameId, image: f.image } };
    }
    case 'unfreeze': {
      const t = target(raw.target);
      return t ? { type: 'unfreeze', target: t } : null;
    }
    default:
      return null;
  }
}

/** Drops points closer than `minStep` (normalised) to the previous one: freehand strokes stay small on the wire. */
export function simplify(points: Point[], minStep = 0.004): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || Math.hypot(p.x - last.x, p.y - last.y) >= minStep) out.push(p);
  }
  const end = points[points.length - 1];
  if (end && out[out.length - 1] !== end && out.length < MAX_POINTS) out.push(end);
  return out.slice(0, MAX_POINTS);
}
