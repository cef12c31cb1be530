// The gRPC health check a grpc probe makes (grpc.health.v1.Health/Check), the kubelet's way
// (pkg/probe/grpc upstream): plaintext HTTP/2, no TLS, one unary call with the probe's
// timeout as its deadline; SERVING is success, any other status, gRPC error, connection
// error or deadline is a failure with the kubelet's message. Shell.
//
// Why node:http2 and not @grpc/grpc-js: a probe reaches the pod through a TCP stream its
// host's SSH connection forwards, and grpc-js dials sockets itself (no way to hand it a
// stream; it would need a loopback listener per target that any local process could use).
// http2.connect takes the forwarded stream as its connection; HTTP/2 is node's, the two
// health messages are protobufjs's, and what is left here is gRPC's 5-byte message framing
// and its status trailers.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import pb from 'protobufjs/light.js';
import { MAX_TIMER_MS } from './clock.js';

const HealthCheckRequest = new pb.Type('HealthCheckRequest').add(new pb.Field('service', 1, 'string'));
const HealthCheckResponse = new pb.Type('HealthCheckResponse').add(new pb.Field('status', 1, 'int32'));
/** grpc.health.v1.HealthCheckResponse.ServingStatus */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** gRPC status codes as Go's codes.Code prints them (the kubelet's messages use that form). */
const CODES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];
const UNKNOWN = 2;
const DEADLINE_EXCEEDED = 4;
const UNIMPLEMENTED = 12;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const MAX_RECEIVE = 4 * 1024 * 1024;

export interface GrpcHealthOutcome {
  ok: boolean;
  message: string;
}

/** A gRPC call's end: its status code and message, or the served status when code is 0. */
interface CallEnd {
  code: number;
  message: string;
  status?: number;
}

/** gRPC's HTTP-to-status mapping, for a reply that is not a gRPC one (doc/http-grpc-status-mapping.md). */
function codeOfHttpStatus(status: number): number {
  if (status === 400) return INTERNAL;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return UNIMPLEMENTED;
  if ([429, 502, 503, 504].includes(status)) return UNAVAILABLE;
  return UNKNOWN;
}

/** One length-prefixed gRPC message: no compression flag, 4-byte big-endian length. */
export function grpcFrame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The served status in a unary response's body: exactly one uncompressed message. */
function decodeStatus(body: Buffer): CallEnd {
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5)
    return { code: INTERNAL, message: 'malformed response message' };
  try {
    const m = HealthCheckResponse.toObject(HealthCheckResponse.decode(body.subarray(5)));
    return { code: 0, message: '', status: (m.status as number | undefined) ?? 0 };
  } catch (err) {
    return { code: INTERNAL, message: `cannot decode the response: ${(err as Error).message}` };
  }
}

/** The call's end from the response headers, trailers and body, as a gRPC client reads it. */
function callEnd(
  headers: http2.IncomingHttpHeaders,
  trailers: http2.IncomingHttpHeaders,
  body: Buffer,
): CallEnd {
  const httpStatus = Number(headers[':status']);
  const grpcStatus = trailers['grpc-status'] ?? headers['grpc-status'];
  if (httpStatus !== 200 || grpcStatus === undefined) {
    if (httpStatus !== 200)
      return {
        code: codeOfHttpStatus(httpStatus),
        message: `unexpected HTTP status code received from server: ${httpStatus}`,
      };
    return { code: INTERNAL, message: 'server closed the stream without sending trailers' };
  }
  const code = Number(grpcStatus);
  const raw = trailers['grpc-message'] ?? headers['grpc-message'];
  const message = typeof raw === 'string' ? safeDecode(raw) : '';
  if (code !== 0) return { code: Number.isInteger(code) && code > 0 ? code : UNKNOWN, message };
  return decodeStatus(body);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The grpc-timeout header: at most 8 digits and a unit (PROTOCOL-HTTP2.md), so a long
 *  probe timeout is sent in seconds or minutes, rounded up. */
export function grpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  if (whole < 1e8) return `${whole}m`;
  const s = Math.ceil(whole / 1000);
  return s < 1e8 ? `${s}S` : `${Math.ceil(s / 60)}M`;
}

/** One Check call over an open session; rejects only on a transport error. */
function check(session: http2.ClientHttp2Session, service: string, timeoutMs: number): Promise<CallEnd> {
  return new Promise((resolve, reject) => {
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': grpcTimeout(timeoutMs),
      'user-agent': 'kube-probe/skiff',
    });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      headers = h;
    });
    req.on('trailers', (t) => {
      trailers = t;
    });
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // gRPC's default receive limit: a health reply is a few bytes, a flood is cut.
      if (size > MAX_RECEIVE) req.destroy(new Error(`received more than ${MAX_RECEIVE} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(callEnd(headers, trailers, Buffer.concat(chunks))));
    req.on('error', reject);
    req.end(grpcFrame(HealthCheckRequest.encode({ service }).finish()));
  });
}

/** The kubelet's outcome of a call's end (grpc.go: SERVING or the reason it is not). */
function outcome(end: CallEnd, timeoutS: string): GrpcHealthOutcome {
  if (end.code === UNIMPLEMENTED)
    return {
      ok: false,
      message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${end.message}`,
    };
  if (end.code === DEADLINE_EXCEEDED)
    return { ok: false, message: `timeout: health rpc did not complete within ${timeoutS}` };
  if (end.code !== 0)
    return {
      ok: false,
      message: `error: health rpc probe failed: rpc error: code = ${CODES[end.code] ?? `Code(${end.code})`} desc = ${end.message}`,
    };
  if (end.status !== 1)
    return {
      ok: false,
      message: `service unhealthy (responded with "${SERVING_STATUS[end.status ?? 0] ?? end.status}")`,
    };
  return { ok: true, message: 'service healthy' };
}

export interface GrpcHealthCall {
  /** host:port, the :authority of the call. */
  authority: string;
  /** The service asked about; "" is the server's overall health. */
  service: string;
  /** Time left for the call (the probe's timeout less the time connecting took). */
  deadlineMs: number;
  /** The probe's timeout, as the messages state it. */
  timeoutMs: number;
}

/**
 * grpc.health.v1.Health/Check over `stream` (already connected to the pod's port). Never
 * throws: every failure is an outcome. The stream is closed when this returns.
 */
export async function checkGrpcHealth(stream: Duplex, c: GrpcHealthCall): Promise<GrpcHealthOutcome> {
  const timeoutS = `${c.timeoutMs / 1000}s`;
  const timeoutMs = Math.min(c.deadlineMs, MAX_TIMER_MS);
  const session = http2.connect(`http://${c.authority}`, { createConnection: () => stream });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CallEnd>((resolve) => {
    timer = setTimeout(
      () => resolve({ code: DEADLINE_EXCEEDED, message: 'context deadline exceeded' }),
      timeoutMs,
    );
  });
  // A session error (reset, GOAWAY, a peer that does not speak HTTP/2) also fails the call.
  const sessionError = new Promise<CallEnd>((resolve) => {
    session.on('error', (err) => resolve({ code: UNAVAILABLE, message: err.message }));
    session.on('close', () => resolve({ code: UNAVAILABLE, message: 'connection closed before a response' }));
  });
  const call = check(session, c.service, timeoutMs).catch(
    (err: Error): CallEnd => ({ code: UNAVAILABLE, message: err.message }),
  );
  try {
    return outcome(await Promise.race([call, deadline, sessionError]), timeoutS);
  } finally {
    clearTimeout(timer);
    session.destroy();
    stream.destroy();
  }
}
