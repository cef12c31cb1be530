// One event as the HTTP request each kind of service expects. Pure: the service's secrets are
// passed in as values (read from the environment by the shell) and end up in headers or the
// URL only, never in a body.
// - GitHub: POST {api}/repos/{owner}/{repo}/statuses/{sha}, {state, target_url, description,
//   context}; Authorization: Bearer, Accept: application/vnd.github+json, X-GitHub-Api-Version
//   (docs.github.com "REST API endpoints for commit statuses").
// - GitLab: POST {api}/api/v4/projects/:id/statuses/:sha, {state, name, target_url,
//   description}; PRIVATE-TOKEN (docs.gitlab.com "Commits API: set the pipeline status").
// - webhook: the service's template (template.ts) or every field as JSON.
// - slack: an incoming webhook's {text, blocks}.
import type { CommitState, NotificationEvent, NotifyRequest, ServiceType } from './notify-types.js';
import { githubRepoOf, gitlabProjectOf } from './repo-ref.js';
import { defaultWebhookBody, renderTemplate, templateFields } from './template.js';

export const GITHUB_API_VERSION = '2022-11-28';
export const DEFAULT_GITHUB_API = 'https://api.github.com';
export const DEFAULT_GITLAB_API = 'https://gitlab.com';

/** A service with its secrets read (the shell's resolveServices). */
export interface ResolvedService {
  name: string;
  type: ServiceType;
  /** github: the REST API root; gitlab: the instance's root (without /api/v4). */
  apiUrl?: string;
  token?: string;
  /** webhook and slack: where to POST. */
  url?: string;
  owner?: string;
  repo?: string;
  /** gitlab: a numeric id or a `group/project` path. */
  project?: string;
  template?: string;
  /** webhook: extra headers (values read from the environment). */
  headers?: Record<string, string>;
}

export interface RequestContext {
  /** The app's repoURL (owner/repo or project are derived from it when the service omits them). */
  repoURL?: string;
  /** The daemon's public URL: a status links to the app's page there. */
  publicUrl?: string;
}

const GITHUB_STATE: Record<CommitState, string> = {
  running: 'pending',
  success: 'success',
  failure: 'failure',
};
const GITLAB_STATE: Record<CommitState, string> = {
  running: 'running',
  success: 'success',
  failure: 'failed',
};

/** The app's page on the daemon (empty without a public URL). */
export function appPageUrl(publicUrl: string | undefined, app: string | undefined): string {
  if (!publicUrl) return '';
  const base = publicUrl.replace(/\/+$/, '');
  // The dashboard routes by hash: its Apps page, the app named after it.
  return app ? `${base}/#/apps/${encodeURIComponent(app)}` : base;
}

/** Cut to `max` characters (GitHub takes 140 in a description, GitLab 255). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'User-Agent': 'skiff' };

/** The request for one event, or undefined when the service has nothing to say about it (a
 *  commit-status service and an event without a commit state, or no repo to post to). */
export function renderRequest(
  svc: ResolvedService,
  event: NotificationEvent,
  ctx: RequestContext,
): NotifyRequest | undefined {
  const url = appPageUrl(ctx.publicUrl, event.app);
  switch (svc.type) {
    case 'github':
      return githubRequest(svc, event, ctx, url);
    case 'gitlab':
      return gitlabRequest(svc, event, ctx, url);
    case 'webhook': {
      const fields = templateFields(event, url);
      const body = svc.template ? renderTemplate(svc.template, fields) : defaultWebhookBody(fields);
      return { method: 'POST', url: svc.url ?? '', headers: { ...JSON_HEADERS, ...svc.headers }, body };
    }
    case 'slack':
      return { method: 'POST', url: svc.url ?? '', headers: JSON_HEADERS, body: slackBody(event, url) };
  }
}

function githubRequest(
  svc: ResolvedService,
  event: NotificationEvent,
  ctx: RequestContext,
  targetUrl: string,
): NotifyRequest | undefined {
  if (!event.state || !event.commit || !event.app) return undefined;
  const derived = ctx.repoURL ? githubRepoOf(ctx.repoURL) : undefined;
  const owner = svc.owner ?? derived?.owner;
  const repo = svc.repo ?? derived?.repo;
  if (!owner || !repo) return undefined;
  const api = (svc.apiUrl ?? DEFAULT_GITHUB_API).replace(/\/+$/, '');
  const body = {
    state: GITHUB_STATE[event.state],
    ...(targetUrl ? { target_url: targetUrl } : {}),
    description: clip(event.message, 140),
    context: `skiff/${event.app}`,
  };
  return {
    method: 'POST',
    url: `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/statuses/${event.commit}`,
    headers: {
      ...JSON_HEADERS,
      Authorization: `Bearer ${svc.token ?? ''}`,
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': GITHUB_API_VERSION,
    },
    body: JSON.stringify(body),
  };
}

function gitlabRequest(
  svc: ResolvedService,
  event: NotificationEvent,
  ctx: RequestContext,
  targetUrl: string,
): NotifyRequest | undefined {
  if (!event.state || !event.commit || !event.app) return undefined;
  const project = svc.project ?? (ctx.repoURL ? gitlabProjectOf(ctx.repoURL) : undefined);
  if (!project) return undefined;
  const api = (svc.apiUrl ?? DEFAULT_GITLAB_API).replace(/\/+$/, '');
  const body = {
    state: GITLAB_STATE[event.state],
    name: `skiff/${event.app}`,
    ...(targetUrl ? { target_url: targetUrl } : {}),
    description: clip(event.message, 255),
  };
  return {
    method: 'POST',
    url: `${api}/api/v4/projects/${encodeURIComponent(project)}/statuses/${event.commit}`,
    headers: { ...JSON_HEADERS, 'PRIVATE-TOKEN': svc.token ?? '' },
    body: JSON.stringify(body),
  };
}

/** Slack's mrkdwn needs &, < and > escaped (api.slack.com "Formatting text"). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SLACK_ICON: Record<string, string> = {
  running: ':hourglass:',
  success: ':white_check_mark:',
  failure: ':x:',
};

function slackBody(event: NotificationEvent, url: string): string {
  const icon = event.state ? SLACK_ICON[event.state] : ':warning:';
  const text = `${icon} ${slackEscape(event.message)}`;
  const link = url ? `\n<${url}|${slackEscape(event.app ? `app/${event.app}` : 'skiff')}>` : '';
  const errors = (event.errors ?? []).map((e) => `\n• \`${slackEscape(e)}\``).join('');
  return JSON.stringify({
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${text}${errors}${link}` } }],
  });
}

/** The key that makes a delivery happen once: one status per commit and state per service;
 *  for chat and webhooks, one message per trigger, commit and object. */
export function dedupeKey(service: ResolvedService, event: NotificationEvent): string {
  if (service.type === 'github' || service.type === 'gitlab')
    return `${service.name}|${event.app}|${event.commit}|${event.state}`;
  return `${service.name}|${event.trigger}|${event.app ?? ''}|${event.commit ?? ''}|${event.subject}|${event.trigger === 'on-host-not-ready' || event.trigger === 'on-hpa-scaled' || event.trigger === 'on-health-degraded' ? event.at : ''}`;
}
