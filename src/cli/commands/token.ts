// `skiff token create|list|revoke`: the API's bearer tokens, kept (hashed) in the state dir of
// the cluster config. A token is printed once, when created; list shows ids, names, roles and
// ages, never a token. The daemon re-reads the store on change: no restart needed.
import type { Command } from 'commander';
import { SkiffError, UsageError } from '../../model/errors.js';
import {
  createToken,
  listTokens,
  revokeToken,
  TOKEN_ROLES,
  type TokenRole,
} from '../../state-dir/token-store.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { outputFormat, printErrorLine, printJson, printLine, printText } from '../output.js';
import { since } from '../views/age.js';
import { renderTable } from '../views/table.js';

export function registerToken(program: Command): void {
  const token = program.command('token').description('API bearer tokens: create, list, revoke');
  clusterFlags(
    token
      .command('create')
      .description('create a token (printed once) with the read or admin role')
      .requiredOption('--role <role>', 'read (view, get, logs, plan) or admin (also sync)')
      .option('--name <name>', 'a name to list and revoke it by'),
  ).action(async (opts: ClusterOptions & { role: string; name?: string }) => {
    if (!TOKEN_ROLES.includes(opts.role as TokenRole))
      throw new UsageError(`unknown role ${JSON.stringify(opts.role)}`, 'give --role read or --role admin');
    const config = await loadCliConfig(opts);
    const t = createToken(
      config.daemon.stateDir,
      { role: opts.role as TokenRole, name: opts.name },
      Date.now(),
    );
    printLine(t.token);
    printErrorLine(`token ${t.id} (${opts.role}) created: it is shown only now, store it safely`);
  });
  clusterFlags(
    token
      .command('list')
      .description('the tokens: id, name, role, age (never the token)')
      .option('-o, --output <format>', 'text | json', 'text'),
  ).action(async (opts: ClusterOptions & { output: string }) => {
    const format = outputFormat(opts.output);
    const config = await loadCliConfig(opts);
    const tokens = listTokens(config.daemon.stateDir);
    if (format === 'json') return printJson(tokens);
    const now = Date.now();
    const rows = tokens.map((t) => [t.id, t.name, t.role, since(t.createdAt, now)]);
    printText(renderTable(['ID', 'NAME', 'ROLE', 'AGE'], rows));
  });
  clusterFlags(
    token.command('revoke <id|name>').description('revoke a token: the daemon refuses it from the next call'),
  ).action(async (idOrName: string, opts: ClusterOptions) => {
    const config = await loadCliConfig(opts);
    if (!revokeToken(config.daemon.stateDir, idOrName))
      throw new SkiffError('token.not-found', `no token with id or name "${idOrName}"`, {
        hint: 'see skiff token list',
      });
    printLine(`token ${idOrName} revoked`);
  });
}
