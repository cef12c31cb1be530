// Collect the manifest files under the paths given to a command (shell): folders
// recursively, *.yaml / *.yml / *.json, hidden folders (.git) skipped. Symlinks are
// followed only while they resolve inside the root they were found under; one that leaves
// it is reported as a diagnostic and not read, so a repository cannot make skiff read
// files elsewhere on the machine. Oversized files are reported without being read, and so is
// anything that is not a regular file (a FIFO would block the read forever, a character
// device such as /dev/zero would stream without end while its size says 0): each is checked
// with stat before it is opened. The walk is bounded (entries, depth, path length: walk-limits)
// and linear in the tree: a folder's real path is its parent's plus its name, so only symlinks
// are resolved (a realpath per folder costs a lookup per ancestor, quadratic in the depth).
import type { Stats } from 'node:fs';
import { constants, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_WALK_LIMITS, displayPath, exceededWalkLimit, type WalkLimits } from '../git/walk-limits.js';
import type { BundleFile } from '../manifest/bundle.js';
import { decodeManifestText } from '../manifest/decode-text.js';
import { MAX_FILE_CHARS } from '../manifest/parse.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { UsageError } from '../model/errors.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Bytes: UTF-8 text of MAX_FILE_CHARS characters is at most 4 bytes each, but a file over
 *  this many bytes is refused before it is read. */
const MAX_FILE_BYTES = MAX_FILE_CHARS;

export interface CollectedFiles {
  files: BundleFile[];
  diagnostics: Diagnostic[];
}

function fileDiagnostic(file: string, code: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, document: 0, path: '', severity: 'error', code, message };
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function isManifestName(name: string): boolean {
  return MANIFEST_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** What a file that is neither a regular file nor a folder is, in words. */
function describeKind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** One walk: what it collected, and the state that keeps it bounded and cycle-free. */
interface Walk {
  cwd: string;
  limits: WalkLimits;
  maxFileBytes: number;
  /** Names not walked into or read (default: hidden ones, `.git` among them). */
  skipName: (name: string) => boolean;
  files: BundleFile[];
  diagnostics: Diagnostic[];
  /** Real paths of files already read (two links to one file read it once). */
  seen: Set<string>;
  /** Real paths of the folders on the current branch of the walk (a symlink back up is a cycle). */
  ancestors: Set<string>;
  entries: number;
  stopped: boolean;
}

function display(w: Walk, abs: string): string {
  return path.relative(w.cwd, abs) || path.basename(abs);
}

export interface ReadOptions {
  /** Files over this many bytes are reported, not read (default: the parser's limit). */
  maxFileBytes?: number;
  /** Names skipped (default: every hidden name). */
  skipName?: (name: string) => boolean;
}

/** Read every manifest file under `paths`; names in results are relative to `cwd`. */
export async function readManifestFiles(
  paths: readonly string[],
  cwd: string,
  limits: WalkLimits = DEFAULT_WALK_LIMITS,
  opts: ReadOptions = {},
): Promise<CollectedFiles> {
  const w: Walk = {
    cwd,
    limits,
    maxFileBytes: opts.maxFileBytes ?? MAX_FILE_BYTES,
    skipName: opts.skipName ?? ((name) => name.startsWith('.')),
    files: [],
    diagnostics: [],
    seen: new Set(),
    ancestors: new Set(),
    entries: 0,
    stopped: false,
  };
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: Stats;
    try {
      st = await stat(abs);
    } catch {
      throw new UsageError(
        `path "${p}" does not exist`,
        'give files or folders of manifests, e.g. `skiff validate deploy/`',
      );
    }
    const real = await realpath(abs);
    if (st.isDirectory()) await walkDir(w, abs, real, real, 0);
    else await addFile(w, abs, real, st);
  }
  return { files: w.files, diagnostics: w.diagnostics };
}

/** A regular file under the size cap into the set; anything else a diagnostic, never opened. */
async function addFile(w: Walk, abs: string, real: string, st: Stats): Promise<void> {
  if (w.seen.has(real)) return;
  w.seen.add(real);
  if (!st.isFile()) {
    w.diagnostics.push(
      fileDiagnostic(
        display(w, abs),
        'file.not-regular',
        `${describeKind(st)}, not a regular file; refusing to read it`,
      ),
    );
    return;
  }
  if (st.size > w.maxFileBytes) {
    w.diagnostics.push(
      fileDiagnostic(
        display(w, abs),
        'yaml.too-large',
        `file is ${st.size} bytes, over the ${w.maxFileBytes} byte limit for one manifest file (the API server's request size); split it`,
      ),
    );
    return;
  }
  // Between the stat and the read the file may be swapped for a FIFO or grow: read through a
  // handle checked again, and never more than the cap.
  const buf = await readRegularFile(real, w.maxFileBytes);
  if (buf === undefined) {
    w.diagnostics.push(
      fileDiagnostic(display(w, abs), 'file.not-regular', 'changed while being read; refusing to read it'),
    );
    return;
  }
  const decoded = decodeManifestText(display(w, abs), buf);
  if ('diagnostic' in decoded) w.diagnostics.push(decoded.diagnostic);
  else w.files.push({ path: display(w, abs), text: decoded.text });
}

/** The bytes of a regular file of at most `max` bytes, or undefined when it is not one. */
async function readRegularFile(file: string, max: number): Promise<Buffer | undefined> {
  // O_NONBLOCK: opening a FIFO swapped in after the stat must not block on a missing writer.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > max) return undefined;
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await handle.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** One entry counted against the walk's limits; false (and a diagnostic) when it is over one. */
function withinLimits(w: Walk, abs: string, root: string, depth: number): boolean {
  if (w.stopped) return false;
  w.entries++;
  const over = exceededWalkLimit(w.limits, path.relative(root, abs), depth, w.entries);
  if (!over) return true;
  if (over.code === 'too-many-entries') w.stopped = true;
  w.diagnostics.push(fileDiagnostic(displayPath(display(w, abs)), `file.${over.code}`, over.message));
  return false;
}

async function walkDir(w: Walk, dirAbs: string, dirReal: string, root: string, depth: number): Promise<void> {
  if (w.ancestors.has(dirReal)) return;
  w.ancestors.add(dirReal);
  try {
    const entries = await readdir(dirAbs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (w.skipName(e.name)) continue;
      const abs = path.join(dirAbs, e.name);
      if (!withinLimits(w, abs, root, depth + 1)) {
        if (w.stopped) return;
        continue;
      }
      if (e.isSymbolicLink()) await followLink(w, abs, root, depth);
      else if (e.isDirectory()) await walkDir(w, abs, path.join(dirReal, e.name), root, depth + 1);
      else if (isManifestName(e.name)) await addFile(w, abs, path.join(dirReal, e.name), await stat(abs));
    }
  } finally {
    w.ancestors.delete(dirReal);
  }
}

/** A symlink found in a folder: followed only while its target stays inside `root`. */
async function followLink(w: Walk, abs: string, root: string, depth: number): Promise<void> {
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    w.diagnostics.push(
      fileDiagnostic(display(w, abs), 'file.broken-symlink', 'symbolic link points to nothing'),
    );
    return;
  }
  if (!isInside(root, real)) {
    w.diagnostics.push(
      fileDiagnostic(
        display(w, abs),
        'file.symlink-escape',
        'symbolic link leads outside the repository; refusing to follow it',
      ),
    );
    return;
  }
  const st = await stat(real);
  if (st.isDirectory()) await walkDir(w, abs, real, root, depth + 1);
  else if (isManifestName(abs)) await addFile(w, abs, real, st);
}
