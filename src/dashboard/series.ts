// A chart's series: points over time under one name (what LineChart draws).
export interface Series {
  name: string;
  className: string;
  points: { t: number; v: number }[];
}
