// A heap snapshot (v8.writeHeapSnapshot) summarized by constructor: self size and count per
// node name for objects, per node type for the rest (strings, arrays, code, ...), largest
// first, as a markdown table. Benchmark support only.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A plain Object's first property names (its shape, roughly: which of our types it is). */
function shapeKey(s: Snapshot, firstEdge: number, count: number): string {
  const width = s.snapshot.meta.edge_fields.length;
  const property = s.snapshot.meta.edge_types[0].indexOf('property');
  const names: string[] = [];
  for (let e = firstEdge; e < firstEdge + count * width && names.length < 4; e += width)
    if (s.edges[e] === property) names.push(s.strings[s.edges[e + 1]!]!);
  return `Object{${names.join(',')}}`;
}

export function summarizeHeapSnapshot(file: string, top: number): string {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt, edgesAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    fields.indexOf(f),
  ) as [number, number, number, number];
  const edgeWidth = s.snapshot.meta.edge_fields.length;
  const by = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  let edge = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    const size = s.nodes[i + sizeAt]!;
    const edges = s.nodes[i + edgesAt]!;
    const name = type === 'object' ? s.strings[s.nodes[i + nameAt]!]! : `(${type})`;
    const key = name === 'Object' ? shapeKey(s, edge, edges) : name;
    edge += edges * edgeWidth;
    const e = by.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += size;
    e.count++;
    by.set(key, e);
    total += size;
  }
  const rows = [...by.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
  const mb = (b: number) => (b / 1024 ** 2).toFixed(1);
  return [
    `| constructor | self MB | count | share |`,
    `|---|---:|---:|---:|`,
    ...rows.map(
      ([k, e]) =>
        `| ${k.slice(0, 60)} | ${mb(e.bytes)} | ${e.count} | ${((100 * e.bytes) / total).toFixed(1)}% |`,
    ),
    `| total | ${mb(total)} | | |`,
  ].join('\n');
}
