// A plan: what applying a revision would change, object by object and on the hosts. Pure data,
// rendered as text, markdown (for a PR comment) or JSON. Secret values never appear: changed
// Secret keys are shown by name with a hash of the value.

export type ChangeClass = 'create' | 'update-in-place' | 'replace-pods' | 'delete' | 'unchanged';

export interface FieldChange {
  /** Field path: spec.template.spec.containers[0].image */
  path: string;
  before?: unknown;
  after?: unknown;
  /** True when before/after are redacted (Secret data): they hold `***` or a short hash. */
  redacted?: boolean;
}

export interface ObjectChange {
  kind: string;
  namespace: string;
  name: string;
  app: string;
  change: ChangeClass;
  fields: FieldChange[];
  /** The fields that force pods to be replaced (template fields, referenced config). */
  forcedBy: string[];
  /** For replace-pods: how many pods will be replaced. */
  replacePods?: number;
  /** For ConfigMaps/Secrets: the workloads that will roll because of this change. */
  rolls?: string[];
}

export interface HostPlacement {
  host: string;
  before: number;
  after: number;
}

export interface Plan {
  app: string;
  fromCommit?: string;
  toCommit: string;
  /** What a reviewer must see first: a revision the daemon would refuse, one that deletes every
   *  workload, pods that would not be scheduled, Services left without endpoints. */
  alerts: string[];
  changes: ObjectChange[];
  placement: HostPlacement[];
  unschedulable: { pod: string; owner: string; reason: string }[];
  prunes: { kind: string; namespace: string; name: string; pods: number }[];
  warnings: string[];
}
