// Every number in skiff.yaml is bounded: a huge duration would overflow Node's timers (a delay
// above 2^31-1 ms fires after 1 ms) and turn a loop into a 1 ms busy loop.
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../src/config/load-config.js';
import { formatDiagnostic } from '../../../src/model/diagnostics.js';

const HOSTS = 'hosts:\n  - { name: l, kind: local }\n';
const rendered = (text: string) =>
  parseClusterConfig(text, 'skiff.yaml').diagnostics.map((d) =>
    formatDiagnostic(d).replace(/^skiff\.yaml:/, ''),
  );

describe('skiff.yaml bounds', () => {
  it.each([
    [
      'daemon:\n  leaseDurationSeconds: 1e300\n',
      'daemon.leaseDurationSeconds: must be <= 3600 [config.maximum]',
    ],
    [
      'daemon:\n  reconcileIntervalSeconds: 1e-300\n',
      'daemon.reconcileIntervalSeconds: must be >= 0.1 [config.minimum]',
    ],
    [
      'daemon:\n  reconcileIntervalSeconds: 1e12\n',
      'daemon.reconcileIntervalSeconds: must be <= 86400 [config.maximum]',
    ],
    [
      'daemon:\n  hostGracePeriodSeconds: 99999999\n',
      'daemon.hostGracePeriodSeconds: must be <= 86400 [config.maximum]',
    ],
    [
      'daemon:\n  metricsIntervalSeconds: 86400\n',
      'daemon.metricsIntervalSeconds: must be <= 3600 [config.maximum]',
    ],
    [
      'connection:\n  callTimeoutSeconds: 1e20\n',
      'connection.callTimeoutSeconds: must be <= 86400 [config.maximum]',
    ],
    ['connection:\n  maxConcurrent: 1000000\n', 'connection.maxConcurrent: must be <= 4096 [config.maximum]'],
    [
      'connection:\n  keepaliveCountMax: 1e9\n',
      'connection.keepaliveCountMax: must be <= 1000 [config.maximum]',
    ],
    [
      'connection:\n  reconnectMaxSeconds: 1e9\n',
      'connection.reconnectMaxSeconds: must be <= 3600 [config.maximum]',
    ],
    [
      'apps:\n  - { name: a, repoURL: /r, poll: { interval: 999999h } }\n',
      'apps[0].poll.interval: "999999h" is out of range: give 1s to 24h [config.maximum]',
    ],
    [
      'apps:\n  - { name: a, repoURL: /r, poll: { interval: 0ms } }\n',
      'apps[0].poll.interval: "0ms" is out of range: give 1s to 24h [config.maximum]',
    ],
  ])('refuses %j', (yaml, expected) => {
    const out = rendered(HOSTS + yaml);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(expected);
  });

  it.each([
    'daemon:\n  leaseDurationSeconds: 15\n  reconcileIntervalSeconds: 1\n',
    'connection:\n  reconnectMinSeconds: 0.2\n  reconnectMaxSeconds: 1\n  callTimeoutSeconds: 0.05\n',
    'apps:\n  - { name: a, repoURL: /r, poll: { interval: 2s } }\n',
  ])('accepts sane values %j', (yaml) => {
    expect(rendered(HOSTS + yaml)).toEqual([]);
  });
});
