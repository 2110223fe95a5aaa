// An invite link as a QR code, drawn as SVG rectangles (no innerHTML, works under CSP).
import { useMemo } from 'react';
import { encode } from 'uqr';

export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const { data } = useMemo(() => encode(value, { ecc: 'M', border: 2 }), [value]);
  const n = data.length;
  const path = useMemo(() => {
    let d = '';
    data.forEach((row, y) => row.forEach((on, x) => on && (d += `M${x} ${y}h1v1h-1z`)));
    return d;
  }, [data]);
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${n} ${n}`}
      shapeRendering="crispEdges"
    >
      <rect width={n} height={n} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
