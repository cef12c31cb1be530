// The dashboard's first load: the bytes a browser fetches before it shows anything (index.html,
// app.js, app.css, as `npm run build` bundles them from src/dashboard), raw and gzipped (gzip
// level 6, what a reverse proxy or a CDN applies by default; the daemon itself serves them
// uncompressed). Target (issue 14): under 300 KB gzipped.
//
//   node --import tsx bench/dashboard.bench.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboard, DASHBOARD_FILES } from '../src/daemon/dashboard-assets.js';

const TARGET_GZIPPED = 300 * 1024;
const out = mkdtempSync(join(tmpdir(), 'skiff-dash-bench-'));
const started = performance.now();
await buildDashboard(resolve(import.meta.dirname, '..', 'src', 'dashboard'), out);
const buildMs = performance.now() - started;
const rows = DASHBOARD_FILES.map((f) => {
  const bytes = readFileSync(join(out, f));
  return { file: f, raw: bytes.length, gzipped: gzipSync(bytes, { level: 6 }).length };
});
rmSync(out, { recursive: true, force: true });
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzipped: t.gzipped + r.gzipped }), {
  raw: 0,
  gzipped: 0,
});
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

console.log('## Dashboard first load (dist/dashboard)\n');
console.log('| file | raw | gzipped |\n|---|---:|---:|');
for (const r of rows) console.log(`| ${r.file} | ${kb(r.raw)} | ${kb(r.gzipped)} |`);
console.log(`| **first load** | ${kb(total.raw)} | **${kb(total.gzipped)}** |`);
console.log(
  `\nTarget < ${kb(TARGET_GZIPPED)} gzipped: ${total.gzipped < TARGET_GZIPPED ? 'met' : 'MISSED'} (${((total.gzipped / TARGET_GZIPPED) * 100).toFixed(1)}% of it); esbuild build ${buildMs.toFixed(0)} ms.`,
);
if (total.gzipped >= TARGET_GZIPPED) process.exit(1);
