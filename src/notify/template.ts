// The generic webhook's body template: JSON text with `{{field}}` placeholders, each replaced by
// the event's field JSON-escaped (without quotes), so `{"text": "{{message}}"}` stays valid JSON
// whatever the message holds. A tiny, documented substitution, not a template language: no
// conditionals, no loops, no filters. Unknown fields are refused when skiff.yaml is loaded. Pure.
import type { NotificationEvent } from './notify-types.js';

/** The fields a template may name (README "Notifications"). */
export const TEMPLATE_FIELDS = [
  'app',
  'trigger',
  'commit',
  'shortCommit',
  'state',
  'subject',
  'message',
  'restoredCommit',
  'errors',
  'url',
  'at',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The event as the template's fields (every value a string; absent ones empty). */
export function templateFields(event: NotificationEvent, url: string): Record<TemplateField, string> {
  return {
    app: event.app ?? '',
    trigger: event.trigger,
    commit: event.commit ?? '',
    shortCommit: event.commit?.slice(0, 7) ?? '',
    state: event.state ?? '',
    subject: event.subject,
    message: event.message,
    restoredCommit: event.restoredCommit ?? '',
    errors: (event.errors ?? []).join('\n'),
    url,
    at: new Date(event.at).toISOString(),
  };
}

/** The placeholders of a template that name no field (checked at load time). */
export function unknownTemplateFields(template: string): string[] {
  const known = new Set<string>(TEMPLATE_FIELDS);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((f) => !known.has(f));
}

/** The template with each placeholder replaced by its field, JSON-escaped. */
export function renderTemplate(template: string, fields: Record<TemplateField, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = (fields as Record<string, string | undefined>)[name];
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
}

/** Without a template: the event's fields as one JSON object. */
export function defaultWebhookBody(fields: Record<TemplateField, string>): string {
  return JSON.stringify(fields);
}
