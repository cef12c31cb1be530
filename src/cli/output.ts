// Output format flags shared by the commands that print data (`-o text|wide|json`).
import { UsageError } from '../model/errors.js';

export type OutputFormat = 'text' | 'wide' | 'json';

export function outputFormat(
  o: string | undefined,
  allowed: readonly OutputFormat[] = ['text', 'json'],
): OutputFormat {
  const f = (o ?? 'text') as OutputFormat;
  if (!allowed.includes(f))
    throw new UsageError(`unknown output format "${o}"`, `use one of: ${allowed.join(', ')}`);
  return f;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
