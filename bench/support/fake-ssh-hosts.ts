// Many SSH servers (ssh2) on loopback ports, in their own process, for bench/ssh-memory.bench.ts:
// each accepts any client key, opens `direct-streamlocal` channels (the Docker socket's, as
// OpenSSH does) and `exec` sessions (the daemon's long-lived host shells), and keeps them open
// with no traffic. Nothing runs behind them: the bench measures what the daemon's side of the
// connections holds. Benchmark support only.
//
//   node --import tsx bench/support/fake-ssh-hosts.ts COUNT
// prints {"hostKey": "ssh-ed25519 ...", "ports": [...]} on stdout once every server listens, and
// exits when its stdin ends.
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';

// ssh2 is CommonJS: its named exports are not seen by node's ES module loader.
const { Server, utils } = ssh2;

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 1) throw new Error('usage: fake-ssh-hosts.ts COUNT');

const { private: hostPrivate, public: hostPublic } = utils.generateKeyPairSync('ed25519');

function serve(): Promise<number> {
  const server = new Server({ hostKeys: [hostPrivate] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('error', () => {});
    client.on('openssh.streamlocal', (accept) => {
      accept().on('error', () => {});
    });
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec) => {
        acceptExec().on('error', () => {});
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const ports: number[] = [];
for (let i = 0; i < count; i++) ports.push(await serve());
process.stdout.write(`${JSON.stringify({ hostKey: hostPublic, ports })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
