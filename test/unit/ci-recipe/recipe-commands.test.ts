// The CI recipe cannot rot: every `skiff ...` line the GitHub workflow and the GitLab job run is
// parsed by the real command line (commander, every command's action replaced by a no-op), so a
// renamed command, flag or output format fails here, not in a user's CI. The plan-comment lines
// use the script's real flags, the permissions stay minimal, and the example skiff.yaml loads.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerCommands } from '../../../src/cli/commands/index.js';
import { parseClusterConfig } from '../../../src/config/load-config.js';

const CI = path.resolve(import.meta.dirname, '../../../examples/ci');
const run = promisify(execFile);

type Yaml = Record<string, unknown>;
const load = async (file: string) => parse(await readFile(path.join(CI, file), 'utf8')) as Yaml;

/** The shell text each job runs: GitHub steps' `run`, GitLab's before_script and script. */
function scriptsOf(doc: Yaml, forge: 'github' | 'gitlab'): string[] {
  if (forge === 'github') {
    const jobs = Object.values(doc.jobs as Record<string, { steps: { run?: string }[] }>);
    return jobs.flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
  }
  return Object.values(doc).flatMap((job) => {
    const j = job as { script?: string[]; before_script?: string[] };
    return typeof job === 'object' && job !== null ? [...(j.before_script ?? []), ...(j.script ?? [])] : [];
  });
}

/** Logical lines (backslash continuations joined) that run `cmd`, as words (quotes removed),
 *  up to the first redirection, pipe or list operator. */
function invocations(scripts: string[], starts: (line: string) => boolean): string[][] {
  const lines = scripts.flatMap((s) => s.replace(/\\\n\s*/g, ' ').split('\n'));
  return lines.filter((l) => starts(l.trim())).map((l) => words(l.trim()));
}

function words(line: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(\d?>>?|\|\|?|&&|;)|([^\s'"|;&>]+))/gy;
  let cur: string | undefined;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[3] !== undefined) break;
    const glued = m.index === re.lastIndex - m[0].length && !/^\s/.test(m[0]) && cur !== undefined;
    const part = m[1] ?? m[2] ?? m[4] ?? '';
    if (glued) out[out.length - 1] += part;
    else out.push(part);
    cur = part;
  }
  return out;
}

/** The real program with no-op actions: parsing checks commands, flags and choices. */
async function dryProgram(): Promise<Command> {
  const program = new Command('skiff')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  await registerCommands(program);
  const stub = (c: Command) => {
    c.action(() => {});
    c.commands.forEach(stub);
  };
  program.commands.forEach(stub);
  return program;
}

/** Parses one `skiff ...` line; an `-o` value must be a format the command lists. */
async function checkSkiffLine(args: string[]): Promise<void> {
  const program = await dryProgram();
  await program.parseAsync(args, { from: 'user' });
  const cmd = program.commands.find((c) => c.name() === args[0])!;
  const o = args.findIndex((a) => a === '-o' || a === '--output');
  if (o >= 0) {
    const option = cmd.options.find((opt) => opt.long === '--output')!;
    const formats = option.argChoices ?? option.description.split(/\s*\|\s*/);
    expect(formats, `skiff ${args.join(' ')}`).toContain(args[o + 1]);
  }
}

const RECIPES = [
  { file: 'github-actions.yml', forge: 'github' as const },
  { file: 'gitlab-ci.yml', forge: 'gitlab' as const },
];

describe.each(RECIPES)('$file', ({ file, forge }) => {
  it('runs real skiff commands with real flags: validate, and plan --local -o markdown --exit-code', async () => {
    const lines = invocations(scriptsOf(await load(file), forge), (l) => l.startsWith('skiff '));
    const commands = lines.map((l) => l.slice(1));
    expect(commands.map((c) => c[0]).sort()).toEqual(['plan', 'validate']);
    for (const args of commands) await checkSkiffLine(args);
    const plan = commands.find((c) => c[0] === 'plan')!;
    expect(plan).toEqual(expect.arrayContaining(['--local', '--exit-code', '--config', '--app']));
    expect(plan[plan.indexOf('-o') + 1]).toBe('markdown');
    if (forge === 'github') {
      const validate = commands.find((c) => c[0] === 'validate')!;
      expect(validate.slice(1, 3)).toEqual(['-o', 'github']);
    }
  });

  it('posts with plan-comment.mjs and only its real flags', async () => {
    const { stdout: help } = await run(process.execPath, [path.join(CI, 'plan-comment.mjs'), '--help']);
    const lines = invocations(scriptsOf(await load(file), forge), (l) =>
      /^node \S*plan-comment\.mjs /.test(l),
    );
    expect(lines).toHaveLength(1);
    const flags = lines[0]!.filter((w) => w.startsWith('--'));
    expect(flags).toContain(`--${forge}`);
    for (const f of flags) expect(help, f).toContain(f === '--github' || f === '--gitlab' ? f : `${f} `);
  });
});

describe('the checks a parse catches', () => {
  it.each([
    [['plan', '--locl', '.'], /unknown option '--locl'/],
    [['validate', '-o', 'sarif'], /Allowed choices are text, json, github/],
    [['plna'], /unknown command 'plna'/],
  ])('skiff %j is refused', async (args, message) => {
    await expect(checkSkiffLine(args)).rejects.toThrow(message);
  });

  it('a format plan does not list is refused', async () => {
    await expect(checkSkiffLine(['plan', '-o', 'html'])).rejects.toThrow(/html/);
  });

  it('words() splits as the shell would', () => {
    expect(
      words(`skiff plan --config "$conf/skiff.yaml" --app 'a b' -o markdown > out 2> err || code=$?`),
    ).toEqual(['skiff', 'plan', '--config', '$conf/skiff.yaml', '--app', 'a b', '-o', 'markdown']);
  });
});

describe('the workflow and job configuration', () => {
  it('GitHub: on pull_request; plan reads only, comment writes only pull requests', async () => {
    const wf = await load('github-actions.yml');
    expect(Object.keys(wf.on as object)).toEqual(['pull_request']);
    expect(wf.permissions).toEqual({});
    const jobs = wf.jobs as Record<string, { permissions: object; if?: string; steps: { env?: Yaml }[] }>;
    expect(jobs.plan!.permissions).toEqual({ contents: 'read' });
    expect(jobs.comment!.permissions).toEqual({ 'pull-requests': 'write' });
    // The SSH key is in the plan job only; forks (no secrets) are not planned.
    expect(JSON.stringify(jobs.comment)).not.toContain('SKIFF_SSH_KEY');
    expect(jobs.comment!.if).toContain('head.repo.full_name == github.repository');
  });

  it('GitLab: merge request pipelines only; the note token is a named variable, not CI_JOB_TOKEN', async () => {
    const ci = await load('gitlab-ci.yml');
    const base = ci['.skiff'] as { rules: { if: string }[] };
    expect(base.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    for (const job of ['skiff-validate', 'skiff-plan']) expect((ci[job] as Yaml).extends).toBe('.skiff');
  });

  it('the example skiff.yaml loads, and names the apps the jobs plan', async () => {
    const text = await readFile(path.join(CI, 'skiff.ci.yaml'), 'utf8');
    const { config, diagnostics } = parseClusterConfig(text, '/ci/conf/skiff.yaml', {});
    expect(diagnostics).toEqual([]);
    expect(config!.hosts.every((h) => h.kind === 'ssh' && h.user !== 'root')).toBe(true);
    expect(config!.daemon.stateDir).toBe('/ci/conf/state');
    const wf = await load('github-actions.yml');
    const matrix = (
      wf.jobs as Record<string, { strategy: { matrix: { include: { app: string; path: string }[] } } }>
    ).plan!.strategy.matrix.include;
    for (const { app, path: appPath } of matrix)
      expect(config!.apps.find((a) => a.name === app)?.path).toBe(appPath);
  });
});
