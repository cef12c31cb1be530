// A small inline SVG line chart (no chart library): points over time, a few series, a legend.
import type { Series } from './series.js';

export type { Series };

export function LineChart({
  series,
  height = 120,
  label = 'replicas over time',
  unit = '',
  empty = 'No decisions recorded yet.',
}: {
  series: Series[];
  height?: number;
  /** What the chart shows, for screen readers and tests. */
  label?: string;
  /** Suffix of the axis ticks and point titles (`%`). */
  unit?: string;
  empty?: string;
}) {
  const width = 480;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p class="muted">{empty}</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t), t0 + 1);
  const v1 = Math.max(...all.map((p) => p.v), 1);
  const x = (t: number) => 30 + ((t - t0) / (t1 - t0)) * (width - 40);
  const y = (v: number) => height - 16 - (v / v1) * (height - 28);
  return (
    <figure class="chart-box">
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <line x1="30" y1={y(0)} x2={width - 10} y2={y(0)} class="axis" />
        <text x="2" y={y(v1) + 4} class="tick">
          {`${v1}${unit}`}
        </text>
        <text x="2" y={y(0) + 4} class="tick">
          {`0${unit}`}
        </text>
        {series.map((s) => (
          <g key={s.name} class={s.className} data-series={s.name}>
            <polyline
              fill="none"
              points={s.points
                .slice()
                .sort((a, b) => a.t - b.t)
                .map((p) => `${x(p.t)},${y(p.v)}`)
                .join(' ')}
            />
            {s.points.map((p) => (
              <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r="2.5">
                <title>{`${s.name}: ${p.v}${unit} at ${new Date(p.t).toLocaleTimeString()}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span key={s.name} class={s.className}>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
