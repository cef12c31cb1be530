// Docker's multiplexed stream format (non-TTY logs and exec output): frames of an 8-byte header
// [stream, 0, 0, 0, size(4, big endian)] followed by `size` bytes; stream 1 = stdout, 2 = stderr.
// Pure decoding over buffers, plus a streaming demuxer for follow mode.
import { PassThrough, Transform, type TransformCallback } from 'node:stream';

export interface Demuxed {
  stdout: Buffer;
  stderr: Buffer;
}

/** Split a complete multiplexed buffer into stdout and stderr. */
export function demuxBuffer(buf: Buffer): Demuxed {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const size = buf.readUInt32BE(off + 4);
    const frame = buf.subarray(off + 8, off + 8 + size);
    (kind === 2 ? err : out).push(frame);
    off += 8 + size;
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

/** A transform that turns a multiplexed byte stream into the plain bytes of both streams. */
export class DemuxTransform extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      this.push(this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
    cb();
  }
}

/** A readable holding fixed content (non-follow logs). */
export function readableOf(buf: Buffer): NodeJS.ReadableStream {
  const p = new PassThrough();
  p.end(buf);
  return p;
}
