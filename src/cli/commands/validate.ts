// `skiff validate [PATH...]`: validate manifests as one bundle, as a pull request check.
// Prints every finding (text, JSON or GitHub Actions annotations) and a summary; exits 1
// when any error exists. Shell: reads files, then calls the pure validator.
import { type Command, Option } from 'commander';
import { terminalBlock, terminalJson, terminalText } from '../../diff/terminal-text.js';
import { validateBundle } from '../../manifest/bundle.js';
import type { Diagnostic } from '../../model/diagnostics.js';
import { UsageError } from '../../model/errors.js';
import { printText } from '../output.js';
import { readManifestFiles } from '../read-manifest-files.js';
import { renderDiagnosticLine } from '../views/diagnostics.js';

type OutputFormat = 'text' | 'json' | 'github';

interface ValidateOptions {
  output: string;
  allowMissingRefs?: boolean;
}

export interface ValidationSummary {
  files: number;
  objects: number;
  errors: number;
  warnings: number;
  valid: boolean;
}

/** GitHub workflow commands escape %, CR and LF in data, and also : and , in properties
 *  (@actions/core's escapeData/escapeProperty). The runner decodes only those, and its log
 *  viewer obeys ANSI sequences, so every other control is first shown escaped (`\x1b`):
 *  a message keeps its line breaks (%0A), a file name or code stays one line. */
function escapeData(s: string): string {
  return terminalBlock(s.replace(/\r\n/g, '\n'))
    .replace(/\t/g, '\\t')
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return terminalText(s).replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(d: Diagnostic): string {
  const level = d.severity === 'error' ? 'error' : 'warning';
  const props = `file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(d.code)}`;
  return `::${level} ${props}::${escapeData(d.path ? `${d.path}: ${d.message}` : d.message)}`;
}

export function renderText(d: Diagnostic): string {
  return renderDiagnosticLine(d.severity === 'warning' ? { ...d, message: `warning: ${d.message}` } : d);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(s: ValidationSummary): string {
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  return `${s.valid ? 'valid' : 'invalid'}: ${plural(s.files, 'file')}, ${plural(s.objects, 'object')}, ${counts}`;
}

export async function runValidate(paths: string[], opts: ValidateOptions): Promise<number> {
  const format = opts.output as OutputFormat;
  if (format !== 'text' && format !== 'json' && format !== 'github')
    throw new UsageError(`unknown output format "${opts.output}"`, 'use -o text, -o json or -o github');
  const collected = await readManifestFiles(paths.length > 0 ? paths : ['.'], process.cwd());
  const result = validateBundle(collected.files, { allowMissingRefs: opts.allowMissingRefs === true });
  const findings = [...collected.diagnostics, ...result.diagnostics];
  const errors = findings.filter((d) => d.severity === 'error').length;
  const summary: ValidationSummary = {
    files: collected.files.length,
    objects: result.objects.length,
    errors,
    warnings: findings.length - errors,
    valid: errors === 0,
  };
  const out: string[] = [];
  if (format === 'json') {
    out.push(
      terminalJson(
        JSON.stringify({
          findings: findings.map((d) => ({
            file: d.file,
            line: d.line,
            column: d.column,
            document: d.document,
            path: d.path,
            severity: d.severity,
            code: d.code,
            message: d.message,
          })),
          summary,
        }),
      ),
    );
  } else {
    for (const d of findings) out.push(format === 'github' ? renderGithub(d) : renderText(d));
    out.push(summaryLine(summary));
  }
  printText(`${out.join('\n')}\n`);
  return errors > 0 ? 1 : 0;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Validate Kubernetes manifests (files or folders, one bundle) as skiff would apply them')
    .argument('[paths...]', 'manifest files or folders (default: the current folder)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .option(
      '--allow-missing-refs',
      'report references to objects outside the given paths as warnings, not errors',
    )
    .action(async (paths: string[], opts: ValidateOptions) => {
      process.exitCode = await runValidate(paths, opts);
    });
}
