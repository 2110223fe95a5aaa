// Horizontal bars in SVG, for dashboards where people would rather look than
// read. Each bar also carries its value as text, so the chart is not colour-only.
export interface Bar {
  label: string;
  value: number;
  /** 0..1 share of `max` drawn; defaults to value / max. */
  tone?: 'ok' | 'warn' | 'bad' | 'info';
  text?: string;
}

export function BarChart({
  bars,
  max,
  title,
  unit = '',
}: {
  bars: Bar[];
  max: number;
  title: string;
  unit?: string;
}) {
  const row = 28;
  // Drawn at 1:1 up to `width` px (CSS max-width), so text never grows with the panel.
  const labelW = 150;
  const width = 560;
  const barW = width - labelW - 140;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.text ?? `${Math.round(b.value)}${unit}`}`).join(', ')}`}
        viewBox={`0 0 ${width} ${Math.max(1, bars.length) * row + 4}`}
        width="100%"
        style={{ maxWidth: width }}
      >
        {bars.map((b, i) => {
          const share = max > 0 ? Math.min(1, Math.max(0, b.value / max)) : 0;
          return (
            <g key={b.label} transform={`translate(0 ${i * row + 2})`}>
              <text x={0} y={row / 2 + 5} className="chart-label">
                {b.label.length > 18 ? `${b.label.slice(0, 17)}…` : b.label}
              </text>
              <rect x={labelW} y={4} width={barW} height={row - 10} rx={4} className="chart-track" />
              <rect
                x={labelW}
                y={4}
                width={Math.max(2, share * barW)}
                height={row - 10}
                rx={4}
                className={`chart-bar tone-${b.tone ?? 'info'}`}
              />
              <text x={labelW + barW + 8} y={row / 2 + 5} className="chart-value">
                {b.text ?? `${Math.round(b.value)}${unit}`}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export const toneFor = (share: number): Bar['tone'] => (share >= 0.85 ? 'bad' : share >= 0.6 ? 'warn' : 'ok');
