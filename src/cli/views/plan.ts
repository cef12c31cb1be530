// Renderings of a Plan (text for a terminal, markdown for a PR comment, JSON for machines) and
// of an object diff (`skiff diff REV_A REV_B`). Pure: values in, strings out.
// Invariant: renderers print only what the Plan holds; Secret values were redacted when the
// diff was computed, so nothing here can reveal one.

import {
  changeDisplayName,
  changeLabel,
  changeMarker,
  fieldMarker,
  formatFieldChange,
  formatValue,
  shortSha,
} from '../../diff/format-value.js';
import { displayName } from '../../diff/object-diff.js';
import { formatPlanSummary, summarizePlan } from '../../diff/plan.js';
import { terminalText as t, terminalJson } from '../../diff/terminal-text.js';
import type { FieldChange, ObjectChange, Plan } from '../../model/plan.js';
import { PDB_NOTE, rolloutLines, rolloutName } from './plan-rollouts.js';
import { TabWriter } from './tabwriter.js';

export interface TextRenderOptions {
  /** ANSI colors (green +, red -, yellow ~); only when writing to a terminal that wants them. */
  color?: boolean;
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', bold: '\x1b[1m', reset: '\x1b[0m' };

function paint(text: string, marker: string, color: boolean | undefined): string {
  if (!color) return text;
  const c = marker === '+' ? ANSI.green : marker === '-' ? ANSI.red : marker === '~' ? ANSI.yellow : '';
  return c === '' ? text : `${c}${text}${ANSI.reset}`;
}

function bold(text: string, color: boolean | undefined): string {
  return color ? `${ANSI.bold}${text}${ANSI.reset}` : text;
}

/** What explains a change in one line: the forcing fields, the workloads it rolls, or (for an
 *  in-place update) the fields it touches. */
function changeReason(c: ObjectChange): string {
  const parts: string[] = [];
  if (c.change === 'replace-pods') parts.push(`forced by ${c.forcedBy.join(', ')}`);
  if (c.change === 'update-in-place') parts.push(`fields ${c.fields.map((f) => f.path).join(', ')}`);
  if (c.rolls && c.rolls.length > 0) parts.push(`rolls ${c.rolls.join(', ')}`);
  return parts.join('; ');
}

function visible(changes: readonly ObjectChange[]): ObjectChange[] {
  return changes.filter((c) => c.change !== 'unchanged');
}

/** The summary line with the unchanged count: "1 to create, 1 to delete. 4 unchanged." */
function summaryLine(plan: Plan): string {
  const s = summarizePlan(plan.changes);
  return `${formatPlanSummary(s)}.${s.unchanged > 0 ? ` ${s.unchanged} unchanged.` : ''}`;
}

function commitRange(plan: Plan): string {
  return `${plan.fromCommit ? shortSha(plan.fromCommit) : '(nothing live)'} -> ${shortSha(plan.toCommit)}`;
}

interface SecretKeyChange {
  secret: string;
  field: FieldChange;
}

function secretKeyChanges(changes: readonly ObjectChange[]): SecretKeyChange[] {
  return changes
    .filter((c) => c.kind === 'Secret' && c.change !== 'unchanged')
    .flatMap((c) =>
      c.fields.filter((f) => f.redacted).map((field) => ({ secret: changeDisplayName(c), field })),
    );
}

/** Without the padding a table leaves after a last, empty cell. */
function trimLines(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();
}

function delta(p: { before: number; after: number }): string {
  const d = p.after - p.before;
  return d === 0 ? '' : d > 0 ? ` (+${d})` : ` (${d})`;
}

/** Each changing Deployment: its lines, then its steps (a new pod is not ready in its own step). */
function rolloutsText(plan: Plan): string[] {
  const out: string[] = [];
  for (const r of plan.rollouts) {
    out.push(t(`  ${rolloutName(r)}`), ...rolloutLines(r).map((l) => t(`    ${l}`)));
    if (r.steps.length === 0) continue;
    const tw = new TabWriter({ minWidth: 0, padding: 3 });
    tw.write('    STEP\tCREATED\tDELETED\tREADY/TOTAL\n');
    for (const [i, s] of r.steps.entries())
      tw.write(`    ${i + 1}\t+${s.created}\t-${s.deleted}\t${s.ready}/${s.total}\n`);
    out.push(trimLines(tw.toString()));
  }
  if (plan.rollouts.some((r) => r.pdbs.length > 0)) out.push(`  note: ${PDB_NOTE}`);
  return out;
}

/** The plan for a terminal. */
export function renderPlanText(plan: Plan, opts: TextRenderOptions = {}): string {
  const out: string[] = [];
  out.push(bold(t(`Plan for app ${plan.app}: ${commitRange(plan)}`), opts.color));
  out.push(summaryLine(plan));
  if (plan.alerts.length > 0) {
    out.push('', bold(paint('Attention:', '-', opts.color), opts.color));
    for (const a of plan.alerts) out.push(t(`  !! ${a}`));
  }

  const shown = visible(plan.changes);
  if (shown.length > 0) {
    const tw = new TabWriter({ minWidth: 0, padding: 3 });
    for (const c of shown) {
      const m = changeMarker(c.change);
      tw.write(
        `  ${paint(m, m, opts.color)} ${t(changeDisplayName(c))}\t${t(changeLabel(c))}\t${t(changeReason(c))}\n`,
      );
    }
    out.push('', 'Objects:', trimLines(tw.toString()));
  }

  if (plan.rollouts.length > 0)
    out.push('', 'Rollouts (steps as the controller runs them):', ...rolloutsText(plan));

  if (plan.placement.length > 0) {
    const tw = new TabWriter({ minWidth: 0, padding: 3 });
    tw.write('  HOST\tBEFORE\tAFTER\n');
    for (const p of plan.placement) tw.write(`  ${t(p.host)}\t${p.before}\t${p.after}${delta(p)}\n`);
    out.push('', 'Placement (pods per host, scheduler dry run):', tw.toString().trimEnd());
  }

  if (plan.unschedulable.length > 0) {
    out.push('', 'Unschedulable pods:');
    for (const u of plan.unschedulable) out.push(t(`  ${u.pod} (${u.owner}): ${u.reason}`));
  }

  if (plan.prunes.length > 0) {
    out.push('', 'Prunes (removed from Git, removed from the hosts):');
    for (const p of plan.prunes) {
      out.push(
        `  ${paint('-', '-', opts.color)} ${t(displayName(p.kind, p.namespace, p.name))} (${p.pods} pods)`,
      );
    }
  }

  const secrets = secretKeyChanges(plan.changes);
  if (secrets.length > 0) {
    out.push('', 'Secret keys changed (values are never shown):');
    for (const s of secrets) out.push(t(`  ${s.secret} ${formatFieldChange(s.field)}`));
  }

  if (plan.warnings.length > 0) {
    out.push('', 'Warnings:');
    for (const w of plan.warnings) out.push(t(`  ! ${w}`));
  }
  return `${out.join('\n')}\n`;
}

/** `skiff diff REV_A REV_B`: object by object, field by field. Unchanged objects are left out
 *  unless asked for. */
export function renderObjectDiffText(
  changes: readonly ObjectChange[],
  opts: TextRenderOptions & { includeUnchanged?: boolean } = {},
): string {
  const shown = opts.includeUnchanged ? [...changes] : visible(changes);
  if (shown.length === 0) return 'No differences.\n';
  const blocks = shown.map((c) => {
    const m = changeMarker(c.change);
    const lines = [
      paint(bold(t(`${m} ${changeDisplayName(c)} (${changeLabel(c)})`), opts.color), m, opts.color),
    ];
    // A deleted object's fields are all in the old revision; listing them adds nothing.
    const fields = c.change === 'delete' ? [] : c.fields;
    for (const f of fields) lines.push(`    ${paint(t(formatFieldChange(f)), fieldMarker(f), opts.color)}`);
    const fieldPaths = new Set(c.fields.map((f) => f.path));
    const external = c.forcedBy.filter((p) => !fieldPaths.has(p));
    if (external.length > 0) lines.push(t(`    forced by ${external.join(', ')}`));
    if (c.rolls && c.rolls.length > 0) lines.push(t(`    rolls ${c.rolls.join(', ')}`));
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** The version of `plan -o json`'s schema (docs/plan.schema.json): fields are only added
 *  within a version, never renamed or removed. */
export const PLAN_SCHEMA_VERSION = 1;

/** The plan as JSON (already redacted), in the documented schema. */
export function renderPlanJson(plan: Plan): string {
  return `${terminalJson(JSON.stringify({ schemaVersion: PLAN_SCHEMA_VERSION, ...plan }, null, 2))}\n`;
}

// --- markdown ---

/** Text in a table cell: controls shown escaped (terminal-text.ts), pipes escaped, HTML
 *  neutralised, lines joined with <br>: a value cannot end the row or the table. */
function mdText(s: string): string {
  return s
    .split(/\r?\n/)
    .map(t)
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** A code span that survives backticks and pipes inside it (GitHub table cells); controls,
 *  newlines included, are shown escaped, so it stays on its line. */
function mdCode(s: string): string {
  const text = t(s).replace(/\|/g, '\\|');
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function mdList(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).map(mdCode);
  if (items.length > max) shown.push(`and ${items.length - max} more`);
  return shown.join(', ');
}

function mdReason(c: ObjectChange): string {
  const parts: string[] = [];
  if (c.change === 'replace-pods') parts.push(`forced by ${mdList(c.forcedBy)}`);
  if (c.change === 'update-in-place') parts.push(mdList(c.fields.map((f) => f.path)));
  if (c.rolls && c.rolls.length > 0) parts.push(`rolls ${mdList(c.rolls)}`);
  return parts.join('<br>');
}

function mdFence(body: string, lang: string): string {
  const runs = body.match(/`{3,}/g) ?? [];
  const fence = '`'.repeat(Math.max(2, ...runs.map((r) => r.length)) + 1);
  return `${fence}${lang}\n${body.trimEnd()}\n${fence}`;
}

/** A table whose rows may be cut to fit: `head` lines, then `rows`, then what to say about
 *  rows left out. */
interface MdSection {
  head: string[];
  rows: string[];
  tail: string[];
  cut: (left: number) => string;
}

function sectionLength(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

/** GitHub refuses comments over 65,536 characters; leave room for a bot's own header. */
export const MARKDOWN_MAX_CHARS = 60_000;

/** Rollouts shown with their tables; the rest are counted (each table has a head that is
 *  never cut, so their number is bounded instead). */
const MAX_ROLLOUT_TABLES = 20;

/** A table per changing Deployment: its lines, then its steps, cut to fit like the others. */
function rolloutSections(plan: Plan): MdSection[] {
  const sections = plan.rollouts.slice(0, MAX_ROLLOUT_TABLES).map(
    (r): MdSection => ({
      head: [
        '',
        `#### Rollout of ${mdCode(rolloutName(r))}`,
        '',
        ...rolloutLines(r).map((l) => `- ${mdText(l)}`),
        ...(r.steps.length > 0
          ? ['', '| Step | Created | Deleted | Ready / total |', '|---:|---:|---:|---:|']
          : []),
      ],
      rows: r.steps.map((s, i) => `| ${i + 1} | +${s.created} | -${s.deleted} | ${s.ready} / ${s.total} |`),
      tail: [],
      cut: (left) => `| … | | | ${left} more steps |`,
    }),
  );
  const more = plan.rollouts.length - MAX_ROLLOUT_TABLES;
  const notes: string[] = [];
  if (more > 0) notes.push(`_… and ${more} more rollouts: run \`skiff plan\` to see them._`);
  if (plan.rollouts.some((r) => r.pdbs.length > 0)) notes.push(`_${PDB_NOTE}._`);
  if (notes.length > 0) sections.push({ head: ['', ...notes], rows: [], tail: [], cut: () => '' });
  return sections;
}

function planSections(plan: Plan): MdSection[] {
  const sections: MdSection[] = [];
  const from = plan.fromCommit ? mdCode(shortSha(plan.fromCommit)) : '(nothing live)';
  sections.push({
    head: [
      `### skiff plan for ${mdCode(plan.app)}: ${from} → ${mdCode(shortSha(plan.toCommit))}`,
      '',
      `**${summaryLine(plan)}**`,
    ],
    rows: [],
    tail: [],
    cut: () => '',
  });
  if (plan.alerts.length > 0) {
    // A GitHub alert block: rendered red-bordered on GitHub, a plain quote elsewhere.
    sections.push({
      head: ['', '> [!CAUTION]'],
      rows: plan.alerts.map((a) => `> - ${mdText(a)}`),
      tail: [],
      cut: (left) => `> - … and ${left} more`,
    });
  }
  const more = (what: string) => (left: number) =>
    `| | … | | ${left} more ${what}: run \`skiff plan\` to see them |`;

  const shown = visible(plan.changes);
  if (shown.length > 0) {
    sections.push({
      head: ['', '| | Object | Change | Why |', '|---|---|---|---|'],
      rows: shown.map(
        (c) =>
          `| ${mdCode(changeMarker(c.change))} | ${mdCode(changeDisplayName(c))} | ${changeLabel(c)} | ${mdReason(c)} |`,
      ),
      tail: [],
      cut: more('objects'),
    });
  }
  sections.push(...rolloutSections(plan));
  if (plan.placement.length > 0) {
    sections.push({
      head: [
        '',
        '#### Placement (pods per host, scheduler dry run)',
        '',
        '| Host | Before | After |',
        '|---|---:|---:|',
      ],
      rows: plan.placement.map((p) => `| ${mdCode(p.host)} | ${p.before} | ${p.after}${delta(p)} |`),
      tail: [],
      cut: (left) => `| … | | ${left} more hosts |`,
    });
  }
  if (plan.unschedulable.length > 0) {
    sections.push({
      head: ['', '#### Unschedulable pods', '', '| Pod | Owner | Reason |', '|---|---|---|'],
      rows: plan.unschedulable.map((u) => `| ${mdCode(u.pod)} | ${mdCode(u.owner)} | ${mdText(u.reason)} |`),
      tail: [],
      cut: (left) => `| … | | ${left} more unschedulable pods |`,
    });
  }
  if (plan.prunes.length > 0) {
    sections.push({
      head: [
        '',
        '#### Prunes (removed from Git, removed from the hosts)',
        '',
        '| Object | Pods removed |',
        '|---|---:|',
      ],
      rows: plan.prunes.map((p) => `| ${mdCode(displayName(p.kind, p.namespace, p.name))} | ${p.pods} |`),
      tail: [],
      cut: (left) => `| … ${left} more prunes | |`,
    });
  }
  const secrets = secretKeyChanges(plan.changes);
  if (secrets.length > 0) {
    sections.push({
      head: ['', '#### Secret keys changed', '', '| Secret | Key | Before | After |', '|---|---|---|---|'],
      rows: secrets.map((sk) => {
        const before = sk.field.before === undefined ? '(added)' : mdCode(formatValue(sk.field.before));
        const after = sk.field.after === undefined ? '(removed)' : mdCode(formatValue(sk.field.after));
        return `| ${mdCode(sk.secret)} | ${mdCode(sk.field.path)} | ${before} | ${after} |`;
      }),
      tail: [
        '',
        '_Secret values are never shown: `hash:` values are fingerprints that differ when the value differs._',
      ],
      cut: (left) => `| … | ${left} more keys | | |`,
    });
  }
  if (plan.warnings.length > 0) {
    sections.push({
      head: ['', '#### Warnings', ''],
      rows: plan.warnings.map((w) => `- ${mdText(w)}`),
      tail: [],
      cut: (left) => `- … and ${left} more warnings`,
    });
  }
  return sections;
}

/** Cuts the longest tables until the document fits: every section keeps its head and at
 *  least a note of what was left out. */
function fitSections(sections: MdSection[], budget: number): string[] {
  const rowsKept = sections.map((sec) => sec.rows.length);
  const size = () =>
    sections.reduce((n, sec, i) => {
      const kept = rowsKept[i]!;
      const note = kept < sec.rows.length ? sec.cut(sec.rows.length - kept).length + 1 : 0;
      return (
        n + sectionLength(sec.head) + sectionLength(sec.rows.slice(0, kept)) + sectionLength(sec.tail) + note
      );
    }, 0);
  while (size() > budget) {
    let longest = -1;
    for (let i = 0; i < sections.length; i++) {
      if (rowsKept[i]! > 0 && (longest < 0 || rowsKept[i]! > rowsKept[longest]!)) longest = i;
    }
    if (longest < 0) break;
    rowsKept[longest] = Math.floor(rowsKept[longest]! / 2);
  }
  return sections.flatMap((sec, i) => {
    const kept = rowsKept[i]!;
    const note = kept < sec.rows.length ? [sec.cut(sec.rows.length - kept)] : [];
    return [...sec.head, ...sec.rows.slice(0, kept), ...note, ...sec.tail];
  });
}

export interface MarkdownRenderOptions {
  /** Upper bound on the comment's length (default MARKDOWN_MAX_CHARS). */
  maxChars?: number;
}

/** The plan as a PR comment: summary, objects with their change class and cause, placement,
 *  unschedulable pods, prunes, secret keys (fingerprints only), warnings, and the field diff
 *  folded in a <details>. Fits `maxChars`: the field diff goes first, then the longest tables
 *  are cut, each saying how many rows it left out. */
export function renderPlanMarkdown(plan: Plan, opts: MarkdownRenderOptions = {}): string {
  const budget = opts.maxChars ?? MARKDOWN_MAX_CHARS;
  const body = fitSections(planSections(plan), budget);
  const shown = visible(plan.changes);
  if (shown.some((c) => c.fields.length > 0 || c.forcedBy.length > 0)) {
    const details = [
      '',
      '<details><summary>Field changes</summary>',
      '',
      mdFence(renderObjectDiffText(plan.changes), 'diff'),
      '',
      '</details>',
    ];
    if (sectionLength(body) + sectionLength(details) <= budget) body.push(...details);
    else body.push('', '_Field changes left out to fit a comment: run `skiff diff` to see them._');
  }
  return `${body.join('\n')}\n`;
}
