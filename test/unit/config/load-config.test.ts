import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryForImage } from '../../../src/config/cluster-config.js';
import { ConfigError, loadClusterConfig, parseClusterConfig } from '../../../src/config/load-config.js';
import { formatDiagnostic } from '../../../src/model/diagnostics.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0wFjX3bIqO4sbm3Kq2Y3v1Z5xYbB2lW3uSxkgW6pn';

// The shape the testbed writes to .testbed/skiff.yaml.
const TESTBED = `hosts:
  - name: h1
    address: 10.213.0.11
    port: 22
    user: root
    privateKeyFile: /abs/.testbed/ssh/id_ed25519
    hostKey: "${KEY}"
    dockerSocket: /abs/h1/docker.sock
    dataDir: /abs/.testbed/h1/skiff
    labels: { zone: zone-a }
    taints: []
registries:
  - server: 10.213.0.1:5000
    insecure: true
network:
  serviceCIDR: 10.213.200.0/24
`;

describe('parseClusterConfig', () => {
  it('reads the testbed config and fills every default', () => {
    const { config, diagnostics } = parseClusterConfig(TESTBED, '/abs/.testbed/skiff.yaml');
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({
      file: '/abs/.testbed/skiff.yaml',
      hosts: [
        {
          kind: 'ssh',
          name: 'h1',
          address: '10.213.0.11',
          port: 22,
          user: 'root',
          privateKeyFile: '/abs/.testbed/ssh/id_ed25519',
          hostKey: KEY,
          insecureAcceptHostKey: false,
          dockerSocket: '/abs/h1/docker.sock',
          dataDir: '/abs/.testbed/h1/skiff',
          labels: { zone: 'zone-a' },
          taints: [],
        },
      ],
      registries: [{ server: '10.213.0.1:5000', insecure: true }],
      network: { serviceCIDR: '10.213.200.0/24' },
      apps: [],
      daemon: {
        stateDir: '/abs/.testbed/.skiff',
        listen: '127.0.0.1:7420',
        reconcileIntervalSeconds: 10,
        hostGracePeriodSeconds: 40,
        metricsIntervalSeconds: 15,
      },
    });
    expect(config?.connection.observeTimeoutSeconds).toBeGreaterThan(0);
  });

  it('defaults a minimal SSH host and an app, resolving relative paths against the file', () => {
    const text = `hosts:
  - name: web1
    address: example.internal
    privateKeyFile: keys/id
    knownHostsFile: ./known_hosts
apps:
  - name: shop
    repoURL: ../manifests
  - name: remote
    repoURL: https://git.example.com/org/repo.git
    revision: v1.2.0
    path: deploy
    auth: { tokenFile: token }
    syncPolicy: { prune: false }
    poll: { cron: "*/1 * * * *" }
    webhook: { secretEnv: HOOK_SECRET }
    rollback: { autoRestore: false }
    gitLimits: { fetchTimeoutSeconds: 60 }
daemon:
  gitLimits: { maxPackBytes: 1048576 }
`;
    const { config, diagnostics } = parseClusterConfig(text, '/etc/skiff/skiff.yaml');
    expect(diagnostics).toEqual([]);
    expect(config?.hosts[0]).toMatchObject({
      port: 22,
      user: 'root',
      privateKeyFile: '/etc/skiff/keys/id',
      knownHostsFile: '/etc/skiff/known_hosts',
      dockerSocket: '/var/run/docker.sock',
      dataDir: '/var/lib/skiff',
    });
    expect(config?.apps).toEqual([
      {
        name: 'shop',
        repoURL: '/etc/manifests',
        revision: 'main',
        path: '.',
        auth: undefined,
        syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false },
        poll: { interval: '30s' },
        webhook: undefined,
        rollback: { autoRestore: true },
        gitLimits: { maxPackBytes: 1048576, maxObjectBytes: 64 * 1024 * 1024, fetchTimeoutSeconds: 300 },
      },
      {
        name: 'remote',
        repoURL: 'https://git.example.com/org/repo.git',
        revision: 'v1.2.0',
        path: 'deploy',
        auth: { tokenFile: '/etc/skiff/token' },
        syncPolicy: { automated: true, prune: false, selfHeal: true, allowEmpty: false },
        poll: { cron: '*/1 * * * *' },
        webhook: { secretEnv: 'HOOK_SECRET' },
        rollback: { autoRestore: false },
        gitLimits: { maxPackBytes: 1048576, maxObjectBytes: 64 * 1024 * 1024, fetchTimeoutSeconds: 60 },
      },
    ]);
  });

  it.each([
    ['a fetch timeout of 1e300 seconds', 'fetchTimeoutSeconds: 1e300'],
    ['a zero pack cap', 'maxPackBytes: 0'],
    ['a fractional object cap', 'maxObjectBytes: 2048.5'],
  ])('refuses gitLimits with %s', (_name, field) => {
    const text = `hosts: [{ name: h, kind: local }]\ndaemon:\n  gitLimits: { ${field} }\n`;
    const { config, diagnostics } = parseClusterConfig(text, 'skiff.yaml');
    expect(config).toBeUndefined();
    expect(diagnostics.map((d) => d.path)).toEqual([`daemon.gitLimits.${field.split(':')[0]}`]);
  });

  it('reads a local host and agent auth', () => {
    const text = `hosts:
  - name: local
    kind: local
  - name: h2
    address: 10.0.0.2
    agent: true
    insecureAcceptHostKey: true
`;
    const { config } = parseClusterConfig(text, '/x/skiff.yaml', { SSH_AUTH_SOCK: '/run/agent.sock' });
    expect(config?.hosts).toMatchObject([
      { kind: 'local', name: 'local', address: '127.0.0.1', dockerSocket: '/var/run/docker.sock' },
      {
        kind: 'ssh',
        name: 'h2',
        agent: '/run/agent.sock',
        insecureAcceptHostKey: true,
        privateKeyFile: undefined,
      },
    ]);
  });

  it.each([
    [
      'an unknown field',
      'hosts:\n  - name: h1\n    kind: local\n    adress: x\n',
      ['4:5 hosts[0].adress: unknown field "adress" [config.unknown-field]'],
    ],
    [
      'a wrong type',
      'hosts:\n  - name: h1\n    kind: local\n    labels: { a: 1 }\n',
      ['4:18 hosts[0].labels.a: must be string [config.type]'],
    ],
    [
      'a bad host name',
      'hosts:\n  - name: H_1\n    kind: local\n',
      [/^2:11 hosts\[0\]\.name: must match pattern/],
    ],
    [
      'a bad enum',
      'hosts:\n  - name: h1\n    kind: vm\n',
      ['3:11 hosts[0].kind: must be one of "ssh", "local" [config.enum]'],
    ],
    [
      'a missing name',
      'hosts:\n  - kind: local\n',
      ['2:5 hosts[0]: missing required field "name" [config.required]'],
    ],
    [
      'an SSH host with no key trust and no auth',
      'hosts:\n  - name: h1\n    address: 10.0.0.1\n',
      [
        '2:5 hosts[0]: host "h1" needs "privateKeyFile" or "agent" [config.ssh-auth]',
        '2:5 hosts[0]: host "h1" needs "hostKey" or "knownHostsFile" (or "insecureAcceptHostKey: true" to trust any key) [config.host-key]',
      ],
    ],
    [
      'SSH fields on a local host',
      'hosts:\n  - name: l\n    kind: local\n    port: 22\n',
      ['4:11 hosts[0].port: "port" has no meaning for a local host [config.local-host-field]'],
    ],
    [
      'duplicate hosts',
      'hosts:\n  - name: a\n    kind: local\n  - name: a\n    kind: local\n',
      ['4:11 hosts[1].name: host "a" is listed twice [config.duplicate-host]'],
    ],
    [
      'a bad CIDR',
      'hosts:\n  - { name: l, kind: local }\nnetwork:\n  serviceCIDR: 10.0.0.300/24\n',
      ['4:16 network.serviceCIDR: "10.0.0.300/24" is not an IPv4 CIDR [config.cidr]'],
    ],
    [
      'both poll kinds and a bad cron',
      'hosts:\n  - { name: l, kind: local }\napps:\n  - name: a\n    repoURL: x\n    poll: { interval: 30s, cron: "nope" }\n',
      [
        '6:11 apps[0].poll: give either "interval" or "cron", not both [config.poll]',
        '6:34 apps[0].poll.cron: "nope" is not a valid cron expression [config.cron]',
      ],
    ],
    [
      'an ssh:// repo URL',
      'hosts:\n  - { name: l, kind: local }\napps:\n  - { name: a, repoURL: "ssh://git@x/r.git" }\n',
      ['4:25 apps[0].repoURL: repoURL must be an http(s) URL or a local path [config.repo-url]'],
    ],
    [
      'a registry password with no username, from two sources',
      'hosts:\n  - { name: l, kind: local }\nregistries:\n  - server: r:5000\n    password: x\n    passwordEnv: P\n',
      [
        '4:5 registries[0]: give only one of password, passwordFile, passwordEnv [config.registry-password]',
        '4:5 registries[0]: a registry password needs a "username" [config.registry-username]',
      ],
    ],
    ['broken YAML', 'hosts:\n  - name: [a\n', [/^3:1 .*\[yaml\./]],
    ['no hosts', 'hosts: []\n', ['1:8 hosts: must NOT have fewer than 1 items [config.minItems]']],
  ])('reports %s with file:line:column', (_name, text, expected) => {
    const { config, diagnostics } = parseClusterConfig(text, 'skiff.yaml');
    expect(config).toBeUndefined();
    const rendered = diagnostics.map((d) => formatDiagnostic(d).replace(/^skiff\.yaml:/, ''));
    expect(rendered).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) {
      if (typeof e === 'string') expect(rendered[i]).toBe(e);
      else expect(rendered[i]).toMatch(e);
    }
  });
});

describe('loadClusterConfig', () => {
  it('falls back to the local Docker engine when no file is given and none exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-config-'));
    const config = await loadClusterConfig(undefined, { cwd: dir, env: {} });
    expect(config.hosts).toMatchObject([
      { kind: 'local', name: 'local', dockerSocket: '/var/run/docker.sock' },
    ]);
    expect(config.daemon.stateDir).toBe(`${dir}/.skiff`);
  });

  it('fails on an explicit file that does not exist, and on an invalid one with all findings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-config-'));
    await expect(loadClusterConfig('missing.yaml', { cwd: dir })).rejects.toMatchObject({
      code: 'config.unreadable',
    });
    await writeFile(
      join(dir, 'skiff.yaml'),
      'hosts:\n  - name: a\n    kind: local\n    bogus: 1\n    other: 2\n',
    );
    const err = await loadClusterConfig(undefined, { cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).diagnostics).toHaveLength(2);
    expect((err as ConfigError).message).toContain(`${dir}/skiff.yaml:4:5`);
  });
});

describe('registryForImage', () => {
  const regs = [
    { server: '10.213.0.1:5000', insecure: true },
    { server: 'docker.io', insecure: false, username: 'u' },
  ];
  it.each([
    ['10.213.0.1:5000/skiff/web:1.0.0', '10.213.0.1:5000'],
    ['busybox:1.36', 'docker.io'],
    ['library/busybox', 'docker.io'],
    ['ghcr.io/org/app:1', undefined],
  ])('%s -> %s', (image, server) => {
    expect(registryForImage(regs, image)?.server).toBe(server);
  });
});
