// The daemon's logger: every line is scrubbed of the Secret values the SecretScrubber knows, as
// the line is written (pino's streamWrite hook sees the whole serialized record: message, error
// stacks, every field), then its controls escaped for the reader. Shell.
// - json: JSON escapes C0; DEL, C1 and bidi controls are escaped too (terminalJson).
// - pretty: pino-pretty decodes the JSON before printing, so the controls are made visible
//   escapes in the decoded text (visibleJson): a name holding ESC or a newline cannot recolour
//   the terminal or forge a line.
import pino, { type DestinationStream, type Logger } from 'pino';
import { terminalJson, visibleJson } from '../diff/terminal-text.js';
import type { SecretScrubber } from './secret-scrubber.js';

export interface DaemonLogOptions {
  format: 'json' | 'pretty';
  level: string;
  scrubber: Pick<SecretScrubber, 'text'>;
  /** Where json lines go (default stdout); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function daemonLogger(opts: DaemonLogOptions): Logger {
  const { scrubber } = opts;
  if (opts.format === 'pretty')
    return pino({
      level: opts.level,
      hooks: { streamWrite: (line) => visibleJson(scrubber.text(line)) },
      transport: { target: 'pino-pretty', options: { destination: 2 } },
    });
  return pino(
    { level: opts.level, hooks: { streamWrite: (line) => terminalJson(scrubber.text(line)) } },
    opts.destination ?? pino.destination(1),
  );
}
