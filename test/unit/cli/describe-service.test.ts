import { describe, expect, it } from 'vitest';
import { describeService } from '../../../src/cli/views/describe-service.js';
import type { ServiceView } from '../../../src/model/views.js';

const svc: ServiceView = {
  namespace: 'default',
  name: 'web',
  app: 'shop',
  type: 'NodePort',
  clusterIP: '10.213.200.10',
  externalIPs: [],
  ports: ['80:30080/TCP'],
  selector: { app: 'web', tier: 'front' },
  sessionAffinity: 'None',
};

describe('describeService', () => {
  it("prints kubectl's fields: selector, type, IP, port, node port, endpoints and events", () => {
    const out = describeService(
      svc,
      {
        namespace: 'default',
        name: 'web',
        app: 'shop',
        endpoints: ['10.213.0.11:32768', '10.213.0.12:32770'],
      },
      [],
      { now: 0 },
    );
    expect(out).toMatch(/^Name:\s+web$/m);
    expect(out).toMatch(/^Selector:\s+app=web,tier=front$/m);
    expect(out).toMatch(/^Type:\s+NodePort$/m);
    expect(out).toMatch(/^IP:\s+10\.213\.200\.10$/m);
    expect(out).toMatch(/^Port:\s+<unset>\s+80\/TCP$/m);
    expect(out).toMatch(/^NodePort:\s+<unset>\s+30080\/TCP$/m);
    expect(out).toMatch(/^Endpoints:\s+10\.213\.0\.11:32768,10\.213\.0\.12:32770$/m);
    expect(out).toMatch(/^Events:\s+<none>$/m);
  });

  it('says <none> for a Service with no ready endpoint and <pending> for a LoadBalancer with no host', () => {
    const out = describeService({ ...svc, type: 'LoadBalancer' }, undefined, [], { now: 0 });
    expect(out).toMatch(/^Endpoints:\s+<none>$/m);
    expect(out).toMatch(/^LoadBalancer Ingress:\s+<pending>$/m);
  });
});
