// JSON Schema of `skiff.yaml` (draft-07, checked by ajv). Structure only: cross-field rules
// (unique names, how an SSH host is authenticated and its key verified, poll interval vs
// cron) are checked in load-config.ts, where they can point at the right line.

const NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;

/** Bounds on one fetch; each is capped so a typo cannot disable it (1 TiB, one day). */
const gitLimits = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxPackBytes: { type: 'integer', minimum: 1024, maximum: 2 ** 40 },
    maxObjectBytes: { type: 'integer', minimum: 1024, maximum: 2 ** 40 },
    fetchTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
  },
} as const;

const taint = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'effect'],
  properties: {
    key: { type: 'string', minLength: 1 },
    value: { type: 'string' },
    effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
  },
} as const;

const host = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: NAME, maxLength: 63 },
    kind: { enum: ['ssh', 'local'] },
    address: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    user: { type: 'string', minLength: 1 },
    privateKeyFile: { type: 'string', minLength: 1 },
    agent: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }] },
    hostKey: { type: 'string', pattern: '^[a-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$' },
    knownHostsFile: { type: 'string', minLength: 1 },
    insecureAcceptHostKey: { type: 'boolean' },
    dockerSocket: { type: 'string', pattern: '^/' },
    dataDir: { type: 'string', pattern: '^/' },
    labels: stringMap,
    taints: { type: 'array', items: taint },
  },
} as const;

const registry = {
  type: 'object',
  additionalProperties: false,
  required: ['server'],
  properties: {
    server: { type: 'string', pattern: '^[A-Za-z0-9.-]+(:[0-9]+)?$' },
    insecure: { type: 'boolean' },
    username: { type: 'string' },
    password: { type: 'string' },
    passwordFile: { type: 'string', minLength: 1 },
    passwordEnv: { type: 'string', minLength: 1 },
  },
} as const;

const app = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'repoURL'],
  properties: {
    name: { type: 'string', pattern: NAME, maxLength: 63 },
    repoURL: { type: 'string', minLength: 1 },
    revision: { type: 'string', minLength: 1 },
    path: { type: 'string', minLength: 1 },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        usernameEnv: { type: 'string', minLength: 1 },
        passwordEnv: { type: 'string', minLength: 1 },
        tokenEnv: { type: 'string', minLength: 1 },
        tokenFile: { type: 'string', minLength: 1 },
      },
    },
    syncPolicy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        automated: { type: 'boolean' },
        prune: { type: 'boolean' },
        selfHeal: { type: 'boolean' },
        allowEmpty: { type: 'boolean' },
      },
    },
    poll: {
      type: 'object',
      additionalProperties: false,
      properties: {
        interval: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' },
        cron: { type: 'string', minLength: 1 },
      },
    },
    webhook: {
      type: 'object',
      additionalProperties: false,
      properties: { secretEnv: { type: 'string', minLength: 1 } },
    },
    rollback: {
      type: 'object',
      additionalProperties: false,
      properties: { autoRestore: { type: 'boolean' } },
    },
    gitLimits,
  },
} as const;

export const CLUSTER_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    hosts: { type: 'array', minItems: 1, items: host },
    registries: { type: 'array', items: registry },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        serviceCIDR: { type: 'string', pattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$' },
      },
    },
    apps: { type: 'array', items: app },
    daemon: {
      type: 'object',
      additionalProperties: false,
      properties: {
        stateDir: { type: 'string', minLength: 1 },
        listen: { type: 'string', pattern: '^[^\\s]+:[0-9]{1,5}$' },
        reconcileIntervalSeconds: positive,
        hostGracePeriodSeconds: positive,
        metricsIntervalSeconds: positive,
        leaseDurationSeconds: positive,
        gitLimits,
      },
    },
    connection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        connectTimeoutSeconds: positive,
        keepaliveIntervalSeconds: positive,
        keepaliveCountMax: positiveInt,
        callTimeoutSeconds: positive,
        observeTimeoutSeconds: positive,
        pullTimeoutSeconds: positive,
        maxConcurrentPerHost: positiveInt,
        maxConcurrent: positiveInt,
        reconnectMinSeconds: positive,
        reconnectMaxSeconds: positive,
      },
    },
  },
} as const;
