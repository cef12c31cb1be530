// A small inline SVG line chart (no chart library): points over time, one or two series.
export interface Series {
  name: string;
  className: string;
  points: { t: number; v: number }[];
}

export function LineChart({ series, height = 120 }: { series: Series[]; height?: number }) {
  const width = 480;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p class="muted">No decisions recorded yet.</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t), t0 + 1);
  const v1 = Math.max(...all.map((p) => p.v), 1);
  const x = (t: number) => 30 + ((t - t0) / (t1 - t0)) * (width - 40);
  const y = (v: number) => height - 16 - (v / v1) * (height - 28);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="replicas over time">
      <line x1="30" y1={y(0)} x2={width - 10} y2={y(0)} class="axis" />
      <text x="2" y={y(v1) + 4} class="tick">
        {v1}
      </text>
      <text x="2" y={y(0) + 4} class="tick">
        0
      </text>
      {series.map((s) => (
        <g key={s.name} class={s.className}>
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
              <title>{`${s.name}: ${p.v} at ${new Date(p.t).toLocaleTimeString()}`}</title>
            </circle>
          ))}
        </g>
      ))}
    </svg>
  );
}
