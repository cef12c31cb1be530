// Collect the manifest files under the paths given to a command (shell): folders
// recursively, *.yaml / *.yml / *.json, hidden folders (.git) skipped. Symlinks are
// followed only while they resolve inside the root they were found under; one that leaves
// it is reported as a diagnostic and not read, so a repository cannot make skiff read
// files elsewhere on the machine. Oversized files are reported without being read.
import { type lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
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

/** Read every manifest file under `paths`; names in results are relative to `cwd`. */
export async function readManifestFiles(paths: readonly string[], cwd: string): Promise<CollectedFiles> {
  const files: BundleFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const display = (abs: string) => path.relative(cwd, abs) || path.basename(abs);

  async function addFile(abs: string, real: string): Promise<void> {
    if (seen.has(real)) return;
    seen.add(real);
    const st = await stat(real);
    if (st.size > MAX_FILE_BYTES) {
      diagnostics.push(
        fileDiagnostic(
          display(abs),
          'yaml.too-large',
          `file is ${st.size} bytes, over the ${MAX_FILE_BYTES} byte limit for one manifest file (the API server's request size); split it`,
        ),
      );
      return;
    }
    const buf = await readFile(real);
    const decoded = decodeManifestText(display(abs), buf);
    if ('diagnostic' in decoded) diagnostics.push(decoded.diagnostic);
    else files.push({ path: display(abs), text: decoded.text });
  }

  async function walk(dirAbs: string, root: string, visited: Set<string>): Promise<void> {
    const entries = await readdir(dirAbs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dirAbs, e.name);
      if (e.name.startsWith('.')) continue;
      if (e.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(abs);
        } catch {
          diagnostics.push(
            fileDiagnostic(display(abs), 'file.broken-symlink', 'symbolic link points to nothing'),
          );
          continue;
        }
        if (!isInside(root, real)) {
          diagnostics.push(
            fileDiagnostic(
              display(abs),
              'file.symlink-escape',
              'symbolic link leads outside the repository; refusing to follow it',
            ),
          );
          continue;
        }
        const st = await stat(real);
        if (st.isDirectory()) {
          if (!visited.has(real)) await walk(abs, root, new Set([...visited, real]));
        } else if (st.isFile() && MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
          await addFile(abs, real);
        continue;
      }
      if (e.isDirectory()) {
        const real = await realpath(abs);
        if (!visited.has(real)) await walk(abs, root, new Set([...visited, real]));
      } else if (e.isFile() && MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
        await addFile(abs, await realpath(abs));
      }
    }
  }

  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await stat(abs);
    } catch {
      throw new UsageError(
        `path "${p}" does not exist`,
        'give files or folders of manifests, e.g. `skiff validate deploy/`',
      );
    }
    const real = await realpath(abs);
    if (st.isDirectory()) await walk(abs, real, new Set([real]));
    else await addFile(abs, real);
  }
  return { files, diagnostics };
}
