// The real Sender: one HTTP(S) request with Node's fetch, bounded by a timeout, redirects not
// followed (a status endpoint that redirects is misconfigured; following it would carry the
// token elsewhere), the answer's body read up to 4 KiB for the error text. Shell.
import type { Sender } from './delivery-queue.js';

const MAX_BODY = 4096;

export const httpSender: Sender = async (req, timeoutMs) => {
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((err: unknown) => {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new Error(`no answer within ${timeoutMs} ms`);
    throw new Error(e.cause?.code ?? e.cause?.message ?? e.message);
  });
  const text = await res.text().catch(() => '');
  return { status: res.status, body: text.slice(0, MAX_BODY) };
};
