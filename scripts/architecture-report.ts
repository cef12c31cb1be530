// `npm run arch:report`: the figures the architecture issue asks for, printed as markdown:
// largest files, longest functions, folder and file cycles. Reads src/ only.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileEdges, findCycles, folderEdges, readSourceTree } from '../test/support/source-graph.js';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const files = readSourceTree(srcDir);
const top = Number(process.argv[2] ?? 15);

console.log(`## ${files.length} files, ${files.reduce((n, f) => n + f.lines, 0)} lines\n`);
console.log('### Largest files');
for (const f of [...files].sort((a, b) => b.lines - a.lines).slice(0, top))
  console.log(`- ${f.lines} ${f.file}`);
console.log('\n### Longest functions');
const fns = files.flatMap((f) => f.functions).sort((a, b) => b.lines - a.lines);
for (const fn of fns.slice(0, top)) console.log(`- ${fn.lines} ${fn.file}:${fn.line} ${fn.name}`);
console.log(
  `\nfunctions over 100 lines: ${fns.filter((f) => f.lines > 100).length}; over 60: ${fns.filter((f) => f.lines > 60).length}`,
);
console.log('\n### Folder cycles');
for (const c of findCycles(folderEdges(files))) console.log(`- ${c.join(' <-> ')}`);
console.log('\n### File cycles');
for (const c of findCycles(fileEdges(files))) console.log(`- ${c.join(' <-> ')}`);
