// A stand-in for the Docker Engine API of many hosts, in its own process, for the daemon memory
// bench: the daemon runs its real DockerRuntime (dockerode, the list/inspect/decode path, the
// spec interner and decode caches) against it, so the daemon's process holds only what a daemon
// facing real hosts holds. One unix socket per host in DIR; each host keeps its containers in
// memory. Only the calls the runtime makes to create, observe and delete pods are answered;
// anything else is a 404 logged on stderr, so a missing call shows. Benchmark support only.
//
//   node --import tsx bench/support/fake-docker-engine.ts DIR HOST...
// prints "ready" on stdout once every socket listens.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';

interface Container {
  Id: string;
  Names: string[];
  Image: string;
  Created: number;
  Labels: Record<string, string>;
  State: 'created' | 'running' | 'exited';
  StartedAt: string;
  FinishedAt: string;
  ExitCode: number;
  NetworkMode: string;
  IPAddress: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const [dir, ...hosts] = process.argv.slice(2);
if (!dir || hosts.length === 0) throw new Error('usage: fake-docker-engine.ts DIR HOST...');

/** Docker's label filter: `key` (present) or `key=value`. */
function matchesLabels(c: Container, filters: string[]): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? c.Labels[f] !== undefined : c.Labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

function summary(c: Container) {
  const up = Math.max(1, Math.round((Date.now() - Date.parse(c.StartedAt || ZERO_TIME)) / 60_000));
  return {
    Id: c.Id,
    Names: c.Names,
    Image: c.Image,
    ImageID: `sha256:${c.Image.length.toString(16).padStart(64, '0')}`,
    Command: '/bin/app',
    Created: c.Created,
    Ports: [],
    Labels: c.Labels,
    State: c.State,
    Status:
      c.State === 'running'
        ? `Up ${up} minutes`
        : c.State === 'created'
          ? 'Created'
          : 'Exited (0) 1 minute ago',
    HostConfig: { NetworkMode: c.NetworkMode },
    NetworkSettings: { Networks: c.IPAddress ? { bridge: { IPAddress: c.IPAddress } } : {} },
    Mounts: [],
  };
}

function inspect(c: Container) {
  return {
    Id: c.Id,
    Name: c.Names[0],
    Image: c.Image,
    Created: new Date(c.Created * 1000).toISOString(),
    State: {
      Status: c.State,
      Running: c.State === 'running',
      ExitCode: c.ExitCode,
      StartedAt: c.StartedAt || ZERO_TIME,
      FinishedAt: c.FinishedAt || ZERO_TIME,
    },
    Config: { Labels: c.Labels, Image: c.Image },
    HostConfig: { NetworkMode: c.NetworkMode },
    NetworkSettings: { Networks: c.IPAddress ? { bridge: { IPAddress: c.IPAddress } } : {} },
  };
}

function engine(host: string, index: number) {
  const containers = new Map<string, Container>();
  /** Open GET /events streams with their filters (label and event, as Docker ANDs them). */
  const watchers = new Set<{ res: ServerResponse; labels: string[]; actions?: string[] }>();
  const emit = (c: Container, action: string) => {
    for (const w of watchers)
      if (matchesLabels(c, w.labels) && (!w.actions || w.actions.includes(action)))
        w.res.write(
          `${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: c.Id, Attributes: c.Labels }, time: Math.floor(Date.now() / 1000) })}\n`,
        );
  };
  let ips = 2;
  const find = (idOrName: string) =>
    containers.get(idOrName) ?? [...containers.values()].find((c) => c.Names[0] === `/${idOrName}`);
  const info = {
    ID: host,
    Name: host,
    ServerVersion: '27.5.1',
    NCPU: 32,
    MemTotal: 64 * 1024 ** 3,
    Architecture: 'x86_64',
    OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
    CgroupVersion: '2',
  };

  return async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const route = url.pathname.replace(/^\/v[0-9.]+/, '');
    const send = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    const labelFilters = (): string[] =>
      (JSON.parse(url.searchParams.get('filters') ?? '{}') as { label?: string[] }).label ?? [];
    const image = /^\/images\/(.+)\/json$/.exec(route);
    const container = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(route);
    if (req.method === 'GET' && route === '/_ping') return res.end('OK');
    if (req.method === 'GET' && route === '/events') {
      const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as {
        label?: string[];
        event?: string[];
      };
      const w = { res, labels: filters.label ?? [], actions: filters.event };
      watchers.add(w);
      res.on('close', () => watchers.delete(w));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    if (req.method === 'GET' && route === '/info') return send(200, info);
    if (req.method === 'GET' && route === '/version')
      return send(200, { Version: info.ServerVersion, ApiVersion: '1.47' });
    if (req.method === 'GET' && route === '/volumes') return send(200, { Volumes: [], Warnings: [] });
    if (req.method === 'GET' && route === '/containers/json') {
      const filters = labelFilters();
      return send(200, [...containers.values()].filter((c) => matchesLabels(c, filters)).map(summary));
    }
    if (req.method === 'GET' && image)
      return send(200, {
        Id: `sha256:${'0'.repeat(64)}`,
        RepoTags: [decodeURIComponent(image[1]!)],
        Config: { User: '' },
      });
    if (req.method === 'POST' && route === '/containers/create') {
      const name = url.searchParams.get('name') ?? '';
      if (name && find(name))
        return send(409, { message: `Conflict. The container name "/${name}" is already in use` });
      const spec = JSON.parse(body) as {
        Image: string;
        Labels?: Record<string, string>;
        HostConfig?: { NetworkMode?: string };
      };
      const networkMode = spec.HostConfig?.NetworkMode ?? 'bridge';
      const c: Container = {
        Id: randomBytes(32).toString('hex'),
        Names: [`/${name}`],
        Image: spec.Image,
        Created: Math.floor(Date.now() / 1000),
        Labels: spec.Labels ?? {},
        State: 'created',
        StartedAt: '',
        FinishedAt: '',
        ExitCode: 0,
        NetworkMode: networkMode,
        IPAddress: networkMode.startsWith('container:')
          ? ''
          : `172.${16 + (index % 16)}.${(ips >> 8) & 255}.${ips++ & 255}`,
      };
      containers.set(c.Id, c);
      emit(c, 'create');
      return send(201, { Id: c.Id, Warnings: [] });
    }
    if (container) {
      const c = find(decodeURIComponent(container[1]!));
      if (!c) return send(404, { message: `No such container: ${container[1]}` });
      const verb = `${req.method} ${container[2] ?? ''}`;
      if (verb === 'GET /json') return send(200, inspect(c));
      if (verb === 'POST /start') {
        if (c.State === 'running') return send(304);
        c.State = 'running';
        c.StartedAt = new Date().toISOString();
        emit(c, 'start');
        return send(204);
      }
      if (verb === 'POST /stop' || verb === 'POST /kill') {
        if (c.State !== 'running') return send(304);
        c.State = 'exited';
        c.FinishedAt = new Date().toISOString();
        c.ExitCode = verb === 'POST /kill' ? 137 : 0;
        emit(c, 'die');
        return send(204);
      }
      if (verb === 'DELETE ') {
        containers.delete(c.Id);
        emit(c, 'destroy');
        return send(204);
      }
    }
    process.stderr.write(`fake engine ${host}: no answer for ${req.method} ${req.url}\n`);
    return send(404, { message: `fake engine: ${req.method} ${route} is not implemented` });
  };
}

await Promise.all(
  hosts.map(
    (host, i) =>
      new Promise<void>((resolve, reject) => {
        const handle = engine(host, i);
        const server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: Error) => {
              res.writeHead(500);
              res.end(JSON.stringify({ message: err.message }));
            });
          });
        });
        server.on('error', reject);
        server.listen(path.join(dir, `${host}.sock`), () => resolve());
      }),
  ),
);
process.stdout.write('ready\n');
// Stopped by the bench (SIGTERM) or when the bench's end of stdin closes.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
