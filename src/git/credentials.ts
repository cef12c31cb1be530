// Where a git source's credentials come from (an environment variable or a file, never the
// config itself) and how they become isomorphic-git's onAuth answer. Read at every operation,
// so a rotated token file is picked up without a restart. Shell: reads env and files through
// injected functions.
import type { GitAuth } from 'isomorphic-git';
import { GitError } from './errors.js';

export type SecretRef = { env: string } | { file: string };

export type GitAuthSpec =
  /** A personal/deploy token sent as HTTP basic password (username defaults to x-access-token,
   * which GitHub, GitLab and Gitea accept). */
  | { kind: 'token'; token: SecretRef; username?: string }
  | { kind: 'basic'; username: string; password: SecretRef };

export interface SecretReader {
  env: Record<string, string | undefined>;
  readFile: (path: string) => Promise<string>;
}

export async function readSecret(ref: SecretRef, reader: SecretReader, subject: string): Promise<string> {
  if ('env' in ref) {
    const value = reader.env[ref.env];
    if (value === undefined || value === '') {
      throw new GitError('git.credentials', `credential variable ${ref.env} is not set`, {
        subject,
        hint: `export ${ref.env} before starting skiff, or use a file`,
      });
    }
    return value;
  }
  try {
    // Files conventionally end with a newline (echo TOKEN > file); the secret does not.
    return (await reader.readFile(ref.file)).replace(/\r?\n$/, '');
  } catch (cause) {
    throw new GitError('git.credentials', `cannot read credential file ${ref.file}`, {
      subject,
      cause,
      hint: 'check the path and its permissions',
    });
  }
}

export async function resolveGitAuth(
  spec: GitAuthSpec | undefined,
  reader: SecretReader,
  subject: string,
): Promise<GitAuth | undefined> {
  if (!spec) return undefined;
  switch (spec.kind) {
    case 'token':
      return {
        username: spec.username ?? 'x-access-token',
        password: await readSecret(spec.token, reader, subject),
      };
    case 'basic':
      return { username: spec.username, password: await readSecret(spec.password, reader, subject) };
  }
}
