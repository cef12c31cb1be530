// Unique keys of Kubernetes' list-maps, and a Service selecting no pod template: each case a
// small manifest and the exact finding (severity, code, path, line, column, message).
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/index.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
    - name: web
      image: nginx:1.25
`;

function findings(text: string): string[] {
  return validateBundle([{ path: 'a.yaml', text }]).diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.path} ${d.line}:${d.column} ${d.message}`,
  );
}

const C = 'spec.containers[0]';
describe('list-map keys are unique, as the API server has them', () => {
  it.each<[string, string, string[]]>([
    [
      'container names',
      '    - name: web\n      image: busybox:1.36\n',
      [
        `error semantic.duplicate-key spec.containers[1].name 10:7 duplicate container name "web": first at ${C}.name`,
      ],
    ],
    [
      'volume names',
      '  volumes:\n    - {name: data, emptyDir: {}}\n    - {name: data, emptyDir: {}}\n',
      [
        'error semantic.duplicate-key spec.volumes[1].name 12:8 duplicate volume name "data": first at spec.volumes[0].name',
      ],
    ],
    [
      'mountPaths of one container',
      '      volumeMounts:\n        - {name: d, mountPath: /d}\n        - {name: e, mountPath: /d}\n  volumes:\n    - {name: d, emptyDir: {}}\n    - {name: e, emptyDir: {}}\n',
      [
        `error semantic.duplicate-key ${C}.volumeMounts[1].mountPath 12:21 duplicate mountPath "/d": first at ${C}.volumeMounts[0].mountPath`,
      ],
    ],
    [
      'port names of one container',
      '      ports:\n        - {name: http, containerPort: 80}\n        - {name: http, containerPort: 81}\n',
      [
        `error semantic.duplicate-key ${C}.ports[1].name 12:12 duplicate port name "http": first at ${C}.ports[0].name`,
      ],
    ],
    [
      'host ports across containers (protocol defaulted)',
      '      ports: [{containerPort: 80, hostPort: 8080}]\n    - name: side\n      image: busybox:1.36\n      ports: [{containerPort: 81, hostPort: 8080, protocol: TCP}]\n',
      [
        `error semantic.duplicate-key spec.containers[1].ports[0].hostPort 13:35 duplicate hostPort "8080/TCP": first at ${C}.ports[0].hostPort`,
      ],
    ],
    [
      'a container port defined twice is a warning (pkg/api/pod/warnings.go)',
      '      ports:\n        - {containerPort: 80}\n        - {containerPort: 80, protocol: TCP}\n',
      [
        `warning semantic.duplicate-key ${C}.ports[1] 12:11 duplicate port definition "80/TCP": first at ${C}.ports[0] (it adds nothing)`,
      ],
    ],
    [
      'env names: the later one hides the earlier (a warning, as kubectl warns)',
      '      env:\n        - {name: A, value: x}\n        - {name: A, value: y}\n',
      [
        `warning semantic.duplicate-key ${C}.env[1] 12:11 duplicate env name "A": first at ${C}.env[0] (the last definition wins, and apply may drop the earlier one)`,
      ],
    ],
    [
      'imagePullSecrets names',
      '  imagePullSecrets: [{name: r}, {name: r}]\n',
      [
        'warning unsupported.field spec.imagePullSecrets 10:3 PodSpec.imagePullSecrets is ignored by skiff: hosts pull with their own Docker registry credentials',
        'warning semantic.duplicate-key spec.imagePullSecrets[1] 10:33 duplicate imagePullSecrets name "r": first at spec.imagePullSecrets[0] (server-side apply refuses it)',
      ],
    ],
  ])('%s', (_name, add, want) => {
    expect(findings(POD + add)).toEqual(want);
  });

  it.each<[string, string]>([
    [
      'the same port under two protocols',
      '      ports:\n        - {containerPort: 53}\n        - {containerPort: 53, protocol: UDP}\n',
    ],
    [
      'a port on two host ports',
      '      ports:\n        - {containerPort: 80, hostPort: 8080}\n        - {containerPort: 80, hostPort: 8081}\n',
    ],
    ['unnamed ports', '      ports:\n        - {containerPort: 80}\n        - {containerPort: 81}\n'],
    [
      'env X=$(X)suffix extends X',
      '      env:\n        - {name: P, value: /bin}\n        - {name: P, value: "$(P):/usr/bin"}\n',
    ],
    [
      'the same mountPath in two containers',
      '      volumeMounts: [{name: d, mountPath: /d}]\n    - name: b\n      image: busybox:1.36\n      volumeMounts: [{name: d, mountPath: /d}]\n  volumes: [{name: d, emptyDir: {}}]\n',
    ],
  ])('no finding: %s', (_name, add) => {
    expect(findings(POD + add)).toEqual([]);
  });

  it('a Deployment template and a Service: the same rules at their own paths', () => {
    const text = `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - {name: a, port: 80, nodePort: 30001}
    - {name: a, port: 80, protocol: TCP, nodePort: 30001}
---
${POD}`;
    expect(findings(text)).toEqual([
      'error semantic.duplicate-key spec.ports[1] 9:7 duplicate port "80/TCP": first at spec.ports[0]',
      'error semantic.duplicate-key spec.ports[1].name 9:8 duplicate port name "a": first at spec.ports[0].name',
      'error semantic.duplicate-key spec.ports[1].nodePort 9:42 duplicate nodePort "30001/TCP": first at spec.ports[0].nodePort',
    ]);
  });
});

describe('a Service whose selector matches no pod template', () => {
  const service = (selector: string, ns = 'default') =>
    `apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ${ns}}\nspec:\n  selector: ${selector}\n  ports: [{port: 80}]\n---\n`;
  it.each<[string, string, string[]]>([
    ['matches the Pod', service('{app: web}') + POD, []],
    [
      'a label value no pod carries',
      service('{app: api}') + POD,
      [
        "warning ref.service-selector spec.selector 5:3 service/s selects app=api, which no Deployment's pod template or Pod in its namespace carries: it would have no endpoints",
      ],
    ],
    [
      'a second label the pod lacks',
      service('{app: web, tier: db}') + POD,
      [
        "warning ref.service-selector spec.selector 5:3 service/s selects app=web,tier=db, which no Deployment's pod template or Pod in its namespace carries: it would have no endpoints",
      ],
    ],
    [
      'the pod of another namespace',
      service('{app: web}', 'shop') + POD,
      [
        "warning ref.service-selector spec.selector 5:3 service/s selects app=web, which no Deployment's pod template or Pod in its namespace carries: it would have no endpoints",
      ],
    ],
    [
      'no selector (endpoints managed elsewhere)',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n',
      [],
    ],
    [
      'a pod with an error still counts as selected',
      service('{app: web}') + POD.replace('nginx:1.25', '""'),
      ['error semantic.image spec.containers[0].image 16:7 container "web" needs an image'],
    ],
  ])('%s', (_name, text, want) => {
    expect(findings(text)).toEqual(want);
  });
});
