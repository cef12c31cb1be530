// `apps[].verify` in skiff.yaml: key sources inline or as files (relative to the config), and
// every mistake reported with file:line:column, the field path and a hint.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners } from '../../../src/config/allowed-signers.js';
import { parseClusterConfig } from '../../../src/config/load-config.js';
import { formatDiagnostic } from '../../../src/model/diagnostics.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0wFjX3bIqO4sbm3Kq2Y3v1Z5xYbB2lW3uSxkgW6pn';
const PUBLIC = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n';
const dir = mkdtempSync(join(tmpdir(), 'skiff-verify-config-'));
writeFileSync(join(dir, 'alice.asc'), PUBLIC);
writeFileSync(join(dir, 'secret.asc'), '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nx\n');
writeFileSync(join(dir, 'notakey.asc'), 'hello\n');
writeFileSync(join(dir, 'allowed_signers'), `# deployers\nalice@example.com ${KEY} alice\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (verify: string) =>
  `apps:\n  - name: web\n    repoURL: https://example.com/r.git\n    verify:\n${verify.replace(/^/gm, '      ')}\n`;
const parse = (verify: string) => parseClusterConfig(config(verify), join(dir, 'skiff.yaml'));

describe('apps[].verify', () => {
  it('reads keys from files beside the config, and inline', () => {
    const { config: c, diagnostics } = parse(
      `openpgpKeys: [alice.asc, ${JSON.stringify(PUBLIC)}]\nallowedSigners: allowed_signers`,
    );
    expect(diagnostics).toEqual([]);
    const v = c?.apps[0]?.verify;
    expect(v?.openpgpKeys.map((k) => k.source)).toEqual([join(dir, 'alice.asc'), 'inline']);
    expect(v?.allowedSigners?.source).toBe(join(dir, 'allowed_signers'));
    expect(v?.allowedSigners?.signers.map((s) => [s.principals, s.keyType])).toEqual([
      ['alice@example.com', 'ssh-ed25519'],
    ]);
    const inline = parse(`allowedSigners: "alice@example.com ${KEY}"`);
    expect(inline.config?.apps[0]?.verify?.allowedSigners?.source).toBe('inline');
    expect(
      parseClusterConfig(config('').replace('    verify:\n', ''), join(dir, 's.yaml')).config?.apps[0]
        ?.verify,
    ).toBeUndefined();
  });

  it.each([
    ['{}', 'config.verify', 'apps[0].verify', /give "openpgpKeys" or "allowedSigners"/],
    [
      'openpgpKeys: [missing.asc]',
      'config.verify-file',
      'apps[0].verify.openpgpKeys[0]',
      /cannot read .*missing\.asc: ENOENT/,
    ],
    [
      'openpgpKeys: [secret.asc]',
      'config.verify-private-key',
      'apps[0].verify.openpgpKeys[0]',
      /private key: give the public key/,
    ],
    [
      'openpgpKeys: [notakey.asc]',
      'config.verify-openpgp',
      'apps[0].verify.openpgpKeys[0]',
      /armored public key/,
    ],
    ['openpgpKeys: []', 'config.minItems', 'apps[0].verify.openpgpKeys', /fewer than 1/],
    [
      `allowedSigners: "alice@example.com ssh-dss AAAA"`,
      'config.allowed-signers',
      'apps[0].verify.allowedSigners',
      /line 1: expected/,
    ],
    [
      `allowedSigners: "alice@example.com cert-authority ${KEY}"`,
      'config.allowed-signers',
      'apps[0].verify.allowedSigners',
      /cert-authority is not supported/,
    ],
    [
      'allowedSigners: "# only a comment\\n"',
      'config.allowed-signers',
      'apps[0].verify.allowedSigners',
      /no signer is listed/,
    ],
    ['keys: [a]', 'config.unknown-field', 'apps[0].verify.keys', /unknown field "keys"/],
  ])('%s -> %s', (verify, code, path, message) => {
    const { config: c, diagnostics } = parse(verify);
    expect(c).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.path])).toContainEqual([code, path]);
    const d = diagnostics.find((x) => x.code === code)!;
    expect(d.message).toMatch(message);
    expect(d.line).toBeGreaterThanOrEqual(4);
    expect(formatDiagnostic(d)).toContain(`skiff.yaml:${d.line}:${d.column}`);
  });
});

describe('parseAllowedSigners', () => {
  it.each([
    [`a@x ${KEY}`, { principals: 'a@x', keyType: 'ssh-ed25519' }],
    [
      `a@x,b@x namespaces="git,file" ${KEY} comment here`,
      { principals: 'a@x,b@x', namespaces: ['git', 'file'] },
    ],
    [
      `a@x valid-after="20240101",valid-before="20250101Z" ${KEY}`,
      { validAfter: 1704067200, validBefore: 1735689600 },
    ],
    [`a@x valid-after="202401011230" ${KEY}`, { validAfter: 1704112200 }],
  ])('%s', (line, expected) => {
    const r = parseAllowedSigners(line);
    expect('signers' in r && r.signers[0]).toMatchObject(expected);
  });

  it.each([
    [`a@x ${KEY.replace('ssh-ed25519', 'ssh-rsa')}`, /not a ssh-rsa key/],
    [`a@x ssh-ed25519 !!!notbase64`, /not valid base64/],
    [`a@x valid-after="tomorrow" ${KEY}`, /is not YYYYMMDD/],
    [`a@x no-touch-required ${KEY}`, /unknown option "no-touch-required"/],
    [`a@x sk-ssh-ed25519@openssh.com AAAA`, /not supported/],
    ['\n\n', /no signer/],
  ])('%s is refused', (line, problem) => {
    const r = parseAllowedSigners(`# c\n${line}`);
    expect('problem' in r && r.problem).toMatch(problem);
  });
});
