// The objects of a fetched pack checked from their headers, before isomorphic-git indexes the
// pack (indexing inflates every object whole): a declared size over the cap, or data that
// inflates past what its header declared, stops the fetch. Each entry is inflated once, with
// its output capped at its declared size, only to find where the next one starts. Pure bytes
// (node:zlib).
import { inflateSync } from 'node:zlib';
import { deltaTargetSize, inflateHead, parsePackEntryHeader } from './object-header.js';

/** The pack data carried in side-band-64k channel 1 of an upload-pack response body. */
export function demuxPack(body: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  while (at + 4 <= buf.length) {
    const len = Number.parseInt(buf.toString('latin1', at, at + 4), 16);
    if (!Number.isFinite(len)) break;
    if (len < 4) {
      at += 4;
      continue;
    }
    if (buf[at + 4] === 1) parts.push(buf.subarray(at + 5, at + len));
    at += len;
  }
  return Buffer.concat(parts);
}

/** Why the pack in `chunks` (an upload-pack response) must not be indexed, or undefined. */
export function scanPackObjects(chunks: readonly Uint8Array[], maxObjectBytes: number): string | undefined {
  const pack = demuxPack(Buffer.concat(chunks));
  if (pack.length < 12 || pack.toString('latin1', 0, 4) !== 'PACK') return undefined;
  const count = pack.readUInt32BE(8);
  let at = 12;
  for (let n = 0; n < count; n++) {
    const entry = parsePackEntryHeader(pack, at);
    if (!entry) return 'a corrupt object header';
    const data = pack.subarray(entry.dataOffset);
    const isDelta = entry.type === 'ofs-delta' || entry.type === 'ref-delta';
    const size = isDelta ? deltaTargetSize(inflateHead(data)) : entry.size;
    if (size === undefined) return 'a corrupt delta header';
    if (size > maxObjectBytes || entry.size > maxObjectBytes) {
      return `an object of ${Math.max(size, entry.size)} bytes (inflated), over the ${maxObjectBytes}-byte limit`;
    }
    let consumed: number;
    try {
      const r = inflateSync(data, { info: true, maxOutputLength: Math.max(entry.size, 1) }) as unknown as {
        engine: { bytesWritten: number };
      };
      consumed = r.engine.bytesWritten;
    } catch {
      return 'an object whose data does not match its header';
    }
    at = entry.dataOffset + consumed;
  }
  return undefined;
}
