// A video (or the still an expert froze) with the call's annotations drawn on
// a canvas over it. With a tool selected, pointer drags draw a mark; the mark is
// stored in normalised coordinates of the picture, never in screen pixels.
import { useCallback, useEffect, useRef, useState, type PointerEvent, type RefObject } from 'react';
import {
  frameRect,
  toNormalised,
  toNormalisedClamped,
  type Point,
  type Rect,
} from '../lib/annotations/geometry.ts';
import {
  simplify,
  targetKey,
  visibleOn,
  type Shape,
  type Target,
  type Tool,
} from '../lib/annotations/model.ts';
import type { AnnotationStore } from '../lib/annotations/AnnotationStore.ts';
import { drawAnnotations, drawShape } from '../lib/annotations/render.ts';
import { useAnnotations } from '../hooks/useAnnotations.ts';
import { useI18n } from '../i18n/I18n.tsx';

interface Props {
  track?: MediaStreamTrack;
  target: Target;
  store?: AnnotationStore;
  /** null: view only. */
  tool?: Tool | null;
  color?: string;
  author?: string;
  label: string;
  videoRef?: RefObject<HTMLVideoElement | null>;
  onViewport?: (width: number, height: number) => void;
  className?: string;
}

let seq = 0;
const newId = () =>
  `${Date.now().toString(36)}-${(seq++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

export function AnnotatedVideo({
  track,
  target,
  store,
  tool = null,
  color = '#ff3b30',
  author = '',
  label,
  videoRef,
  onViewport,
  className,
}: Props) {
  const { t } = useI18n();
  const boxRef = useRef<HTMLDivElement>(null);
  const ownVideoRef = useRef<HTMLVideoElement>(null);
  const video = videoRef ?? ownVideoRef;
  const imgRef = useRef<HTMLImageElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const state = useAnnotations(store);
  const frozen = state.frozen[targetKey(target)];
  const items = visibleOn(state, target);
  const [draft, setDraft] = useState<Shape | null>(null);
  const [textAt, setTextAt] = useState<Point | null>(null);
  const [text, setText] = useState('');
  const dragging = useRef<{ start: Point; points: Point[] } | null>(null);

  useEffect(() => {
    const el = video.current;
    if (el) el.srcObject = track ? new MediaStream([track]) : null;
    // `frozen`: the <video> is remounted when a still goes away.
  }, [track, video, frozen]);

  /** The picture's rectangle inside the box, from the intrinsic size of what is shown. */
  const frame = useCallback((): Rect | null => {
    const box = boxRef.current;
    if (!box) return null;
    const size = { width: box.clientWidth, height: box.clientHeight };
    const img = imgRef.current;
    const v = video.current;
    const intrinsic =
      frozen && img
        ? { width: img.naturalWidth, height: img.naturalHeight }
        : { width: v?.videoWidth ?? 0, height: v?.videoHeight ?? 0 };
    if (!intrinsic.width || !intrinsic.height) return null;
    return frameRect(size, intrinsic, 'contain');
  }, [frozen, video]);

  const redraw = useCallback(() => {
    const canvas = canvasRef.current;
    const box = boxRef.current;
    if (!canvas || !box) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(box.clientWidth * dpr);
    const h = Math.round(box.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, box.clientWidth, box.clientHeight);
    const f = frame();
    if (!f) return;
    drawAnnotations(ctx, items, f);
    if (draft) drawShape(ctx, draft, color, f);
  }, [items, draft, color, frame]);

  useEffect(() => {
    redraw();
    const box = boxRef.current;
    const v = video.current;
    const observer = new ResizeObserver(() => {
      redraw();
      if (onViewport && box)
        onViewport(box.clientWidth * devicePixelRatio, box.clientHeight * devicePixelRatio);
    });
    if (box) observer.observe(box);
    // The intrinsic size changes with the simulcast layer and when metadata first arrives.
    v?.addEventListener('resize', redraw);
    v?.addEventListener('loadedmetadata', redraw);
    return () => {
      observer.disconnect();
      v?.removeEventListener('resize', redraw);
      v?.removeEventListener('loadedmetadata', redraw);
    };
  }, [redraw, onViewport, video]);

  const local = (e: PointerEvent<HTMLCanvasElement>): Point => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const commit = (shape: Shape) => {
    if (!store) return;
    void store.send({
      type: 'add',
      annotation: {
        id: newId(),
        target,
        shape,
        color,
        author,
        at: Date.now(),
        ...(frozen ? { frameId: frozen.frameId } : {}),
      },
    });
  };

  const onDown = (e: PointerEvent<HTMLCanvasElement>) => {
    const f = frame();
    const box = boxRef.current;
    if (!tool || !f || !box) return;
    const p = toNormalised(local(e), f, { width: box.clientWidth, height: box.clientHeight });
    if (!p) return; // on a letterbox bar
    if (tool === 'text') {
      setTextAt(p);
      setText('');
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    dragging.current = { start: p, points: [p] };
  };

  const onMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const d = dragging.current;
    const f = frame();
    if (!d || !f || !tool) return;
    const p = toNormalisedClamped(local(e), f);
    d.points.push(p);
    setDraft(
      tool === 'arrow'
        ? { kind: 'arrow', from: d.start, to: p }
        : tool === 'circle'
          ? { kind: 'circle', center: d.start, edge: p }
          : { kind: 'freehand', points: d.points.slice() },
    );
  };

  const onUp = (e: PointerEvent<HTMLCanvasElement>) => {
    const d = dragging.current;
    dragging.current = null;
    const f = frame();
    setDraft(null);
    if (!d || !f || !tool) return;
    const end = toNormalisedClamped(local(e), f);
    const moved = Math.hypot(end.x - d.start.x, end.y - d.start.y) > 0.005;
    if (!moved && tool !== 'circle') return;
    if (tool === 'arrow') commit({ kind: 'arrow', from: d.start, to: end });
    // A tap with the circle tool rings the point with a default size.
    else if (tool === 'circle')
      commit({
        kind: 'circle',
        center: d.start,
        edge: moved ? end : { x: Math.min(1, d.start.x + 0.05), y: d.start.y },
      });
    else if (tool === 'freehand') commit({ kind: 'freehand', points: simplify([...d.points, end]) });
  };

  const textPos = (() => {
    const f = textAt && frame();
    return f && textAt ? { left: f.x + textAt.x * f.width, top: f.y + textAt.y * f.height } : undefined;
  })();

  return (
    <div
      ref={boxRef}
      className={`annotated${tool ? ' drawing' : ''}${className ? ` ${className}` : ''}`}
      data-target={targetKey(target)}
      data-frozen={frozen ? 'true' : 'false'}
    >
      {frozen ? (
        <img ref={imgRef} src={frozen.image} alt={t('annot.frozenAlt', { label })} onLoad={redraw} />
      ) : track ? (
        <video ref={video} autoPlay playsInline muted aria-label={label} />
      ) : (
        <div className="no-video">{t('call.noVideo')}</div>
      )}
      <canvas
        ref={canvasRef}
        className="annotation-canvas"
        role="img"
        aria-label={t('annot.canvasLabel', { count: items.length })}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={() => {
          dragging.current = null;
          setDraft(null);
        }}
      />
      {frozen && <span className="frozen-badge">{t('annot.frozen')}</span>}
      {textAt && textPos && (
        <form
          className="annotation-text"
          style={{ left: textPos.left, top: textPos.top }}
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) commit({ kind: 'text', at: textAt, text: text.trim().slice(0, 120) });
            setTextAt(null);
          }}
        >
          <input
            autoFocus
            value={text}
            maxLength={120}
            onChange={(e) => setText(e.target.value)}
            aria-label={t('annot.textInput')}
            onKeyDown={(e) => e.key === 'Escape' && setTextAt(null)}
          />
          <button type="submit">{t('annot.place')}</button>
        </form>
      )}
    </div>
  );
}
