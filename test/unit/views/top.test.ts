// The text of `top pods` and `top hosts`, laid out as kubectl top lays it out.
import { describe, expect, it } from 'vitest';
import {
  formatTopCpu,
  formatTopMemory,
  renderTopHosts,
  renderTopPods,
  topHostRows,
  topPodRows,
} from '../../../src/cli/views/top.js';

const MiB = 1024 * 1024;

describe('top', () => {
  const stats = [
    { host: 'h1', namespace: 'default', pod: 'web-1', cpuMilli: 249.2, memoryBytes: 64.7 * MiB },
    { host: 'h1', namespace: 'default', pod: 'web-1', cpuMilli: 1, memoryBytes: 1 * MiB },
    { host: 'h2', namespace: 'shop', pod: 'api-1', cpuMilli: 5, memoryBytes: 10 * MiB },
  ];

  it('top pods sums containers per pod, keeps the headers case', () => {
    expect(renderTopPods(topPodRows(stats).filter((r) => r.namespace === 'default'))).toBe(
      'NAME    CPU(cores)   MEMORY(bytes)\nweb-1   251m         65Mi\n',
    );
    expect(renderTopPods(topPodRows(stats), { allNamespaces: true })).toBe(
      'NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)\n' +
        'default     web-1   251m         65Mi\n' +
        'shop        api-1   5m           10Mi\n',
    );
  });

  it('top hosts: percent of capacity, <unknown> for a host without metrics', () => {
    const capacity = { cpuMilli: 2000, memoryBytes: 1024 * MiB };
    const rows = topHostRows(
      [
        { name: 'h1', ready: true, capacity },
        { name: 'h2', ready: true, capacity },
        { name: 'h3', ready: false, capacity },
      ],
      stats,
    );
    expect(renderTopHosts(rows)).toBe(
      'NAME   CPU(cores)   CPU%        MEMORY(bytes)   MEMORY%\n' +
        'h1     251m         12%         65Mi            6%\n' +
        'h2     5m           0%          10Mi            0%\n' +
        'h3     <unknown>    <unknown>   <unknown>       <unknown>\n',
    );
  });
});

describe('kubectl top formatting', () => {
  it('prints millicores rounded up and whole mebibytes', () => {
    expect([
      formatTopCpu(12.2),
      formatTopCpu(0),
      formatTopMemory(5 * 1024 * 1024 + 1),
      formatTopMemory(1024 * 1024 - 1),
    ]).toEqual(['13m', '0m', '5Mi', '0Mi']);
  });
});
