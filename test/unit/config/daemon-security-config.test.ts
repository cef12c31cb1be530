// skiff.yaml's daemon security keys: listening beyond loopback needs TLS or insecure: true;
// tls needs both files; webhookListen follows the same rule; metrics.public is a boolean.
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../src/config/load-config.js';

const parse = (daemon: string) =>
  parseClusterConfig(`hosts: [{ name: h, kind: local }]\ndaemon:\n${daemon}\n`, '/etc/skiff/skiff.yaml');

describe('daemon security keys', () => {
  it.each([
    [
      '  listen: 0.0.0.0:7420',
      'daemon.listen',
      /exposes the API beyond this machine without TLS: set daemon.tls/,
    ],
    ['  listen: 127.0.0.1:7420\n  webhookListen: 0.0.0.0:7421', 'daemon.webhookListen', /without TLS/],
    ['  tls: { cert: c.pem }', 'daemon.tls', /key/],
    ['  insecure: "yes"', 'daemon.insecure', /boolean/],
    ['  metrics: { public: 1 }', 'daemon.metrics.public', /boolean/],
  ])('refuses %j', (daemon, path, message) => {
    const { config, diagnostics } = parse(daemon);
    expect(config).toBeUndefined();
    expect(diagnostics.map((d) => d.path)).toEqual([path]);
    expect(diagnostics[0]?.message).toMatch(message);
    expect(diagnostics[0]?.line).toBeGreaterThan(0);
  });

  it.each([
    '  listen: 0.0.0.0:7420\n  insecure: true',
    '  listen: 0.0.0.0:7420\n  tls: { cert: c.pem, key: k.pem }',
    '  listen: 127.0.0.1:7420\n  webhookListen: 0.0.0.0:7421\n  insecure: true\n  metrics: { public: true }',
  ])('accepts %j', (daemon) => {
    const { config, diagnostics } = parse(daemon);
    expect(diagnostics).toEqual([]);
    expect(config).toBeDefined();
  });

  it('resolves the TLS files against the config file', () => {
    const { config } = parse('  listen: 0.0.0.0:7420\n  tls: { cert: c.pem, key: /k.pem }');
    expect(config?.daemon.tls).toEqual({ cert: '/etc/skiff/c.pem', key: '/k.pem' });
  });
});
