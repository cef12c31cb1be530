// What an API handler answers, and the one exit every answer leaves through (`send`): Secret
// values scrubbed, terminal controls escaped. Shell (writes to the socket).
import type { ServerResponse } from 'node:http';
import { terminalJson } from '../diff/terminal-text.js';

/** What a handler answers; dispatch sends it. `audit` is what a mutating call records. */
export interface Answer {
  status: number;
  body: unknown;
  type?: string;
  headers?: Record<string, string>;
  /** `who`: the token id (set by dispatch), `webhook`, or absent for an anonymous call. */
  audit?: { params: Record<string, unknown>; result: string; who?: string };
  /** The handler answered on the socket itself (a server-sent event stream, whose every frame
   *  is made by `eventFrame` below): nothing more to send. */
  streamed?: true;
}

export const answer = (status: number, body: unknown, type?: string): Answer => ({ status, body, type });

/** A one-line error with a hint, as the CLI prints errors. */
export const refuse = (status: number, error: string, hint?: string): Answer =>
  answer(status, hint ? { error, hint } : { error });

/** JSON text already scrubbed and escaped as `send` would: a large answer serialized once and
 *  served many times (see view-answer.ts). Only `send`'s own steps may make one. */
export class PreparedJson {
  /** The UTF-8 bytes, in parts sent one after another (a large part is encoded only once). */
  readonly parts: readonly Buffer[];
  constructor(text: string | readonly Buffer[]) {
    this.parts = typeof text === 'string' ? [Buffer.from(text)] : text;
  }
  get text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

/** The one exit of every answer: Secret values scrubbed (in JSON, as JSON escapes them), and
 *  the controls JSON leaves raw (DEL, C1, bidi) escaped, so a client printing a decoded string
 *  cannot be made to obey one through a name or a message. */
/** `value` as `send` sends JSON: serialized, Secret values scrubbed, controls escaped. */
export function prepareJson(value: unknown, scrub: (text: string) => string): PreparedJson {
  return new PreparedJson(terminalJson(scrub(JSON.stringify(value) ?? 'null')));
}

export function send(res: ServerResponse, a: Answer, scrub: (text: string) => string): void {
  if (a.streamed) return;
  const type = a.type ?? 'application/json';
  const parts =
    a.body instanceof PreparedJson
      ? a.body.parts
      : type === 'application/json'
        ? prepareJson(a.body, scrub).parts
        : [Buffer.from(scrub(String(a.body)))];
  res.writeHead(a.status, {
    ...a.headers,
    'content-type': type,
    'content-length': parts.reduce((n, p) => n + p.length, 0),
  });
  for (const p of parts.slice(0, -1)) res.write(p);
  res.end(parts.at(-1));
}

/** One server-sent event (`event: NAME` + one `data:` line of JSON), scrubbed and escaped as
 *  every JSON answer is: the other exit, for the frames of a stream. */
export function eventFrame(event: string, data: unknown, scrub: (text: string) => string): string {
  return `event: ${event}\ndata: ${terminalJson(scrub(JSON.stringify(data) ?? 'null'))}\n\n`;
}
