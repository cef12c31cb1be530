// The HPA page's utilization chart, as series from the history's samples (values in, series out).
import type { HpaView } from '../model/views.js';
import type { Series } from './series.js';

/** Each metric's utilization over the samples, with its target as a dashed line: percent of
 *  requests for a Utilization target, percent of the target for an AverageValue one. */
export function utilizationSeries(h: Pick<HpaView, 'samples'>): Series[] {
  const lines = new Map<string, { metric: Series; target: Series }>();
  for (const sample of h.samples ?? []) {
    for (const m of sample.metrics) {
      if (m.current === null) continue;
      const name = m.unit === 'percent' ? m.name : `${m.name} (% of target)`;
      let line = lines.get(name);
      if (!line) {
        line = {
          metric: { name, className: 'metric', points: [] },
          target: { name: `${m.name} target`, className: 'target', points: [] },
        };
        lines.set(name, line);
      }
      const percent = m.unit === 'percent' ? m.current : m.target ? (m.current / m.target) * 100 : null;
      const target = m.unit === 'percent' ? m.target : 100;
      if (percent !== null) line.metric.points.push({ t: sample.at, v: Math.round(percent) });
      if (target !== null) line.target.points.push({ t: sample.at, v: target });
    }
  }
  return [...lines.values()].flatMap((l) => [l.metric, l.target]);
}
