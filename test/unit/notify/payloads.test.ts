// Pure payload pieces: the template's JSON-escaping, owner/repo from repoURL, GitHub Enterprise.
import { describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../../../src/notify/notify-types.js';
import { appPageUrl, dedupeKey, renderRequest } from '../../../src/notify/payloads.js';
import { githubRepoOf, gitlabProjectOf } from '../../../src/notify/repo-ref.js';
import { renderTemplate, templateFields, unknownTemplateFields } from '../../../src/notify/template.js';

const SHA = 'f'.repeat(40);
const event: NotificationEvent = {
  trigger: 'on-commit-rejected',
  app: 'shop',
  commit: SHA,
  state: 'failure',
  subject: 'app/shop',
  message: 'bad "quote" \\ and\nnewline <b>',
  errors: ['a.yaml:1:2 x', 'b.yaml:3:4 y'],
  at: 0,
};

describe('webhook template', () => {
  it('fills each placeholder JSON-escaped, so the body stays JSON whatever the text holds', () => {
    const body = renderTemplate(
      '{"t": "{{ message }}", "e": "{{errors}}", "c": "{{shortCommit}}"}',
      templateFields(event, ''),
    );
    expect(JSON.parse(body)).toEqual({ t: event.message, e: 'a.yaml:1:2 x\nb.yaml:3:4 y', c: 'fffffff' });
  });
  it('lists the placeholders that name no field', () => {
    expect(unknownTemplateFields('{{app}} {{nope}} {{ trigger }} {{Commit}}')).toEqual(['nope', 'Commit']);
  });
});

describe('repository of a status', () => {
  it.each([
    ['https://github.com/acme/shop.git', { owner: 'acme', repo: 'shop' }, 'acme/shop'],
    ['https://github.com/acme/shop', { owner: 'acme', repo: 'shop' }, 'acme/shop'],
    ['https://user:tok@github.example.com/acme/shop.git/', { owner: 'acme', repo: 'shop' }, 'acme/shop'],
    ['https://gitlab.com/group/sub/proj.git', undefined, 'group/sub/proj'],
    ['/srv/git/shop', undefined, undefined],
    ['https://github.com/acme', undefined, undefined],
  ])('%s', (url, github, gitlab) => {
    expect(githubRepoOf(url)).toEqual(github);
    expect(gitlabProjectOf(url)).toEqual(gitlab);
  });
});

describe('requests', () => {
  it('GitHub Enterprise: the configured API root, owner/repo from the service over the repoURL', () => {
    const r = renderRequest(
      {
        name: 'ghe',
        type: 'github',
        apiUrl: 'https://ghe.example.com/api/v3/',
        token: 't',
        owner: 'o',
        repo: 'r',
      },
      event,
      { repoURL: 'https://github.com/acme/shop.git' },
    );
    expect(r?.url).toBe(`https://ghe.example.com/api/v3/repos/o/r/statuses/${SHA}`);
    const body = JSON.parse(r!.body);
    expect(body.description.length).toBeLessThanOrEqual(140);
    expect(body.target_url).toBeUndefined();
  });
  it('a commit-status service says nothing of an event without a commit state', () => {
    const host: NotificationEvent = { trigger: 'on-host-not-ready', subject: 'host/h1', message: 'x', at: 0 };
    expect(renderRequest({ name: 'g', type: 'gitlab', token: 't', project: '1' }, host, {})).toBeUndefined();
  });
  it('the app page lives under the public URL', () => {
    expect(appPageUrl('https://s.example.com/', 'shop')).toBe('https://s.example.com/#/apps/shop');
    expect(appPageUrl(undefined, 'shop')).toBe('');
  });
  it('one status per commit and state per service', () => {
    const gh = { name: 'gh', type: 'github' as const };
    const running = { ...event, trigger: 'on-sync-running' as const, state: 'running' as const };
    expect(dedupeKey(gh, event)).toBe(dedupeKey(gh, { ...event, trigger: 'on-rollout-failed' }));
    expect(dedupeKey(gh, event)).not.toBe(dedupeKey(gh, running));
    expect(dedupeKey(gh, event)).not.toBe(dedupeKey({ ...gh, name: 'gh2' }, event));
  });
});
