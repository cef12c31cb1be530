// Credentials in a repository URL: hidden at every boundary, split off for the auth header.
import { describe, expect, it } from 'vitest';
import { redactUrlCredentials, splitUrlCredentials } from '../../../src/diff/redact-url.js';

describe('redactUrlCredentials', () => {
  it.each([
    ['https://user:tok@host/x.git', 'https://***@host/x.git'],
    ['https://tok@host/x.git', 'https://***@host/x.git'],
    ['https://user:p@ss@host/x.git', 'https://***@host/x.git'],
    ['https://host/x.git?a=b@c', 'https://host/x.git?a=b@c'],
    ['https://host/a@b/x.git', 'https://host/a@b/x.git'],
    ['/srv/repo', '/srv/repo'],
  ])('%s -> %s', (url, out) => {
    expect(redactUrlCredentials(url)).toBe(out);
  });
});

describe('splitUrlCredentials', () => {
  it.each([
    ['https://user:p%40ss@host/x.git', { url: 'https://host/x.git', username: 'user', password: 'p@ss' }],
    ['https://tok@host/x.git', { url: 'https://host/x.git', username: 'tok', password: undefined }],
    ['https://host/x.git', { url: 'https://host/x.git' }],
  ])('%s', (url, out) => {
    expect(splitUrlCredentials(url)).toEqual(out);
  });
});
