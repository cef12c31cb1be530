// An app's folder inside its repository (`apps[].path`, `--path`): checked as written, in the
// config, on the command line and in the git source alike. Pure text.

/** Why an app path cannot be used, or undefined: a `..` segment is refused as written, never
 *  normalized away (`../..` is not the root). */
export function appPathProblem(path: string): string | undefined {
  if (path.split(/[\\/]/).includes('..')) return `app path ${JSON.stringify(path)} leaves the repository`;
  return undefined;
}
