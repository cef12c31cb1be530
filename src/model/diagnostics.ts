// Diagnostics: findings about the user's manifests. Values, collected and reported all at
// once; never thrown. `code` is a stable dotted rule id (yaml.*, schema.*, semantic.*,
// ref.*, unsupported.*).

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** 0-based document index inside the file. */
  document: number;
  /** Field path, e.g. spec.template.spec.containers[0].image ("" for the document). */
  path: string;
  severity: Severity;
  code: string;
  message: string;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const path = d.path ? ` ${d.path}:` : '';
  return `${where}${path} ${d.message} [${d.code}]`;
}
