// The files that run skiff's daemon as a service: examples/systemd/skiff.service, checked by
// systemd's own verifier and hardening score and by its keys, and examples/docker/Dockerfile,
// checked statically (images cannot be pulled on this machine, so it is not built here).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DAEMON } from '../../../src/config/cluster-config.js';

const ROOT = join(import.meta.dirname, '../../..');

const UNIT = join(ROOT, 'examples/systemd/skiff.service');
const DOCKERFILE = join(ROOT, 'examples/docker/Dockerfile');

/** A systemd unit file as sections of key -> values (a key may repeat), comments dropped. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = new Map();
      out.set(header[1]!, section);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`not a unit file line: ${line}`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!]);
  }
  return out;
}

/** Dockerfile instructions (continuations joined), each as [INSTRUCTION, arguments], by stage. */
function parseDockerfile(text: string): Array<Array<[string, string]>> {
  const joined = text.replace(/\\\n/g, ' ');
  const stages: Array<Array<[string, string]>> = [];
  for (const line of joined.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [, op, args] = /^([A-Z]+)\s+(.*)$/.exec(line) ?? [];
    if (!op) throw new Error(`not a Dockerfile line: ${line}`);
    if (op === 'FROM') stages.push([]);
    stages.at(-1)!.push([op, args!.replace(/\s+/g, ' ')]);
  }
  return stages;
}

describe('examples/systemd/skiff.service', () => {
  const unit = parseUnit(readFileSync(UNIT, 'utf8'));
  const service = unit.get('Service')!;
  const one = (key: string) => service.get(key)?.join(' ');

  it.each([
    ['User', 'skiff'],
    ['ExecStart', '/usr/local/bin/skiff run --config /etc/skiff/skiff.yaml --log-format json'],
    ['StateDirectory', 'skiff'],
    ['StateDirectoryMode', '0700'],
    ['CacheDirectory', 'skiff'],
    ['Environment', 'SKIFF_CACHE_DIR=/var/cache/skiff MALLOC_ARENA_MAX=2'],
    ['Restart', 'on-failure'],
    ['RestartSec', '5s'],
    ['KillSignal', 'SIGTERM'],
    ['EnvironmentFile', '-/etc/skiff/skiff.env'],
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ReadWritePaths', '/var/lib/skiff'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectKernelLogs', 'yes'],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
    ['LockPersonality', 'yes'],
    ['MemoryDenyWriteExecute', 'no'],
    ['SystemCallFilter', '@system-service ~@privileged'],
    ['CapabilityBoundingSet', ''],
  ])('[Service] %s=%s', (key, value) => {
    expect(one(key)).toBe(value);
  });

  it('waits longer to stop than a pod takes to end by default (30 s grace), then installs for boot', () => {
    expect(Number.parseInt(one('TimeoutStopSec')!, 10)).toBeGreaterThan(30);
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
    expect(unit.get('Unit')!.get('After')).toEqual(['network-online.target']);
  });

  // ExecStart must name an executable file for the verifier: this checkout's bin stands in for
  // the installed /usr/local/bin/skiff.
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-unit-'));
  const copy = join(tmp, 'skiff.service');
  writeFileSync(copy, readFileSync(UNIT, 'utf8').replace('/usr/local/bin/skiff', join(ROOT, 'bin/skiff.js')));

  it('passes systemd-analyze verify with nothing to say', () => {
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', cwd: tmp });
    expect(r.error).toBeUndefined();
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it("scores 'OK' or better on systemd-analyze security (exposure at most 2.0 of 10)", () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', copy], {
      encoding: 'utf8',
      cwd: tmp,
    });
    const score = /Overall exposure level for skiff\.service: ([0-9.]+)/.exec(r.stdout)?.[1];
    expect(Number(score)).toBeLessThanOrEqual(2);
  });
});

describe('examples/docker/Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
  const final = stages.at(-1)!;
  const args = (stage: Array<[string, string]>, op: string) =>
    stage.filter(([o]) => o === op).map(([, a]) => a);

  it('is multi-stage, every stage on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0]![1]).toMatch(/^node:20-bookworm-slim( AS [a-z]+)?$/);
  });

  it('installs the `npm pack` tarball globally, and copies no checkout wholesale', () => {
    const runs = stages.flatMap((s) => args(s, 'RUN')).join('\n');
    expect(runs).toMatch(/npm pack/);
    expect(runs).toMatch(/npm install -g [^\n]*\.tgz/);
    for (const s of stages) for (const c of args(s, 'COPY')) expect(c).not.toMatch(/^\. /);
  });

  it('runs the daemon as a non-root user, config at /etc/skiff, state in a volume', () => {
    expect(args(final, 'USER')).toHaveLength(1);
    expect(args(final, 'USER')[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(args(final, 'VOLUME')).toEqual(['["/var/lib/skiff"]']);
    expect(args(final, 'ENTRYPOINT')).toEqual(['["skiff"]']);
    expect(args(final, 'CMD')[0]).toContain('"run", "--config", "/etc/skiff/skiff.yaml"');
  });

  it("checks /healthz on the daemon's default API address, and stops with SIGTERM", () => {
    const health = args(final, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toContain(`http://${DEFAULT_DAEMON.listen}/healthz`);
    expect(args(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('runs the daemon with two malloc arenas, as the systemd unit does', () => {
    expect(args(final, 'ENV').join(' ')).toMatch(/(^|\s)MALLOC_ARENA_MAX=2(\s|$)/);
  });
});
