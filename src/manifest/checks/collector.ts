// The collector every per-kind check writes its findings into, in the order they are found
// (that order is the order diagnostics are reported in). Pure.
import type { Severity } from '../../model/diagnostics.js';
import type { PathSegment } from '../parse.js';

export interface Finding {
  path: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
}

/** A field path, relative to the object being checked. */
export type P = PathSegment[];

export class Collector {
  readonly findings: Finding[] = [];
  error(path: P, code: string, message: string): void {
    this.findings.push({ path, severity: 'error', code, message });
  }
  warn(path: P, code: string, message: string): void {
    this.findings.push({ path, severity: 'warning', code, message });
  }
}
