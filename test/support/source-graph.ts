// Reads src/ as TypeScript source: the import graph between files and between folders, and the
// length of every function. Used by the architecture test (test/unit/architecture.test.ts) and
// by `npm run arch:report`. Reads files only; changes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface SourceFile {
  /** Path relative to src/, with forward slashes: `controllers/deployment.ts`. */
  file: string;
  /** Top folder under src/ (`controllers`), or `.` for files directly in src/. */
  folder: string;
  lines: number;
  /** Relative imports resolved to files under src/ (type-only imports included). */
  imports: string[];
  /** Bare module specifiers (`node:fs`, `dockerode`, `yaml`). */
  packages: string[];
  functions: FunctionLength[];
  /** Reads of the world by name (`Date.now`, `Math.random`, `process`, timers), with line. */
  worldReads: { name: string; line: number }[];
}

export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

export function listSourceFiles(srcDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(srcDir);
  return out.sort();
}

function rel(srcDir: string, p: string): string {
  return path.relative(srcDir, p).split(path.sep).join('/');
}

function folderOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

function resolveImport(srcDir: string, fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')];
  for (const c of candidates) if (fs.existsSync(c) && fs.statSync(c).isFile()) return rel(srcDir, c);
  return undefined;
}

function functionName(node: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node))
    return node.name?.getText() ?? '(anonymous)';
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isGetAccessor(node) || ts.isSetAccessor(node)) return node.name.getText();
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const p = node.parent;
    if (p && ts.isVariableDeclaration(p)) return p.name.getText();
    if (p && ts.isPropertyAssignment(p)) return p.name.getText();
    if (p && ts.isPropertyDeclaration(p)) return p.name.getText();
    return undefined; // callbacks are counted inside the function that holds them
  }
  return undefined;
}

export function readSourceFile(srcDir: string, absPath: string): SourceFile {
  const text = fs.readFileSync(absPath, 'utf8');
  const sf = ts.createSourceFile(absPath, text, ts.ScriptTarget.ES2022, true);
  const file = rel(srcDir, absPath);
  const imports = new Set<string>();
  const packages = new Set<string>();
  const noteSpecifier = (spec: string) => {
    if (spec.startsWith('.')) {
      const target = resolveImport(srcDir, absPath, spec);
      if (target) imports.add(target);
    } else packages.add(spec);
  };
  const functions: FunctionLength[] = [];
  const worldReads: { name: string; line: number }[] = [];
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) noteSpecifier(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      noteSpecifier(node.arguments[0].text);
    }
    if (ts.isPropertyAccessExpression(node)) {
      const text = node.getText(sf);
      if (text === 'Date.now' || text === 'Math.random' || text === 'performance.now')
        worldReads.push({ name: text, line: lineOf(node) });
    } else if (ts.isIdentifier(node) && WORLD_GLOBALS.has(node.text) && isGlobalReference(node)) {
      worldReads.push({ name: node.text, line: lineOf(node) });
    } else if (
      ts.isNewExpression(node) &&
      node.expression.getText(sf) === 'Date' &&
      !node.arguments?.length
    ) {
      worldReads.push({ name: 'new Date()', line: lineOf(node) });
    }
    const name = functionName(node);
    if (name !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      functions.push({ file, name, line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return {
    file,
    folder: folderOf(file),
    lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    imports: [...imports].sort(),
    packages: [...packages].sort(),
    functions,
    worldReads,
  };
}

/** Globals that read or act on the world: the core gets time, randomness and timers passed in. */
const WORLD_GLOBALS = new Set(['process', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'require']);

/** An identifier used as a value in its own right, not a property name or a declaration. */
function isGlobalReference(node: ts.Identifier): boolean {
  const p = node.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === node) return false;
  if (ts.isPropertyAssignment(p) && p.name === node) return false;
  if (ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) return false;
  if (ts.isParameter(p) || ts.isVariableDeclaration(p) || ts.isBindingElement(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  if (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p)) return false;
  return true;
}

export function readSourceTree(srcDir: string): SourceFile[] {
  return listSourceFiles(srcDir).map((p) => readSourceFile(srcDir, p));
}

/** Strongly connected components with more than one member (Tarjan): each is a cycle. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) cycles.push(comp.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) strong(v);
  return cycles;
}

export function fileEdges(files: readonly SourceFile[]): Map<string, string[]> {
  return new Map(files.map((f) => [f.file, f.imports]));
}

export function folderEdges(files: readonly SourceFile[]): Map<string, string[]> {
  const byFolder = new Map<string, Set<string>>();
  for (const f of files) {
    const set = byFolder.get(f.folder) ?? new Set<string>();
    byFolder.set(f.folder, set);
    for (const target of f.imports) {
      const tf = folderOf(target);
      if (tf !== f.folder) set.add(tf);
    }
  }
  return new Map([...byFolder].map(([k, v]) => [k, [...v].sort()]));
}

/** Which folder imports reach another folder, file by file (for a readable failure). */
export function importsBetween(files: readonly SourceFile[], from: string, to: string): string[] {
  return files
    .filter((f) => f.folder === from)
    .flatMap((f) => f.imports.filter((t) => folderOf(t) === to).map((t) => `${f.file} -> ${t}`));
}
