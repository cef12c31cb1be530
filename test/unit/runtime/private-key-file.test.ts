// A host's private key file is read as OpenSSH reads it: readable by others is refused.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrivateKeyFileError, readPrivateKeyFile } from '../../../src/runtime/private-key-file.js';

function keyFile(mode: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'skiff-key-')), 'id_ed25519');
  writeFileSync(path, 'KEY');
  chmodSync(path, mode);
  return path;
}

describe('readPrivateKeyFile', () => {
  it.each([0o600, 0o400])('reads a key with mode %o', async (mode) => {
    expect((await readPrivateKeyFile(keyFile(mode), 'h1')).toString()).toBe('KEY');
  });

  it.each([
    [0o644, '0644'],
    [0o640, '0640'],
    [0o604, '0604'],
  ])('refuses a key with mode %o as OpenSSH does', async (mode, text) => {
    const path = keyFile(mode);
    const err = await readPrivateKeyFile(path, 'h1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrivateKeyFileError);
    expect((err as Error).message).toBe(
      `host/h1: unprotected private key file: permissions ${text} for ${path} are too open`,
    );
    expect((err as PrivateKeyFileError).hint).toBe(
      `chmod 600 ${path} (a private key must not be readable by others)`,
    );
    expect((err as PrivateKeyFileError).retryable).toBe(false);
  });

  it('says a missing key file is missing, typed', async () => {
    const err = await readPrivateKeyFile('/nonexistent/key', 'h1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrivateKeyFileError);
    expect((err as Error).message).toContain('ENOENT');
  });
});
