// The `notifications` block of skiff.yaml as loaded (src/config checks it): services by name,
// with where their secrets are (environment variables, read when the daemon starts), the
// default triggers, and each app's subscription. Plain data: no secret value is held here.
import type { ServiceType, TriggerName } from './notify-types.js';

export interface NotificationServiceConfig {
  name: string;
  type: ServiceType;
  /** github, gitlab: the environment variable holding the token. */
  tokenEnv?: string;
  /** webhook, slack: the URL inline, or the environment variable holding it (a Slack incoming
   *  webhook's URL is itself a secret). */
  url?: string;
  urlEnv?: string;
  /** github: REST API root (GitHub Enterprise: https://HOST/api/v3); gitlab: instance root. */
  apiUrl?: string;
  /** github: the repository (default: from the app's repoURL). */
  owner?: string;
  repo?: string;
  /** gitlab: project id or `group/project` path (default: from the app's repoURL). */
  project?: string;
  /** webhook: the body, JSON with {{field}} placeholders (default: every field). */
  template?: string;
  /** webhook: header name -> environment variable holding its value. */
  headersEnv?: Record<string, string>;
}

export interface NotificationsConfig {
  /** The daemon as users reach it: statuses link to `<publicUrl>/apps/<app>`. */
  publicUrl?: string;
  services: NotificationServiceConfig[];
  /** Triggers of apps that do not list theirs (default: all but on-hpa-scaled), and of
   *  events that concern no app (a host NotReady). */
  triggers: TriggerName[];
  /** on-health-degraded fires after a Deployment is this long below its available replicas. */
  healthDegradedSeconds: number;
  delivery: { concurrency: number; timeoutSeconds: number; maxAttempts: number };
}

/** `apps[].notifications`: which services an app reports to, on which triggers. */
export interface AppNotificationsConfig {
  /** Service names (default: every service). */
  services?: string[];
  triggers?: TriggerName[];
}

export const DEFAULT_NOTIFICATION_DELIVERY = { concurrency: 4, timeoutSeconds: 10, maxAttempts: 5 };
export const DEFAULT_HEALTH_DEGRADED_SECONDS = 60;
