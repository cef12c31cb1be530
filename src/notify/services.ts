// The services of skiff.yaml with their secrets read from the environment, once, when the
// daemon starts: a variable that is not set stops the start (fail closed, as webhook secrets
// do), with which variable and what to do. Shell (reads the environment it is given).
import { UsageError } from '../model/errors.js';
import type { NotificationServiceConfig } from './notify-config.js';
import type { ResolvedService } from './payloads.js';

function readEnv(
  env: Record<string, string | undefined>,
  service: string,
  name: string,
  what: string,
): string {
  const value = env[name];
  if (!value)
    throw new UsageError(
      `notification service "${service}": ${what} variable ${name} is ${value === undefined ? 'not set' : 'empty'}`,
      `export ${name} before starting the daemon, or remove the service from notifications.services`,
    );
  return value;
}

export function resolveServices(
  services: readonly NotificationServiceConfig[],
  env: Record<string, string | undefined>,
): ResolvedService[] {
  return services.map((s) => {
    const out: ResolvedService = { name: s.name, type: s.type };
    if (s.apiUrl) out.apiUrl = s.apiUrl;
    if (s.owner) out.owner = s.owner;
    if (s.repo) out.repo = s.repo;
    if (s.project) out.project = s.project;
    if (s.template) out.template = s.template;
    if (s.tokenEnv) out.token = readEnv(env, s.name, s.tokenEnv, 'token');
    if (s.url) out.url = s.url;
    if (s.urlEnv) out.url = readEnv(env, s.name, s.urlEnv, 'URL');
    if (s.headersEnv)
      out.headers = Object.fromEntries(
        Object.entries(s.headersEnv).map(([h, name]) => [h, readEnv(env, s.name, name, `header ${h}`)]),
      );
    return out;
  });
}

/** The secret values of the services (tokens, URLs from the environment, header values), to
 *  scrub from every error text a delivery records or logs. */
export function serviceSecrets(
  configs: readonly NotificationServiceConfig[],
  resolved: readonly ResolvedService[],
): string[] {
  return resolved.flatMap((r, i) => {
    const c = configs[i];
    const values = [r.token, c?.urlEnv ? r.url : undefined, ...Object.values(r.headers ?? {})];
    return values.filter((v): v is string => v !== undefined && v.length >= 4);
  });
}
