// A local Git repository holding one app's manifests (app.yaml), and the cluster config of a
// skiff following it from a state directory beside it: what the daemon's wiring tests give
// createSkiffInstance. Each commit() writes app.yaml and commits it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AppConfig,
  type ClusterConfig,
  DEFAULT_CONNECTION,
  DEFAULT_DAEMON,
  DEFAULT_SERVICE_CIDR,
} from '../../src/config/cluster-config.js';

export function localAppRepo(
  dir: string,
  app: AppConfig,
): { config: ClusterConfig; commit(text: string, message: string): void } {
  const repo = path.join(dir, 'repo');
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git('config', 'user.email', 'dev@example.test');
  git('config', 'user.name', 'Dev');
  const config: ClusterConfig = {
    hosts: [],
    registries: [],
    network: { serviceCIDR: DEFAULT_SERVICE_CIDR },
    apps: [{ ...app, repoURL: repo }],
    daemon: { ...DEFAULT_DAEMON, stateDir: path.join(dir, 'state') },
    connection: DEFAULT_CONNECTION,
  };
  return {
    config,
    commit(text, message) {
      writeFileSync(path.join(repo, 'app.yaml'), text);
      git('add', '-A');
      git('commit', '-qm', message);
    },
  };
}
