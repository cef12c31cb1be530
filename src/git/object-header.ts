// The size of a git object read from its header, without inflating the object: a blob of
// 1.5 GB compresses to 1.5 MB, so a size cap checked after inflating costs the memory it was
// meant to save. Loose objects: the first bytes of the zlib stream hold `<type> <size>\0`.
// Packed objects: the pack entry header holds the size as a varint (for a delta, the size of
// the object it rebuilds is the second varint at the start of the delta data). Shell (reads
// files); the byte parsing is pure.
import type * as NodeFs from 'node:fs';
import { constants as fsConstants, type Stats } from 'node:fs';
import { join } from 'node:path';
import { inflateSync, constants as zlibConstants } from 'node:zlib';

/** Where a repository's objects are, and isomorphic-git's object cache (pack indexes) for them. */
export interface ObjectStore {
  readonly fs: typeof NodeFs;
  readonly gitdir: string;
  readonly cache: object;
}

/** Compressed bytes read for a header: a dynamic-Huffman block starts with its code tables
 *  (up to a few hundred bytes) before the first output byte, so 64 bytes were too few for a
 *  delta or a large object (git's own packs: 'a corrupt delta header' on a valid repository). */
const HEAD_BYTES = 4096;
/** Inflated bytes enough for any header: `<type> <size>\0`, or a delta's two varints. */
const HEAD_OUTPUT = 32;
const TYPES = ['', 'commit', 'tree', 'blob', 'tag', '', 'ofs-delta', 'ref-delta'] as const;

export interface PackEntryHeader {
  type: (typeof TYPES)[number];
  /** Inflated size of the entry's data (for a delta: of the delta, not of the object). */
  size: number;
  /** Where the zlib data starts. */
  dataOffset: number;
}

/** Parse the pack entry header at `at` (git's pack-format: type and size varint, delta base). */
export function parsePackEntryHeader(buf: Uint8Array, at: number): PackEntryHeader | undefined {
  let i = at;
  let c = buf[i++];
  if (c === undefined) return undefined;
  const type = TYPES[(c >> 4) & 7] ?? '';
  let size = c & 15;
  let mul = 16;
  while (c & 0x80) {
    c = buf[i++];
    if (c === undefined || mul > 2 ** 53) return undefined;
    size += (c & 0x7f) * mul;
    mul *= 128;
  }
  if (type === 'ofs-delta') {
    do c = buf[i++];
    while (c !== undefined && c & 0x80);
    if (c === undefined) return undefined;
  } else if (type === 'ref-delta') i += 20;
  if (type === '' || i > buf.length) return undefined;
  return { type, size, dataOffset: i };
}

/** The first bytes a zlib stream inflates to (at least HEAD_OUTPUT when the stream has them),
 *  from as few of its first compressed bytes as give them: 64, then 512, then HEAD_BYTES. */
export function inflateHead(compressed: Uint8Array): Buffer {
  let out = Buffer.alloc(0);
  for (const n of [64, 512, HEAD_BYTES]) {
    try {
      out = inflateSync(compressed.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      // Not enough input for the first symbol, or the stream ended and trailing bytes follow.
    }
    if (out.length >= HEAD_OUTPUT || n >= compressed.length) break;
  }
  return out;
}

/** The size of the object a delta rebuilds: the second little-endian varint of its data. */
export function deltaTargetSize(head: Uint8Array): number | undefined {
  let i = 0;
  let value = 0;
  for (let n = 0; n < 2; n++) {
    value = 0;
    let mul = 1;
    let c: number | undefined;
    do {
      c = head[i++];
      if (c === undefined || mul > 2 ** 53) return undefined;
      value += (c & 0x7f) * mul;
      mul *= 128;
    } while (c & 0x80);
  }
  return value;
}

/** The size in a loose object's `<type> <size>\0` header. */
export function looseHeaderSize(head: Uint8Array): number | undefined {
  const text = Buffer.from(head).toString('latin1');
  const m = /^(?:blob|tree|commit|tag) (\d{1,16})\0/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** What an object's header says, or why it cannot be trusted to be read. */
export type ObjectSize = { size: number } | { problem: string } | undefined;

/**
 * The inflated size of object `oid` in `store`, from its header alone; undefined when the
 * object is not there (isomorphic-git then reports it missing as usual).
 */
export async function readObjectSize(store: ObjectStore, oid: string): Promise<ObjectSize> {
  const loose = join(store.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  const st = await lstatOrUndefined(store, loose);
  if (st) {
    if (!st.isFile()) return { problem: `object ${oid} is not a regular file` };
    const size = looseHeaderSize(inflateHead(await readAt(store, loose, 0, HEAD_BYTES)));
    return size === undefined ? { problem: `object ${oid} has no valid header` } : { size };
  }
  const found = await findInPacks(store, oid);
  if (!found) return undefined;
  const head = await readAt(store, found.pack, found.offset, 32 + HEAD_BYTES);
  const entry = parsePackEntryHeader(head, 0);
  if (!entry) return { problem: `object ${oid} has no valid pack header` };
  if (entry.type !== 'ofs-delta' && entry.type !== 'ref-delta') return { size: entry.size };
  const size = deltaTargetSize(inflateHead(head.subarray(entry.dataOffset)));
  return size === undefined ? { problem: `object ${oid} has no valid delta header` } : { size };
}

async function lstatOrUndefined(store: ObjectStore, path: string): Promise<Stats | undefined> {
  try {
    return await store.fs.promises.lstat(path);
  } catch {
    return undefined;
  }
}

async function readAt(store: ObjectStore, path: string, position: number, length: number): Promise<Buffer> {
  // O_NONBLOCK: a FIFO planted in the object store must not block the open.
  const handle = await store.fs.promises.open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Parsed pack indexes (version 2), per isomorphic-git cache object, by .idx path. */
const indexes = new WeakMap<object, Map<string, Buffer>>();

async function findInPacks(
  store: ObjectStore,
  oid: string,
): Promise<{ pack: string; offset: number } | undefined> {
  const dir = join(store.gitdir, 'objects', 'pack');
  let names: string[];
  try {
    names = (await store.fs.promises.readdir(dir)).filter((n) => n.endsWith('.idx'));
  } catch {
    return undefined;
  }
  const byPath = indexes.get(store.cache) ?? new Map<string, Buffer>();
  indexes.set(store.cache, byPath);
  const want = Buffer.from(oid, 'hex');
  for (const name of names) {
    const path = join(dir, name);
    const idx = byPath.get(path) ?? (await store.fs.promises.readFile(path));
    byPath.set(path, idx);
    const offset = lookupIndexV2(idx, want);
    if (offset !== undefined) return { pack: path.replace(/\.idx$/, '.pack'), offset };
  }
  return undefined;
}

/** The pack offset of `oid` in a version-2 pack index (fanout, sorted names, CRCs, offsets). */
export function lookupIndexV2(idx: Buffer, oid: Buffer): number | undefined {
  if (idx.length < 8 + 1024 || idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2)
    return undefined;
  const first = oid[0] ?? 0;
  const n = idx.readUInt32BE(8 + 255 * 4);
  let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
  let hi = idx.readUInt32BE(8 + first * 4);
  const names = 8 + 1024;
  if (names + n * 28 > idx.length) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = idx.compare(oid, 0, 20, names + mid * 20, names + mid * 20 + 20) * -1;
    if (cmp === 0) {
      const offsets = names + n * 24;
      const small = idx.readUInt32BE(offsets + mid * 4);
      if (!(small & 0x80000000)) return small;
      const large = offsets + n * 4 + (small & 0x7fffffff) * 8;
      return Number(idx.readBigUInt64BE(large));
    }
    if (cmp < 0) hi = mid;
    else lo = mid + 1;
  }
  return undefined;
}
