// The pod infra ("pause") image, built by skiff itself so hosts with no registry access can
// run pods: a 200-byte static x86_64 ELF that sleeps in pause(2) and exits 0 on SIGTERM or
// SIGINT, packed in a one-file tar for Docker's image import API. Pure (bytes in memory).
// Why a handler: PID 1 of a container ignores signals whose action is the default, so without
// one `docker stop` would always wait for the SIGKILL.

export const PAUSE_IMAGE_REPO = 'skiff/pause';
export const PAUSE_IMAGE_TAG = '1.0';
export const PAUSE_IMAGE = `${PAUSE_IMAGE_REPO}:${PAUSE_IMAGE_TAG}`;
export const PAUSE_BINARY_PATH = '/pause';

/** Architectures (as `uname -m` / Docker's info.Architecture name them) skiff has a pause for. */
export const PAUSE_ARCHITECTURES = ['x86_64'] as const;

const BASE = 0x400000;
const HEADERS = 64 + 56; // ELF header + one program header

/*
 * Machine code (assembled with GNU as, Intel syntax; offsets from the code start):
 *   00 mov eax,13 ; mov edi,15 ; lea rsi,[rip+act] ; xor edx,edx ; mov r10d,8 ; syscall  rt_sigaction(SIGTERM)
 *   1b mov eax,13 ; mov edi,2  ; lea rsi,[rip+act] ; xor edx,edx ; mov r10d,8 ; syscall  rt_sigaction(SIGINT)
 *   36 mov eax,34 ; syscall ; jmp 36                                                    loop: pause()
 *   3f mov eax,231 ; xor edi,edi ; syscall                                              handler: exit_group(0)
 *   48 act: struct kernel_sigaction { handler, flags=SA_RESTORER, restorer, mask=0 }
 * x86_64 kernels refuse to deliver a signal without SA_RESTORER (the frame needs a return
 * address); the handler never returns, so the restorer just points at the handler too.
 */
const CODE = [
  0xb8, 0x0d, 0x00, 0x00, 0x00, 0xbf, 0x0f, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x35, 0x37, 0x00, 0x00, 0x00, 0x31,
  0xd2, 0x41, 0xba, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xb8, 0x0d, 0x00, 0x00, 0x00, 0xbf, 0x02, 0x00, 0x00,
  0x00, 0x48, 0x8d, 0x35, 0x1c, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x41, 0xba, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x05,
  0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7, 0xb8, 0xe7, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05,
];
const HANDLER_OFFSET = 0x3f;
const ACT_OFFSET = 0x48;
const SA_RESTORER = 0x04000000n;

/** The pause program as an ELF64 executable for x86_64 Linux. */
export function pauseElfX8664(): Uint8Array {
  const size = HEADERS + ACT_OFFSET + 32;
  const buf = new ArrayBuffer(size);
  const b = new Uint8Array(buf);
  const v = new DataView(buf);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little endian, SysV
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 0x3e, true); // EM_X86_64
  v.setUint32(20, 1, true); // EV_CURRENT
  v.setBigUint64(24, BigInt(BASE + HEADERS), true); // entry
  v.setBigUint64(32, 64n, true); // program headers right after the ELF header
  v.setUint16(52, 64, true); // e_ehsize
  v.setUint16(54, 56, true); // e_phentsize
  v.setUint16(56, 1, true); // e_phnum
  v.setUint16(58, 64, true); // e_shentsize (no sections)
  // PT_LOAD of the whole file, read + execute.
  v.setUint32(64, 1, true);
  v.setUint32(68, 5, true);
  v.setBigUint64(72, 0n, true);
  v.setBigUint64(80, BigInt(BASE), true);
  v.setBigUint64(88, BigInt(BASE), true);
  v.setBigUint64(96, BigInt(size), true);
  v.setBigUint64(104, BigInt(size), true);
  v.setBigUint64(112, 0x1000n, true);
  b.set(CODE, HEADERS);
  const handler = BigInt(BASE + HEADERS + HANDLER_OFFSET);
  v.setBigUint64(HEADERS + ACT_OFFSET, handler, true);
  v.setBigUint64(HEADERS + ACT_OFFSET + 8, SA_RESTORER, true);
  v.setBigUint64(HEADERS + ACT_OFFSET + 16, handler, true);
  return b;
}

/** A POSIX ustar archive of regular files (what Docker's import API reads). */
export function tarFiles(
  files: { name: string; mode: number; content: Uint8Array; mtime?: number }[],
): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;
  for (const f of files) {
    const h = new Uint8Array(512);
    const put = (s: string, off: number) => h.set(enc.encode(s), off);
    if (enc.encode(f.name).length > 100) throw new Error(`bug: tar name too long: ${f.name}`);
    put(f.name, 0);
    put(octal(f.mode, 8), 100);
    put(octal(0, 8), 108); // uid
    put(octal(0, 8), 116); // gid
    put(octal(f.content.length, 12), 124);
    put(octal(f.mtime ?? 0, 12), 136);
    put('        ', 148); // checksum field counts as spaces while summing
    put('0', 156); // regular file
    put('ustar\u000000', 257);
    let sum = 0;
    for (const x of h) sum += x;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(f.content.length / 512) * 512);
    padded.set(f.content);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024)); // two zero blocks end the archive
  const out = new Uint8Array(blocks.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of blocks) {
    out.set(x, off);
    off += x.length;
  }
  return out;
}

/** The rootfs tar of the pause image for a host architecture, or undefined if unsupported. */
export function pauseImageTar(architecture: string): Uint8Array | undefined {
  if (architecture !== 'x86_64' && architecture !== 'amd64') return undefined;
  return tarFiles([{ name: PAUSE_BINARY_PATH.slice(1), mode: 0o755, content: pauseElfX8664() }]);
}
