// Which command modules a command line loads. A command's module (and what it imports: Docker,
// SSH, git, SQLite, ajv) is loaded only when that command runs or shows its own help; the root
// help and --version load none, and list the commands from COMMANDS below. Shell.
// A unit test checks COMMANDS against the real registrations, so the two cannot drift.
import { type Command, Help } from 'commander';

type Register = (program: Command) => void;

export interface CommandEntry {
  /** The command's line in the root help, as commander writes it ("get [options] <kind>"). */
  term: string;
  description: string;
  load: () => Promise<Register>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  validate: {
    term: 'validate [options] [paths...]',
    description: 'Validate Kubernetes manifests (files or folders, one bundle) as skiff would apply them',
    load: async () => (await import('./validate.js')).registerValidate,
  },
  run: {
    term: 'run [options]',
    description: 'run the skiff daemon: follow Git and keep the hosts in sync',
    load: async () => (await import('./run.js')).registerRun,
  },
  sync: {
    term: 'sync [options]',
    description: 'fetch, validate and apply now; with --wait, until everything runs',
    load: async () => (await import('./sync.js')).registerSync,
  },
  status: {
    term: 'status [options]',
    description: 'apps: commit live vs HEAD, sync and health state, rejected commits',
    load: async () => (await import('./status.js')).registerStatus,
  },
  get: {
    term: 'get [options] <kind> [name]',
    description:
      'list objects as kubectl does: pods, deployments, services, endpoints, configmaps, secrets, pvc, events, hpa',
    load: async () => (await import('./get.js')).registerGet,
  },
  describe: {
    term: 'describe [options] <object>',
    description:
      'show one object in detail, with its events (app/NAME, pod/NAME, deployment/NAME, service/NAME, pvc/NAME, hpa/NAME)',
    load: async () => (await import('./describe.js')).registerDescribe,
  },
  delete: {
    term: 'delete [options] <kind> <name>',
    description: "delete a PersistentVolumeClaim's volume and its data, once the claim left Git",
    load: async () => (await import('./delete.js')).registerDelete,
  },
  logs: {
    term: 'logs [options] <pod>',
    description: "print a pod's container logs",
    load: async () => (await import('./logs.js')).registerLogs,
  },
  history: {
    term: 'history [options]',
    description:
      'recorded syncs: commit, result, duration, actions (--audit: the API calls that changed something)',
    load: async () => (await import('./history.js')).registerHistory,
  },
  hosts: {
    term: 'hosts [options]',
    description:
      'show every configured host: reachable, Docker version, capacity, allocated requests, labels, taints',
    load: async () => (await import('./hosts.js')).registerHosts,
  },
  diff: {
    term: 'diff [options] <revA> <revB>',
    description: "what changes between two revisions of the app's manifests, object by object",
    load: async () => (await import('./diff.js')).registerDiff,
  },
  plan: {
    term: 'plan [options]',
    description: 'what applying a revision would do to the live hosts (a dry run of the rollout)',
    load: async () => (await import('./plan.js')).registerPlan,
  },
  scale: {
    term: 'scale [options] <deployment>',
    description: "set a Deployment's replicas by a commit to its manifest (pushed)",
    load: async () => (await import('./scale.js')).registerScale,
  },
  set: {
    term: 'set',
    description: 'change a field of a Deployment by a commit (pushed)',
    load: async () => (await import('./set.js')).registerSet,
  },
  rollout: {
    term: 'rollout',
    description: "manage a Deployment's rollout (kubectl's verbs)",
    load: async () => (await import('./rollout.js')).registerRollout,
  },
  top: {
    term: 'top [options] <kind>',
    description: 'show CPU and memory in use, as kubectl top does: pods or hosts',
    load: async () => (await import('./top.js')).registerTop,
  },
  drain: {
    term: 'drain [options] <host>',
    description: 'cordon a host and evict its pods as PodDisruptionBudgets allow, until it is empty',
    load: async () => (await import('./drain.js')).registerDrain,
  },
  uncordon: {
    term: 'uncordon [options] <host>',
    description: 'end a drain: the host takes new pods again',
    load: async () => (await import('./drain.js')).registerUncordon,
  },
  token: {
    term: 'token',
    description: 'API bearer tokens: create, list, revoke',
    load: async () => (await import('./token.js')).registerToken,
  },
  uninstall: {
    term: 'uninstall [options]',
    description: 'remove skiff from every host: its containers, Service rules and data dirs',
    load: async () => (await import('./uninstall.js')).registerUninstall,
  },
};

/** The command a command line names: its first word (root options take no value), or the
 *  word after `help`. */
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/** Registers every command (tests, and whatever needs the whole program). */
export async function registerCommands(program: Command): Promise<void> {
  for (const entry of Object.values(COMMANDS)) (await entry.load())(program);
}

/** Registers what `argv` needs: the named command, loaded; otherwise (root help, --version,
 *  an unknown command) a light entry per command, for the listing and commander's suggestions. */
export async function registerCommandsFor(program: Command, argv: readonly string[]): Promise<void> {
  const named = commandNamed(argv);
  if (named !== undefined) {
    (await COMMANDS[named]!.load())(program);
    return;
  }
  const terms = new Map<Command, string>();
  const standard = new Help();
  for (const [name, entry] of Object.entries(COMMANDS))
    terms.set(program.command(name).description(entry.description), entry.term);
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? standard.subcommandTerm(cmd) });
}
