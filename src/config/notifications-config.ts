// `notifications` of skiff.yaml at load time: the rules the schema cannot say (unique service
// names, which fields each service type takes, a webhook template that names known fields and
// stays JSON, apps subscribing to services that exist and whose repository a commit status can
// be posted to), and the defaults. Every finding points at its field with file:line:column.
import {
  DEFAULT_HEALTH_DEGRADED_SECONDS,
  DEFAULT_NOTIFICATION_DELIVERY,
  type NotificationServiceConfig,
  type NotificationsConfig,
} from '../notify/notify-config.js';
import { DEFAULT_TRIGGERS, type TriggerName } from '../notify/notify-types.js';
import { githubRepoOf, gitlabProjectOf } from '../notify/repo-ref.js';
import { renderTemplate, TEMPLATE_FIELDS, unknownTemplateFields } from '../notify/template.js';

type Path = (string | number)[];
type At = (path: Path, code: string, message: string) => void;

export interface RawNotifications {
  publicUrl?: string;
  services?: NotificationServiceConfig[];
  triggers?: TriggerName[];
  healthDegradedSeconds?: number;
  delivery?: Partial<NotificationsConfig['delivery']>;
}

interface RawApp {
  name: string;
  repoURL: string;
  notifications?: { services?: string[]; triggers?: TriggerName[] };
}

/** Fields each service type takes besides name and type. */
const FIELDS: Record<NotificationServiceConfig['type'], readonly string[]> = {
  github: ['tokenEnv', 'apiUrl', 'owner', 'repo'],
  gitlab: ['tokenEnv', 'apiUrl', 'project'],
  webhook: ['url', 'urlEnv', 'template', 'headersEnv'],
  slack: ['url', 'urlEnv'],
};

function checkService(s: NotificationServiceConfig, i: number, at: At): void {
  const path = ['notifications', 'services', i];
  for (const key of Object.keys(s)) {
    if (key === 'name' || key === 'type' || FIELDS[s.type].includes(key)) continue;
    at([...path, key], 'config.notification-field', `"${key}" has no meaning for a ${s.type} service`);
  }
  if ((s.type === 'github' || s.type === 'gitlab') && s.tokenEnv === undefined)
    at(
      path,
      'config.required',
      `${s.type} service "${s.name}" needs "tokenEnv" (the variable holding its token)`,
    );
  if ((s.type === 'webhook' || s.type === 'slack') && (s.url === undefined) === (s.urlEnv === undefined))
    at(
      path,
      'config.notification-url',
      `${s.type} service "${s.name}" needs exactly one of "url" or "urlEnv"`,
    );
  if (s.template !== undefined) {
    const unknown = unknownTemplateFields(s.template);
    if (unknown.length > 0)
      at(
        [...path, 'template'],
        'config.template-field',
        `unknown field {{${unknown[0]}}}: use ${TEMPLATE_FIELDS.join(', ')}`,
      );
    else if (!rendersJson(s.template))
      at(
        [...path, 'template'],
        'config.template-json',
        'the template is not JSON once its fields are filled in',
      );
  }
}

function rendersJson(template: string): boolean {
  const sample = Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, 'x"\\\n'])) as Parameters<
    typeof renderTemplate
  >[1];
  try {
    JSON.parse(renderTemplate(template, sample));
    return true;
  } catch {
    return false;
  }
}

/** An app's subscription: services that exist, whose repository can be derived. */
function checkApp(a: RawApp, i: number, services: readonly NotificationServiceConfig[], at: At): void {
  const names = a.notifications?.services ?? services.map((s) => s.name);
  names.forEach((name, j) => {
    const s = services.find((x) => x.name === name);
    if (!s) {
      at(
        ['apps', i, 'notifications', 'services', j],
        'config.notification-service',
        `no notification service "${name}"`,
      );
      return;
    }
    if (s.type === 'github' && (s.owner === undefined || s.repo === undefined) && !githubRepoOf(a.repoURL))
      at(
        ['apps', i, 'repoURL'],
        'config.notification-repo',
        `github service "${name}" cannot tell owner/repo from this repoURL: give "owner" and "repo" on the service`,
      );
    if (s.type === 'gitlab' && s.project === undefined && !gitlabProjectOf(a.repoURL))
      at(
        ['apps', i, 'repoURL'],
        'config.notification-repo',
        `gitlab service "${name}" cannot tell the project from this repoURL: give "project" on the service`,
      );
  });
}

export function checkNotifications(raw: RawNotifications | undefined, apps: readonly RawApp[], at: At): void {
  const services = raw?.services ?? [];
  const seen = new Set<string>();
  services.forEach((s, i) => {
    if (seen.has(s.name))
      at(
        ['notifications', 'services', i, 'name'],
        'config.duplicate-service',
        `service "${s.name}" is listed twice`,
      );
    seen.add(s.name);
    checkService(s, i, at);
  });
  apps.forEach((a, i) => {
    if (a.notifications && !raw?.services)
      at(
        ['apps', i, 'notifications'],
        'config.notification-service',
        'no notification services are configured (notifications.services)',
      );
    else checkApp(a, i, services, at);
  });
}

/** The defaulted block, or undefined when skiff.yaml has none. */
export function notificationsOf(raw: RawNotifications | undefined): NotificationsConfig | undefined {
  if (!raw) return undefined;
  return {
    publicUrl: raw.publicUrl,
    services: raw.services ?? [],
    triggers: raw.triggers ?? [...DEFAULT_TRIGGERS],
    healthDegradedSeconds: raw.healthDegradedSeconds ?? DEFAULT_HEALTH_DEGRADED_SECONDS,
    delivery: { ...DEFAULT_NOTIFICATION_DELIVERY, ...raw.delivery },
  };
}
