// The files on this machine that reaching the hosts needs (each SSH host's private key and
// known_hosts file), read once when the daemon starts: a missing or unreadable one is the
// user's to fix now, one line with a hint, not a host that stays NotReady for ever. Shell.
import { access, constants } from 'node:fs/promises';
import type { HostConfig } from '../config/cluster-config.js';
import { SkiffError } from '../model/errors.js';
import { readPrivateKeyFile } from './private-key-file.js';

async function checkKnownHostsFile(path: string, host: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SkiffError('ssh.known-hosts', `host/${host}: cannot read known hosts file ${path} (${code})`, {
      subject: `host/${host}`,
      hint: 'check knownHostsFile and its permissions (ssh-keyscan HOST > FILE writes one)',
      cause: err,
      retryable: false,
    });
  }
}

/** Throws the first host's file problem (PrivateKeyFileError, ssh.known-hosts). */
export async function checkHostFiles(hosts: readonly HostConfig[]): Promise<void> {
  for (const h of hosts) {
    if (h.kind !== 'ssh') continue;
    if (h.privateKeyFile !== undefined) await readPrivateKeyFile(h.privateKeyFile, h.name);
    if (h.knownHostsFile !== undefined) await checkKnownHostsFile(h.knownHostsFile, h.name);
  }
}
