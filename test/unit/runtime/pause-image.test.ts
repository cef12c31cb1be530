import { describe, expect, it } from 'vitest';
import { pauseElfX8664, pauseImageTar, tarFiles } from '../../../src/runtime/pause-image.js';

describe('pause image', () => {
  const elf = pauseElfX8664();
  const v = new DataView(elf.buffer);

  it('is a static ELF64 x86_64 executable whose entry and handler point inside the file', () => {
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(elf[4]).toBe(2); // 64-bit
    expect(v.getUint16(16, true)).toBe(2); // ET_EXEC
    expect(v.getUint16(18, true)).toBe(0x3e); // x86_64
    const entry = Number(v.getBigUint64(24, true));
    const base = Number(v.getBigUint64(80, true));
    expect(entry - base).toBe(120);
    expect(Number(v.getBigUint64(96, true))).toBe(elf.length); // PT_LOAD covers the file
    const handler = Number(v.getBigUint64(120 + 0x48, true)) - base;
    expect(handler).toBeLessThan(elf.length);
    expect([...elf.subarray(handler, handler + 5)]).toEqual([0xb8, 0xe7, 0, 0, 0]); // mov eax, exit_group
    expect(v.getBigUint64(120 + 0x48 + 8, true)).toBe(0x04000000n); // SA_RESTORER
  });

  it('tars as one executable file with a valid ustar checksum', () => {
    const tar = pauseImageTar('x86_64')!;
    expect(tar.length % 512).toBe(0);
    const header = tar.subarray(0, 512);
    const text = (from: number, len: number) =>
      Buffer.from(header.subarray(from, from + len))
        .toString('latin1')
        .replace(/\0.*$/s, '');
    expect(text(0, 100)).toBe('pause');
    expect(Number.parseInt(text(100, 8), 8)).toBe(0o755);
    expect(Number.parseInt(text(124, 12), 8)).toBe(elf.length);
    expect(text(257, 5)).toBe('ustar');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    expect(Number.parseInt(text(148, 8), 8)).toBe(sum);
    expect(Buffer.from(tar.subarray(512, 512 + elf.length)).equals(Buffer.from(elf))).toBe(true);
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true);
  });

  it.each(['x86_64', 'amd64'])('exists for %s', (arch) => {
    expect(pauseImageTar(arch)).toBeDefined();
  });

  it.each(['aarch64', 'armv7l', 'unknown'])('does not exist for %s', (arch) => {
    expect(pauseImageTar(arch)).toBeUndefined();
  });

  it('refuses names that do not fit a ustar header', () => {
    expect(() => tarFiles([{ name: 'x'.repeat(101), mode: 0o644, content: new Uint8Array() }])).toThrow(
      /bug/,
    );
  });
});
