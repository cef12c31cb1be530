// `npm run testbed -- <command>`: a real multi-host cluster on one machine for skiff's
// end-to-end tests and demo. Each host is a network namespace with its own sshd and Docker
// engine on a private bridge, next to a real image registry holding offline-built test images.
//   up [--hosts N]   build it (idempotent; cleans a crashed run's leftovers first)
//   down             stop everything it started, by pid, and remove all it made
//   status [-o json] what is running
//   exec HOST CMD... run CMD inside HOST's namespace, with DOCKER_HOST set to its engine
//   cut HOST / heal HOST   partition a host off the bridge and back
// Shell code: root only; see layout.ts for names and paths.

import { spawn } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOST_COUNT, hostIndexOf, hostLayout, MAX_HOST_COUNT } from './layout.js';
import { cut, down, heal, status, up } from './lifecycle.js';
import { isAlive } from './processes.js';
import { TestbedError } from './shell.js';
import { downStatus, readState } from './state.js';

const log = (line: string): void => {
  process.stderr.write(`testbed: ${line}\n`);
};

function parseHostCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOST_COUNT) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_HOST_COUNT}`);
  }
  return n;
}

/** The layout of a host that exists in the running testbed, or a usage error. */
function knownHost(name: string) {
  const state = readState();
  const index = hostIndexOf(name);
  if (!state) throw new TestbedError('the testbed is not up', 'npm run testbed -- up');
  if (index === undefined || index > state.hostCount) {
    throw new TestbedError(`no host ${name}: the testbed has h1..h${state.hostCount}`);
  }
  return { layout: hostLayout(index), pids: state.hosts[index - 1]!.pids };
}

async function execOnHost(name: string, argv: string[]): Promise<number> {
  const { layout, pids } = knownHost(name);
  // Enter the host's UTS namespace too when its sshd is alive, so `hostname` says h1.
  const uts = isAlive(pids.sshd) ? [`--uts=/proc/${pids.sshd}/ns/uts`] : [];
  const child = spawn('nsenter', [`--net=/run/netns/${layout.netns}`, ...uts, '--', ...argv], {
    stdio: 'inherit',
    env: { ...process.env, DOCKER_HOST: `unix://${layout.dockerSocket}` },
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolvePromise(code ?? (sig ? 128 : 1)));
  });
}

async function printStatus(format: string): Promise<void> {
  const s = await status();
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(s ?? downStatus(['the testbed is not up']), null, 2)}\n`);
    return;
  }
  if (!s) {
    process.stdout.write('testbed: down\n');
    return;
  }
  const lines = [`testbed: ${s.up ? 'up' : `unhealthy: ${s.problems?.join('; ')}`}`];
  for (const h of s.hosts) {
    lines.push(
      `  ${h.name}  ${h.address}  netns ${h.netns}  ${h.linkUp ? 'link up' : 'CUT'}  docker ${h.dockerSocket}  pids dockerd ${h.pids.dockerd} sshd ${h.pids.sshd}`,
    );
  }
  lines.push(
    `  registry ${s.registry}`,
    `  images ${Object.values(s.images).flat().join(' ')}`,
    `  config ${s.config}`,
  );
  lines.push(`  service CIDR ${s.serviceCIDR}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const program = new Command('testbed')
  .description(
    'a real multi-host skiff cluster on this machine (network namespaces, sshd, dockerd, registry)',
  )
  .enablePositionalOptions()
  .showHelpAfterError();

program
  .command('up')
  .description('create the testbed (reuses a healthy one of the same size)')
  .option('--hosts <n>', 'number of hosts', parseHostCount, DEFAULT_HOST_COUNT)
  .action(async (opts: { hosts: number }) => {
    const s = await up({ hostCount: opts.hosts, log });
    log(`config ${s.config}`);
  });

program
  .command('down')
  .description('stop and remove everything the testbed made')
  .action(async () => down(log));

program
  .command('status')
  .description('show the testbed')
  .option('-o, --output <format>', 'text or json', 'text')
  .action(async (opts: { output: string }) => printStatus(opts.output));

program
  .command('exec')
  .description("run a command in a host's namespace, with DOCKER_HOST set to its engine")
  .argument('<host>', 'h1, h2, ...')
  .argument('<cmd...>', 'the command and its arguments')
  .passThroughOptions()
  .allowUnknownOption()
  .action(async (host: string, cmd: string[]) => {
    // `exec h1 -- ip addr` reaches us with the `--` still in front.
    const argv = cmd[0] === '--' ? cmd.slice(1) : cmd;
    if (argv.length === 0) throw new TestbedError('exec needs a command to run');
    process.exitCode = await execOnHost(host, argv);
  });

program
  .command('cut')
  .description('partition a host: its link to the bridge goes down')
  .argument('<host>')
  .action(async (host: string) => cut(knownHost(host).layout));

program
  .command('heal')
  .description("undo cut: the host's link comes back up")
  .argument('<host>')
  .action(async (host: string) => heal(knownHost(host).layout));

program.parseAsync(process.argv).catch((e: unknown) => {
  const err = e as TestbedError;
  process.stderr.write(`testbed: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
  process.exitCode = 1;
});
