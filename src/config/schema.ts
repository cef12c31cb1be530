// JSON Schema of `skiff.yaml` (draft-07, checked by ajv). Structure only: cross-field rules
// (unique names, how an SSH host is authenticated and its key verified, poll interval vs
// cron) are checked in load-config.ts, where they can point at the right line.

import { TRIGGERS } from '../notify/notify-types.js';

const NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
// Every number is bounded: a duration feeds a timer, and Node clamps a delay above 2^31-1 ms
// (24.8 days) to 1 ms, so an unbounded value (a lease of 1e300 s) would become a 1 ms loop.
// Durations that drive a loop have a floor too (an interval of 1e-300 s is a busy loop).
const HOUR = 3600;
const DAY = 86_400;
/** A duration in seconds: a timeout (any positive value, up to `max`). */
const seconds = (max: number) => ({ type: 'number', exclusiveMinimum: 0, maximum: max }) as const;
/** A period in seconds that drives a loop: at least 0.1 s. */
const period = (max: number) => ({ type: 'number', minimum: 0.1, maximum: max }) as const;
const count = (max: number) => ({ type: 'integer', minimum: 1, maximum: max }) as const;

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
    // The kubelet's --max-pods (default 110) and a node's extended resources (whole units,
    // e.g. "nvidia.com/gpu": 2); names are checked in load-config.ts.
    maxPods: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    resources: { type: 'object', additionalProperties: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
    // kubectl cordon: no new pods (the node.kubernetes.io/unschedulable taint).
    unschedulable: { type: 'boolean' },
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

const HTTP_URL = '^https?://[^\\s]+$';
const ENV_NAME = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } as const;
const triggerList = { type: 'array', items: { enum: [...TRIGGERS] } } as const;

/** One notification service; which fields each type takes is checked in load-config.ts. */
const notificationService = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', pattern: NAME, maxLength: 63 },
    type: { enum: ['github', 'gitlab', 'webhook', 'slack'] },
    tokenEnv: ENV_NAME,
    url: { type: 'string', pattern: HTTP_URL },
    urlEnv: ENV_NAME,
    apiUrl: { type: 'string', pattern: HTTP_URL },
    owner: { type: 'string', minLength: 1 },
    repo: { type: 'string', minLength: 1 },
    project: { type: 'string', minLength: 1 },
    template: { type: 'string', minLength: 1 },
    headersEnv: { type: 'object', additionalProperties: ENV_NAME },
  },
} as const;

const notifications = {
  type: 'object',
  additionalProperties: false,
  properties: {
    publicUrl: { type: 'string', pattern: HTTP_URL },
    services: { type: 'array', items: notificationService },
    triggers: triggerList,
    healthDegradedSeconds: seconds(DAY),
    delivery: {
      type: 'object',
      additionalProperties: false,
      properties: {
        concurrency: count(64),
        timeoutSeconds: seconds(HOUR),
        maxAttempts: count(20),
      },
    },
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
        // 1 s to 24 h: checked in load-config.ts (the pattern bounds the digits only).
        interval: { type: 'string', pattern: '^[0-9]{1,9}(ms|s|m|h)$' },
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
    // Each value is inline text or a file path: told apart and read in verify-config.ts.
    verify: {
      type: 'object',
      additionalProperties: false,
      properties: {
        openpgpKeys: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        allowedSigners: { type: 'string', minLength: 1 },
      },
    },
    notifications: {
      type: 'object',
      additionalProperties: false,
      properties: {
        services: { type: 'array', items: { type: 'string', pattern: NAME } },
        triggers: triggerList,
      },
    },
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
    notifications,
    daemon: {
      type: 'object',
      additionalProperties: false,
      properties: {
        stateDir: { type: 'string', minLength: 1 },
        listen: { type: 'string', pattern: '^[^\\s]+:[0-9]{1,5}$' },
        reconcileIntervalSeconds: period(DAY),
        hostGracePeriodSeconds: seconds(DAY),
        metricsIntervalSeconds: period(HOUR),
        leaseDurationSeconds: { type: 'number', minimum: 1, maximum: HOUR },
        gitLimits,
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          properties: { cert: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 } },
        },
        insecure: { type: 'boolean' },
        webhookListen: { type: 'string', pattern: '^[^\\s]+:[0-9]{1,5}$' },
        metrics: {
          type: 'object',
          additionalProperties: false,
          properties: { public: { type: 'boolean' } },
        },
      },
    },
    connection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        connectTimeoutSeconds: seconds(HOUR),
        keepaliveIntervalSeconds: period(HOUR),
        keepaliveCountMax: count(1000),
        callTimeoutSeconds: seconds(DAY),
        observeTimeoutSeconds: seconds(HOUR),
        pullTimeoutSeconds: seconds(DAY),
        maxConcurrentPerHost: count(1024),
        maxConcurrent: count(4096),
        reconnectMinSeconds: period(HOUR),
        reconnectMaxSeconds: period(HOUR),
      },
    },
  },
} as const;
