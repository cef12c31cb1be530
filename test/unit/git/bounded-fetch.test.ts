// Bounds on one fetch, against real servers on loopback: the real git smart-HTTP server for a
// pack holding a blob that inflates far beyond its compressed size, and a tiny node:http server
// speaking just enough of smart HTTP (the ref advertisement, then an endless or trickling
// upload-pack body) for a hostile one. Each fetch must stop at its bound with a typed error and
// leave the cache as it was.
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import http from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteGitSource } from '../../../src/git/remote-source.js';
import { type GitFixture, makeGitFixture } from '../../support/git-server.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';
const OID = 'a'.repeat(40);

function pkt(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

/** A server that advertises one branch, then answers upload-pack with `pack(res)`. */
async function hostileServer(pack: (res: import('node:http').ServerResponse) => void): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.includes('/info/refs')) {
      res.setHeader('content-type', 'application/x-git-upload-pack-advertisement');
      res.end(
        Buffer.concat([
          pkt('# service=git-upload-pack\n'),
          Buffer.from('0000'),
          pkt(`${OID} HEAD\0side-band-64k ofs-delta symref=HEAD:refs/heads/main agent=hostile\n`),
          pkt(`${OID} refs/heads/main\n`),
          Buffer.from('0000'),
        ]),
      );
      return;
    }
    req.resume();
    res.setHeader('content-type', 'application/x-git-upload-pack-result');
    res.write(pkt('NAK\n'));
    pack(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function source(url: string, stateDir: string, fetchLimits: object): RemoteGitSource {
  return new RemoteGitSource(
    { app: 'a', repoURL: url, revision: 'main', path: '.' },
    { fs, http, stateDir, fetchLimits },
  );
}

const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/r.git`;

describe('a hostile git server', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = fs.mkdtempSync('/tmp/skiff-bounded-');
  });
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('streaming an endless pack is stopped at maxPackBytes', async () => {
    const chunk = pkt(Buffer.concat([Buffer.from([1]), Buffer.alloc(65_000, 7)]));
    const server = await hostileServer((res) => {
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write(pkt(Buffer.concat([Buffer.from([1]), Buffer.from('PACK\0\0\0\x02\0\0\0\x01')])));
      pump();
    });
    try {
      const before = process.memoryUsage().rss;
      const err = await source(urlOf(server), `${stateDir}/endless`, { maxPackBytes: 4 * 1024 * 1024 })
        .resolveHead()
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'git.pack-too-large', subject: 'app/a' });
      expect((err as Error).message).toContain('4194304 bytes');
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('trickling a byte at a time is stopped at fetchTimeoutMs', async () => {
    let timer: NodeJS.Timeout | undefined;
    const server = await hostileServer((res) => {
      res.write('fff0');
      timer = setInterval(() => res.write(Buffer.from([1])), 50);
    });
    try {
      const started = performance.now();
      const err = await source(urlOf(server), `${stateDir}/trickle`, { fetchTimeoutMs: 800 })
        .resolveHead()
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'git.fetch-timeout', retryable: true });
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      clearInterval(timer);
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('a pack holding a blob that inflates far beyond its size (real git server)', () => {
  let repo: GitFixture;
  beforeAll(async () => {
    repo = await makeGitFixture();
    await repo.commit({ 'cm.yaml': CM }, 'first');
    repo.write({});
    fs.writeFileSync(`${repo.work}/bomb.yaml`, Buffer.alloc(24 * 1024 * 1024));
    await repo.commit({}, 'bomb');
    await repo.push();
  }, 60_000);
  afterAll(() => repo.close());

  it('is refused before it is indexed when over maxObjectBytes, and nothing is kept', async () => {
    const src = source(repo.repoURL, `${repo.stateDir}-strict`, { maxObjectBytes: 1024 * 1024 });
    const err = await src.resolveHead().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'git.object-too-large' });
    expect((err as Error).message).toContain(`${24 * 1024 * 1024} bytes`);
    expect(await src.cachedHead()).toBeNull();
  });

  it('within the limits, is fetched; the manifest walk then reports it from its header', async () => {
    const src = source(repo.repoURL, repo.stateDir, {});
    const { commit } = await src.resolveHead();
    const set = await src.readManifestFiles(commit);
    expect(set.files.map((f) => f.path)).toEqual(['cm.yaml']);
    expect(set.diagnostics.map((d) => [d.file, d.code])).toEqual([['bomb.yaml', 'source.file-too-large']]);
  }, 60_000);
});
