// `notifications` in skiff.yaml: defaults, and every mistake reported at its field with
// file:line:column (table-driven).
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../src/config/load-config.js';
import { formatDiagnostic } from '../../../src/model/diagnostics.js';

const parse = (yaml: string) => parseClusterConfig(yaml, '/etc/skiff/skiff.yaml');

const APP = `apps:
  - name: shop
    repoURL: https://github.com/acme/shop.git
`;

describe('notifications config', () => {
  it('defaults: every trigger but on-hpa-scaled, 60 s degraded threshold, bounded delivery', () => {
    const { config, diagnostics } = parse(`${APP}notifications:
  publicUrl: https://skiff.example.com
  services:
    - name: github
      type: github
      tokenEnv: GITHUB_TOKEN
`);
    expect(diagnostics).toEqual([]);
    expect(config?.notifications).toEqual({
      publicUrl: 'https://skiff.example.com',
      services: [{ name: 'github', type: 'github', tokenEnv: 'GITHUB_TOKEN' }],
      triggers: [
        'on-sync-running',
        'on-sync-succeeded',
        'on-commit-rejected',
        'on-rollout-failed',
        'on-health-degraded',
        'on-host-not-ready',
      ],
      healthDegradedSeconds: 60,
      delivery: { concurrency: 4, timeoutSeconds: 10, maxAttempts: 5 },
    });
    expect(parse(APP).config?.notifications).toBeUndefined();
  });

  it('an app lists its services and triggers', () => {
    const { config, diagnostics } = parse(`apps:
  - name: shop
    repoURL: https://github.com/acme/shop.git
    notifications:
      services: [chat]
      triggers: [on-hpa-scaled, on-sync-succeeded]
notifications:
  services:
    - { name: chat, type: slack, urlEnv: SLACK_URL }
`);
    expect(diagnostics).toEqual([]);
    expect(config?.apps[0]?.notifications).toEqual({
      services: ['chat'],
      triggers: ['on-hpa-scaled', 'on-sync-succeeded'],
    });
  });

  it.each([
    {
      name: 'a github service without a token variable',
      yaml: `${APP}notifications:\n  services:\n    - { name: gh, type: github }\n`,
      want: /skiff\.yaml:6:7 notifications\.services\[0\]: github service "gh" needs "tokenEnv"/,
    },
    {
      name: 'a field another type takes',
      yaml: `${APP}notifications:\n  services:\n    - name: chat\n      type: slack\n      url: https://hooks.slack.com/x\n      tokenEnv: T\n`,
      want: /skiff\.yaml:9:17 notifications\.services\[0\]\.tokenEnv: "tokenEnv" has no meaning for a slack service/,
    },
    {
      name: 'a webhook with both url and urlEnv',
      yaml: `${APP}notifications:\n  services:\n    - { name: h, type: webhook, url: "https://x.example/h", urlEnv: H }\n`,
      want: /needs exactly one of "url" or "urlEnv"/,
    },
    {
      name: 'a template naming an unknown field',
      yaml: `${APP}notifications:\n  services:\n    - name: h\n      type: webhook\n      url: https://x.example/h\n      template: '{"a": "{{comit}}"}'\n`,
      want: /skiff\.yaml:9:17 notifications\.services\[0\]\.template: unknown field \{\{comit\}\}/,
    },
    {
      name: 'a template that is not JSON once filled',
      yaml: `${APP}notifications:\n  services:\n    - name: h\n      type: webhook\n      url: https://x.example/h\n      template: '{"a": {{message}}}'\n`,
      want: /the template is not JSON once its fields are filled in/,
    },
    {
      name: 'an unknown trigger',
      yaml: `${APP}notifications:\n  triggers: [on-sync-done]\n`,
      want: /notifications\.triggers\[0\]: must be one of "on-sync-running"/,
    },
    {
      name: 'an app subscribing to a service that does not exist',
      yaml: `apps:\n  - name: shop\n    repoURL: https://github.com/acme/shop.git\n    notifications: { services: [gh] }\nnotifications:\n  services: []\n`,
      want: /apps\[0\]\.notifications\.services\[0\]: no notification service "gh"/,
    },
    {
      name: 'a github status for an app whose repoURL names no owner/repo',
      yaml: `apps:\n  - name: shop\n    repoURL: ./repo\nnotifications:\n  services:\n    - { name: gh, type: github, tokenEnv: T }\n`,
      want: /skiff\.yaml:3:14 apps\[0\]\.repoURL: github service "gh" cannot tell owner\/repo from this repoURL: give "owner" and "repo"/,
    },
    {
      name: 'a duplicate service name',
      yaml: `${APP}notifications:\n  services:\n    - { name: a, type: slack, urlEnv: A }\n    - { name: a, type: slack, urlEnv: B }\n`,
      want: /service "a" is listed twice/,
    },
    {
      name: 'a public URL that is not http(s)',
      yaml: `${APP}notifications:\n  publicUrl: skiff.example.com\n`,
      want: /notifications\.publicUrl: must match pattern/,
    },
  ])('$name', ({ yaml, want }) => {
    const { config, diagnostics } = parse(yaml);
    expect(config).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic).join('\n')).toMatch(want);
  });
});
