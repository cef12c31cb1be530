// JSON Schemas (draft-07) of the manifests skiff accepts, one per kind and version, with
// Kubernetes' types and defaults (the `default` keywords document what defaulting fills).
// Every object lists the fields skiff supports; `x-ignored` names real Kubernetes fields
// that skiff reads past (a warning), `x-rejected` real fields it refuses because ignoring
// them would change what runs (an error). Anything else is an unknown field (an error with
// a did-you-mean hint). The README's field tables are rendered from these (fieldSupport()).
// Pure data.

export type JsonSchema = Record<string, unknown>;

const str: JsonSchema = { type: 'string' };
const bool: JsonSchema = { type: 'boolean' };
/** Kubernetes types its integer fields int32 unless it says int64; a number past the type
 *  is refused there ("cannot unmarshal number ... of type int32"), so it is here. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
/** int64 fields are bounded by what a JavaScript number holds exactly (parse refuses more). */
export const INT64_MIN = -Number.MAX_SAFE_INTEGER;
export const INT64_MAX = Number.MAX_SAFE_INTEGER;

const int = (minimum = INT32_MIN, maximum = INT32_MAX, dflt?: number): JsonSchema => ({
  type: 'integer',
  minimum,
  maximum,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const int64 = (minimum = INT64_MIN, dflt?: number): JsonSchema => int(minimum, INT64_MAX, dflt);
/** IntOrString holds an int32. */
const intOrString: JsonSchema = { type: ['integer', 'string'], minimum: INT32_MIN, maximum: INT32_MAX };
/** Quantities are strings in Kubernetes' API but YAML numbers are accepted (`cpu: 1`). */
const quantity: JsonSchema = { type: ['string', 'number'] };
const stringMap: JsonSchema = { type: 'object', additionalProperties: str };
const strings: JsonSchema = { type: 'array', items: str };
const enumOf = (values: string[], dflt?: string): JsonSchema => ({
  type: 'string',
  enum: values,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const arrayOf = (items: JsonSchema, minItems?: number): JsonSchema => ({
  type: 'array',
  items,
  ...(minItems === undefined ? {} : { minItems }),
});

/** A field skiff reads past: still typed as Kubernetes types it (the API server refuses
 *  `finalizers: {a: b}` whether or not anything reads it), then a warning. */
interface Ignored {
  schema: JsonSchema;
  why: string;
}
const ignore = (schema: JsonSchema, why: string): Ignored => ({ schema, why });

interface ObjectOptions {
  required?: string[];
  /** field -> its type, and why skiff can ignore it */
  ignored?: Record<string, Ignored>;
  /** field -> why skiff refuses it */
  rejected?: Record<string, string>;
}

/** An ignored field's schema: its type, plus the `x-ignored-field` keyword that turns its
 *  presence into the warning (schema-check.ts). */
function ignoredProperties(title: string, ignored: Record<string, Ignored>): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(ignored).map(([f, i]) => [
      f,
      { ...i.schema, 'x-ignored-field': `${title}.${f} is ignored by skiff: ${i.why}` },
    ]),
  );
}

function object(title: string, properties: Record<string, JsonSchema>, opts: ObjectOptions = {}): JsonSchema {
  const ignored = opts.ignored ?? {};
  return {
    title,
    type: 'object',
    properties: { ...properties, ...ignoredProperties(title, ignored) },
    additionalProperties: false,
    ...(opts.required ? { required: opts.required } : {}),
    'x-ignored': Object.fromEntries(Object.entries(ignored).map(([f, i]) => [f, i.why])),
    'x-rejected': opts.rejected ?? {},
  };
}

const NO_API_SERVER = 'skiff has no API server or controllers that would read it';
const BY_API_SERVER = 'set by the API server';

/** metav1.OwnerReference and ManagedFieldsEntry: bookkeeping, typed as the API server types it. */
const ownerReferences = arrayOf(
  object(
    'OwnerReference',
    { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool },
    { required: ['apiVersion', 'kind', 'name', 'uid'] },
  ),
);
const managedFields = arrayOf(
  object('ManagedFieldsEntry', {
    manager: str,
    operation: enumOf(['Apply', 'Update']),
    apiVersion: str,
    time: str,
    fieldsType: str,
    fieldsV1: { type: 'object' },
    subresource: str,
  }),
);

const objectMeta = object(
  'ObjectMeta',
  {
    name: str,
    namespace: { type: 'string', default: 'default' },
    labels: stringMap,
    annotations: stringMap,
  },
  {
    required: ['name'],
    ignored: {
      uid: ignore(str, BY_API_SERVER),
      resourceVersion: ignore(str, BY_API_SERVER),
      generation: ignore(int64(), BY_API_SERVER),
      creationTimestamp: ignore(str, BY_API_SERVER),
      deletionTimestamp: ignore(str, BY_API_SERVER),
      deletionGracePeriodSeconds: ignore(int64(), BY_API_SERVER),
      selfLink: ignore(str, BY_API_SERVER),
      managedFields: ignore(managedFields, 'server-side apply bookkeeping'),
      ownerReferences: ignore(ownerReferences, 'skiff does no garbage collection by owner'),
      finalizers: ignore(strings, NO_API_SERVER),
    },
    rejected: { generateName: 'skiff needs a fixed metadata.name to own the object' },
  },
);

const templateMeta = object(
  'PodTemplateMetadata',
  { labels: stringMap, annotations: stringMap },
  {
    ignored: {
      name: ignore(str, 'pod names come from the owner'),
      namespace: ignore(str, 'pods run in the owner namespace'),
      uid: ignore(str, BY_API_SERVER),
      creationTimestamp: ignore(str, BY_API_SERVER),
      generateName: ignore(str, 'pod names come from the owner'),
      ownerReferences: ignore(ownerReferences, 'set by the controller'),
      finalizers: ignore(strings, NO_API_SERVER),
    },
  },
);

const keySelector = object(
  'KeySelector',
  { name: str, key: str, optional: bool },
  { required: ['name', 'key'] },
);

const objectFieldSelector = object(
  'ObjectFieldSelector',
  { fieldPath: str },
  { required: ['fieldPath'], ignored: { apiVersion: ignore(str, 'always v1') } },
);
const resourceFieldSelector = object(
  'ResourceFieldSelector',
  { containerName: str, resource: str, divisor: quantity },
  { required: ['resource'] },
);

const envVar = object(
  'EnvVar',
  {
    name: str,
    value: str,
    valueFrom: object(
      'EnvVarSource',
      {
        configMapKeyRef: keySelector,
        secretKeyRef: keySelector,
        fieldRef: objectFieldSelector,
        resourceFieldRef: resourceFieldSelector,
      },
      { rejected: { fileKeyRef: 'not supported by skiff' } },
    ),
  },
  { required: ['name'] },
);

const envFromRef = (title: string) => object(title, { name: str, optional: bool }, { required: ['name'] });
const envFrom = object('EnvFromSource', {
  prefix: str,
  configMapRef: envFromRef('ConfigMapEnvSource'),
  secretRef: envFromRef('SecretEnvSource'),
});

const containerPort = object(
  'ContainerPort',
  {
    name: str,
    containerPort: int(),
    hostPort: int(),
    hostIP: str,
    protocol: { type: 'string', default: 'TCP' },
  },
  { required: ['containerPort'] },
);

const resourceList: JsonSchema = { type: 'object', additionalProperties: quantity };
const resources = object(
  'ResourceRequirements',
  { requests: resourceList, limits: resourceList },
  { rejected: { claims: 'dynamic resource allocation is not supported by skiff' } },
);

const httpGet = object(
  'HTTPGetAction',
  {
    path: { type: 'string', default: '/' },
    port: intOrString,
    host: str,
    scheme: enumOf(['HTTP', 'HTTPS'], 'HTTP'),
    httpHeaders: arrayOf(object('HTTPHeader', { name: str, value: str }, { required: ['name', 'value'] })),
  },
  { required: ['port'] },
);
const tcpSocket = object('TCPSocketAction', { port: intOrString, host: str }, { required: ['port'] });
const exec = object('ExecAction', { command: strings });
const handlerFields = { httpGet, tcpSocket, exec };

/** Shared subschemas are compiled once and referenced by `$ref` (ajv compiles each `$id`
 *  once; inlining PodSpec into Pod and Deployment compiled it twice). */
const ref = (id: string): JsonSchema => ({ $ref: `skiff:${id}` });

/** GRPCAction: port is an int32 here; 1-65535 is checked with upstream's message (checks/probes.ts). */
const grpc = object('GRPCAction', { port: int(), service: str }, { required: ['port'] });

const probe = object('Probe', {
  ...handlerFields,
  grpc,
  initialDelaySeconds: int(0, undefined, 0),
  timeoutSeconds: int(1, undefined, 1),
  periodSeconds: int(1, undefined, 10),
  successThreshold: int(1, undefined, 1),
  failureThreshold: int(1, undefined, 3),
  terminationGracePeriodSeconds: int64(1),
});

const lifecycleHandler = object('LifecycleHandler', handlerFields, {
  rejected: { sleep: 'the sleep action is not implemented by skiff; use exec with sleep' },
});

const volumeMount = object(
  'VolumeMount',
  { name: str, mountPath: str, readOnly: bool, subPath: str, subPathExpr: str },
  {
    required: ['name', 'mountPath'],
    ignored: {
      recursiveReadOnly: ignore(
        enumOf(['Disabled', 'IfPossible', 'Enabled']),
        'skiff mounts configMap/secret volumes read-only already',
      ),
    },
    rejected: {
      mountPropagation: 'mount propagation is not supported by skiff',
    },
  },
);

/** seccompProfile / appArmorProfile: `localhostProfile` only with Localhost (checks/security-context.ts). */
const securityProfile = (title: string) =>
  object(
    title,
    { type: enumOf(['RuntimeDefault', 'Unconfined', 'Localhost']), localhostProfile: str },
    { required: ['type'] },
  );
const WINDOWS_ONLY = 'every host is Linux';
const SELINUX =
  "Docker's SELinux labels do not carry the kubelet's meaning (volume relabelling per pod level); use a host policy";
/** User and group IDs: int64 in the API, 0..2147483647 by validation (checks/security-context.ts). */
const commonSecurity = {
  runAsUser: int64(),
  runAsGroup: int64(),
  runAsNonRoot: bool,
  seccompProfile: securityProfile('SeccompProfile'),
  appArmorProfile: securityProfile('AppArmorProfile'),
};
const windowsOptions = ignore(
  object('WindowsSecurityContextOptions', {
    gmsaCredentialSpecName: str,
    gmsaCredentialSpec: str,
    runAsUserName: str,
    hostProcess: bool,
  }),
  WINDOWS_ONLY,
);

const securityContext = object(
  'SecurityContext',
  {
    ...commonSecurity,
    readOnlyRootFilesystem: bool,
    privileged: bool,
    allowPrivilegeEscalation: bool,
    capabilities: object('Capabilities', { add: strings, drop: strings }),
    procMount: enumOf(['Default', 'Unmasked']),
  },
  { ignored: { windowsOptions }, rejected: { seLinuxOptions: SELINUX } },
);

const podSecurityContext = object(
  'PodSecurityContext',
  {
    ...commonSecurity,
    supplementalGroups: arrayOf(int64()),
    supplementalGroupsPolicy: enumOf(['Merge', 'Strict']),
    fsGroup: int64(),
    fsGroupChangePolicy: enumOf(['OnRootMismatch', 'Always']),
    sysctls: arrayOf(object('Sysctl', { name: str, value: str }, { required: ['name', 'value'] })),
  },
  {
    ignored: { windowsOptions },
    rejected: { seLinuxOptions: SELINUX, seLinuxChangePolicy: SELINUX },
  },
);

const container = object(
  'Container',
  {
    name: str,
    image: str,
    imagePullPolicy: enumOf(['Always', 'IfNotPresent', 'Never']),
    command: strings,
    args: strings,
    workingDir: str,
    env: arrayOf(envVar),
    envFrom: arrayOf(envFrom),
    ports: arrayOf(containerPort),
    resources,
    livenessProbe: ref('Probe'),
    readinessProbe: ref('Probe'),
    startupProbe: ref('Probe'),
    lifecycle: object('Lifecycle', { preStop: lifecycleHandler, postStart: lifecycleHandler }, {}),
    volumeMounts: arrayOf(volumeMount),
    securityContext,
  },
  {
    required: ['name'],
    ignored: {
      terminationMessagePath: ignore(str, 'skiff does not collect termination messages'),
      terminationMessagePolicy: ignore(
        enumOf(['File', 'FallbackToLogsOnError']),
        'skiff does not collect termination messages',
      ),
      resizePolicy: ignore(
        arrayOf(
          object(
            'ContainerResizePolicy',
            { resourceName: str, restartPolicy: enumOf(['NotRequired', 'RestartContainer']) },
            { required: ['resourceName', 'restartPolicy'] },
          ),
        ),
        'skiff recreates containers on resource changes',
      ),
      stdin: ignore(bool, 'containers run detached'),
      stdinOnce: ignore(bool, 'containers run detached'),
      tty: ignore(bool, 'containers run detached without a TTY'),
    },
    rejected: {
      volumeDevices: 'block devices are not supported by skiff',
      restartPolicy: 'only init containers take a restartPolicy (Always: a sidecar)',
    },
  },
);

/** An init container: a Container whose restartPolicy may be Always, which makes it a sidecar
 *  (KEP-753); on an app container the field stays refused. */
const initContainer: JsonSchema = {
  ...container,
  properties: { ...(container.properties as object), restartPolicy: enumOf(['Always']) },
  'x-rejected': Object.fromEntries(
    Object.entries(container['x-rejected'] as Record<string, string>).filter(([f]) => f !== 'restartPolicy'),
  ),
};

const keyToPath = object(
  'KeyToPath',
  { key: str, path: str, mode: int(0, 0o777) },
  { required: ['key', 'path'] },
);

const UNSUPPORTED_VOLUME =
  'skiff supports configMap, secret, emptyDir, hostPath, projected, downwardAPI and persistentVolumeClaim volumes only';
const downwardAPIFile = object(
  'DownwardAPIVolumeFile',
  { path: str, fieldRef: objectFieldSelector, resourceFieldRef: resourceFieldSelector, mode: int(0, 0o777) },
  { required: ['path'] },
);
const projectedKeys = (title: string) =>
  object(title, { name: str, items: arrayOf(keyToPath), optional: bool });
const volumeProjection = object(
  'VolumeProjection',
  {
    configMap: projectedKeys('ConfigMapProjection'),
    secret: projectedKeys('SecretProjection'),
    downwardAPI: object('DownwardAPIProjection', { items: arrayOf(downwardAPIFile) }),
  },
  {
    rejected: {
      serviceAccountToken: 'skiff has no API server to issue service account tokens',
      clusterTrustBundle: 'skiff has no cluster trust bundles',
      podCertificate: 'skiff issues no pod certificates',
    },
  },
);
const volume = object(
  'Volume',
  {
    name: str,
    configMap: object('ConfigMapVolumeSource', {
      name: str,
      items: arrayOf(keyToPath),
      defaultMode: int(0, 0o777, 0o644),
      optional: bool,
    }),
    secret: object('SecretVolumeSource', {
      secretName: str,
      items: arrayOf(keyToPath),
      defaultMode: int(0, 0o777, 0o644),
      optional: bool,
    }),
    emptyDir: object('EmptyDirVolumeSource', { medium: enumOf(['', 'Memory']), sizeLimit: quantity }),
    hostPath: object(
      'HostPathVolumeSource',
      {
        path: str,
        type: enumOf(
          [
            '',
            'DirectoryOrCreate',
            'Directory',
            'FileOrCreate',
            'File',
            'Socket',
            'CharDevice',
            'BlockDevice',
          ],
          '',
        ),
      },
      { required: ['path'] },
    ),
    downwardAPI: object('DownwardAPIVolumeSource', {
      items: arrayOf(downwardAPIFile),
      defaultMode: int(0, 0o777, 0o644),
    }),
    projected: object('ProjectedVolumeSource', {
      sources: arrayOf(volumeProjection),
      defaultMode: int(0, 0o777, 0o644),
    }),
    persistentVolumeClaim: object(
      'PersistentVolumeClaimVolumeSource',
      { claimName: str, readOnly: bool },
      { required: ['claimName'] },
    ),
  },
  {
    required: ['name'],
    rejected: Object.fromEntries(
      [
        'ephemeral',
        'csi',
        'image',
        'nfs',
        'iscsi',
        'rbd',
        'cephfs',
        'cinder',
        'fc',
        'flexVolume',
        'flocker',
        'glusterfs',
        'gitRepo',
        'awsElasticBlockStore',
        'gcePersistentDisk',
        'azureDisk',
        'azureFile',
        'vsphereVolume',
        'quobyte',
        'photonPersistentDisk',
        'portworxVolume',
        'scaleIO',
        'storageos',
      ].map((k) => [k, UNSUPPORTED_VOLUME]),
    ),
  },
);

const toleration = object('Toleration', {
  key: str,
  operator: enumOf(['Exists', 'Equal'], 'Equal'),
  value: str,
  effect: enumOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute', '']),
  tolerationSeconds: int64(),
});

const nodeSelectorTerm = object(
  'NodeSelectorTerm',
  {
    matchExpressions: arrayOf(
      object(
        'NodeSelectorRequirement',
        {
          key: str,
          operator: enumOf(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
          values: strings,
        },
        { required: ['key', 'operator'] },
      ),
    ),
  },
  { rejected: { matchFields: 'node field selectors are not supported by skiff; use node labels' } },
);

const labelSelector = object('LabelSelector', {
  matchLabels: stringMap,
  matchExpressions: arrayOf(
    object(
      'LabelSelectorRequirement',
      { key: str, operator: enumOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: strings },
      { required: ['key', 'operator'] },
    ),
  ),
});

/** v1.PodAffinityTerm; the semantic checks (topologyKey, selectors, label keys) are
 *  checks/pod-affinity.ts. */
const podAffinityTerm = object('PodAffinityTerm', {
  labelSelector,
  namespaces: strings,
  topologyKey: str,
  namespaceSelector: labelSelector,
  matchLabelKeys: strings,
  mismatchLabelKeys: strings,
});
const podAffinity = (title: string) =>
  object(title, {
    requiredDuringSchedulingIgnoredDuringExecution: arrayOf(podAffinityTerm),
    preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
      object(
        'WeightedPodAffinityTerm',
        { weight: int(), podAffinityTerm },
        { required: ['weight', 'podAffinityTerm'] },
      ),
    ),
  });

const affinity = object('Affinity', {
  nodeAffinity: object('NodeAffinity', {
    requiredDuringSchedulingIgnoredDuringExecution: object(
      'NodeSelector',
      { nodeSelectorTerms: arrayOf(nodeSelectorTerm, 1) },
      { required: ['nodeSelectorTerms'] },
    ),
    preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
      object(
        'PreferredSchedulingTerm',
        { weight: int(1, 100), preference: nodeSelectorTerm },
        { required: ['weight', 'preference'] },
      ),
    ),
  }),
  podAffinity: podAffinity('PodAffinity'),
  podAntiAffinity: podAffinity('PodAntiAffinity'),
});

const NO_PRIORITIES = 'the skiff scheduler has no priorities or preemption';
const DOCKER_DNS = 'containers use the host Docker DNS plus skiff service names';
const topologySpreadConstraint = object(
  'TopologySpreadConstraint',
  {
    maxSkew: int(),
    topologyKey: str,
    whenUnsatisfiable: enumOf(['DoNotSchedule', 'ScheduleAnyway']),
    labelSelector,
    minDomains: int(),
    nodeAffinityPolicy: enumOf(['Honor', 'Ignore']),
    nodeTaintsPolicy: enumOf(['Honor', 'Ignore']),
    matchLabelKeys: strings,
  },
  { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
);

const podSpec = object(
  'PodSpec',
  {
    initContainers: arrayOf(initContainer),
    containers: arrayOf(container, 1),
    restartPolicy: enumOf(['Always', 'OnFailure', 'Never'], 'Always'),
    terminationGracePeriodSeconds: int64(0, 30),
    nodeSelector: stringMap,
    affinity,
    tolerations: arrayOf(toleration),
    volumes: arrayOf(volume),
    topologySpreadConstraints: arrayOf(topologySpreadConstraint),
    hostname: str,
    securityContext: podSecurityContext,
    // false is what skiff does anyway (no token is ever mounted); true warns (checks/pod-spec.ts).
    automountServiceAccountToken: bool,
  },
  {
    required: ['containers'],
    ignored: {
      serviceAccountName: ignore(str, NO_API_SERVER),
      serviceAccount: ignore(str, NO_API_SERVER),
      imagePullSecrets: ignore(
        arrayOf(object('LocalObjectReference', { name: str })),
        'hosts pull with their own Docker registry credentials',
      ),
      priorityClassName: ignore(str, NO_PRIORITIES),
      priority: ignore(int(), NO_PRIORITIES),
      preemptionPolicy: ignore(enumOf(['PreemptLowerPriority', 'Never']), NO_PRIORITIES),
      schedulerName: ignore(str, 'skiff has one scheduler'),
      enableServiceLinks: ignore(bool, 'skiff does not inject service environment variables'),
      dnsPolicy: ignore(enumOf(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']), DOCKER_DNS),
      dnsConfig: ignore(
        object('PodDNSConfig', {
          nameservers: strings,
          searches: strings,
          options: arrayOf(object('PodDNSConfigOption', { name: str, value: str })),
        }),
        DOCKER_DNS,
      ),
      subdomain: ignore(str, 'skiff has no cluster DNS'),
      setHostnameAsFQDN: ignore(bool, 'skiff has no cluster DNS'),
      os: ignore(object('PodOS', { name: str }, { required: ['name'] }), 'every host is Linux'),
      overhead: ignore(resourceList, 'set by the RuntimeClass admission controller'),
    },
    rejected: {
      ephemeralContainers: 'ephemeral containers are not supported by skiff',
      hostNetwork: 'host networking would change how the pod is reached',
      hostPID: 'sharing the host PID namespace is not supported by skiff',
      hostIPC: 'sharing the host IPC namespace is not supported by skiff',
      hostUsers: 'user namespaces are not supported by skiff',
      shareProcessNamespace: 'a shared process namespace is not supported by skiff',
      nodeName: 'pinning to a node bypasses the skiff scheduler; use nodeSelector',
      activeDeadlineSeconds: 'pod deadlines are not enforced by skiff',
      runtimeClassName: 'runtime classes are not supported by skiff',
      readinessGates: 'readiness gates are not evaluated by skiff',
      schedulingGates: 'scheduling gates are not evaluated by skiff',
      resourceClaims: 'dynamic resource allocation is not supported by skiff',
      hostAliases: 'custom /etc/hosts entries are not supported by skiff',
      resources: 'pod-level resources are not supported by skiff; set them per container',
    },
  },
);

const statusIgnored = {
  status: ignore({ type: 'object' }, 'status is written by controllers, not read from manifests'),
};

function top(kind: string, apiVersion: string, properties: Record<string, JsonSchema>, opts: ObjectOptions) {
  return object(
    kind,
    {
      apiVersion: { const: apiVersion },
      kind: { const: kind },
      metadata: objectMeta,
      ...properties,
    },
    {
      ...opts,
      required: ['apiVersion', 'kind', 'metadata', ...(opts.required ?? [])],
      ignored: { ...statusIgnored, ...(opts.ignored ?? {}) },
    },
  );
}

const deploymentSpec = object(
  'DeploymentSpec',
  {
    replicas: int(0, undefined, 1),
    selector: labelSelector,
    template: object(
      'PodTemplateSpec',
      { metadata: templateMeta, spec: ref('PodSpec') },
      { required: ['spec'] },
    ),
    strategy: object('DeploymentStrategy', {
      type: enumOf(['RollingUpdate', 'Recreate'], 'RollingUpdate'),
      rollingUpdate: object('RollingUpdateDeployment', {
        maxSurge: { ...intOrString, default: '25%' },
        maxUnavailable: { ...intOrString, default: '25%' },
      }),
    }),
    minReadySeconds: int(0, undefined, 0),
    revisionHistoryLimit: int(0, undefined, 10),
    progressDeadlineSeconds: int(1, undefined, 600),
    paused: bool,
    podReplacementPolicy: enumOf(['TerminationStarted', 'TerminationComplete']),
  },
  { required: ['selector', 'template'] },
);

const servicePort = object(
  'ServicePort',
  {
    name: str,
    protocol: { type: 'string', default: 'TCP' },
    port: int(),
    targetPort: intOrString,
    nodePort: int(),
  },
  {
    required: ['port'],
    ignored: {
      appProtocol: ignore(str, 'skiff forwards at layer 4 and does not read the application protocol'),
    },
  },
);

const NO_CLOUD_LB = 'there is no cloud load balancer; LoadBalancer is exposed like NodePort';
const serviceSpec = object(
  'ServiceSpec',
  {
    type: enumOf(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], 'ClusterIP'),
    selector: stringMap,
    ports: arrayOf(servicePort),
    clusterIP: str,
    externalName: str,
    sessionAffinity: enumOf(['None', 'ClientIP'], 'None'),
    sessionAffinityConfig: object('SessionAffinityConfig', {
      clientIP: object('ClientIPConfig', { timeoutSeconds: int(1, 86400, 10800) }),
    }),
  },
  {
    ignored: {
      clusterIPs: ignore(strings, 'skiff assigns one virtual IP per Service'),
      ipFamilies: ignore(arrayOf(enumOf(['IPv4', 'IPv6'])), 'skiff services are IPv4'),
      ipFamilyPolicy: ignore(
        enumOf(['SingleStack', 'PreferDualStack', 'RequireDualStack']),
        'skiff services are IPv4',
      ),
      loadBalancerIP: ignore(str, NO_CLOUD_LB),
      loadBalancerClass: ignore(str, NO_CLOUD_LB),
      allocateLoadBalancerNodePorts: ignore(bool, NO_CLOUD_LB),
      externalTrafficPolicy: ignore(
        enumOf(['Cluster', 'Local']),
        'skiff forwards node ports to every ready endpoint',
      ),
      internalTrafficPolicy: ignore(enumOf(['Cluster', 'Local']), 'skiff forwards to every ready endpoint'),
      healthCheckNodePort: ignore(int(), 'there is no cloud load balancer'),
      trafficDistribution: ignore(str, 'skiff forwards to every ready endpoint'),
    },
    rejected: {
      externalIPs: 'external IPs are not programmed by skiff',
      loadBalancerSourceRanges:
        'source ranges are not enforced by skiff; ignoring them would open the service',
      publishNotReadyAddresses: 'skiff only sends traffic to ready endpoints',
    },
  },
);

const metricTarget = object(
  'MetricTarget',
  {
    type: enumOf(['Utilization', 'AverageValue', 'Value']),
    averageUtilization: int(1),
    averageValue: quantity,
    value: quantity,
  },
  { required: ['type'] },
);

const metricSpec = object(
  'MetricSpec',
  {
    type: { type: 'string' },
    resource: object(
      'ResourceMetricSource',
      { name: str, target: metricTarget },
      { required: ['name', 'target'] },
    ),
  },
  {
    required: ['type'],
    rejected: {
      pods: 'only Resource metrics (cpu, memory) are collected by skiff',
      object: 'only Resource metrics (cpu, memory) are collected by skiff',
      external: 'only Resource metrics (cpu, memory) are collected by skiff',
      containerResource: 'only Resource metrics (cpu, memory) are collected by skiff',
    },
  },
);

const scalingRules = object('HPAScalingRules', {
  stabilizationWindowSeconds: int(0, 3600),
  selectPolicy: enumOf(['Max', 'Min', 'Disabled']),
  policies: arrayOf(
    object(
      'HPAScalingPolicy',
      { type: enumOf(['Pods', 'Percent']), value: int(1), periodSeconds: int(1, 1800) },
      { required: ['type', 'value', 'periodSeconds'] },
    ),
  ),
  tolerance: quantity,
});

const scaleTargetRef = object(
  'CrossVersionObjectReference',
  { apiVersion: str, kind: str, name: str },
  { required: ['kind', 'name'] },
);

const ONE_HOST = 'a claim is a Docker local volume on the host where its first pod runs (local-path)';
const persistentVolumeClaimSpec = object(
  'PersistentVolumeClaimSpec',
  {
    accessModes: arrayOf(enumOf(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])),
    resources: object(
      'VolumeResourceRequirements',
      {
        requests: object('ClaimRequests', { storage: quantity }, { required: ['storage'] }),
      },
      {
        required: ['requests'],
        ignored: { limits: ignore(resourceList, 'a Docker local volume has no size; capacity is recorded') },
      },
    ),
    storageClassName: str,
    volumeMode: enumOf(['Filesystem', 'Block'], 'Filesystem'),
  },
  {
    required: ['accessModes', 'resources'],
    rejected: {
      dataSource: `volume populators and snapshots are not supported by skiff: ${ONE_HOST}`,
      dataSourceRef: `volume populators and snapshots are not supported by skiff: ${ONE_HOST}`,
      selector: `skiff has no PersistentVolume objects to select: ${ONE_HOST}`,
      volumeName: `skiff has no PersistentVolume objects to bind to: ${ONE_HOST}`,
      volumeAttributesClassName: 'volume attributes classes are not supported by skiff',
    },
  },
);

/** policy/v1 PodDisruptionBudgetSpec: accepted whole. skiff has no eviction API (Kubernetes
 *  rollouts do not honour PDBs either); `skiff plan` shows each PDB next to a rollout's floor. */
const podDisruptionBudgetSpec = object('PodDisruptionBudgetSpec', {
  minAvailable: intOrString,
  maxUnavailable: intOrString,
  selector: labelSelector,
  unhealthyPodEvictionPolicy: enumOf(['IfHealthyBudget', 'AlwaysAllow']),
});

export const KIND_SCHEMAS: Record<string, JsonSchema> = {
  'policy/v1/PodDisruptionBudget': top(
    'PodDisruptionBudget',
    'policy/v1',
    { spec: podDisruptionBudgetSpec },
    {},
  ),
  'v1/PersistentVolumeClaim': top(
    'PersistentVolumeClaim',
    'v1',
    { spec: persistentVolumeClaimSpec },
    { required: ['spec'] },
  ),
  'v1/Pod': top('Pod', 'v1', { spec: ref('PodSpec') }, { required: ['spec'] }),
  'apps/v1/Deployment': top('Deployment', 'apps/v1', { spec: deploymentSpec }, { required: ['spec'] }),
  'v1/Service': top('Service', 'v1', { spec: serviceSpec }, { required: ['spec'] }),
  'v1/ConfigMap': top('ConfigMap', 'v1', { data: stringMap, binaryData: stringMap, immutable: bool }, {}),
  'v1/Secret': top(
    'Secret',
    'v1',
    { type: { type: 'string', default: 'Opaque' }, data: stringMap, stringData: stringMap, immutable: bool },
    {},
  ),
  'autoscaling/v2/HorizontalPodAutoscaler': top(
    'HorizontalPodAutoscaler',
    'autoscaling/v2',
    {
      spec: object(
        'HorizontalPodAutoscalerSpec',
        {
          scaleTargetRef,
          minReplicas: int(1, undefined, 1),
          maxReplicas: int(1),
          metrics: arrayOf(metricSpec),
          behavior: object('HorizontalPodAutoscalerBehavior', {
            scaleUp: scalingRules,
            scaleDown: scalingRules,
          }),
        },
        { required: ['scaleTargetRef', 'maxReplicas'] },
      ),
    },
    { required: ['spec'] },
  ),
  'autoscaling/v1/HorizontalPodAutoscaler': top(
    'HorizontalPodAutoscaler',
    'autoscaling/v1',
    {
      spec: object(
        'HorizontalPodAutoscalerSpecV1',
        {
          scaleTargetRef,
          minReplicas: int(1, undefined, 1),
          maxReplicas: int(1),
          targetCPUUtilizationPercentage: int(1),
        },
        { required: ['scaleTargetRef', 'maxReplicas'] },
      ),
    },
    { required: ['spec'] },
  ),
};

/** Subschemas referenced by `$ref: skiff:<title>`; register them before compiling. */
export const SHARED_SCHEMAS: JsonSchema[] = [
  { ...probe, $id: 'skiff:Probe' },
  { ...podSpec, $id: 'skiff:PodSpec' },
];

export const SUPPORTED_KINDS = Object.keys(KIND_SCHEMAS).map((k) => {
  const i = k.lastIndexOf('/');
  return `${k.slice(0, i)} ${k.slice(i + 1)}`;
});

export interface FieldSupport {
  type: string;
  supported: string[];
  ignored: Record<string, string>;
  rejected: Record<string, string>;
}

/** Supported, ignored and rejected fields per object type, for the README and `--help`. */
export function fieldSupport(): FieldSupport[] {
  const byTitle = new Map<string, FieldSupport>();
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    const schema = s as JsonSchema;
    if (schema['x-ignored-field'] !== undefined) return; // an ignored field's type is not support
    const title = schema.title as string | undefined;
    if (title && schema.type === 'object' && schema.properties && !byTitle.has(title)) {
      byTitle.set(title, {
        type: title,
        supported: Object.keys(schema.properties as object).filter(
          (f) => !Object.hasOwn(schema['x-ignored'] as object, f),
        ),
        ignored: schema['x-ignored'] as Record<string, string>,
        rejected: schema['x-rejected'] as Record<string, string>,
      });
    }
    for (const v of Object.values(schema)) {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') visit(v);
    }
  };
  Object.values(KIND_SCHEMAS).forEach(visit);
  SHARED_SCHEMAS.forEach(visit);
  return [...byTitle.values()];
}
