// A real repository with commits signed by real `git commit -S`: SSH keys from ssh-keygen and
// OpenPGP keys from gpg (in a temp GNUPGHOME), all in one temp dir removed by cleanup().
// Private keys never leave that dir and are never printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SignedRepo {
  dir: string;
  gitdir: string;
  /** `alice@example.com ssh-ed25519 AAAA...` lines of the allowed and the other SSH key. */
  allowedSshLine: string;
  otherSshLine: string;
  allowedSshFingerprint: string;
  otherSshFingerprint: string;
  /** Armored public keys of the allowed and the other OpenPGP key. */
  allowedPgp: string;
  otherPgp: string;
  allowedPgpFingerprint: string;
  otherPgpFingerprint: string;
  /** Commit a file with the given signing mode; returns the commit id. */
  commit(
    sign: 'none' | 'ssh-allowed' | 'ssh-other' | 'pgp-allowed' | 'pgp-other',
    files?: Record<string, string>,
  ): string;
  /** Writes a copy of `commit` whose message differs (its signature no longer matches). */
  tamper(commit: string): string;
  cleanup(): void;
}

export function makeSignedRepo(): SignedRepo {
  const root = mkdtempSync(join(tmpdir(), 'skiff-signed-'));
  const dir = join(root, 'repo');
  const gnupg = join(root, 'gnupg');
  execFileSync('mkdir', ['-m', '700', gnupg]);
  const env = {
    ...process.env,
    HOME: root,
    GNUPGHOME: gnupg,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
  };
  const run = (cmd: string, args: string[], cwd = root, input?: string) =>
    execFileSync(cmd, args, { cwd, env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  const sshKey = (name: string, email: string) => {
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', email, '-f', join(root, name)]);
    const pub = readFileSync(join(root, `${name}.pub`), 'utf8')
      .trim()
      .split(' ');
    const fpr = run('ssh-keygen', ['-l', '-f', join(root, `${name}.pub`)]).split(' ')[1] ?? '';
    return { line: `${email} ${pub[0]} ${pub[1]}`, fpr };
  };
  const pgpKey = (uid: string) => {
    run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
    const armored = run('gpg', ['--armor', '--export', uid]);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(run('gpg', ['--with-colons', '--fingerprint', uid]))?.[1] ?? '';
    return { armored, fpr };
  };
  const a = sshKey('alice_ssh', 'alice@example.com');
  const o = sshKey('mallory_ssh', 'mallory@example.com');
  const ap = pgpKey('Alice <alice-pgp@example.com>');
  const op = pgpKey('Mallory <mallory-pgp@example.com>');
  run('git', ['init', '-q', '-b', 'main', dir]);
  run('git', ['config', 'user.name', 'Alice'], dir);
  run('git', ['config', 'user.email', 'alice@example.com'], dir);
  let n = 0;
  const signArgs: Record<string, string[]> = {
    none: ['--no-gpg-sign'],
    'ssh-allowed': ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${join(root, 'alice_ssh.pub')}`],
    'ssh-other': ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${join(root, 'mallory_ssh.pub')}`],
    'pgp-allowed': ['-c', 'gpg.format=openpgp', '-c', 'gpg.program=gpg', '-c', `user.signingkey=${ap.fpr}`],
    'pgp-other': ['-c', 'gpg.format=openpgp', '-c', 'gpg.program=gpg', '-c', `user.signingkey=${op.fpr}`],
  };
  return {
    dir,
    gitdir: join(dir, '.git'),
    allowedSshLine: a.line,
    otherSshLine: o.line,
    allowedSshFingerprint: a.fpr,
    otherSshFingerprint: o.fpr,
    allowedPgp: ap.armored,
    otherPgp: op.armored,
    allowedPgpFingerprint: ap.fpr,
    otherPgpFingerprint: op.fpr,
    commit(sign, files = { 'n.txt': String(n) }) {
      n++;
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
      run('git', ['add', '-A'], dir);
      const args =
        sign === 'none' ? ['commit', ...(signArgs.none ?? [])] : [...(signArgs[sign] ?? []), 'commit', '-S'];
      run('git', [...args, '-q', '--allow-empty', '-m', `commit ${n} (${sign})`], dir);
      return run('git', ['rev-parse', 'HEAD'], dir).trim();
    },
    tamper(commit) {
      const raw = run('git', ['cat-file', 'commit', commit], dir);
      const forged = raw.replace(/\n\n([\s\S]*)$/, '\n\nforged: $1');
      return run('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], dir, forged).trim();
    },
    cleanup() {
      try {
        run('gpgconf', ['--kill', 'gpg-agent']);
      } catch {
        // no agent was started
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
