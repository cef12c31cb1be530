// Signed-commit verification against commits made by real `git commit -S` with keys made by
// ssh-keygen and gpg in the test (test/unit/git/signed-repo.ts).
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners } from '../../../src/config/allowed-signers.js';
import type { VerifyConfig } from '../../../src/config/cluster-config.js';
import { splitSignedCommit } from '../../../src/git/commit-signature.js';
import { verifierFor } from '../../../src/git/commit-verifier.js';
import { readCommitContent } from '../../../src/git/object-store.js';
import { makeSignedRepo, type SignedRepo } from './signed-repo.js';

let repo: SignedRepo;
const commits: Record<string, string> = {};

beforeAll(() => {
  repo = makeSignedRepo();
  for (const s of ['none', 'ssh-allowed', 'ssh-other', 'pgp-allowed', 'pgp-other'] as const)
    commits[s] = repo.commit(s);
  commits['ssh-tampered'] = repo.tamper(commits['ssh-allowed']!);
  commits['pgp-tampered'] = repo.tamper(commits['pgp-allowed']!);
}, 60_000);
afterAll(() => repo?.cleanup());

function signers(text: string) {
  const parsed = parseAllowedSigners(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return { source: 'inline', signers: parsed.signers };
}

const store = () => ({ fs, gitdir: repo.gitdir, cache: {} });
const config = (): VerifyConfig => ({
  openpgpKeys: [{ source: 'inline', text: repo.allowedPgp }],
  allowedSigners: signers(repo.allowedSshLine),
});

describe('verifierFor over real signed commits', () => {
  it.each([
    ['ssh-allowed', true, /alice@example.com \(SSH key SHA256:/],
    ['pgp-allowed', true, /Alice <alice-pgp@example.com> \(OpenPGP key [0-9A-F]{40}\)/],
    ['none', false, /^commit [0-9a-f]{7} is not signed/],
    ['ssh-other', false, /is signed by SSH key SHA256:.*, which is not in apps\[\]\.verify/],
    ['pgp-other', false, /is signed by OpenPGP key [0-9A-F]+, which is not in apps\[\]\.verify/],
    ['ssh-tampered', false, /has a bad signature by SSH key SHA256:/],
    ['pgp-tampered', false, /has a bad signature by OpenPGP key/],
  ])('%s -> admitted %s', async (which, ok, message) => {
    const verdict = await verifierFor('web', store(), config())(commits[which]!);
    expect(verdict.ok).toBe(ok);
    expect(verdict.ok ? verdict.signer : verdict.message).toMatch(message);
  });

  it('names the exact fingerprints ssh-keygen and gpg print', async () => {
    const v = verifierFor('web', store(), config());
    const good = await v(commits['ssh-allowed']!);
    expect(good.ok && good.signer).toContain(repo.allowedSshFingerprint);
    const other = await v(commits['ssh-other']!);
    expect(!other.ok && other.message).toContain(repo.otherSshFingerprint);
    expect(!other.ok && other.code).toBe('signature.unknown-key');
    const pgp = await v(commits['pgp-other']!);
    expect(!pgp.ok && pgp.message).toContain(repo.otherPgpFingerprint);
  });

  it('refuses an SSH signature when only OpenPGP keys are listed, and vice versa', async () => {
    const pgpOnly = verifierFor('web', store(), {
      openpgpKeys: [{ source: 'inline', text: repo.allowedPgp }],
    });
    expect((await pgpOnly(commits['ssh-allowed']!)).ok).toBe(false);
    expect((await pgpOnly(commits['pgp-allowed']!)).ok).toBe(true);
    const sshOnly = verifierFor('web', store(), {
      openpgpKeys: [],
      allowedSigners: signers(repo.allowedSshLine),
    });
    expect((await sshOnly(commits['pgp-allowed']!)).ok).toBe(false);
  });

  it.each([
    ['namespaces="file"', false],
    ['namespaces="git,file"', true],
    ['valid-after="20990101"', false],
    ['valid-before="20000101"', false],
    ['valid-after="20000101",valid-before="20990101"', true],
  ])('allowed_signers option %s -> admitted %s', async (options, ok) => {
    const [principal, ...key] = repo.allowedSshLine.split(' ');
    const line = `${principal} ${options} ${key.join(' ')}`;
    const v = verifierFor('web', store(), { openpgpKeys: [], allowedSigners: signers(line) });
    expect((await v(commits['ssh-allowed']!)).ok).toBe(ok);
  });

  it('a missing commit or a key that does not parse refuses, never throws', async () => {
    const v = verifierFor('web', store(), config());
    const missing = await v('0'.repeat(40));
    expect(missing).toMatchObject({ ok: false, code: 'git.read' });
    const badKey = verifierFor('web', store(), {
      openpgpKeys: [
        {
          source: 'k.asc',
          text: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n',
        },
      ],
    });
    const r = await badKey(commits['pgp-allowed']!);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/apps\[web\]\.verify\.openpgpKeys k\.asc/);
  });

  it('the payload is the commit object without its gpgsig header, as git verifies it', async () => {
    const content = await readCommitContent(store(), commits['ssh-allowed']!);
    const split = splitSignedCommit(content);
    expect(split.kind).toBe('ssh');
    expect(split.payload.toString()).not.toContain('gpgsig');
    expect(split.payload.toString()).toMatch(/^tree [0-9a-f]{40}\n/);
    expect(split.committedAt).toBeGreaterThan(1_600_000_000);
  });
});
