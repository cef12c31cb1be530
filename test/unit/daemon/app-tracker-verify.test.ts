// The tracker with `apps[].verify` over a real repository (LocalGitSource) whose commits are
// signed by real `git commit -S`: a head signed by an allowed key is admitted; an unsigned,
// unknown-key or tampered head is refused like an invalid commit (nothing of it read, the last
// admitted commit stays live, the status says why).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners } from '../../../src/config/allowed-signers.js';
import { AppTracker, type SecretSink } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { verifierFor } from '../../../src/git/commit-verifier.js';
import { LocalGitSource } from '../../../src/git/local-source.js';
import { makeSignedRepo, type SignedRepo } from '../git/signed-repo.js';
import { shopApp } from './fixtures.js';

const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { v: "${v}" }\n`;
const secret =
  'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData: { token: hunter2-unsigned }\n';

let repo: SignedRepo;
let state: string;
beforeAll(() => {
  repo = makeSignedRepo();
  state = mkdtempSync(join(tmpdir(), 'skiff-verify-state-'));
}, 60_000);
afterAll(() => {
  repo?.cleanup();
  if (state) rmSync(state, { recursive: true, force: true });
});

function trackerOver(noted: string[]) {
  const parsed = parseAllowedSigners(repo.allowedSshLine);
  if ('problem' in parsed) throw new Error(parsed.problem);
  const verify = {
    openpgpKeys: [{ source: 'inline', text: repo.allowedPgp }],
    allowedSigners: { source: 'inline', signers: parsed.signers },
  };
  const source = new LocalGitSource(
    { app: 'shop', repoURL: repo.dir, revision: 'main', path: '.' },
    { fs, http: {} as never, stateDir: state },
  );
  const sink: SecretSink = { note: (_a, commit) => noted.push(commit), admitted: () => {} };
  const app = { ...shopApp, verify };
  return new AppTracker(
    app,
    source,
    createBundleValidator(),
    () => false,
    sink,
    verifierFor('shop', source, verify),
  );
}

describe('AppTracker with apps[].verify', () => {
  it('admits only heads signed by a listed key; refusals keep the last admitted commit live', async () => {
    const noted: string[] = [];
    const tracker = trackerOver(noted);
    const steps: [string, () => string, boolean, RegExp][] = [
      ['ssh, allowed key', () => repo.commit('ssh-allowed', { 'c.yaml': cm('1') }), true, /SSH key SHA256:/],
      [
        'unsigned',
        () => repo.commit('none', { 'c.yaml': cm('2'), 's.yaml': secret }),
        false,
        /is not signed/,
      ],
      [
        'ssh, other key',
        () => repo.commit('ssh-other', { 'c.yaml': cm('3') }),
        false,
        /which is not in apps\[\]\.verify/,
      ],
      [
        'openpgp, allowed key',
        () => repo.commit('pgp-allowed', { 'c.yaml': cm('4') }),
        true,
        /OpenPGP key [0-9A-F]{40}/,
      ],
      [
        'openpgp, other key',
        () => repo.commit('pgp-other', { 'c.yaml': cm('5') }),
        false,
        /which is not in apps\[\]\.verify/,
      ],
      [
        'tampered',
        () => {
          const forged = repo.tamper(repo.commit('ssh-allowed', { 'c.yaml': cm('6') }));
          execFileSync('git', ['update-ref', 'refs/heads/main', forged], { cwd: repo.dir });
          return forged;
        },
        false,
        /has a bad signature by SSH key/,
      ],
    ];
    let live: string | undefined;
    for (const [name, make, admitted, says] of steps) {
      const head = make();
      const r = await tracker.refresh(1000);
      const snap = tracker.snapshot();
      expect(r.admittedChanged, name).toBe(admitted);
      if (admitted) {
        live = head;
        expect(snap.admitted?.signedBy, name).toMatch(says);
        expect(snap.rejected, name).toBeUndefined();
      } else {
        expect(snap.rejected?.commit, name).toBe(head);
        expect(snap.rejected?.diagnostics.map((d) => d.message).join('\n'), name).toMatch(says);
        const cond = snap.conditions.find((c) => c.type === 'CommitAdmitted');
        expect(cond?.reason, name).toBe('SignatureRejected');
        expect(cond?.message, name).toMatch(says);
      }
      expect(snap.admitted?.commit, name).toBe(live);
    }
    // Refused commits were never read: their Secrets never reached the scrubber's sink either.
    expect(noted).toHaveLength(2);
    expect((tracker.snapshot().admitted?.objects[0] as { data?: unknown } | undefined)?.data).toEqual({
      v: '4',
    });
  }, 60_000);

  it('a signed commit is still validated: a good signature does not admit a bad manifest', async () => {
    const tracker = trackerOver([]);
    repo.commit('ssh-allowed', { 'c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' });
    await tracker.refresh(1000);
    expect(tracker.snapshot().rejected).toBeDefined();
    expect(tracker.snapshot().conditions.find((c) => c.type === 'CommitAdmitted')?.reason).toBe(
      'ValidationFailed',
    );
  });
});
