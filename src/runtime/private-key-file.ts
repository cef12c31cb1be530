// Reading a host's SSH private key file as OpenSSH does: a key file its owner lets others read
// (any group or other permission bit, e.g. 0644) is refused ("UNPROTECTED PRIVATE KEY FILE"),
// never silently used; 0600 and 0400 are fine. Shell (reads one file).
import { open } from 'node:fs/promises';
import { SkiffError } from '../model/errors.js';

export class PrivateKeyFileError extends SkiffError {
  constructor(host: string, message: string, hint: string, cause?: unknown) {
    super('ssh.private-key', `host/${host}: ${message}`, {
      subject: `host/${host}`,
      hint,
      cause,
      retryable: false,
    });
  }
}

/** The key's bytes; throws PrivateKeyFileError when the file is missing, unreadable, not a
 *  regular file, or readable by others. */
export async function readPrivateKeyFile(path: string, host: string): Promise<Buffer> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new PrivateKeyFileError(
      host,
      `cannot read private key file ${path} (${code})`,
      'check privateKeyFile and its permissions',
      err,
    );
  }
  try {
    const st = await file.stat();
    if (!st.isFile())
      throw new PrivateKeyFileError(
        host,
        `private key file ${path} is not a regular file`,
        'point privateKeyFile at the key file',
      );
    // OpenSSH's sshkey_perm_ok: the owner's key must not be accessible by group or others.
    if (st.uid === process.getuid?.() && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new PrivateKeyFileError(
        host,
        `unprotected private key file: permissions ${mode} for ${path} are too open`,
        `chmod 600 ${path} (a private key must not be readable by others)`,
      );
    }
    return await file.readFile();
  } finally {
    await file.close();
  }
}
