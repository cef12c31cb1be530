// SSH signatures of every supported key type, made by the real `ssh-keygen -Y sign`, and
// malformed signatures and commit objects: each one an answer, never a throw.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners } from '../../../src/config/allowed-signers.js';
import { splitSignedCommit } from '../../../src/git/commit-signature.js';
import { judgeCommitSignature } from '../../../src/git/commit-verifier.js';
import { judgeSshSignature } from '../../../src/git/sshsig.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-sshsig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MESSAGE = 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\n\nhello\n';
writeFileSync(join(dir, 'msg'), MESSAGE);

function signWith(type: string, bits?: string, namespace = 'git') {
  const key = join(dir, `${type}${bits ?? ''}-${namespace}`);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(bits ? ['-b', bits] : []),
    '-N',
    '',
    '-C',
    'k',
    '-f',
    key,
  ]);
  execFileSync('ssh-keygen', ['-Y', 'sign', '-f', key, '-n', namespace, join(dir, 'msg')], { stdio: 'pipe' });
  const signature = readFileSync(join(dir, 'msg.sig'), 'utf8');
  rmSync(join(dir, 'msg.sig'));
  const [t, b64] = readFileSync(`${key}.pub`, 'utf8').split(' ');
  const parsed = parseAllowedSigners(`signer@x ${t} ${b64}`);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return { signature, signers: parsed.signers };
}

describe('judgeSshSignature with ssh-keygen -Y sign', () => {
  it.each([
    ['ed25519', undefined],
    ['ecdsa', '256'],
    ['ecdsa', '384'],
    ['ecdsa', '521'],
    ['rsa', '2048'],
  ])('%s %s: valid, and bad once the message changes', (type, bits) => {
    const { signature, signers } = signWith(type, bits);
    const ok = judgeSshSignature(signature, Buffer.from(MESSAGE), signers, undefined);
    expect(ok).toMatchObject({ ok: true, principals: 'signer@x' });
    const bad = judgeSshSignature(signature, Buffer.from(`${MESSAGE}x`), signers, undefined);
    expect(bad).toMatchObject({ ok: false, code: 'signature.bad' });
  });

  it('refuses a signature made for another namespace (a file signature is not a commit signature)', () => {
    const { signature, signers } = signWith('ed25519', undefined, 'file');
    expect(judgeSshSignature(signature, Buffer.from(MESSAGE), signers, undefined)).toMatchObject({
      ok: false,
      message: 'signature namespace is "file", not "git"',
    });
  });
});

const commit = (sig: string) =>
  Buffer.from(
    `tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 2 +0000\ngpgsig ${sig.split('\n').join('\n ')}\n\nmsg\ngpgsig not a header\n`,
  );
const noKeys = { openpgp: [], sshSigners: [] };

describe('malformed signatures are refused, never thrown', () => {
  it.each([
    ['-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----', /truncated/],
    ['-----BEGIN SSH SIGNATURE-----\nTk9UU0lHeHh4eA==\n-----END SSH SIGNATURE-----', /not an SSHSIG blob/],
    ['-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----', /truncated|not an SSHSIG/],
    ['-----BEGIN SSH SIGNATURE-----\nno end', /not an armored SSH signature/],
    ['-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----', /malformed OpenPGP signature/],
    ['-----BEGIN SIGNED MESSAGE-----\nx', /X\.509/],
    ['garbage', /unknown signature/],
  ])('%s', async (sig, message) => {
    const v = await judgeCommitSignature('abcdef0123', commit(sig), noKeys);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.message).toMatch(message);
  });

  it('splits only the header section: a "gpgsig" line in the message is the message', () => {
    const split = splitSignedCommit(
      commit('-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----'),
    );
    expect(split.signature).toBe('-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n');
    expect(split.payload.toString()).toBe(
      'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 2 +0000\n\nmsg\ngpgsig not a header\n',
    );
    expect(split.committedAt).toBe(2);
    expect(splitSignedCommit(Buffer.from('tree x\n\nmsg\n'))).toEqual({
      payload: Buffer.from('tree x\n\nmsg\n'),
    });
  });
});
