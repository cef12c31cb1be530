// skiff/grpc-health: a gRPC health server (grpc.health.v1.Health/Check, plaintext HTTP/2)
// built from node's own modules only, so the image needs nothing but node. A test flips it:
// while SERVING_FILE exists, the server ("") and every service in SERVICES (comma-separated)
// answer SERVING; without it, NOT_SERVING. Any other service is NOT_FOUND, any other method
// UNIMPLEMENTED (as grpc-go's health server answers). It starts SERVING (it creates the file)
// unless SERVING_AT_START=false. `docker exec CONTAINER rm /tmp/serving` flips it.
//   PORT (default 9000), SERVING_FILE (default /tmp/serving), SERVICES (default skiff.test.Echo)
import { existsSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';

const port = Number(process.env.PORT ?? 9000);
const servingFile = process.env.SERVING_FILE ?? '/tmp/serving';
const services = new Set(['', ...(process.env.SERVICES ?? 'skiff.test.Echo').split(',').filter(Boolean)]);
const CHECK = '/grpc.health.v1.Health/Check';
if (process.env.SERVING_AT_START !== 'false') writeFileSync(servingFile, '');

function readVarint(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated varint');
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, at];
    shift += 7;
  }
}

/** HealthCheckRequest { string service = 1; }, skipping any other field. */
function decodeService(msg) {
  let at = 0;
  let service = '';
  while (at < msg.length) {
    let key;
    [key, at] = readVarint(msg, at);
    const wire = key & 7;
    if (wire === 0) [, at] = readVarint(msg, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      let len;
      [len, at] = readVarint(msg, at);
      if (key >>> 3 === 1) service = msg.subarray(at, at + len).toString('utf8');
      at += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return service;
}

function reply(stream, code, message, body) {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () =>
    stream.sendTrailers({ 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) }),
  );
  stream.end(body);
}

const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => {
    if (headers[':path'] !== CHECK) return reply(stream, 12, `unknown method ${headers[':path']}`);
    const frame = Buffer.concat(chunks);
    let service;
    try {
      if (frame.length < 5 || frame[0] !== 0) throw new Error('expected one uncompressed message');
      service = decodeService(frame.subarray(5, 5 + frame.readUInt32BE(1)));
    } catch (err) {
      return reply(stream, 13, `cannot decode the request: ${err.message}`);
    }
    if (!services.has(service)) return reply(stream, 5, `unknown service ${service}`);
    const status = existsSync(servingFile) ? 1 : 2; // SERVING : NOT_SERVING
    const out = Buffer.from([0, 0, 0, 0, 2, 0x08, status]); // one message: field 1 varint
    reply(stream, 0, '', out);
  });
  stream.on('error', () => {});
});
server.on('sessionError', () => {});
server.listen(port, () => {
  process.stdout.write(`grpc-health listening on ${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
