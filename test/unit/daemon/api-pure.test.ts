// The API's pure checks, table-driven: field validation, Host and Origin rules, exposure.
import { describe, expect, it } from 'vitest';
import { exposureProblem, isLoopbackHost } from '../../../src/config/listen-address.js';
import { type Fields, objectProblem } from '../../../src/daemon/api-bounds.js';
import { crossSite, hostAllowed, hostnameOf } from '../../../src/daemon/api-guard.js';

describe('objectProblem', () => {
  const fields: Fields = {
    app: { type: 'string', maxLength: 3 },
    wait: { type: 'boolean' },
    n: { type: 'number', min: 1, max: 10, integer: true },
  };
  it.each([
    [{}, undefined],
    [{ app: 'web', wait: false, n: 10 }, undefined],
    [{ app: 'webs' }, '"app" is longer than 3'],
    [{ wait: 1 }, '"wait" must be a boolean'],
    [{ n: 1.5 }, '"n" must be an integer'],
    [{ n: Number.NaN }, '"n" must be an integer'],
    [{ n: 11 }, '"n" must be from 1 to 10'],
    [{ constructor: 1 }, 'unknown field "constructor"'],
    [{ __proto__x: 1 }, 'unknown field "__proto__x"'],
  ])('%j -> %s', (obj, problem) => {
    expect(objectProblem(obj as Record<string, unknown>, fields)).toBe(problem);
  });
});

describe('Host and Origin', () => {
  it.each([
    [undefined, '127.0.0.1', true],
    ['127.0.0.1:7420', '127.0.0.1', true],
    ['localhost:7420', '127.0.0.1', true],
    ['LOCALHOST', '127.0.0.1', true],
    ['[::1]:7420', '::1', true],
    ['attacker.example:7420', '127.0.0.1', false],
    ['127.0.0.1.attacker.example', '127.0.0.1', false],
    ['skiff.lan:7420', 'skiff.lan', true],
    ['anything:7420', '0.0.0.0', true],
  ])('Host %s on a daemon listening on %s: %s', (host, listen, ok) => {
    expect(hostAllowed(host, listen)).toBe(ok);
  });

  it('hostnameOf', () => {
    expect(hostnameOf('[::1]:80')).toBe('::1');
    expect(hostnameOf('Example.COM:80')).toBe('example.com');
  });

  it.each([
    [{}, false],
    [{ host: 'a:1', origin: 'http://a:1' }, false],
    [{ host: 'a:1', origin: 'http://b:1' }, true],
    [{ host: 'a:1', origin: 'http://a:2' }, true],
    [{ host: 'a:1', origin: 'null' }, true],
    [{ 'sec-fetch-site': 'cross-site' }, true],
    [{ 'sec-fetch-site': 'same-origin' }, false],
  ])('crossSite(%j) = %s', (headers, cross) => {
    expect(crossSite(headers)).toBe(cross);
  });
});

describe('listening beyond loopback', () => {
  it.each([
    ['127.0.0.1:7420', {}, false],
    ['127.8.0.1:7420', {}, false],
    ['localhost:7420', {}, false],
    ['[::1]:7420', {}, false],
    [':7420', {}, false],
    ['0.0.0.0:7420', {}, true],
    ['[::]:7420', {}, true],
    ['10.0.0.5:7420', {}, true],
    ['0.0.0.0:7420', { insecure: true }, false],
    ['0.0.0.0:7420', { tls: { cert: 'c', key: 'k' } }, false],
  ])('%s with %j needs TLS or insecure: %s', (listen, daemon, problem) => {
    expect(exposureProblem(listen, daemon) !== undefined).toBe(problem);
  });

  it('isLoopbackHost', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});
