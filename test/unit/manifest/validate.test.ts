// validateBundle / validateManifests / createValidator over real-looking manifests:
// defaults as the API server fills them, each check with its stable code, path and
// position, bundle-wide references, and the incremental cache.
import { describe, expect, it } from 'vitest';
import {
  type BundleFile,
  createValidator,
  parseManifests,
  type ValidationResult,
  validateBundle,
  validateManifests,
} from '../../../src/manifest/index.js';
import type { Deployment, HorizontalPodAutoscaler, Pod, Secret, Service } from '../../../src/model/k8s.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web:1.4.2
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: web-config
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: web-secrets
                  key: db-password
          resources:
            requests:
              cpu: 250m
              memory: 64Mi
            limits:
              cpu: 500m
              memory: 128Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          livenessProbe:
            tcpSocket:
              port: 8080
            initialDelaySeconds: 15
`;

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secrets
type: Opaque
data:
  db-password: c3VwZXItc2VjcmV0LXB3
stringData:
  api-token: hunter2-token
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`;

const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  maxReplicas: 10
`;

function bundle(files: Record<string, string>): BundleFile[] {
  return Object.entries(files).map(([path, text]) => ({ path, text }));
}

const APP = {
  'web/deployment.yaml': DEPLOYMENT,
  'web/config.yaml': CONFIG,
  'web/service.yaml': SERVICE,
  'web/hpa.yaml': HPA,
};

function run(files: Record<string, string>, allowMissingRefs = false): ValidationResult {
  return validateBundle(bundle(files), { allowMissingRefs });
}

/** `severity code path` of each finding, the stable part tests assert on. */
function findings(r: ValidationResult): string[] {
  return r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.path}`);
}

/** Validate `text` as deployment.yaml of an otherwise valid app. */
function withDeployment(text: string): ValidationResult {
  return run({ ...APP, 'web/deployment.yaml': text });
}

describe('a valid application', () => {
  const r = run(APP);
  const get = <T>(kind: string) => r.objects.find((o) => o.kind === kind) as T;

  it('has no findings and one object per document', () => {
    expect(r.diagnostics).toEqual([]);
    // in the order of the files given, then of the documents in each file
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/web',
      'ConfigMap/web-config',
      'Secret/web-secrets',
      'Service/web',
      'HorizontalPodAutoscaler/web',
    ]);
  });

  it('fills Deployment defaults as the API server does', () => {
    const d = get<Deployment>('Deployment');
    expect(d.metadata.namespace).toBe('default');
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    expect([
      d.spec.revisionHistoryLimit,
      d.spec.progressDeadlineSeconds,
      d.spec.minReadySeconds,
      d.spec.paused,
    ]).toEqual([10, 600, 0, false]);
    // Unset, as upstream leaves it: its default depends on the strategy (the controller's).
    expect(d.spec.podReplacementPolicy).toBeUndefined();
    const pod = d.spec.template.spec;
    expect([pod.restartPolicy, pod.terminationGracePeriodSeconds]).toEqual(['Always', 30]);
    const c = pod.containers[0]!;
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports[0]).toEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' },
      initialDelaySeconds: 0,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.livenessProbe?.initialDelaySeconds).toBe(15);
    expect(d.source).toEqual({ file: 'web/deployment.yaml', document: 0, line: 1, column: 1 });
  });

  it('defaults Service targetPort, protocol, type and session affinity', () => {
    const s = get<Service>('Service');
    expect(s.spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }],
      sessionAffinity: 'None',
    });
    const numeric = run({
      's.yaml': SERVICE.replace(
        '    - name: http\n      port: 80\n      targetPort: http',
        '    - port: 80\n      protocol: UDP',
      ),
    });
    expect((numeric.objects[0] as Service).spec.ports[0]).toEqual({
      protocol: 'UDP',
      port: 80,
      targetPort: 80,
    });
  });

  it('merges Secret stringData into data as base64', () => {
    expect(get<Secret>('Secret').data).toEqual({
      'db-password': 'c3VwZXItc2VjcmV0LXB3',
      'api-token': 'aHVudGVyMi10b2tlbg==',
    });
    expect(get<Secret>('Secret').type).toBe('Opaque');
  });

  it('defaults HPA minReplicas to 1 and metrics to cpu 80% utilization', () => {
    const h = get<HorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    expect(h.spec.minReplicas).toBe(1);
    expect(h.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
    expect(h.spec.behavior).toBeUndefined();
  });
});

describe('more defaults', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['10.213.0.1:5000/skiff/nginx', 'Always'],
    ['10.213.0.1:5000/skiff/nginx:1.25', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ])('imagePullPolicy for %s is %s', (image, policy) => {
    const r = run({
      'p.yaml': `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`,
    });
    expect((r.objects[0] as Pod).spec.containers[0]!.imagePullPolicy).toBe(policy);
  });

  it('converts autoscaling/v1 targetCPUUtilizationPercentage as upstream conversion does', () => {
    const v1 = `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  targetCPUUtilizationPercentage: 65
`.replace('{kind: Deployment, name: web}', '\n    kind: Deployment\n    name: web');
    const r = run({ ...APP, 'web/hpa.yaml': v1 });
    const h = r.objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as HorizontalPodAutoscaler;
    expect(r.diagnostics).toEqual([]);
    expect(h.apiVersion).toBe('autoscaling/v1');
    expect(h.spec).toEqual({
      scaleTargetRef: { apiVersion: '', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } },
        },
      ],
    });
  });

  it('gives limits as requests when requests are absent, and volume modes 0644', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: busybox:1.36
      resources:
        limits:
          cpu: 1
          memory: 1Gi
      volumeMounts:
        - name: cfg
          mountPath: /etc/cfg
  volumes:
    - name: cfg
      configMap:
        name: web-config
`;
    const r = run({ 'p.yaml': pod, 'c.yaml': CONFIG });
    const p = r.objects.find((o) => o.kind === 'Pod') as Pod;
    expect(p.spec.containers[0]!.resources).toEqual({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    expect(p.spec.volumes[0]!.configMap).toEqual({ name: 'web-config', defaultMode: 0o644 });
  });
});

describe('schema findings', () => {
  it('misspelled field: error with did-you-mean, path and position', () => {
    const r = withDeployment(DEPLOYMENT.replace('      containers:', '      contianers:'));
    const d = r.diagnostics.find((x) => x.code === 'schema.unknown-field')!;
    expect(d).toMatchObject({
      file: 'web/deployment.yaml',
      line: 17,
      column: 7,
      path: 'spec.template.spec.contianers',
    });
    expect(d.message).toBe('unknown field "contianers" in PodSpec (did you mean "containers"?)');
    expect(findings(r)).toContain('error schema.required spec.template.spec');
    expect(r.objects.some((o) => o.kind === 'Deployment')).toBe(false);
  });

  it.each([
    ['replicas: 3', 'replicas: "3"', 'error schema.type spec.replicas'],
    [
      '          image: registry',
      '          imagePullPolicy: Sometimes\n          image: registry',
      'error schema.enum spec.template.spec.containers[0].imagePullPolicy',
    ],
    ['  replicas: 3', '  replicas: -1', 'error schema.range spec.replicas'],
  ])('%s -> %s', (from, to, want) => {
    expect(findings(withDeployment(DEPLOYMENT.replace(from, to)))).toContain(want);
  });

  it('real Kubernetes fields skiff ignores are warnings, fields that change what runs are errors', () => {
    const text = DEPLOYMENT.replace(
      '      containers:',
      '      serviceAccountName: web\n      hostNetwork: true\n      containers:',
    ).replace('      volumes:', '');
    const r = withDeployment(
      `${text}      volumes:\n        - name: data\n          nfs:\n            server: nfs\n            path: /var/data\n`,
    );
    expect(findings(r)).toEqual(
      expect.arrayContaining([
        'warning unsupported.field spec.template.spec.serviceAccountName',
        'error unsupported.field spec.template.spec.hostNetwork',
        'error unsupported.field spec.template.spec.volumes[0].nfs',
      ]),
    );
    const warn = r.diagnostics.find((d) => d.severity === 'warning')!;
    expect(warn.message).toMatch(/is ignored by skiff/);
  });

  it.each([
    ['false', []],
    ['true', ['warning unsupported.field spec.template.spec.automountServiceAccountToken']],
  ])('automountServiceAccountToken: %s (no token is ever mounted) -> %j', (value, want) => {
    const text = DEPLOYMENT.replace(
      '      containers:',
      `      automountServiceAccountToken: ${value}\n      containers:`,
    );
    const found = findings(withDeployment(text)).filter((f) => f.includes('automountServiceAccountToken'));
    expect(found).toEqual(want);
  });

  it.each([
    [
      'apps/v1',
      'StatefulSet',
      /unsupported kind StatefulSet \(apiVersion apps\/v1\) in document 0 of web\/deployment.yaml/,
    ],
    [
      'extensions/v1beta1',
      'Deployment',
      /apiVersion "extensions\/v1beta1" is not supported by skiff for Deployment \(use apps\/v1\)/,
    ],
  ])('unsupported %s %s', (apiVersion, kind, message) => {
    const r = withDeployment(
      DEPLOYMENT.replace('apiVersion: apps/v1\nkind: Deployment', `apiVersion: ${apiVersion}\nkind: ${kind}`),
    );
    const d = r.diagnostics.find((x) => x.code === 'unsupported.kind')!;
    expect(d.message).toMatch(message);
  });

  it('a document that is not a mapping', () => {
    expect(findings(run({ 'x.yaml': '- just\n- a list\n' }))).toEqual(['error schema.type ']);
  });
});

describe('semantic findings', () => {
  it('invalid quantity: the issue example, with file:line:column and path', () => {
    const r = withDeployment(DEPLOYMENT.replace('cpu: 250m', 'cpu: "250mi"'));
    expect(r.diagnostics).toEqual([
      {
        file: 'web/deployment.yaml',
        document: 0,
        line: 34,
        column: 15,
        path: 'spec.template.spec.containers[0].resources.requests.cpu',
        severity: 'error',
        code: 'semantic.quantity',
        message: '"250mi" is not a valid quantity',
      },
    ]);
  });

  it.each<[string, string, string, string]>([
    [
      'requests over limits',
      'cpu: 250m',
      'cpu: "2"',
      'error semantic.resources spec.template.spec.containers[0].resources.requests.cpu',
    ],
    [
      'selector not matching template labels',
      '      app: web\n  template',
      '      app: api\n  template',
      'error semantic.selector-mismatch spec.template.metadata.labels',
    ],
    [
      'empty selector',
      '    matchLabels:\n      app: web\n',
      '    matchLabels: {}\n',
      'error semantic.selector-missing spec.selector',
    ],
    ['bad name', 'name: web\n  labels', 'name: Web_App\n  labels', 'error semantic.name metadata.name'],
    [
      'bad label value',
      'app.kubernetes.io/name: web',
      'app.kubernetes.io/name: "-web-"',
      'error semantic.label metadata.labels["app.kubernetes.io/name"]',
    ],
    [
      'reserved label',
      '        app: web\n    spec',
      '        app: web\n        skiff.io/managed: "true"\n    spec',
      'error semantic.reserved-label spec.template.metadata.labels["skiff.io/managed"]',
    ],
    [
      'reserved annotation',
      '  labels:\n    app.kubernetes.io',
      '  annotations:\n    skiff.io/owner-name: x\n  labels:\n    app.kubernetes.io',
      'error semantic.reserved-label metadata.annotations["skiff.io/owner-name"]',
    ],
    [
      'restartPolicy in a Deployment',
      '      containers:',
      '      restartPolicy: OnFailure\n      containers:',
      'error semantic.restart-policy spec.template.spec.restartPolicy',
    ],
    [
      'two probe handlers',
      '            tcpSocket:',
      '            exec:\n              command: [cat, /tmp/ok]\n            tcpSocket:',
      'error semantic.probe spec.template.spec.containers[0].livenessProbe.tcpSocket',
    ],
    [
      'liveness successThreshold',
      '            initialDelaySeconds: 15',
      '            initialDelaySeconds: 15\n            successThreshold: 2',
      'error semantic.probe spec.template.spec.containers[0].livenessProbe.successThreshold',
    ],
    [
      'probe on an unknown port name',
      'port: http\n',
      'port: metrics\n',
      'error semantic.probe-port spec.template.spec.containers[0].readinessProbe.httpGet.port',
    ],
    [
      'duplicate port name',
      '              containerPort: 8080\n',
      '              containerPort: 8080\n            - name: http\n              containerPort: 9090\n',
      'error semantic.duplicate-key spec.template.spec.containers[0].ports[1].name',
    ],
    [
      'SCTP',
      '              containerPort: 8080\n',
      '              containerPort: 8080\n              protocol: SCTP\n',
      'error unsupported.value spec.template.spec.containers[0].ports[0].protocol',
    ],
    [
      'env value and valueFrom',
      '            - name: DB_PASSWORD\n',
      '            - name: DB_PASSWORD\n              value: x\n',
      'error semantic.env spec.template.spec.containers[0].env[0].valueFrom',
    ],
    [
      'volumeMount without volume',
      '          readinessProbe:',
      '          volumeMounts:\n            - name: data\n              mountPath: /data\n          readinessProbe:',
      'error semantic.volume-mount spec.template.spec.containers[0].volumeMounts[0].name',
    ],
    [
      'maxSurge and maxUnavailable both 0',
      '  template:\n',
      '  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0%\n  template:\n',
      'error semantic.strategy spec.strategy.rollingUpdate.maxUnavailable',
    ],
    [
      'Recreate with rollingUpdate',
      '  template:\n',
      '  strategy:\n    type: Recreate\n    rollingUpdate:\n      maxSurge: 1\n  template:\n',
      'error semantic.strategy spec.strategy.rollingUpdate',
    ],
    [
      'bad percent',
      '  template:\n',
      '  strategy:\n    rollingUpdate:\n      maxSurge: 25 %\n  template:\n',
      'error semantic.strategy spec.strategy.rollingUpdate.maxSurge',
    ],
    [
      'podReplacementPolicy not one of KEP-3973 values',
      '  template:\n',
      '  podReplacementPolicy: WhenTerminated\n  template:\n',
      'error schema.enum spec.podReplacementPolicy',
    ],
    [
      'podReplacementPolicy not a string',
      '  template:\n',
      '  podReplacementPolicy: [TerminationStarted]\n  template:\n',
      'error schema.type spec.podReplacementPolicy',
    ],
    [
      'fenceposts rounding to zero',
      '  template:\n',
      '  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 10%\n  template:\n',
      'warning semantic.strategy-rounding spec.strategy.rollingUpdate',
    ],
  ])('%s', (_name, from, to, want) => {
    const text = DEPLOYMENT.replace(from, to);
    expect(text).not.toBe(DEPLOYMENT);
    expect(findings(withDeployment(text))).toContain(want);
  });

  it.each(['TerminationStarted', 'TerminationComplete'])(
    'podReplacementPolicy %s is accepted and carried',
    (v) => {
      const r = withDeployment(
        DEPLOYMENT.replace('  template:\n', `  podReplacementPolicy: ${v}\n  template:\n`),
      );
      expect(findings(r)).toEqual([]);
      const d = r.objects.find((o) => o.kind === 'Deployment') as Deployment;
      expect(d.spec.podReplacementPolicy).toBe(v);
    },
  );

  it('duplicate container names', () => {
    const text = DEPLOYMENT.replace(
      '      containers:\n',
      '      containers:\n        - name: web\n          image: busybox:1.36\n',
    );
    expect(findings(withDeployment(text))).toContain(
      'error semantic.duplicate-key spec.template.spec.containers[1].name',
    );
  });

  it.each<[string, string, string]>([
    [
      'nodePort out of range',
      SERVICE.replace('spec:\n', 'spec:\n  type: NodePort\n').replace(
        'targetPort: http',
        'targetPort: http\n      nodePort: 8080',
      ),
      'error semantic.node-port spec.ports[0].nodePort',
    ],
    [
      'nodePort on a ClusterIP service',
      SERVICE.replace('targetPort: http', 'targetPort: http\n      nodePort: 30080'),
      'error semantic.node-port spec.ports[0].nodePort',
    ],
    [
      'several ports without names',
      SERVICE.replace('    - name: http\n      port: 80', '    - port: 9090\n    - port: 80'),
      'error semantic.service-port spec.ports[0].name',
    ],
    [
      'ExternalName without externalName',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  type: ExternalName\n',
      'error semantic.service spec.externalName',
    ],
    [
      'Service name not a DNS-1035 label',
      SERVICE.replace('name: web\nspec', 'name: 1web\nspec'),
      'error semantic.name metadata.name',
    ],
  ])('Service: %s', (_name, text, want) => {
    expect(findings(run({ ...APP, 'web/service.yaml': text }))).toContain(want);
  });

  it('Secret data that is not base64 names the key, never the value', () => {
    const secret = CONFIG.replace('db-password: c3VwZXItc2VjcmV0LXB3', 'db-password: "my plain password!"');
    const r = run({ ...APP, 'web/config.yaml': secret });
    expect(findings(r)).toContain('error semantic.base64 data.db-password');
    const all = JSON.stringify(r.diagnostics);
    expect(all).not.toContain('my plain password');
    expect(all).not.toContain('hunter2');
  });

  it('Secret values stay out of type errors too', () => {
    const r = run({
      's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  pin: 987654321\n',
    });
    expect(findings(r)).toEqual(['error schema.type stringData.pin']);
    expect(JSON.stringify(r.diagnostics)).not.toContain('987654321');
  });

  it.each<[string, string, string]>([
    [
      'minReplicas over maxReplicas',
      HPA.replace('maxReplicas: 10', 'minReplicas: 5\n  maxReplicas: 3'),
      'error semantic.hpa spec.maxReplicas',
    ],
    [
      'Pods metrics',
      `${HPA}  metrics:\n    - type: Pods\n      pods:\n        metric:\n          name: rps\n`,
      'error unsupported.field spec.metrics[0].pods',
    ],
    [
      'External metric type',
      `${HPA}  metrics:\n    - type: External\n`,
      'error unsupported.metric spec.metrics[0].type',
    ],
    [
      'memory AverageValue is fine, gpu is not',
      `${HPA}  metrics:\n    - type: Resource\n      resource:\n        name: nvidia.com/gpu\n        target:\n          type: AverageValue\n          averageValue: 1\n`,
      'error unsupported.metric spec.metrics[0].resource.name',
    ],
    [
      'StatefulSet target',
      HPA.replace('kind: Deployment', 'kind: StatefulSet'),
      'error unsupported.scale-target spec.scaleTargetRef.kind',
    ],
    [
      'Value target for a resource',
      `${HPA}  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Value\n          value: 500m\n`,
      'error semantic.hpa spec.metrics[0].resource.target.type',
    ],
  ])('HPA: %s', (_name, text, want) => {
    expect(findings(run({ ...APP, 'web/hpa.yaml': text }))).toContain(want);
  });
});

describe('bundle-wide findings', () => {
  it('duplicate objects across files point at the first definition', () => {
    const r = run({ ...APP, 'web/config-copy.yaml': CONFIG.split('---')[0]! });
    const d = r.diagnostics.find((x) => x.code === 'semantic.duplicate-object')!;
    expect(d.file).toBe('web/config-copy.yaml');
    expect(d.message).toBe(
      'configmap/web-config in namespace default is already defined at web/config.yaml:1:1',
    );
  });

  it('missing references are errors unless optional, warnings with allowMissingRefs', () => {
    const files = {
      'web/deployment.yaml': DEPLOYMENT,
      'web/hpa.yaml': HPA.replace('name: web\n  maxReplicas', 'name: api\n  maxReplicas'),
    };
    expect(findings(run(files))).toEqual([
      'error ref.missing-configmap spec.template.spec.containers[0].envFrom[0].configMapRef.name',
      'error ref.missing-secret spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name',
      'error ref.missing-deployment spec.scaleTargetRef.name',
    ]);
    expect(run(files, true).diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    const optional = DEPLOYMENT.replace(
      'name: web-config\n',
      'name: web-config\n                optional: true\n',
    );
    expect(findings(run({ ...files, 'web/deployment.yaml': optional }))).not.toContain(
      'error ref.missing-configmap spec.template.spec.containers[0].envFrom[0].configMapRef.name',
    );
  });

  it('a referenced key must exist in the ConfigMap/Secret', () => {
    const r = withDeployment(DEPLOYMENT.replace('key: db-password', 'key: db-pasword'));
    expect(findings(r)).toEqual([
      'error ref.missing-key spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name',
    ]);
    expect(r.diagnostics[0]!.message).toBe(
      'secret/web-secrets has no key "db-pasword" (referenced by deployment/web)',
    );
  });

  it('named targetPorts must resolve in the selected pods', () => {
    const r = run({
      ...APP,
      'web/service.yaml': SERVICE.replace('targetPort: http', 'targetPort: web-http'),
    });
    expect(findings(r)).toEqual(['error ref.target-port spec.ports[0].targetPort']);
  });

  it('a nodePort is used by one Service only', () => {
    const np = (name: string) =>
      SERVICE.replace('name: web\nspec:\n', `name: ${name}\nspec:\n  type: NodePort\n`).replace(
        'targetPort: http',
        'targetPort: http\n      nodePort: 30080',
      );
    const r = run({ ...APP, 'web/service.yaml': np('web'), 'web/service2.yaml': np('web-2') });
    expect(findings(r)).toEqual(['error semantic.node-port-conflict spec.ports[0].nodePort']);
    expect(r.diagnostics[0]!.file).toBe('web/service2.yaml');
  });

  it('one HPA per Deployment, and utilization metrics need requests', () => {
    const second = HPA.replace('name: web\nspec', 'name: web-2\nspec');
    expect(findings(run({ ...APP, 'web/hpa2.yaml': second }))).toContain(
      'error semantic.hpa-conflict spec.scaleTargetRef.name',
    );
    const noRequests = DEPLOYMENT.replace(
      '            requests:\n              cpu: 250m\n              memory: 64Mi\n',
      '',
    ).replace(
      '            limits:\n              cpu: 500m\n              memory: 128Mi\n',
      '            limits:\n              memory: 128Mi\n',
    );
    expect(findings(withDeployment(noRequests))).toEqual([
      'warning semantic.hpa-requests spec.scaleTargetRef.name',
    ]);
  });

  it('validateManifests checks parsed documents of several files as one bundle', () => {
    const docs = Object.entries(APP).flatMap(([p, t]) => parseManifests(t, p).documents);
    const r = validateManifests(docs);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects).toHaveLength(5);
  });
});

describe('createValidator (incremental)', () => {
  it('reuses unchanged files and re-validates changed ones', () => {
    const v = createValidator();
    const files = bundle(APP);
    expect(v.validate(files)).toEqual(validateBundle(files));
    expect(v.lastReused).toBe(0);
    v.validate(files.map((f) => ({ ...f, text: `${f.text} `.slice(0, -1) })));
    expect(v.lastReused).toBe(4);
    const broken = files.map((f) =>
      f.path === 'web/deployment.yaml' ? { ...f, text: f.text.replace('cpu: 250m', 'cpu: 250mi') } : f,
    );
    const r = v.validate(broken);
    expect(v.lastReused).toBe(3);
    expect(findings(r)).toEqual([
      'error semantic.quantity spec.template.spec.containers[0].resources.requests.cpu',
    ]);
  });

  it('recomputes bundle-wide checks when a referenced file disappears', () => {
    const v = createValidator();
    v.validate(bundle(APP));
    const r = v.validate(bundle({ ...APP, 'web/config.yaml': '' }));
    expect(findings(r)).toContain(
      'error ref.missing-configmap spec.template.spec.containers[0].envFrom[0].configMapRef.name',
    );
  });

  it('keys the cache by a caller-supplied blob id', () => {
    const v = createValidator();
    const files = bundle(APP).map((f, i) => ({ ...f, id: `blob-${i}` }));
    v.validate(files);
    v.validate(files.map((f) => ({ ...f, text: f.text })));
    expect(v.lastReused).toBe(4);
  });
});
