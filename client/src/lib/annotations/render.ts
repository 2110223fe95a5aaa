// Draws annotations on a 2D canvas laid over a video. Sizes (line width, arrow
// head, text) scale with the displayed picture so a mark looks the same on a
// phone and on a wall screen.
import { toElement, type Point, type Rect } from './geometry.ts';
import type { Annotation, Shape } from './model.ts';

export function drawAnnotations(
  ctx: CanvasRenderingContext2D,
  items: Array<Pick<Annotation, 'shape' | 'color'>>,
  frame: Rect,
  mirrored = false,
): void {
  for (const item of items) drawShape(ctx, item.shape, item.color, frame, mirrored);
}

export function drawShape(
  ctx: CanvasRenderingContext2D,
  shape: Shape,
  color: string,
  frame: Rect,
  mirrored = false,
): void {
  const unit = Math.max(2, Math.min(frame.width, frame.height) / 120);
  const at = (p: Point) => toElement(p, frame, mirrored);
  ctx.save();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  // A dark halo under every stroke keeps marks visible on bright and dark pictures alike.
  for (const pass of ['halo', 'stroke'] as const) {
    ctx.strokeStyle = pass === 'halo' ? 'rgba(0,0,0,0.55)' : color;
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = pass === 'halo' ? unit * 1.6 + 2 : unit;
    switch (shape.kind) {
      case 'arrow': {
        const a = at(shape.from);
        const b = at(shape.to);
        const angle = Math.atan2(b.y - a.y, b.x - a.x);
        const head = unit * 5;
        ctx.beginPath();
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(b.x, b.y);
        ctx.moveTo(b.x, b.y);
        ctx.lineTo(b.x - head * Math.cos(angle - Math.PI / 7), b.y - head * Math.sin(angle - Math.PI / 7));
        ctx.moveTo(b.x, b.y);
        ctx.lineTo(b.x - head * Math.cos(angle + Math.PI / 7), b.y - head * Math.sin(angle + Math.PI / 7));
        ctx.stroke();
        break;
      }
      case 'circle': {
        const c = at(shape.center);
        const e = at(shape.edge);
        ctx.beginPath();
        ctx.arc(c.x, c.y, Math.max(unit, Math.hypot(e.x - c.x, e.y - c.y)), 0, Math.PI * 2);
        ctx.stroke();
        break;
      }
      case 'freehand': {
        ctx.beginPath();
        shape.points.forEach((p, i) => {
          const q = at(p);
          if (i === 0) ctx.moveTo(q.x, q.y);
          else ctx.lineTo(q.x, q.y);
        });
        ctx.stroke();
        break;
      }
      case 'text': {
        const p = at(shape.at);
        ctx.font = `600 ${Math.round(unit * 9)}px system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif`;
        ctx.textBaseline = 'middle';
        if (pass === 'halo') {
          ctx.lineWidth = unit * 2;
          ctx.strokeText(shape.text, p.x, p.y);
        } else ctx.fillText(shape.text, p.x, p.y);
        break;
      }
    }
  }
  ctx.restore();
}
