// `npm run demo`: skiff's main job on the built-in 3-host testbed, from a fresh machine.
// 1. installs what the machine lacks and brings the testbed up (hosts, sshd, dockerd, registry);
// 2. makes a Git repository from examples/repo, served over smart HTTP on loopback, with a
//    working clone in .demo/work to edit and push from;
// 3. starts the skiff daemon following that repository (polling it every 5 s, so a push
//    deploys in seconds), waits until everything runs, and says what
//    to try next. Ctrl-C stops the daemon and the git server; `npm run testbed -- down`
//    removes the testbed.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadClusterConfig } from '../src/config/load-config.js';
import { Daemon } from '../src/daemon/daemon.js';
import { startGitHttpServer } from './git-http-server.js';
import { up } from './testbed/lifecycle.js';

const root = resolve(import.meta.dirname, '..');
const demoDir = join(root, '.demo');
const say = (line: string) => process.stdout.write(`${line}\n`);

// Async: the git server runs in this process, and a blocking call would starve it.
const execFileAsync = promisify(execFile);
async function git(cwd: string, ...args: string[]): Promise<void> {
  await execFileAsync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Demo User',
      GIT_AUTHOR_EMAIL: 'demo@skiff.local',
      GIT_COMMITTER_NAME: 'Demo User',
      GIT_COMMITTER_EMAIL: 'demo@skiff.local',
    },
  });
}

async function main(): Promise<void> {
  say('skiff demo: bringing up the 3-host testbed (first run installs Debian packages) ...');
  const tb = await up({ hostCount: 3, log: (l) => say(`  [testbed] ${l}`) });
  if (!tb.up) throw new Error(`the testbed did not come up: ${tb.problems?.join('; ')}`);

  rmSync(demoDir, { recursive: true, force: true });
  const served = join(demoDir, 'git');
  const work = join(demoDir, 'work');
  mkdirSync(served, { recursive: true });
  await git(served, 'init', '-q', '--bare', '-b', 'main', 'demo.git');
  const server = await startGitHttpServer({ root: served, host: '127.0.0.1', port: 0 });
  const repoURL = `${server.url}/demo.git`;
  cpSync(join(root, 'examples/repo'), work, { recursive: true });
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'Deploy the example app');
  await git(work, 'remote', 'add', 'origin', repoURL);
  await git(work, 'push', '-q', 'origin', 'main');

  // The demo's cluster config: the testbed's hosts plus one app following the served repo.
  const configFile = join(demoDir, 'skiff.yaml');
  const hosts = readFileSync(join(root, '.testbed', 'skiff.yaml'), 'utf8');
  writeFileSync(
    configFile,
    `${hosts}
apps:
  - name: demo
    repoURL: ${repoURL}
    revision: main
    path: .
    poll: { interval: 5s }
daemon:
  stateDir: ${join(demoDir, 'state')}
  listen: 127.0.0.1:7420
  reconcileIntervalSeconds: 5
`,
  );
  const config = await loadClusterConfig(configFile);

  const log = pino({ level: 'info' }, pino.destination(join(demoDir, 'daemon.log')));
  const daemon = await Daemon.start({ config, log });
  say(`skiff daemon on http://${daemon.address} (log: .demo/daemon.log); waiting for the app to run ...`);
  const started = Date.now();
  const r = await daemon.waitConverged(180_000);
  const view = daemon.inst.reconciler.view;
  say(
    r.converged
      ? `converged in ${((Date.now() - started) / 1000).toFixed(1)} s:`
      : 'not converged yet; status so far:',
  );
  for (const p of view?.pods ?? []) say(`  pod/${p.name}  ${p.status}  on ${p.host ?? '-'}`);
  for (const s of view?.services ?? [])
    say(`  service/${s.name}  ${s.type}  ${s.clusterIP ?? '-'}  ${s.ports.join(',')}`);
  const hostAddress = tb.hosts[0]?.address ?? '10.213.0.11';

  say(`
Try next (in another terminal, from ${root}):
  npx skiff get pods --config .demo/skiff.yaml -o wide
  npx skiff status --config .demo/skiff.yaml
  npx skiff get services --config .demo/skiff.yaml; npx skiff get endpoints --config .demo/skiff.yaml
  curl -s http://${hostAddress}:30080/     # the NodePort answers on every host, from any web pod
  curl -s --data 'hello' 'http://${hostAddress}:30081/cgi-bin/notes?key=greeting'   # the notes app stores a note in its database
  curl -s 'http://${hostAddress}:30081/cgi-bin/notes?key=greeting'                  # and reads it back, from any notes-web pod
  npx skiff get pvc --config .demo/skiff.yaml          # the database's claim, bound to the host it runs on
  cd .demo/work && sed -i 's/web:1.0.0/web:2.0.0/' apps/web/deployment.yaml \\
    && git commit -qam 'Roll web to 2.0.0' && git push -q origin main
  npx skiff get pods --config .demo/skiff.yaml       # new pods of revision 2.0.0 replace the old ones
  git -C .demo/work revert --no-edit HEAD && git -C .demo/work push -q origin main   # roll back
Stop with Ctrl-C (the testbed stays up; remove it with: npm run testbed -- down).`);

  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  say('stopping the daemon and the git server ...');
  await daemon.stop();
  await server.close();
}

main().catch((err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exit(1);
});
